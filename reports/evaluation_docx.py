"""The evaluation as a Word document in the style of the review summary (reports/docx.py):
heading block, title, the table per kind of body (landscape A4), the grading scheme."""

from __future__ import annotations

import io

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Cm, Pt

from models.scheme import OUTCOMES
from models.vocabulary import (
    EVALUATION,
    NOT_GRADED,
    admin_date,
    body_kind_label,
    evaluation_label,
    vi_number,
)
from reports.docx import _cell_text, _grid, _no_borders, _page_and_fonts, _para, _row, _widths
from reports.evaluation import Evaluation
from reports.evaluation_xlsx import period_text
from reports.wording import PARTY_MOTTO, STATE_MOTTO, Letterhead, upper_vi

KEYS = ("rank", "body_name", "assigned", "done_on_time", "done_late", "open_in_term",
        "open_overdue", "returned", "extensions", "on_time_rate", "score", "grade")
HEADERS = tuple(evaluation_label(k) for k in KEYS)
WIDTHS = (1.2, 6.5, 1.5, 1.5, 1.5, 1.8, 1.8, 1.5, 1.5, 1.7, 1.4, 3.8)  # 25.7 cm


def render_evaluation_docx(evaluation: Evaluation, *, letterhead: Letterhead,
                           place: str = "Hà Nội") -> bytes:
    doc = Document()
    _page_and_fonts(doc)
    section = doc.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Cm(29.7), Cm(21)
    section.left_margin, section.right_margin = Cm(2), Cm(2)
    _heading(doc, letterhead, f"{place}, {admin_date(evaluation.end)}")
    p = _para(doc, "BÁO CÁO", bold=True, size=15, align=WD_ALIGN_PARAGRAPH.CENTER, after=0)
    p.paragraph_format.space_before = Pt(12)
    _para(doc, "Kết quả đánh giá, xếp loại thực hiện nhiệm vụ của các đơn vị", bold=True,
          align=WD_ALIGN_PARAGRAPH.CENTER, after=0)
    _para(doc, period_text(evaluation), italic=True, align=WD_ALIGN_PARAGRAPH.CENTER, after=12)
    for i, (kind, rows) in enumerate(evaluation.by_kind(), start=1):
        _para(doc, f"{i}. {body_kind_label(kind)[:1].upper()}{body_kind_label(kind)[1:]} "
                   f"({len(rows)} đơn vị)", bold=True, indent=False, align=WD_ALIGN_PARAGRAPH.LEFT)
        table = _grid(doc, HEADERS, WIDTHS)
        for r in rows:
            rate = "—" if r.on_time_rate is None else f"{vi_number(100 * r.on_time_rate, 1)}%"
            _row(table, ["—" if r.rank is None else str(r.rank), r.body_name, str(r.assigned),
                         str(r.done_on_time), str(r.done_late), str(r.open_in_term),
                         str(r.open_overdue), str(r.returned), str(r.extensions), rate,
                         "—" if r.score is None else vi_number(r.score, 2),
                         r.grade or NOT_GRADED], WIDTHS, left=(1, 11))
    _scheme(doc, evaluation)
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


def _heading(doc, head: Letterhead, place_date: str) -> None:  # type: ignore[no-untyped-def]
    table = doc.add_table(rows=2, cols=2)
    _no_borders(table)
    _widths(table, (10, 15.7))
    lines = ([upper_vi(head.parent)] if head.parent else []) + [upper_vi(head.issuer)]
    _cell_text(table.cell(0, 0), "\n".join(lines + (["*"] if head.party else [])), bold=True,
               size=13)
    _cell_text(table.cell(0, 1), "\n".join(PARTY_MOTTO if head.party else STATE_MOTTO),
               bold=True, size=13, underline=True)
    _cell_text(table.cell(1, 1), place_date, italic=True, size=14,
               align=WD_ALIGN_PARAGRAPH.RIGHT if head.party else WD_ALIGN_PARAGRAPH.CENTER)


def _scheme(doc, evaluation: Evaluation) -> None:  # type: ignore[no-untyped-def]
    s = evaluation.scheme
    pts = s.points
    counted = "; ".join(f"{EVALUATION[key]} {vi_number(pts[key] or 0, 2)} điểm" for key in OUTCOMES
                        if pts.get(key) is not None)
    grades = "; ".join(f"{name}: từ {vi_number(low, 2)} điểm" for name, low in s.grades)
    _para(doc, f"Cách tính: mỗi nhiệm vụ được tính: {counted}; trừ {vi_number(s.returned, 2)} điểm "
               f"mỗi lượt báo cáo bị trả lại, {vi_number(s.extension, 2)} điểm mỗi lượt gia hạn; "
               "điểm của đơn vị là bình quân trên số nhiệm vụ được tính. Xếp loại: "
               f"{grades}. Thứ hạng xếp trong từng loại đơn vị.", italic=True, size=12)
