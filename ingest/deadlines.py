"""Deadline phrases of Vietnamese directives -> rule strings of models.deadlines.

Phrases are matched on the accent-free key of the text ("hằng năm" = "hàng năm" = "hang
nam"); the phrase returned is the original text at the same offsets. When a passage holds
several phrases, the most precise wins: a relative delay, a date, a yearly day, a month, a
quarter, a half-year, a year, then the recurring ones, then "thường xuyên".

A bare period ("tháng 7/2024", "năm 2024") counts only after a word that makes it a deadline
("trong", "trước", "xong", "hoàn thành") or in a timing field ("Thời gian: ...", a table's
"Thời gian hoàn thành" cell), so dates of cited documents are never taken for deadlines.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass

from ingest.text import ascii_key
from models.deadlines import DeadlineRuleError, parse_rule


@dataclass(frozen=True)
class Deadline:
    rule: str | None
    text: str
    start: int
    end: int
    warning: str | None = None


_ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4, "1": 1, "2": 2, "3": 3, "4": 4}
_DIGIT_WEEKDAYS = {"2": "mon", "3": "tue", "4": "wed", "5": "thu", "6": "fri", "7": "sat"}
_WEEKDAYS = {"thu hai": "mon", "thu ba": "tue", "thu tu": "wed", "thu nam": "thu",
             "thu sau": "fri", "thu bay": "sat", "chu nhat": "sun"}

_SEP = r"\s*[/.\-]\s*"
_NUM_DATE = rf"(?P<d>\d{{1,2}}){_SEP}(?P<m>\d{{1,2}}){_SEP}(?P<y>\d{{4}})"
_WORD_DATE = r"ngay\s+(?P<d2>\d{1,2})\s+thang\s+(?P<m2>\d{1,2})\s+nam\s+(?P<y2>\d{4})"
_TRIGGER = (r"(?:truoc|cham nhat(?:\s+la)?|han(?:\s+chot)?|hoan thanh(?:\s+truoc)?|"
            r"xong(?:\s+truoc)?|vao|trong|khong qua)")
_TIMING = r"(?:thoi gian|thoi han|tien do)[^:.;]{0,30}?:"
_ANNUAL_WORD = re.compile(r"\b(?:hang|moi|dinh ky(?:\s+hang)?)\s+nam\b")

_RELATIVE = re.compile(
    r"\b(?:trong(?:\s+vong|\s+thoi\s+han)?|sau|cham\s+nhat(?:\s+la)?|khong\s+qua)\s+"
    r"(?P<n>\d{1,3})\s+ngay(?P<wd>\s+lam\s+viec)?\s*,?\s*(?:ke\s+tu|tinh\s+tu|sau\s+khi)\s+"
    r"(?:ngay\s+)?(?P<anchor>ban\s+hanh|ky|nhan|khoi\s+chay|trien\s+khai)")
_EXACT = re.compile(rf"(?:\b{_TRIGGER}|{_TIMING})\s*(?:ngay\s*)?:?\s*(?:{_NUM_DATE}|{_WORD_DATE})")
_TIMED_DATE = re.compile(rf"^\s*(?:ngay\s*)?(?:{_NUM_DATE}|{_WORD_DATE})")
_DAY_MONTH = re.compile(
    rf"(?:\b{_TRIGGER}|{_TIMING})\s*(?:ngay\s*)?:?\s*(?:(?P<d>\d{{1,2}})\s*/\s*(?P<m>\d{{1,2}})"
    r"(?!\s*[/.\-]?\s*\d)|ngay\s+(?P<d2>\d{1,2})\s+thang\s+(?P<m2>\d{1,2})(?!\s+nam))")
_MONTH = re.compile(
    r"(?P<pre>\btruoc\s+|\btrong\s+|\bcuoi\s+|\bhet\s+|\bxong\s+|\bhoan\s+thanh\s+|\bvao\s+|"
    r"\bden\s+|\bcham\s+nhat\s+)?"
    r"\bthang\s+(?P<m>\d{1,2})\s*(?:/|nam|-)\s*(?P<y>\d{4})")
_QUARTER = re.compile(
    r"(?P<pre>\btruoc\s+)?\bquy\s+(?P<q>(?:iv|iii|ii|i|[1-4])(?:\s*(?:,|va|-|den)\s*"
    r"(?:iv|iii|ii|i|[1-4]))*)\s*(?:/|nam|-)\s*(?P<y>\d{4})")
_HALF = re.compile(r"\b(?:0?6\s+thang|nua)\s+(?P<h>dau|cuoi)\s+nam\s*(?P<y>\d{4})?")
_SEMIANNUAL = re.compile(r"\b(?:dinh\s+ky|hang|moi)\s+0?6\s+thang\b|\b0?6\s+thang\s+(?:mot|1)\s+lan\b")
_YEAR = re.compile(
    r"\b(?P<pre>xong|hoan\s+thanh|hoan\s+tat|ket\s+thuc|trong|cuoi|truoc)\s+(?:trong\s+)?"
    r"nam\s+(?P<y>\d{4})(?!\s*[-–]\s*\d{4})")
_YEAR_RANGE = re.compile(
    rf"(?:{_TIMING}|\bthoi gian(?:\s+thuc\s+hien|\s+hoan\s+thanh)?|\bgiai\s+doan)\s*:?\s*"
    r"(?:tu\s+)?(?:nam\s+)?(?P<y1>\d{4})(?:\s*(?:-|den|toi)\s*(?:nam\s+)?(?P<y2>\d{4}))?\b")
_TIMED_YEAR = re.compile(r"^\s*(?:trong\s+|cuoi\s+)?(?:nam\s+)?(?P<y1>\d{4})"
                         r"(?:\s*(?:-|den|toi)\s*(?:nam\s+)?(?P<y2>\d{4}))?\s*$")
_TIMED_MONTH = re.compile(r"^\s*(?:trong\s+)?(?:thang\s+)?(?P<m>\d{1,2})\s*/\s*(?P<y>\d{4})\s*$")
_QUARTERLY = re.compile(r"\b(?:hang|moi|dinh\s+ky(?:\s+hang)?)\s+quy\b")
_MONTHLY = re.compile(r"\b(?:hang|moi|dinh\s+ky(?:\s+hang)?)\s+thang\b")
_WEEKLY = re.compile(r"\b(?:hang|moi|dinh\s+ky(?:\s+hang)?)\s+tuan\b")
_WEEKDAY = re.compile(r"\b(thu\s+(?:hai|ba|tu|nam|sau|bay)|chu\s+nhat)\b")
_ANNUAL = re.compile(r"\b(?:hang|moi|dinh\s+ky(?:\s+hang)?)\s+nam\b")
_CONTINUOUS = re.compile(r"(?<!\bchi )(?<!\bphi )\bthuong\s+xuyen\b(?!\s+(?:lam|co|cua)\b)")
_FOLLOWING_YEARS = re.compile(r"\b(?:va|cho)\s+(?:cac|nhung)\s+nam\s+(?:tiep\s+theo|sau)\b")
_WEEKDAY_DIGIT = re.compile(r"\b(?:vao\s+)?(?:ngay\s+)?thu\s+([2-7])\b(?!\s*[/.]\s*\d)")
_RANGE_DATE = re.compile(
    rf"\btu\s+(?:ngay\s+)?\d{{1,2}}\s*/\s*\d{{1,2}}(?:\s*/\s*\d{{4}})?\s*(?:den|-|toi)\s*"
    rf"(?:ngay\s+)?(?P<d>\d{{1,2}}){_SEP}(?P<m>\d{{1,2}}){_SEP}(?P<y>\d{{4}})")
_RANGE_MONTH = re.compile(
    r"\btu\s+thang\s+\d{1,2}(?:\s*/\s*\d{4})?\s*(?:den|-|toi)\s*(?:het\s+)?thang\s+"
    r"(?P<m>\d{1,2})\s*(?:/|nam)\s*(?P<y>\d{4})")
_START_ONLY = re.compile(rf"^\s*(?:bat\s+dau\s+)?tu\s+(?:ngay\s+)?(?:{_NUM_DATE}|{_WORD_DATE})\s*\.?\s*$")
_EVENT = re.compile(
    r"\b(?:ngay\s+sau\s+khi|(?:trong\s+(?:vong\s+)?|cham\s+nhat\s+)\d{1,3}\s+ngay\s+"
    r"(?:lam\s+viec\s+)?(?:sau\s+khi|ke\s+tu\s+khi)|sau\s+khi\s+[^,.;]{3,80}?"
    r"(?:ban\s+hanh|co\s+hieu\s+luc|duoc\s+phe\s+duyet|ket\s+thuc)|khi\s+[^.;]{3,80}?"
    r"ban\s+hanh\s+(?:cac\s+)?van\s+ban|theo\s+lo\s+trinh)[^,.;]{0,80}")


def find_deadline(text: str, *, issued_on: dt.date | None = None, timing: bool = False
                  ) -> Deadline | None:
    """The deadline `text` states, or None. `timing`: the text is a timing field's value."""
    key = ascii_key(text)
    finders: list[Callable[[str, str, dt.date | None], Deadline | None]] = [
        _relative, _following_years, _range, _exact, _day_month, _month, _quarter, _half, _year,
    ]
    if timing:
        finders.insert(0, _timed_value)
        finders.insert(0, _start_only)
    finders += [_recurring]
    if timing:
        finders.append(_event)
    for finder in finders:
        found = finder(text, key, issued_on)
        if found is not None:
            return found
    return None if timing else _event(text, key, issued_on, strict=True)


