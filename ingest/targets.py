"""Measurable targets (chỉ tiêu): "Phấn đấu có 13,5 triệu đoàn viên ... đến năm 2025".

A clause (a sentence part between ';') is a target when it says "phấn đấu", "chỉ tiêu",
"đạt" or "mục tiêu", or sits under a heading "Đến năm 2025:"; its year is the one the clause
names ("đến năm 2023"), else the heading's. OCR's "phân đầu" is read as "phấn đấu".

How a target's figures from several bodies combine (`combine`): a percentage of units that
reach something ("80% doanh nghiệp có thỏa ước") is a `share` (the reporting units' counts,
not an average of percentages); another percentage (a rate: "tỷ lệ", "tăng 5%") is a `mean`;
a count or an amount ("13,5 triệu đoàn viên", "500 tỷ đồng") is a `sum`; a floor every body
must reach on its own ("tối thiểu", "ít nhất" with a percentage) is a `min`.
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
_RATE = re.compile(r"\b(?:ty le|tang|giam|binh quan|toc do)\b")
_FLOOR = re.compile(r"\b(?:toi thieu|it nhat|khong duoi)\b")


def read_targets(layout: Layout) -> list[dict[str, object]]:
    targets: list[dict[str, object]] = []
    context_year: int | None = None
    for para in layout.paragraphs:
        if layout.is_closing(para):
            continue
        text = para.text
        key = ascii_key(text).strip()
        heading = _YEAR_HEADING.match(key)
        if heading:
            context_year = int(heading.group(1))
            continue
        if re.match(r"^(?:[IVX]+|\d+)\s*[.\-]\s", text) or para.bold:
            context_year = None
        for start, end in _clauses(key):
            clause_key = key[start:end]
            year_match = _CLAUSE_YEAR.search(clause_key)
            year = int(year_match.group(1)) if year_match else context_year
            if year is None or not (_TARGET_WORDS.search(clause_key) or context_year):
                continue
            for m in _VALUE.finditer(clause_key):
                target = _target(text, start, end, m, year, para.line_at(start + m.start()))
                target["id"] = f"T{len(targets) + 1}"
                targets.append(target)
    return [{"id": t["id"], **{k: v for k, v in t.items() if k != "id"}} for t in targets]


def _clauses(key: str) -> list[tuple[int, int]]:
    out = []
    start = 0
    for m in re.finditer(r";", key):
        out.append((start, m.start()))
        start = m.end()
    out.append((start, len(key)))
    return out


def _target(text: str, start: int, end: int, m: re.Match[str], year: int, line: int
            ) -> dict[str, object]:
    raw = m.group("value")
    value = float(raw.replace(".", "")) if re.fullmatch(r"\d{1,3}(?:\.\d{3})+", raw) \
        else float(raw.replace(",", "."))
    unit = text[m.start("unit") + start:m.end("unit") + start]
    clause = re.sub(r"^\s*(?:\d{1,2}[.)]|[-+•])\s*", "", text[start:end])
    return {"text": clause.strip(" -+.;,"), "unit": unit, "value": value, "year": year,
            "combine": combine_rule(ascii_key(text[start:end]), unit),
            "source": {"line_start": line, "line_end": line}}


def combine_rule(clause_key: str, unit: str) -> str:
    """sum, mean, min or share: see the module docstring."""
    if unit != "%":
        return "sum"
    if _FLOOR.search(clause_key):
        return "min"
    if _RATE.search(clause_key):
        return "mean"
    return "share"


_ASKS_FOR_FIGURES = re.compile(r"\b(?:chi tieu|so lieu)\b")


def reporting_targets(task_text: str, target_ids: list[str]) -> list[str]:
    """The targets an assignment's bodies report on, as a guess for the reviewer: all of them
    when the task speaks of targets or figures ("cụ thể hóa các chỉ tiêu", "báo cáo số liệu"),
    none otherwise."""
    return list(target_ids) if _ASKS_FOR_FIGURES.search(ascii_key(task_text)) else []
