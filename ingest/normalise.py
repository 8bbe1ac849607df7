"""Text normalisation before any parsing: NFC, one tone-mark placement, OCR slips.

Vietnamese has two conventions for where the tone mark of an open "oa", "oe" or "uy" goes:
the old one on the second vowel ("hoà", "khoẻ", "uỷ"), the new one on the first ("hòa",
"khỏe", "ủy"). Documents mix them, so every text is brought to the new one; a closed
syllable ("hoàn", "thuyết") has one placement only and is left alone, and "qu" + vowel is a
consonant plus a vowel ("quý"), not such a pair.
"""

from __future__ import annotations

import re
import unicodedata

TONES = "\u0300\u0301\u0303\u0309\u0323"
_PAIR = re.compile(r"(?<![qQ])([oOuU])([aAeEyY][" + TONES + r"])(?![^\W\d_])")
# OCR slips seen in scanned directives: "LĐLD" / "LDLĐ" for "LĐLĐ", "phân đầu" for "phấn đấu"
_OCR_SLIPS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"\bL(?:ĐLD|DLĐ|ĐLđ)\b"), "LĐLĐ"),
    (re.compile(r"\bphân đầu\b"), "phấn đấu"),
    (re.compile(r"\bPhân đầu\b"), "Phấn đấu"),
)


def _move_tone(m: re.Match[str]) -> str:
    first, second = m.group(1), m.group(2)
    if first in "uU" and second[0] not in "yY":
        return m.group(0)  # "uá", "uè": not a pair with two placements
    if first in "oO" and second[0] in "yY":
        return m.group(0)
    return unicodedata.normalize("NFC", first + second[1]) + second[0]


def tone_marks(text: str) -> str:
    """'hoà' -> 'hòa', 'Uỷ ban' -> 'Ủy ban', 'khoẻ' -> 'khỏe'; 'hoàn', 'quý' unchanged."""
    decomposed = unicodedata.normalize("NFD", text)
    if not any(t in decomposed for t in TONES):
        return unicodedata.normalize("NFC", text)
    # keep vowel quality marks (circumflex, breve, horn) composed, tone marks apart
    partly = _compose_without_tones(decomposed)
    return unicodedata.normalize("NFC", _PAIR.sub(_move_tone, partly))


def _compose_without_tones(decomposed: str) -> str:
    out: list[str] = []
    pending: list[str] = []
    for c in decomposed:
        if c in TONES:
            pending.append(c)
            continue
        if unicodedata.combining(c) and out:
            out[-1] = unicodedata.normalize("NFC", out[-1] + c)
            continue
        if pending:
            out.extend(pending)
            pending = []
        out.append(c)
    out.extend(pending)
    return "".join(out)


def ocr_slips(text: str) -> str:
    for pattern, replacement in _OCR_SLIPS:
        text = pattern.sub(replacement, text)
    return text


def normalise_text(text: str) -> str:
    """NFC, new-style tone marks and the usual OCR slips fixed."""
    return ocr_slips(tone_marks(unicodedata.normalize("NFC", text)))