def _following_years(text: str, key: str, issued_on: dt.date | None) -> Deadline | None:
    """'Năm 2025 và các năm tiếp theo' -> annual; 'Quý IV/2025 và ...' -> annual:12-31;
    'Giai đoạn 2026-2030 và những năm tiếp theo' -> continuous (the plan's period goes on)."""
    m = _FOLLOWING_YEARS.search(key)
    if not m:
        return None
    before = key[max(0, m.start() - 40):m.start()]
    start = max(0, m.start() - 40)
    if re.search(r"\d{4}\s*(?:-|den)\s*(?:nam\s+)?\d{4}\s*$", before):
        return _make(text, start, m.end(), "continuous")
    quarter = re.search(r"quy\s+(iv|iii|ii|i|[1-4])\s*(?:/|nam)\s*\d{4}\s*$", before)
    if quarter:
        month = _ROMAN[quarter.group(1)] * 3
        day = (31, 30, 30, 31)[month // 3 - 1]
        return _make(text, start + quarter.start(), m.end(), f"annual:{month:02d}-{day:02d}")
    month_m = re.search(r"thang\s+(\d{1,2})\s*/\s*\d{4}\s*$", before)
    if month_m and 1 <= int(month_m.group(1)) <= 12:
        month = int(month_m.group(1))
        day = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)[month - 1]
        return _make(text, start + month_m.start(), m.end(), f"annual:{month:02d}-{day:02d}")
    if re.search(r"\d{4}\s*\)?\s*$", before):
        return _make(text, start, m.end(), "annual")
    return None


