"""Where things are in a directive: cleaned lines, the noise to skip, blocks and outline.

Noise is what a parser must not read as the directive's own: the receiving office's stamp
("SỐ ĐẾN ... Ngày 25/5/2023 ... 641") and a certified copy's block at the end ("TỈNH ỦY
ĐIỆN BIÊN ... Số 25-BS/VPTU ... SAO LỤC ... Điện Biên, ngày 11 tháng 8 năm 2021"). The
recipients list ("Nơi nhận:") and the signature are not assignments either (`closing`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ingest.blocks import Block, Para, Table, build_blocks
from ingest.outline import Node, build_outline
from ingest.reading import Document
from ingest.text import ascii_key, clean_line, is_upper_text

_STAMP_START = re.compile(r"^(?:so den|den|cong van den|van ban den)\b\s*[:.]?\s*(?:so\b.*)?$")
_COPY_MARK = re.compile(r"^(?:sao luc|sao y(?: ban chinh)?|trich sao|ban sao)\s*\.?$")
_HEADING_LIKE = re.compile(r"^(?:[IVX]{1,5}|\d{1,2})\s*[.\-–—:)]\s*\S")
_RECIPIENTS = re.compile(r"^(?:-\s*)?noi nhan\s*:?")
_SIGNATURE = re.compile(r"^(?:t/m|tm\.?|t\.m\.?|kt\.?|k/t|q\.|tl\.|tuq\.|ttl\.)\s")


@dataclass(frozen=True)
class Layout:
    document: Document
    lines: tuple[str, ...]  # cleaned lines; lines[0] is line 1
    main_end: int  # last line of the directive itself (before a certified copy's block)
    noise: frozenset[int]  # line numbers of stamps and copy blocks
    blocks: tuple[Block, ...]
    closing: frozenset[int]  # ids of paragraphs in the recipients list and signature
    outline: Node

    def text(self, number: int) -> str:
        return self.lines[number - 1]

    def is_noise(self, number: int) -> bool:
        return number in self.noise

    def main_lines(self) -> range:
        return range(1, self.main_end + 1)

    def is_closing(self, para: Para) -> bool:
        return id(para) in self.closing

    @property
    def paragraphs(self) -> list[Para]:
        return [b for b in self.blocks if isinstance(b, Para)]

    @property
    def tables(self) -> list[Table]:
        return [b for b in self.blocks if isinstance(b, Table)]


def analyse(document: Document) -> Layout:
    lines = tuple(clean_line(line) for line in document.lines)
    main_end, copy_lines = _copy_block(lines)
    chrome = _page_chrome(lines)
    noise = frozenset(set(copy_lines) | _stamp_lines(lines, main_end) | chrome
                      | _summary_before_header(lines, chrome))
    blocks = tuple(build_blocks(document.lines, noise, main_end))
    closing = frozenset(_closing(blocks))
    kept = [b for b in blocks if not (isinstance(b, Para) and id(b) in closing)]
    return Layout(document, lines, main_end, noise, blocks, closing, build_outline(kept))


_CHROME_END = re.compile(r"^#*\s*dang tai van ban\W*$")


def _page_chrome(lines: tuple[str, ...]) -> set[int]:
    """A legal-document website's page around the text: its copyright notice and 'CÁC NỘI
    DUNG ĐƯỢC SỬA ĐỔI, HƯỚNG DẪN' legend, up to 'Đang tải văn bản...' (the metadata cells and
    the document's own header follow it)."""
    for index, text in enumerate(lines[:80]):
        if _CHROME_END.match(ascii_key(text).strip()):
            return set(range(1, index + 2))
    return set()


_MOTTO_LINE = re.compile(r"^(?:cong\s*hoa xa hoi chu nghia|dang cong san viet nam)")


def _summary_before_header(lines: tuple[str, ...], chrome: set[int]) -> set[int]:
    """A website's summary of the document written above the document's own header (the
    organ's name, then 'CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM'): its sentences are not the text."""
    limit = min(len(lines), 200)
    motto = next((i for i in range(limit) if _MOTTO_LINE.match(ascii_key(
        " ".join(lines[i:i + 2])).strip())), None)  # "**CỘNG" / "HÒA XÃ HỘI …**" too
    if motto is None:
        return set()
    start = motto  # back over the organ's name (capitals, rules, bars) to the header's top
    while start > 0 and (not lines[start - 1].strip(" |*-_") or is_upper_text(lines[start - 1])):
        start -= 1
    prose = [i for i in range(start) if i + 1 not in chrome and len(lines[i]) > 80
             and not is_upper_text(lines[i]) and ":" not in lines[i][:25]]
    return set(range(prose[0] + 1, start + 1)) if prose else set()


def _closing(blocks: tuple[Block, ...]) -> set[int]:
    """Paragraphs of the recipients list ("Nơi nhận:") and the signature block."""
    out: set[int] = set()
    inside = False
    for block in blocks:
        if isinstance(block, Table):
            inside = False
            continue
        key = ascii_key(block.text).strip()
        if _RECIPIENTS.match(key):
            inside = True
            out.add(id(block))
            continue
        if _SIGNATURE.match(key + " "):
            inside = True
            out.add(id(block))
            continue
        if inside:
            if _ends_closing(block):
                inside = False
                continue
            out.add(id(block))
    return out


def _ends_closing(para: Para) -> bool:
    """A heading or a long sentence after the signature: an appendix starts."""
    text = para.text
    if ascii_key(text).startswith(("phu luc", "danh muc", "bieu mau", "mau so")):
        return True
    if para.bold and not para.upper and len(text) > 20 and not text.startswith("-"):
        return True
    return len(text) > 150 and not text.startswith(("-", "+"))


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
            if len(following) > 45 or taken >= 6 or _HEADING_LIKE.match(following) \
                    or is_upper_text(following):
                break
            out.add(after + 1)
            taken += 1
    return out
