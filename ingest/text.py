"""Text helpers shared by the drafter: markdown clean-up, accent-free keys, numbered passages.

`ascii_key` keeps one character per character, so a match found in the key (where "hàng năm",
"hằng năm" and "hang nam" are the same) is sliced from the original text at the same offsets.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

_MARKDOWN_HEADING = re.compile(r"^\s{0,3}(?:#{1,6}\s*|>\s*)+")
_ESCAPED = re.compile(r"\\([\\*_#\-.+()\[\]!`])")
DASHES = "\u2010\u2011\u2012\u2013\u2014\u2015\u2212"


def clean_line(line: str) -> str:
    """A line without markdown remnants (`**`, `###`, `\\*`, `<br>`), spaces collapsed."""
    line = _MARKDOWN_HEADING.sub("", line)
    line = line.replace("<br>", " ").replace("<br/>", " ")
    line = _ESCAPED.sub(r"\1", line)
    if line.strip() != "*":
        line = re.sub(r"\*+", "", line)
    line = re.sub(r"(?<!\w)__|__(?!\w)", "", line)
    return re.sub(r"\s+", " ", line).strip()


@lru_cache(maxsize=4096)
def _char_key(c: str) -> str:
    if c in "đĐ":
        return "d"
    if c in DASHES:
        return "-"
    base = unicodedata.normalize("NFD", c)[0]
    return base.lower() if len(base.lower()) == 1 else c


def ascii_key(text: str) -> str:
    """Lower case, no diacritics, one dash: 'Hằng năm – Quý III' -> 'hang nam - quy iii'."""
    return "".join(_char_key(c) for c in text)


@dataclass(frozen=True)
class Passage:
    """Text joined from consecutive lines, remembering where each line starts."""

    text: str
    starts: tuple[tuple[int, int], ...]  # (offset in text, line number)

    def line_at(self, offset: int) -> int:
        line = self.starts[0][1]
        for start, number in self.starts:
            if start > offset:
                break
            line = number
        return line

    @property
    def first_line(self) -> int:
        return self.starts[0][1]

    @property
    def last_line(self) -> int:
        return self.starts[-1][1]


_SENTENCE_BREAK = re.compile(r"(?<=[.!?])\s+(?=\S)")
_ABBREVIATIONS = ("tp.", "v.v.", "tr.", "đ/c.", "ths.", "ts.")


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence; a sentence ends at '.', '!' or '?' before a capital."""
    spans = []
    start = 0
    for m in _SENTENCE_BREAK.finditer(text):
        following = text[m.end():m.end() + 2].lstrip("\"“(-+ ")
        if not following or not following[0].isupper():
            continue
        if text[max(0, m.start() - 5):m.start()].lower().endswith(_ABBREVIATIONS):
            continue
        spans.append((start, m.start()))
        start = m.end()
    if start < len(text):
        spans.append((start, len(text)))
    return [s for s in spans if text[s[0]:s[1]].strip()]


def is_upper_text(text: str) -> bool:
    """Mostly capital letters (a heading or an organ's name), not a sentence."""
    letters = [c for c in text if c.isalpha()]
    return len(letters) >= 2 and sum(c.isupper() for c in letters) >= 0.8 * len(letters)


_WORD = re.compile(r"[^\W\d_]+")
_SENTENCE_MARKS = ".!?:;-–+*•)"  # what ends a sentence, a bullet or an item number ("1)")


def proper_names(paragraphs: list[str]) -> set[str]:
    """The names a document writes with capitals inside its sentences ("thành phố Cần Thơ",
    "Tổng Liên đoàn Lao động Việt Nam"): runs of two or more capitalised words (not all
    capitals) separated by spaces, the first not at a sentence start."""
    found: set[str] = set()

    def flush(run: list[str]) -> None:
        if len(run) >= 2:
            found.add(" ".join(run))

    for text in paragraphs:
        if is_upper_text(text):
            continue
        run: list[str] = []
        end = 0
        for m in _WORD.finditer(text):
            word = m.group()
            capital = word[0].isupper() and not word.isupper()
            if capital and run and text[end:m.start()].isspace():
                run.append(word)
            else:
                flush(run)
                before = text[:m.start()].rstrip()
                run = [word] if capital and before and before[-1] not in _SENTENCE_MARKS else []
            end = m.end()
        flush(run)
    return found


def recase(lowered: str, names: set[str]) -> str:
    """`lowered` (an upper-case line put in lower case) with the document's proper names
    capitalised again, longest first: "… thành phố cần thơ năm 2025" -> "… Cần Thơ …"."""
    for name in sorted(names, key=len, reverse=True):
        lowered = re.sub(rf"(?<!\w){re.escape(name.lower())}(?!\w)", name, lowered)
    return lowered


TERMINAL = (".", ":", ";", "!", "?", "./.", ".)")  # what ends a sentence or an item


def is_wrapped(lines: Iterable[str]) -> bool:
    """Are paragraphs wrapped over several lines (a copied web page) rather than one a line?"""
    previous = ""
    wraps = content = 0
    for raw in lines:
        text = clean_line(raw)
        if not text or text.strip("|") == "":
            previous = ""
            continue
        content += 1
        if previous and not previous.endswith(TERMINAL) and text[0].islower():
            wraps += 1
        previous = text
    return content > 0 and wraps >= max(3, 0.12 * content)
