"""Where things are in a directive: cleaned lines, section headings, and the noise to skip.

Noise is what a parser must not read as the directive's own: the receiving office's stamp
("SỐ ĐẾN ... Ngày 25/5/2023 ... 641") and a certified copy's block at the end ("TỈNH ỦY
ĐIỆN BIÊN ... Số 25-BS/VPTU ... SAO LỤC ... Điện Biên, ngày 11 tháng 8 năm 2021").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ingest.reading import Document
from ingest.text import ascii_key, clean_line

_HEADING = re.compile(r"^(?:phần\s+)?(?P<num>[IVXLC]{1,6})\s*[.\-–—:)]\s*(?P<title>\S.*)$",
                      re.IGNORECASE)
_STAMP_START = re.compile(r"^(?:so den|den|cong van den|van ban den)\b\s*[:.]?\s*(?:so\b.*)?$")
_COPY_MARK = re.compile(r"^(?:sao luc|sao y(?: ban chinh)?|trich sao|ban sao)\s*\.?$")
_ITEM = re.compile(r"^(?P<num>\d{1,2}(?:\.\d{1,2}){0,2})\s*[.)]\s*(?=\S)(?!\d)")


@dataclass(frozen=True)
class Heading:
    line: int
    number: str  # roman numeral as written, upper case
    title: str


@dataclass(frozen=True)
class Layout:
    document: Document
    lines: tuple[str, ...]  # cleaned lines; lines[0] is line 1
    main_end: int  # last line of the directive itself (before a certified copy's block)
    noise: frozenset[int]  # line numbers of stamps and copy blocks
    headings: tuple[Heading, ...]

    def text(self, number: int) -> str:
        return self.lines[number - 1]

    def is_noise(self, number: int) -> bool:
        return number in self.noise

    @property
    def first_heading_line(self) -> int:
        return self.headings[0].line if self.headings else self.main_end + 1

    def main_lines(self) -> range:
        return range(1, self.main_end + 1)


def is_upper_text(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    return bool(letters) and sum(c.isupper() for c in letters) >= 0.8 * len(letters)


def analyse(document: Document) -> Layout:
    lines = tuple(clean_line(line) for line in document.lines)
    main_end, copy_lines = _copy_block(lines)
    noise = set(copy_lines) | _stamp_lines(lines, main_end)
    headings = tuple(_headings(lines, main_end, noise))
    return Layout(document, lines, main_end, frozenset(noise), headings)


def _copy_block(lines: tuple[str, ...]) -> tuple[int, list[int]]:
    """(last line of the directive, line numbers of a certified copy's block at the end)."""
    total = len(lines)
    for index in range(total - 1, -1, -1):
        if not _COPY_MARK.match(ascii_key(lines[index]).strip()):
            continue
        if index < total * 0.5:
            # a copy header at the top: only the mark and the lines next to it are noise
            return total, list(range(max(1, index - 3), min(total, index + 4) + 1))
        start = index
        while start > 0 and _copy_header_line(lines[start - 1]):
            start -= 1
        while start < index and not lines[start]:
            start += 1
        return start, list(range(start + 1, total + 1))
    return total, []


def _copy_header_line(text: str) -> bool:
    key = ascii_key(text)
    return (not text or is_upper_text(text) or text == "*" or key.startswith("so ")
            or ", ngay " in key)


def _stamp_lines(lines: tuple[str, ...], main_end: int) -> set[int]:
    """A receiving stamp: 'SỐ ĐẾN' or 'ĐẾN' and the short lines after it."""
    out: set[int] = set()
    for index, text in enumerate(lines[:main_end]):
        if not is_upper_text(text):
            continue
        if not _STAMP_START.match(ascii_key(text).strip()):
            continue
        out.add(index + 1)
        taken = 0
        for after in range(index + 1, min(index + 14, main_end)):
            following = lines[after]
            if not following:
                continue
            if len(following) > 45 or taken >= 6 or _HEADING.match(following) \
                    or is_upper_text(following):
                break
            out.add(after + 1)
            taken += 1
    return out


def _headings(lines: tuple[str, ...], main_end: int, noise: set[int]) -> list[Heading]:
    out = []
    for index, text in enumerate(lines[:main_end]):
        m = _HEADING.match(text)
        if not m or index + 1 in noise:
            continue
        title = m.group("title").strip()
        if not is_upper_text(title) or len(title) > 200:
            continue
        out.append(Heading(index + 1, m.group("num").upper(), title))
    return out


def item_number(text: str) -> tuple[str, str] | None:
    """('7', rest) for a line '7. Các liên đoàn ...' or '7) ...'; None otherwise."""
    m = _ITEM.match(text)
    if not m:
        return None
    return m.group("num"), text[m.end():]