def _range(text: str, key: str, issued_on: dt.date | None) -> Deadline | None:
    """'từ ngày 01/12 đến ngày 15/12/2025' -> the end; 'từ tháng 10 đến tháng 12/2025' too."""
    m = _RANGE_DATE.search(key)
    if m:
        day, month, year = int(m.group("d")), int(m.group("m")), int(m.group("y"))
        return _make(text, m.start(), m.end(), f"{year:04d}-{month:02d}-{day:02d}")
    m = _RANGE_MONTH.search(key)
    if m and 1 <= int(m.group("m")) <= 12:
        return _make(text, m.start(), m.end(), f"{int(m.group('y')):04d}-{int(m.group('m')):02d}")
    return None


def _start_only(text: str, key: str, issued_on: dt.date | None) -> Deadline | None:
    """A timing field that only says when to start ('Từ 01/7/2025'): ongoing from then."""
    m = _START_ONLY.match(key)
    if not m:
        return None
    return _make(text, m.start(), m.end(), "continuous",
                 f"«{text.strip(' .')}» là ngày bắt đầu, không phải thời hạn: tạm hiểu là thường "
                 "xuyên từ ngày đó")


def _event(text: str, key: str, issued_on: dt.date | None, *, strict: bool = False
           ) -> Deadline | None:
    """'sau khi Chính phủ ban hành …', 'theo lộ trình …': tied to an event, kept as text."""
    m = _EVENT.search(key)
    if not m:
        return None
    if strict and key[m.start():].startswith("theo lo trinh"):
        return None
    phrase = text[m.start():m.end()].strip(" ,.;")
    return Deadline(None, phrase, m.start(), m.end(),
                    f"thời hạn gắn với một sự kiện («{phrase}»): không có ngày, điều phối ghi tay")


