"""Measurable targets (chỉ tiêu): "Phấn đấu có 13,5 triệu đoàn viên ... đến năm 2025".

A clause (a sentence part between ';') is a target when it says "phấn đấu", "chỉ tiêu",
"đạt" or "mục tiêu", or sits under a heading "Đến năm 2025:"; its year is the one the clause
names ("đến năm 2023"), else the heading's. OCR's "phân đầu" counts as "phấn đấu".
"""

from __future__ import annotations

import re

from ingest.layout import Layout
from ingest.text import ascii_key

_YEAR_HEADING = re.compile(r"^(?:\*\s*)?(?:den|toi|trong|giai doan)\s+(?:nam\s+)?(\d{4})\s*:?\s*$")
_CLAUSE_YEAR = re.compile(r"\b(?:den|toi|trong|vao)\s+(?:cuoi\s+)?nam\s+(\d{4})\b")
_TARGET_WORDS = re.compile(r"\b(?:phan dau|chi tieu|dat|muc tieu)\b")
_VALUE = re.compile(
    r"(?<![\d.,/])(?P<value>\d{1,3}(?:\.\d{3})+|\d+(?:,\d+)?)\s*"
    r"(?P<unit>%|(?:trieu|nghin|ngan|ty)\s+[^\W\d_]+(?:\s+[^\W\d_]+)?|"
    r"(?:doan vien|cong doan co so|doanh nghiep|lao dong|nguoi)\b)")


def read_targets(layout: Layout) -> list[dict[str, object]]:
    targets: list[dict[str, object]] = []
    context_year: int | None = None
    for n in layout.main_lines():
        if layout.is_noise(n):
            continue
        text = layout.text(n)
        key = ascii_key(text).strip()
        heading = _YEAR_HEADING.match(key)
        if heading:
            context_year = int(heading.group(1))
            continue
        if any(h.line == n for h in layout.headings) or re.match(r"^\d+\.\s", text):
            context_year = None
        for clause_start, clause_end in _clauses(key):
            clause_key = key[clause_start:clause_end]
            year_match = _CLAUSE_YEAR.search(clause_key)
            year = int(year_match.group(1)) if year_match else context_year
            if year is None or not (_TARGET_WORDS.search(clause_key) or context_year):
                continue
            for m in _VALUE.finditer(clause_key):
                targets.append(_target(text, clause_start, clause_end, m, year))
    return targets


def _clauses(key: str) -> list[tuple[int, int]]:
    out = []
    start = 0
    for m in re.finditer(r";", key):
        out.append((start, m.start()))
        start = m.end()
    out.append((start, len(key)))
    return out


def _target(text: str, start: int, end: int, m: re.Match[str], year: int) -> dict[str, object]:
    raw = m.group("value")
    value = float(raw.replace(".", "").replace(",", ".")) if "." in raw and "," not in raw \
        and re.fullmatch(r"\d{1,3}(?:\.\d{3})+", raw) else float(raw.replace(",", "."))
    unit_start, unit_end = m.start("unit") + start, m.end("unit") + start
    unit = text[unit_start:unit_end]
    clause = re.sub(r"^\s*(?:\d{1,2}[.)]|[-+•])\s*", "", text[start:end])
    return {"text": clause.strip(" -+.;,"), "year": year, "value": value,
            "unit": unit}
