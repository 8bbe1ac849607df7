"""Assignment tables (bảng phân công): one assignment per row that names a lead body.

Columns are found by their titles (ingest/columns.py); a lead cell is read as a list of
names, and a cell the lexicon cannot split ("Các Cục: Di sản văn hóa, Bản quyền tác giả")
is kept whole as one phrase.
"""

from __future__ import annotations

import datetime as dt
import re

from ingest.blocks import Cell, Para, Table
from ingest.bodies import Mention, Resolver
from ingest.columns import table_columns
from ingest.deadlines import Deadline, find_deadline
from ingest.tasks import Task, finish, whole


def table_tasks(table: Table, prefix: str, resolver: Resolver, issued_on: dt.date | None,
                warnings: list[str]) -> list[Task]:
    columns = table_columns([c.text for c in table.header])
    out: list[Task] = []
    group = ""
    count = 0
    sub = 0
    for row in table.rows:
        label = _group_label(row, columns)
        if label is not None:
            group, count = label, 0
            continue
        ref = columns.get("ref")
        under = count and ref is not None and ref < len(row) and not row[ref].text.strip()
        sub = sub + 1 if under else 0  # a row under a merged number cell: "2b", "2c"
        count += 0 if under else 1
        where = f"{prefix}.{group}" if prefix and group else prefix or group
        task = _row(row, columns, count, where, resolver, issued_on, warnings)
        if task is not None:
            if under:
                task.ref += "bcdefghijklmnopqrstuvwxyz"[min(sub, 25) - 1]
            out.append(task)
    if table.unread is not None:
        warnings.append(f"dòng {table.unread}: bảng phân công (từ dòng {table.first}) không đọc "
                        "được trọn từ dòng này; thêm tay các việc còn lại")
        if out:
            out[-1].flags.append("table_partial")
    return out


def _group_label(row: list[Cell], columns: dict[str, int]) -> str | None:
    """A row titling the rows below it ("II | TRIỂN KHAI …"): its numeral, "" if it has none."""
    texts = [c.text.strip() for c in row if c.text.strip()]
    if not texts or len(texts) > 2 or len(row) > max(2, len(columns) - 2):
        return None
    first = texts[0].strip(" .)")
    if re.fullmatch(r"[IVXLC]{1,6}|[A-ZĐ]", first):
        return first
    return "" if all(not any(ch.isalnum() for ch in t) for t in texts) or texts[0].isupper() else None


def _row(row: list[Cell], columns: dict[str, int], count: int, prefix: str, resolver: Resolver,
         issued_on: dt.date | None, warnings: list[str]) -> Task | None:
    def cell(role: str) -> Cell | None:
        index = columns.get(role)
        return row[index] if index is not None and index < len(row) else None

    lead_cell, coop_cell, task_cell = cell("lead"), cell("cooperating"), cell("task")
    deadline_cell, ref_cell = cell("deadline"), cell("ref")
    lead = name_list(lead_cell.text, resolver) if lead_cell and lead_cell.text else []
    coop = name_list(coop_cell.text, resolver) if coop_cell and coop_cell.text else []
    cells = [c for c in row if c.text]
    if not cells:
        return None
    if not lead and not coop:
        if task_cell and task_cell.text and deadline_cell and deadline_cell.text:
            warnings.append(f"dòng {task_cell.first}: dòng bảng «{task_cell.text[:60]}» không ghi "
                            "đơn vị chủ trì")
        return None
    number = ref_cell.text.strip(" .") if ref_cell and ref_cell.text.strip(" .").isdigit() else str(count)
    para = Para(" | ".join(c.text for c in cells), cells[0].first, cells[-1].last,
                ((0, cells[0].first),))
    task = Task(f"{prefix}.{number}" if prefix else number, lead, [whole(para)],
                cooperating=coop, description=task_cell.text if task_cell else None)
    if lead_cell:
        task.lead_line = lead_cell.first
    if coop_cell and coop:
        task.lines["cooperating"] = (coop_cell.first, coop_cell.last)
    if deadline_cell and deadline_cell.text:
        found = find_deadline(deadline_cell.text, issued_on=issued_on, timing=True)
        task.deadline = found or Deadline(None, deadline_cell.text, 0, len(deadline_cell.text),
                                          f"không hiểu thời hạn «{deadline_cell.text}»")
        task.lines["deadline"] = (deadline_cell.first, deadline_cell.last)
    return finish(task, resolver, issued_on)


def name_list(text: str, resolver: Resolver) -> list[Mention]:
    """The bodies of a field's value or a table cell, segment by segment (';')."""
    out: list[Mention] = []
    covered = 0
    for segment, offset in _segments(text):
        names = _scan_all(segment, resolver)
        covered += sum(m.end - m.start for m in names)
        out += [Mention(m.ref, m.text, m.start + offset, m.end + offset, m.note, m.external)
                for m in names]
    letters = sum(c.isalpha() for c in text)
    if (not out or covered < 0.45 * len(text)) and letters and len(text) < 160:
        phrase = text.strip(" .;,")
        ref = resolver.whole(phrase)
        settled = resolver.settle(Mention(ref, phrase, 0, len(phrase),
                                          note=None if ref else "không có trong sổ đăng ký đơn vị"))
        return [settled] if settled else []
    return out


def _segments(text: str) -> list[tuple[str, int]]:
    out = []
    offset = 0
    for part in text.split(";"):
        out.append((part, offset))
        offset += len(part) + 1
    return out


def _scan_all(segment: str, resolver: Resolver) -> list[Mention]:
    """Names anywhere in one segment: scan, and scan again after each comma or 'và'."""
    out: list[Mention] = []
    position = 0
    stripped = segment.lstrip(" .-+•")
    position = len(segment) - len(stripped)
    while position < len(segment):
        rest = segment[position:]
        names, end = resolver.scan(rest, sentence_start=False, object_mode=True)
        if names:
            out += [Mention(m.ref, m.text, m.start + position, m.end + position, m.note,
                            m.external) for m in names]
            position += max(end, 1)
        nxt = re.search(r"(?:,|\bvà\b|\.)\s*", segment[position + 1:])
        if not nxt:
            break
        position += 1 + nxt.end()
    return out
