"""A board's rows as a spreadsheet: .csv (UTF-8 with a byte-order mark, so Excel reads the
diacritics) and .xlsx (openpyxl, written row by row), with Vietnamese headings and labels."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable, Sequence

from models.vocabulary import (
    body_kind_label,
    colour_label,
    due_label,
    role_label,
    short_date,
    status_label,
)
from services.board import BoardRow, DirectiveHead

HEADINGS = ("Số nhiệm vụ", "Văn bản", "Mục", "Kỳ", "Nội dung", "Đơn vị", "Mã đơn vị", "Loại đơn vị",
            "Vai trò", "Trạng thái", "Hạn", "Tình trạng", "Kế hoạch con", "Tiến độ kế hoạch con")
XLSX_DATE = "DD/MM/YYYY"
FORMATS = {"csv": "text/csv; charset=utf-8",
           "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


def _cells(head: DirectiveHead, rows: Iterable[BoardRow]) -> Iterable[Sequence[object]]:
    for r in rows:
        yield (r.id, head.number, r.ref, r.occurrence, r.task_text, r.body_name, r.body_id,
               body_kind_label(r.body_kind), role_label(r.role), status_label(r.status),
               r.due_on or due_label(None, r.deadline_rule), colour_label(r.colour),
               r.child_number or "", r.child_progress or "")


def to_csv(head: DirectiveHead, rows: list[BoardRow]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(HEADINGS)
    for cells in _cells(head, rows):
        writer.writerow([short_date(c) if isinstance(c, dt.date) else _safe(c) for c in cells])
    return buffer.getvalue().encode("utf-8-sig")


def to_xlsx(head: DirectiveHead, rows: list[BoardRow]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    book = Workbook(write_only=True)
    sheet = book.create_sheet("Nhiệm vụ")

    def cell(value: object) -> object:
        """A date is a date cell shown day/month/year (Excel sorts and filters it as a date)."""
        if isinstance(value, dt.date):
            out = WriteOnlyCell(sheet, value=value)
            out.number_format = XLSX_DATE
            return out
        if _formula_like(value):  # a text cell as typed, never a formula; no visible quote
            text = WriteOnlyCell(sheet, value=value)
            text.data_type = "s"
            text.quotePrefix = True  # Excel keeps it text when the cell is edited
            return text
        return "" if value is None else value

    sheet.append([f"{head.kind} số {head.number}: {head.title}"])
    sheet.append(list(HEADINGS))
    for cells in _cells(head, rows):
        sheet.append([cell(c) for c in cells])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _formula_like(value: object) -> bool:
    """A text a spreadsheet would run as a formula (=, +, -, @)."""
    return isinstance(value, str) and value[:1] in ("=", "+", "-", "@")


def _safe(value: object) -> object:
    """A .csv cell: a formula-like text gets a leading ' (a .csv has no cell types)."""
    if value is None:
        return ""
    if _formula_like(value):
        return "'" + str(value)
    return value


def render(fmt: str, head: DirectiveHead, rows: list[BoardRow]) -> bytes:
    return to_csv(head, rows) if fmt == "csv" else to_xlsx(head, rows)
