"""Figures as Vietnamese users write them: '12,5', '12.5', '1.234,5', '13,5 triệu', '80%'.

Vietnamese groups thousands with '.' and marks decimals with ','; many people type a decimal
point anyway. So a lone ',' is a decimal comma, a '.' followed by groups of three digits
groups thousands ('12.500' is twelve thousand five hundred), any other lone '.' is a decimal
point ('12.5'); with both, the last one is the decimal mark. A scale word (nghìn, triệu, tỷ)
multiplies, and the target's own unit may be typed after the number.
"""

from __future__ import annotations

import re
import unicodedata

SCALES = {"nghìn": 1e3, "ngàn": 1e3, "triệu": 1e6, "tỷ": 1e9, "tỉ": 1e9}
MAX_TEXT = 60
_SCALE_WORD = re.compile(r"^(?P<number>.*?)\s*(?P<scale>" + "|".join(SCALES) + r")$")
_NUMBER = re.compile(r"[+-]?\d[\d.,]*")
_GROUPED = re.compile(r"\d{1,3}(?:[.]\d{3})+")
_GROUPED_COMMA = re.compile(r"\d{1,3}(?:,\d{3})+")
HOW = "viết số như 12,5 hoặc 1.234,5 (có thể kèm «triệu», «nghìn»)"


class FigureError(ValueError):
    """What was typed is not a number; the message says what was typed and how to write it."""


def split_unit(unit: str) -> tuple[float, str]:
    """'triệu đoàn viên' -> (1e6, 'đoàn viên'); '%' -> (1, '%')."""
    text = unicodedata.normalize("NFC", unit).strip().lower()
    first, _, rest = text.partition(" ")
    if first in SCALES and rest:
        return SCALES[first], rest.strip()
    return 1.0, text


def parse_figure(text: str, unit: str = "") -> float:
    """The number in `text`, in the target's `unit` ('13,5 triệu' is 13.5 in 'triệu đoàn viên'
    and 13500000 in 'đoàn viên'). Raises FigureError."""
    raw = unicodedata.normalize("NFC", text or "").strip()
    if len(raw) > MAX_TEXT:
        raise FigureError(f"«{raw[:20]}…» dài quá {MAX_TEXT} ký tự: chỉ ghi con số")
    s = " ".join(raw.lower().replace("\u2212", "-").split())
    unit_scale, unit_words = split_unit(unit)
    for tail in dict.fromkeys((unicodedata.normalize("NFC", unit).strip().lower(), unit_words)):
        if tail and s.endswith(tail):
            s = s[: -len(tail)].strip()
            break
    scale = None  # no scale word: the number is in the unit ('0,85' triệu đoàn viên)
    if m := _SCALE_WORD.match(s):
        s, scale = m.group("number").strip(), SCALES[m.group("scale")]
    if not _NUMBER.fullmatch(s):
        raise FigureError(f"«{raw}» không phải số: {HOW}")
    try:
        number = parse_number(s)
    except ValueError:
        raise FigureError(f"«{raw}» không đọc được thành một số: {HOW}") from None
    return round(number if scale is None else number * scale / unit_scale, 9)


def parse_number(s: str) -> float:
    """'1.234,5' -> 1234.5 and the other spellings of the module docstring; ValueError else."""
    sign = -1.0 if s.startswith("-") else 1.0
    s = s.lstrip("+-")
    dot, comma = s.rfind("."), s.rfind(",")
    if dot >= 0 and comma >= 0:
        mark = max(dot, comma)
        whole, frac = s[:mark], s[mark + 1:]
        group = "." if mark == comma else ","
        if not frac.isdigit() or not re.fullmatch(r"\d{1,3}(?:" + re.escape(group) + r"\d{3})*",
                                                   whole):
            raise ValueError(s)
        return sign * float(whole.replace(group, "") + "." + frac)
    if comma >= 0:
        if s.count(",") > 1:
            if not _GROUPED_COMMA.fullmatch(s):
                raise ValueError(s)
            return sign * float(s.replace(",", ""))
        whole, frac = s.split(",")
        if not whole or not frac:
            raise ValueError(s)
        return sign * float(f"{whole}.{frac}")
    if dot >= 0:
        if _GROUPED.fullmatch(s) and not (s.count(".") == 1 and s.startswith("0")):
            return sign * float(s.replace(".", ""))
        if s.count(".") > 1:
            raise ValueError(s)
        whole, frac = s.split(".")
        if not whole or not frac:
            raise ValueError(s)
        return sign * float(f"{whole}.{frac}")
    return sign * float(s)
