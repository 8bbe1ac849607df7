"""Lines -> blocks: paragraphs (wrapped lines joined) and tables, in document order.

Two ways of writing a text are met. In one, a line is a paragraph (Word, most .txt); in the
other, copied from a web page, a paragraph is wrapped over several lines, often mid-name
("Sở Tư\\npháp"), and lines holding only "|" are what is left of the page's tables. Which one
a document uses is measured (`wrapped`): a line that does not end a sentence and is followed
by one starting in lower case is a wrap.

Bars separate cells, and two bars in a row end a table row; a run of rows whose first row
names the columns of an assignment table (Nội dung | Cơ quan chủ trì | ... ) becomes a
`Table`, other cells are paragraphs like the rest. Markdown tables ("| a | b |") are read the
same way.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ingest.columns import column_role, table_columns
from ingest.text import TERMINAL, clean_line, is_upper_text, is_wrapped

_DECOR = re.compile(r"^[\s*\-_=.~•]*$")
_MARKER_START = re.compile(
    r"^(?:[-–—+•]\s*\S|\(\*\)|\((?:\d{1,3}|[ivx]{1,5})\)|[a-zđ]\)|\d{1,3}(?:\.\d{1,2}){0,2}\s*[.)]|"
    r"[IVX]{1,5}\s*[.\-–—:)]\s|(?:Phần|PHẦN|Điều|ĐIỀU|Mục|MỤC)\s+\S+\s*[.:\-–])")
_OPENER = re.compile(r"^(?:Thực hiện|Căn cứ|Kính gửi|Để |Trên cơ sở|Trên đây|Nơi nhận|Đề nghị|"
                     r"Yêu cầu|Giao |Trong quá trình|Quá trình)")
_DATE_LINE = re.compile(r"ngày\s+\d{1,2}\s+tháng\s+\d{1,2}\s+năm\s+\d{4}\s*$", re.IGNORECASE)
_NUMBER_LINE = re.compile(r"^(?:Số|SỐ)\s*:?\s*\d")
_LABEL_START = re.compile(r"^[-+•]?\s*[^\W\d_][^:]{1,45}:\s*")


@dataclass
class Para:
    text: str  # markdown removed, lines joined with one space
    first: int
    last: int
    starts: tuple[tuple[int, int], ...]  # (offset in text, line number)
    bold: bool = False  # the whole paragraph is emphasised (** **, ###)
    cell: bool = False  # a cell of a layout table

    def line_at(self, offset: int) -> int:
        line = self.first
        for start, number in self.starts:
            if start > offset:
                break
            line = number
        return line

    @property
    def upper(self) -> bool:
        return is_upper_text(self.text)


@dataclass
class Cell:
    text: str
    first: int
    last: int


@dataclass
class Table:
    header: list[Cell]
    rows: list[list[Cell]]
    first: int
    last: int
    unread: int | None = None  # the line of a numbered row the table could not be read past


Block = Para | Table


@dataclass
class _Builder:
    wrapped: bool
    raw: list[str] = field(default_factory=list)
    lines: list[tuple[int, str]] = field(default_factory=list)
    out: list[Para] = field(default_factory=list)


def build_blocks(lines: tuple[str, ...], skip: frozenset[int], end: int) -> list[Block]:
    """Paragraphs and tables of lines 1..end, lines in `skip` read as blank."""
    wrapped = is_wrapped(line for n, line in enumerate(lines[:end], 1) if n not in skip)
    blocks: list[Block] = []
    segments: list[tuple[list[tuple[int, str]], bool]] = []  # (lines, ends a row)
    current: list[tuple[int, str]] = []
    pipe_rows: list[tuple[int, str]] = []
    bars = 0

    def flush_segment(row_end: bool) -> None:
        nonlocal current
        segments.append((current, row_end))
        current = []

    for n in range(1, end + 1):
        raw = "" if n in skip else lines[n - 1]
        stripped = raw.strip()
        if stripped.startswith("|") and stripped.count("|") >= 2 and (
                stripped.strip("| -:") or "-" in stripped):
            if current or bars:
                flush_segment(bars >= 2)
                bars = 0
            pipe_rows.append((n, stripped))
            continue
        if pipe_rows:
            blocks.extend(_paragraphs_of(segments, wrapped))
            segments = []
            blocks.extend(_pipe_table(pipe_rows, wrapped))
            pipe_rows = []
        if stripped and stripped.strip("|") == "":
            bars += stripped.count("|")
            continue
        if bars:
            flush_segment(bars >= 2)
            bars = 0
        current.append((n, raw))
    if current or bars:
        flush_segment(True)
    blocks.extend(_paragraphs_of(segments, wrapped))
    if pipe_rows:
        blocks.extend(_pipe_table(pipe_rows, wrapped))
    return blocks


def _paragraphs_of(segments: list[tuple[list[tuple[int, str]], bool]], wrapped: bool
                   ) -> list[Block]:
    """Segments between bars: tables where a row names assignment columns, else paragraphs."""
    rows: list[list[list[tuple[int, str]]]] = [[]]
    for lines, row_end in segments:
        rows[-1].append(lines)
        if row_end:
            rows.append([])
    out: list[Block] = []
    index = 0
    celled = len(segments) > 1
    while index < len(rows):
        row = [cell for cell in rows[index] if any(t.strip() for _, t in cell)]
        cells = [_cell(cell, wrapped) for cell in row]
        start = next((k for k in range(max(0, len(cells) - 2)) if _is_header(cells[k:])), None)
        if start is not None:
            while start < len(cells) - 3 and not column_role(cells[start].text):
                start += 1
            for before in row[:start]:
                out.extend(paragraphs(before, wrapped))
            table, index = _vertical_table(cells[start:], rows, index + 1, wrapped)
            out.append(table)
            last_row = [c for c in rows[index - 1] if any(t.strip() for _, t in c)]
            for extra in last_row[len(table.header):] if table.rows else []:
                out.extend(paragraphs(extra, wrapped))
            continue
        for cell in row:
            short = sum(1 for _, t in cell if t.strip()) <= 8
            out.extend(paragraphs(cell, wrapped, cell=celled and len(row) > 1 and short))
        index += 1
    return out


def _vertical_table(header: list[Cell], rows: list[list[list[tuple[int, str]]]], index: int,
                    wrapped: bool) -> tuple[Table, int]:
    width = len(header)
    data: list[list[Cell]] = []
    unread: int | None = None
    while index < len(rows):
        row = [cell for cell in rows[index] if any(t.strip() for _, t in cell)]
        if len(row) < max(2, width - 2):
            cells = [_cell(cell, wrapped) for cell in row]
            if cells and _group_row(cells):
                data.append(cells)  # a group's title ("II | TRIỂN KHAI …") or an elision
                index += 1
                continue
            sub = _sub_row(cells, header, data)
            if sub is not None:
                data.append(sub)  # a row under a merged cell: "task | lead" of the row above
                index += 1
                continue
            if len(cells) >= 2 and re.fullmatch(r"\d{1,3}\.?", cells[0].text.strip()):
                unread = cells[0].first  # a numbered row with cells missing: say so
            break
        data.append([_cell(cell, wrapped) for cell in row[:width]])
        index += 1
        if len(row) > width:
            rest = [_cell(cell, wrapped) for cell in row[width:]]
            if not rest or not _DECOR.match(rest[0].text.replace("…", ".")):
                break
            rest = rest[1:]  # "…….": rows left out, the next row's bars lost with them
            while len(rest) >= max(2, width - 2):
                data.append(rest[:width])
                rest = rest[width:]
            if rest:
                unread = rest[0].first
                break
    first = header[0].first
    last = data[-1][-1].last if data else header[-1].last
    return Table(header, data, first, last, unread), index


def _sub_row(cells: list[Cell], header: list[Cell], data: list[list[Cell]]) -> list[Cell] | None:
    """A row of a few cells under a row whose number, dates or product cells are merged down
    ("Xây dựng hạ tầng dự phòng … | Trung tâm Chuyển đổi số"): its cells fill the columns from
    the task's on, the merged ones are the row's above (its number left empty)."""
    if len(cells) < 2 or not data or re.fullmatch(r"\d{1,3}\.?", cells[0].text.strip()):
        return None
    above = data[-1]
    task = table_columns([c.text for c in header]).get("task")
    if task is None or len(above) < 3 or task + len(cells) > len(header):
        return None
    row = [Cell("", c.first, c.first) if i == 0 else c for i, c in enumerate(above)]
    row += [Cell("", cells[-1].last, cells[-1].last)] * (len(header) - len(row))
    row[task:task + len(cells)] = cells
    return row


_GROUP_LABEL = re.compile(r"^(?:[IVXLC]{1,6}|[A-ZĐ])\s*[.)]?$")


def _group_row(cells: list[Cell]) -> bool:
    """A row that titles a group of rows ("I | KIỆN TOÀN …", "Phần A") or elides some ("…")."""
    if len(cells) > 2:
        return False
    first = cells[0].text.strip()
    if _GROUP_LABEL.match(first) or all(_DECOR.match(c.text.replace("…", ".")) for c in cells):
        return True
    return len(cells) == 1 and is_upper_text(first) and len(first) < 200


def _cell(lines: list[tuple[int, str]], wrapped: bool) -> Cell:
    parts = [p for p in paragraphs(lines, wrapped) if p.text]
    text = " ".join(p.text for p in parts)
    numbers = [n for n, t in lines if t.strip()]
    return Cell(text, numbers[0] if numbers else 0, numbers[-1] if numbers else 0)


def _is_header(cells: list[Cell]) -> bool:
    """Short cells, most of them naming a column role, a lead column among them."""
    texts = [c.text for c in cells]
    if any(len(t) > 60 for t in texts):
        return False
    roles = table_columns(texts)
    named = sum(1 for t in texts if column_role(t))
    return "lead" in roles and ("task" in roles or "deadline" in roles) and named >= 0.6 * len(texts)


def _pipe_table(rows: list[tuple[int, str]], wrapped: bool) -> list[Block]:
    parsed = [(n, [c.strip() for c in text.strip().strip("|").split("|")]) for n, text in rows]
    parsed = [(n, [clean_line(c) for c in cells]) for n, cells in parsed
              if not all(re.fullmatch(r":?-{2,}:?", c) or not c for c in cells)]
    for position, (n, cells) in enumerate(parsed[:3]):
        header = [Cell(c, n, n) for c in cells]
        if len(cells) >= 3 and _is_header(header):
            data = [[Cell(c, m, m) for c in row] for m, row in parsed[position + 1:]]
            out: list[Block] = []
            for m, row in parsed[:position]:
                out.extend(_cell_paragraphs(m, row))
            out.append(Table(header, data, n, parsed[-1][0]))
            return out
    out = []
    for n, cells in parsed:
        out.extend(_cell_paragraphs(n, cells))
    return out


def _cell_paragraphs(n: int, cells: list[str]) -> list[Block]:
    return [Para(c, n, n, ((0, n),), cell=True) for c in cells if c]


def paragraphs(lines: list[tuple[int, str]], wrapped: bool, *, cell: bool = False) -> list[Para]:
    """The paragraphs of consecutive (line number, raw line) pairs."""
    out: list[Para] = []
    parts: list[tuple[int, str, str]] = []  # (line, cleaned, raw)
    after_blank = False

    def close() -> None:
        if parts:
            out.append(_para(parts, cell))
            parts.clear()

    for n, raw in lines:
        text = clean_line(raw)
        bare = raw.strip()
        if not text or (_DECOR.match(bare) and bare not in ("-", "+", "•", "–")):
            close()
            after_blank = True
            continue
        if not parts and after_blank and out and _continues_across_blank(out[-1], text):
            reopened = out.pop()
            parts.extend(_unpack(reopened))
        after_blank = False
        if parts and not _joins(parts, text, raw, wrapped):
            close()
        parts.append((n, text, raw))
    close()
    return out


def _unpack(para: Para) -> list[tuple[int, str, str]]:
    raw = f"**{para.text}**" if para.bold else para.text
    return [(para.first, para.text, raw)]


def _continues_across_blank(previous: Para, text: str) -> bool:
    """A page break inside a sentence: 'là' / (blank) / 'yêu cầu và ...'."""
    return (text[0].islower() and not previous.text.endswith(TERMINAL) and not previous.bold
            and not previous.upper and not _MARKER_START.match(text))


def _joins(parts: list[tuple[int, str, str]], text: str, raw: str, wrapped: bool) -> bool:
    previous = " ".join(t for _, t, _ in parts)
    if previous.strip("* ") in ("Điều", "ĐIỀU", "Chương", "CHƯƠNG", "Mục", "MỤC", "Phần", "PHẦN"):
        return True  # "**Điều" / "3. Tổ chức thực hiện**": the label wrapped before its number
    if previous in ("-", "+", "•", "–") or re.fullmatch(r"\d{1,3}\s*[.)]|\(\d{1,3}\)|[a-zđ]\)",
                                                         previous):
        return True  # a marker alone on its line
    if wrapped and re.fullmatch(r"\d{1,3}\s*[.)]", text) and not previous.endswith(TERMINAL) \
            and not _bold_closed(parts):
        return True  # "Đề án\n06.": a number wrapped onto its own line
    if _MARKER_START.match(text) or raw.lstrip().startswith("* "):
        return bool(re.match(r"^[-–]\s*\d", text) and previous[-1:].isdigit())  # "2026\n- 2030"
    if _bold_closed(parts) or _bold_opens(raw):
        return False
    if _LABEL_START.match(text) and _is_label(text):
        return False
    terminal = previous.endswith(TERMINAL)
    if _OPENER.match(text) and not previous.endswith(","):
        return False
    last_line = parts[-1][1]
    if wrapped and not terminal and not is_upper_text(last_line) and len(text.split()) <= 2 \
            and text.endswith((".", ";", ",")) and not _MARKER_START.match(text):
        return True  # "… thành phần hồ sơ của" / "TTHC.": an abbreviation ends the sentence
    if is_upper_text(last_line) != is_upper_text(text) and len(text) > 3:
        return False  # an organ's name, a title: not the sentence around it
    if is_upper_text(last_line) and is_upper_text(text):
        return wrapped and len(last_line) >= 50 or bool(
            _MARKER_START.match(previous) and len(text) < 80)
    if _DATE_LINE.search(last_line) or _NUMBER_LINE.match(last_line):
        return False
    if wrapped:
        return not terminal or not (text[0].isupper() or text[0].isdigit())
    if terminal:
        return False
    if text[0].islower():
        return True
    return bool(_MARKER_START.match(previous) and is_upper_text(previous) and is_upper_text(text)
                and len(text) < 80)


def _is_label(text: str) -> bool:
    from ingest.fields import label_role

    return label_role(text) is not None


def _bold_opens(raw: str) -> bool:
    s = raw.strip()
    return s.startswith(("**", "__", "#")) and len(s) > 4


def _bold_closed(parts: list[tuple[int, str, str]]) -> bool:
    first = parts[0][2].strip()
    last = parts[-1][2].strip().rstrip(" .:")
    return first.startswith(("**", "#")) and last.endswith(("**", "__")) and len(parts[-1][1]) > 0


_BOLD_SPAN = re.compile(r"\*\*(.+?)\*\*", re.DOTALL)


def _para(parts: list[tuple[int, str, str]], cell: bool) -> Para:
    texts: list[str] = []
    starts: list[tuple[int, int]] = []
    offset = 0
    for n, text, _ in parts:
        if texts:
            offset += 1
        starts.append((offset, n))
        texts.append(text)
        offset += len(text)
    raw = " ".join(r.strip() for _, _, r in parts)
    return Para(" ".join(texts), parts[0][0], parts[-1][0], tuple(starts), _is_bold(raw), cell)


def _is_bold(raw: str) -> bool:
    """Is (nearly) all of the paragraph's text inside ** ** or a markdown heading?"""
    if raw.lstrip().startswith("#"):
        return True
    letters = sum(c.isalpha() for c in raw)
    if not letters:
        return False
    inside = sum(sum(c.isalpha() for c in m.group(1)) for m in _BOLD_SPAN.finditer(raw))
    return inside >= 0.85 * letters
