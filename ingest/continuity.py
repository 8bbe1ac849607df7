"""A draft that stops short says so: the numbered items of the document's outline are checked
for what the reader may have passed over.

Two signs, read from the outline alone (whatever the drafter then made of each item):
- a line inside item n that starts with the next number, written as no marker the outline
  knows ("3/ Giao …", "3 - Giao …"), or joined into item n's paragraph: item n+1 was read as
  part of item n, and the items after it may be missing from the draft;
- numbered items that skip a number (5, then 7): the document lacks item 6, or the drafter
  could not tell it apart.
Each is a warning for the review, with its line; nothing is dropped or guessed.
"""

from __future__ import annotations

import re

from ingest.blocks import Para
from ingest.outline import Node

NUMBERED = ("decimal", "paren", "article")
_LEADING_NUMBER = re.compile(r"^\(?(\d{1,4})\s*(?:[.)/](?!\d)|[\-–:]|\s+-)\s*\S")


def _value(node: Node) -> int | None:
    digits = node.number.strip("()")
    return int(digits) if node.style in NUMBERED and digits.isdigit() else None


def _label(node: Node) -> str:
    parts: list[str] = []
    while node.parent is not None and node.style != "root":
        if node.number:
            parts.append(node.number)
        node = node.parent
    return ".".join(reversed(parts)) or "?"


def _swallowed(node: Node, expected: int) -> int | None:
    """The line where item `expected` starts inside `node`'s own text, if it does."""
    paras: list[Para] = ([node.head] if node.head else []) + node.paras
    for index, para in enumerate(paras):
        offsets = [start for start, _ in para.starts if start > 0]
        if index > 0:  # a continuation paragraph: its first line too
            offsets.insert(0, 0)
        for offset in offsets:
            m = _LEADING_NUMBER.match(para.text[offset:])
            if m and int(m.group(1)) == expected:
                return para.line_at(offset)
    return None


def numbering_warnings(root: Node) -> list[str]:
    """Warnings for items of the outline under `root` that the reading may have passed over."""
    warnings: list[str] = []

    def visit(parent: Node) -> None:
        siblings = [c for c in parent.children if _value(c) is not None]
        for before, after in zip(siblings, siblings[1:], strict=False):
            if before.style != after.style:
                continue
            low, high = _value(before), _value(after)
            assert low is not None and high is not None
            if high > low + 1:
                inside = _swallowed(before, low + 1)
                if inside is not None:
                    warnings.append(_stops_short(before, low + 1, inside))
                else:
                    warnings.append(f"dòng {after.first_line}: sau mục {_label(before)} là mục "
                                    f"{_label(after)}, không có mục {low + 1}: văn bản thiếu mục "
                                    "này hay bản nháp chưa tách được nó, kiểm tra với văn bản")
        if siblings:
            last = siblings[-1]
            value = _value(last)
            assert value is not None
            inside = _swallowed(last, value + 1)
            if inside is not None:
                warnings.append(_stops_short(last, value + 1, inside))
        for child in parent.children:
            visit(child)

    visit(root)
    return warnings


def _stops_short(node: Node, expected: int, line: int) -> str:
    return (f"dòng {line}: bản nháp có thể dừng sớm ở mục {_label(node)}: dòng này bắt đầu bằng "
            f"số {expected} nhưng không được tách thành mục riêng, nên các việc từ đó trở đi có "
            "thể thiếu; kiểm tra với văn bản và thêm việc bằng tay")