def _valid(rule: str) -> bool:
    try:
        parse_rule(rule)
    except DeadlineRuleError:
        return False
    return True


def _make(text: str, start: int, end: int, rule: str | None, warning: str | None = None
          ) -> Deadline:
    if rule is not None and not _valid(rule):
        return Deadline(None, text[start:end].strip(), start, end,
                        f"thời hạn «{text[start:end].strip()}» không phải ngày có thật")
    return Deadline(rule, text[start:end].strip(" ,.;:"), start, end, warning)


def _relative(text: str, key: str, issued_on: dt.date | None) -> Deadline | None:
    m = _RELATIVE.search(key)
    if not m:
        return None
    anchor_word = (m.group("anchor") or "ban hanh").replace(" ", "")
    anchor = "issued" if anchor_word in ("banhanh", "ky") else "launched"
    unit = "wd" if m.group("wd") else "d"
    rule = f"relative:{anchor}+{int(m.group('n'))}{unit}"
    return _make(text, m.start(), m.end(), rule)


def _date_parts(m: re.Match[str]) -> tuple[int, int, int | None]:
    day = m.group("d") or m.group("d2")
    month = m.group("m") or m.group("m2")
    year = m.groupdict().get("y") or m.groupdict().get("y2")
    return int(day), int(month), int(year) if year else None


def _exact(text: str, key: str, issued_on: dt.date | None) -> Deadline | None:
    m = _EXACT.search(key)
    if not m:
        return None
    day, month, year = _date_parts(m)
    return _make(text, m.start(), m.end(), f"{year:04d}-{month:02d}-{day:02d}")


def _day_month(text: str, key: str, issued_on: dt.date | None) -> Deadline | None:
    m = _DAY_MONTH.search(key)
    if not m:
        return None
    day, month, _ = _date_parts(m)
    annual = _ANNUAL_WORD.search(key)
    if annual:
        start, end = min(m.start(), annual.start()), max(m.end(), annual.end())
        if end - start > 80:  # far apart: quote the two phrases, not the text between
            phrase = f"{text[annual.start():annual.end()]}, {text[m.start():m.end()]}"
            return Deadline(f"annual:{month:02d}-{day:02d}" if _valid(
                f"annual:{month:02d}-{day:02d}") else None, phrase, start, end)
        return _make(text, start, end, f"annual:{month:02d}-{day:02d}")
    if issued_on is None:
        return _make(text, m.start(), m.end(), f"annual:{month:02d}-{day:02d}",
                     "thời hạn không ghi năm và văn bản không có ngày ban hành: tạm hiểu là "
                     "hằng năm")
    year = issued_on.year
    try:
        if dt.date(year, month, day) < issued_on:
            year += 1
    except ValueError:
        pass
    return _make(text, m.start(), m.end(), f"{year:04d}-{month:02d}-{day:02d}",
                 f"thời hạn không ghi năm: tạm hiểu là năm {year}")


