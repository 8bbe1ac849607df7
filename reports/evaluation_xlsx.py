"""The evaluation as an Excel workbook (openpyxl): one row per body with the same numbers as
the JSON, ranked within each kind, and a sheet with the scheme it was graded by."""

from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from models.scheme import OUTCOMES
from models.vocabulary import NOT_GRADED, body_kind_label, evaluation_label, short_date
from reports.evaluation import Evaluation

# (JSON key, header, width): the headers are the vocabulary's
WIDTHS = {"rank": 8, "body": 22, "body_name": 40, "kind_label": 24, "assigned": 9,
          "done_on_time": 11, "done_late": 11, "open_in_term": 12, "open_overdue": 12,
          "returned": 10, "extensions": 9, "on_time_rate": 10, "score": 8, "grade": 22}
COLUMNS = tuple((key, evaluation_label(key), width) for key, width in WIDTHS.items())
HEADER_ROW = 4


def period_text(evaluation: Evaluation) -> str:
    start = short_date(evaluation.start) if evaluation.start else "khi bắt đầu theo dõi"
    text = f"Từ {start} đến {short_date(evaluation.end)}"
    if evaluation.directive:
        text += f"; văn bản {evaluation.directive}"
    if evaluation.kind:
        text += f"; {body_kind_label(evaluation.kind)}"
    return text


def render_xlsx(evaluation: Evaluation) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "Xếp loại"
    sheet["A1"] = "KẾT QUẢ ĐÁNH GIÁ, XẾP LOẠI THỰC HIỆN NHIỆM VỤ CỦA CÁC ĐƠN VỊ"
    sheet["A1"].font = Font(bold=True, size=13)
    sheet["A2"] = period_text(evaluation)
    bold = Font(bold=True)
    for i, (_, header, width) in enumerate(COLUMNS, start=1):
        cell = sheet.cell(row=HEADER_ROW, column=i, value=header)
        cell.font = bold
        cell.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
        cell.fill = PatternFill("solid", fgColor="F2F2F2")
        sheet.column_dimensions[get_column_letter(i)].width = width
    for r, row in enumerate(evaluation.as_json(), start=HEADER_ROW + 1):
        for c, (key, _, _) in enumerate(COLUMNS, start=1):
            value = row[key]
            if key == "grade" and value is None:
                value = NOT_GRADED
            cell = sheet.cell(row=r, column=c, value=value)
            if key == "on_time_rate":
                cell.number_format = "0.0%"
            elif key == "score":
                cell.number_format = "0.00"
    sheet.freeze_panes = sheet.cell(row=HEADER_ROW + 1, column=4)
    sheet.auto_filter.ref = (f"A{HEADER_ROW}:{get_column_letter(len(COLUMNS))}"
                             f"{HEADER_ROW + len(evaluation.rows)}")
    _scheme_sheet(book, evaluation)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _scheme_sheet(book: Workbook, evaluation: Evaluation) -> None:
    scheme = evaluation.scheme
    sheet = book.create_sheet("Cách tính")
    sheet.append(["Điểm mỗi nhiệm vụ", ""])
    for key in OUTCOMES:
        points = scheme.points.get(key)
        sheet.append([evaluation_label(key), "không tính" if points is None else points])
    sheet.append(["Trừ mỗi lượt báo cáo bị trả lại", scheme.returned])
    sheet.append(["Trừ mỗi lượt gia hạn", scheme.extension])
    sheet.append(["Điểm = (tổng điểm − điểm trừ) / số nhiệm vụ được tính, không dưới 0", ""])
    sheet.append(["Xếp loại", "Điểm từ"])
    for name, low in scheme.grades:
        sheet.append([name, low])
    sheet.column_dimensions["A"].width = 70
    if scheme.source:
        sheet.append(["Nguồn", scheme.source])
