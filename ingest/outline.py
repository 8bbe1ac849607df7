"""Paragraphs -> an outline tree, for every numbering style of Vietnamese administrative texts.

Markers and their rank (a lower rank holds the higher ones): Phần (0); Chương / Mục / Roman
"III." and unnumbered headings (1); Điều (2); "1." (3); "1.1." (4); "1.1.1." (5); "a)" and
"(1)" (6); "(*)" (7); "-", "•", "*" (8); "+" (9). Word's automatic numbering is already
written out by the reader. A paragraph without a marker continues the item before it; a
bold or upper-case one without a marker is a heading of its own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ingest.blocks import Block, Para, Table
from ingest.text import ascii_key

_MARKERS: tuple[tuple[str, int, re.Pattern[str]], ...] = (
    ("part", 0, re.compile(r"^(?:Phần|PHẦN|phần)\s+(?P<n>thứ\s+\w+|[IVXLC]{1,5}|\d{1,2})\b\s*[.:\-–—]?\s*")),
    ("chapter", 1, re.compile(r"^(?:Chương|CHƯƠNG|Mục|MỤC)\s+(?P<n>[IVXLC]{1,5}|\d{1,2})\s*[.:\-–—]\s*")),
    ("roman", 1, re.compile(r"^(?P<n>[IVX]{1,5})\s*[.\-–—:)]\s*(?=\S)")),
    ("article", 2, re.compile(r"^(?:Điều|ĐIỀU)\s+(?P<n>\d{1,3})\s*[.:]\s*")),
    ("decimal3", 5, re.compile(r"^(?P<n>\d{1,3}\.\d{1,2}\.\d{1,2})\.?\s*(?=[^\d\s.])")),
    ("decimal2", 4, re.compile(r"^(?P<n>\d{1,3}\.\d{1,2})\.?\s*(?=[^\d\s.%])")),
    ("decimal", 3, re.compile(r"^(?P<n>\d{1,3})\s*[.)](?:\s+(?=\S)|(?=[^\d\s]))")),
    ("letter", 6, re.compile(r"^(?P<n>[a-zđ])\s*\)\s*|^(?P<n2>[a-zđ])\.\s+(?=[A-ZĐÀ-Ỹ])")),
    ("paren", 6, re.compile(r"^\((?P<n>\d{1,3}|[ivx]{1,5})\)\s*")),
    ("star", 7, re.compile(r"^\(\*\)\s*")),
    ("dash", 8, re.compile(r"^[-–—•●▪◦]\s*(?=\S)")),
    ("plus", 9, re.compile(r"^\+\s*(?=\S)")),
)
_ROMAN_OK = re.compile(r"^(?:X{0,3})(?:IX|IV|V?I{0,3})$")


@dataclass
class Node:
    style: str  # a marker style, "heading" (unnumbered), or "root"
    rank: int
    number: str  # the marker's number as written ("III", "1", "a", "(1)"), "" for bullets
    head: Para | None  # the paragraph that carries the marker, its text without the marker
    content: list[Para | Table | Node] = field(default_factory=list)
    parent: Node | None = field(default=None, repr=False)

    @property
    def paras(self) -> list[Para]:
        return [c for c in self.content if isinstance(c, Para)]

    @property
    def children(self) -> list[Node]:
        return [c for c in self.content if isinstance(c, Node)]

    def walk(self) -> list[Para | Table]:
        """Every paragraph and table of the subtree, the head first, in document order."""
        out: list[Para | Table] = [self.head] if self.head else []
        for c in self.content:
            out.extend(c.walk() if isinstance(c, Node) else [c])
        return out

    @property
    def title(self) -> str:
        return self.head.text if self.head else ""

    @property
    def first_line(self) -> int:
        items = self.walk()
        return items[0].first if items else 0

    @property
    def last_line(self) -> int:
        items = self.walk()
        return items[-1].last if items else 0


def marker(text: str) -> tuple[str, int, str, int] | None:
    """(style, rank, number, length of the marker) of a paragraph's text, or None."""
    for style, rank, pattern in _MARKERS:
        m = pattern.match(text)
        if not m:
            continue
        number = m.groupdict().get("n") or m.groupdict().get("n2") or ""
        if style == "roman" and not _ROMAN_OK.match(number):
            continue
        if style == "dash" and re.match(r"^[-–]\s*\d{4}\b", text):
            continue  # "- 2030": a range wrapped at its dash, not a bullet
        if style == "paren":
            number = f"({number})"
        if style in ("dash", "plus", "star"):
            number = ""
        return style, rank, number, m.end()
    return None


def is_heading(para: Para) -> bool:
    """An unnumbered heading: bold or upper case, short, not a sentence."""
    text = para.text
    if len(text) > 160 or not (para.bold or para.upper) or para.cell:
        return False
    return not text.endswith((".", ";", ",")) or para.upper


def build_outline(blocks: list[Block]) -> Node:
    root = Node("root", -1, "", None)
    stack: list[Node] = [root]
    for block in blocks:
        if isinstance(block, Table):
            stack[-1].content.append(block)
            continue
        found = marker(block.text)
        if found is None and is_heading(block) and not _label_like(block.text):
            found = ("heading", 1, "", 0)
        if found is None:
            stack[-1].content.append(block)
            continue
        style, rank, number, length = found
        while len(stack) > 1 and stack[-1].rank >= rank:
            stack.pop()
        head = _strip(block, length)
        node = Node(style, rank, number, head, parent=stack[-1])
        stack[-1].content.append(node)
        stack.append(node)
    return root


def _label_like(text: str) -> bool:
    return bool(re.match(r"^[^:]{2,40}:\s*\S", text))


def _strip(para: Para, length: int) -> Para:
    if not length:
        return para
    text = para.text[length:].lstrip()
    shift = len(para.text) - len(text)
    starts = tuple((max(0, s - shift), n) for s, n in para.starts)
    return Para(text, para.first, para.last, starts, para.bold, para.cell)


def title_key(node: Node) -> str:
    return ascii_key(node.title).strip(" .:*")