def _month(text: str, key: str, issued_on: dt.date | None) -> Deadline | None:
    for m in _MONTH.finditer(key):
        if not m.group("pre") or re.search(r"ngay\s+\d{1,2}\s+$", key[:m.start()]):
            continue
        month, year = int(m.group("m")), int(m.group("y"))
        if not 1 <= month <= 12:
            continue
        if m.group("pre").strip() == "truoc":
            year, month = (year, month - 1) if month > 1 else (year - 1, 12)
        return _make(text, m.start(), m.end(), f"{year:04d}-{month:02d}")
    return None


def _quarter(text: str, key: str, issued_on: dt.date | None) -> Deadline | None:
    m = _QUARTER.search(key)
    if not m:
        return None
    last = re.findall(r"iv|iii|ii|i|[1-4]", m.group("q"))[-1]
    quarter, year = _ROMAN[last], int(m.group("y"))
    if m.group("pre"):
        year, quarter = (year, quarter - 1) if quarter > 1 else (year - 1, 4)
    return _make(text, m.start(), m.end(), f"{year:04d}-Q{quarter}")


def _half(text: str, key: str, issued_on: dt.date | None) -> Deadline | None:
    m = _HALF.search(key)
    if m and m.group("y"):
        half = 1 if m.group("h") == "dau" else 2
        return _make(text, m.start(), m.end(), f"{int(m.group('y')):04d}-H{half}")
    return None


def _year(text: str, key: str, issued_on: dt.date | None) -> Deadline | None:
    m = _YEAR.search(key)
    if m:
        year = int(m.group("y")) - (1 if m.group("pre") == "truoc" else 0)
        return _make(text, m.start(), m.end(), f"{year:04d}")
    m = _YEAR_RANGE.search(key)
    if m:
        year = int(m.group("y2") or m.group("y1"))
        return _make(text, m.start(), m.end(), f"{year:04d}")
    return None


def _timed_value(text: str, key: str, issued_on: dt.date | None) -> Deadline | None:
    """A timing field's whole value: '15/8/2024', 'năm 2024', '2023 - 2024', '7/2024'."""
    m = _TIMED_DATE.match(key)
    if m:
        day, month, year = _date_parts(m)
        return _make(text, m.start(), m.end(), f"{year:04d}-{month:02d}-{day:02d}")
    m = _TIMED_YEAR.match(key)
    if m:
        return _make(text, m.start(), m.end(), f"{int(m.group('y2') or m.group('y1')):04d}")
    m = _TIMED_MONTH.match(key)
    if m and 1 <= int(m.group("m")) <= 12:
        return _make(text, m.start(), m.end(), f"{int(m.group('y')):04d}-{int(m.group('m')):02d}")
    m = _MONTH.search(key)
    if m:
        month, year = int(m.group("m")), int(m.group("y"))
        if 1 <= month <= 12:
            return _make(text, m.start(), m.end(), f"{year:04d}-{month:02d}")
    return None


def _recurring(text: str, key: str, issued_on: dt.date | None) -> Deadline | None:
    m = _HALF.search(key)
    if m and not m.group("y"):
        return _make(text, m.start(), m.end(), "semiannual")
    for pattern, rule in ((_SEMIANNUAL, "semiannual"), (_QUARTERLY, "quarterly"),
                          (_MONTHLY, "monthly")):
        m = pattern.search(key)
        if m:
            return _make(text, m.start(), m.end(), rule)
    m = _WEEKLY.search(key)
    if m:
        day = _WEEKDAY.search(key)
        digit = _WEEKDAY_DIGIT.search(key)
        if day or digit:
            found = day or digit
            assert found is not None
            weekday = (_WEEKDAYS[re.sub(r"\s+", " ", day.group(1))] if day
                       else _DIGIT_WEEKDAYS[found.group(1)])
            start, end = min(m.start(), found.start()), max(m.end(), found.end())
            return _make(text, start, end, f"weekly:{weekday}")
        return Deadline(None, text[m.start():m.end()], m.start(), m.end(),
                        "hằng tuần nhưng không ghi thứ mấy: chọn weekly:mon..sun")
    for pattern, rule in ((_ANNUAL, "annual"), (_CONTINUOUS, "continuous")):
        m = pattern.search(key)
        if m:
            return _make(text, m.start(), m.end(), rule)
    return None
