"""The review summary as a Word document in the shape of a Vietnamese administrative report:
heading block, "BÁO CÁO" and its subject, numbered sections, tables, "Nơi nhận:" and the
signature block; Times New Roman 14 pt (tables 11 pt), A4 with the margins of Nghị định
30/2020/NĐ-CP. The office edits it in Word and sends it.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

from docx import Document
from docx.document import Document as DocumentType
from docx.enum.section import WD_ORIENT
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt
from docx.table import Table, _Cell

from reports.model import CascadeSummary, Counts, Summary
from reports.wording import (
    COLUMNS,
    COLUMNS_NOTE,
    cascade_caption,
    event_line,
    heading,
    overview,
    recipients,
    short,
    title_lines,
)

FONT = "Times New Roman"
BODY_PT = 14
TABLE_PT = 10
TEXT_WIDTH = Cm(16)  # A4 21 cm minus 3 cm left and 2 cm right
TABLE_STYLE = "Table Text"
TABLE_STYLE_ID = "TableText"


def render_docx(summary: Summary) -> bytes:
    """The report as .docx bytes."""
    doc = Document()
    _page_and_fonts(doc)
    _heading_block(doc, summary)
    _title(doc, summary)
    _section(doc, "I. TÌNH HÌNH TRIỂN KHAI")
    for text in overview(summary):
        _para(doc, text)
    _para(doc, "Kết quả theo nội dung nhiệm vụ:", bold=True)
    _assignments_table(doc, summary.root)
    _section(doc, "II. KẾT QUẢ THEO ĐƠN VỊ")
    _para(doc, f"1. Các đơn vị thực hiện {summary.directive.kind} số {summary.directive.number}",
          bold=True)
    _bodies_table(doc, summary.root)
    _para(doc, COLUMNS_NOTE, italic=True, size=12)
    for i, node in enumerate(summary.all_cascades()[1:], start=2):
        _para(doc, f"{i}. {cascade_caption(node)}", bold=True)
        _bodies_table(doc, node)
    _section(doc, "III. BÁO CÁO KẾT QUẢ VÀ CHỈ TIÊU")
    from reports.docx_results import results_section

    results_section(doc, summary)
    _section(doc, "IV. NHIỆM VỤ QUÁ HẠN")
    _overdue(doc, summary)
    _section(doc, "V. GIA HẠN")
    _extensions(doc, summary)
    _section(doc, "VI. ĐỀ XUẤT, KIẾN NGHỊ")
    _para(doc, "(Văn phòng bổ sung đề xuất, kiến nghị trước khi trình ký.)", italic=True)
    _closing(doc, summary)
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


def _page_and_fonts(doc: DocumentType) -> None:
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.top_margin, section.bottom_margin = Cm(2), Cm(2)
    section.left_margin, section.right_margin = Cm(3), Cm(2)
    for name in ("Normal", "Table Grid"):
        style = doc.styles[name]
        style.font.name = FONT
        rpr = style.element.get_or_add_rPr()
        fonts = rpr.find(qn("w:rFonts"))
        if fonts is None:
            fonts = OxmlElement("w:rFonts")
            rpr.append(fonts)
        for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
            fonts.set(qn(attr), FONT)
    normal = doc.styles["Normal"]
    normal.font.size = Pt(BODY_PT)
    normal.paragraph_format.space_after = Pt(6)
    normal.paragraph_format.line_spacing = 1.15
    cells = doc.styles.add_style(TABLE_STYLE, WD_STYLE_TYPE.PARAGRAPH)
    cells.base_style = normal
    cells.font.size = Pt(TABLE_PT)
    cells.paragraph_format.space_after = Pt(0)
    cells.paragraph_format.line_spacing = 1.0
    cells.paragraph_format.first_line_indent = Cm(0)
    doc.core_properties.language = "vi-VN"


def _para(target, text: str = "", *, bold: bool = False, italic: bool = False,  # type: ignore[no-untyped-def]
          size: float | None = None, align: WD_ALIGN_PARAGRAPH | None = WD_ALIGN_PARAGRAPH.JUSTIFY,
          indent: bool = True, underline: bool = False, after: float | None = None):
    p = target.add_paragraph()
    if align is not None:
        p.alignment = align
    if indent and align == WD_ALIGN_PARAGRAPH.JUSTIFY:
        p.paragraph_format.first_line_indent = Cm(1)
    if after is not None:
        p.paragraph_format.space_after = Pt(after)
    if text:
        run = p.add_run(text)
        run.bold, run.italic, run.underline = bold or None, italic or None, underline or None
        if size:
            run.font.size = Pt(size)
    return p


def _section(doc: DocumentType, text: str) -> None:
    p = _para(doc, text, bold=True, indent=False, align=WD_ALIGN_PARAGRAPH.LEFT)
    p.paragraph_format.space_before = Pt(6)
    p.paragraph_format.keep_with_next = True


def _cell_text(cell: _Cell, text: str, *, bold: bool = False, italic: bool = False,
               size: float = TABLE_PT, align: WD_ALIGN_PARAGRAPH = WD_ALIGN_PARAGRAPH.CENTER,
               underline: bool = False) -> None:
    """Text in a cell; each line of `text` a paragraph of its own, in the table-text style
    (formatting set only where it differs: a thousand-row table stays fast to build)."""
    lines = text.split("\n")
    first = cell.paragraphs[0]
    for i, line in enumerate(lines):
        p = first if i == 0 else cell.add_paragraph()
        p._p.get_or_add_pPr().style = TABLE_STYLE_ID  # by id: a lookup by name is slow
        p.alignment = align
        run = p.add_run(line)
        if bold:
            run.bold = True
        if italic:
            run.italic = True
        if underline and i == len(lines) - 1:
            run.underline = True
        if size != TABLE_PT:
            run.font.size = Pt(size)


def _no_borders(table: Table) -> None:
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        el = OxmlElement(f"w:{edge}")
        el.set(qn("w:val"), "nil")
        borders.append(el)
    table._tbl.tblPr.append(borders)


def _widths(table: Table, widths: Sequence[float]) -> None:
    """Fixed column widths, in the grid (LibreOffice reads it) and in every cell (Word does)."""
    table.autofit = False
    layout = OxmlElement("w:tblLayout")
    layout.set(qn("w:type"), "fixed")
    table._tbl.tblPr.append(layout)
    for column, width in zip(table.columns, widths, strict=True):
        column.width = Cm(width)
    for row in table.rows:
        for cell, width in zip(row.cells, widths, strict=True):
            cell.width = Cm(width)


def _heading_block(doc: DocumentType, summary: Summary) -> None:
    head = heading(summary)
    table = doc.add_table(rows=2, cols=2)
    _no_borders(table)
    _widths(table, (7, 9))
    cell = table.cell(0, 0)
    for i, (text, bold) in enumerate(head.left):
        p = cell.paragraphs[0] if i == 0 else cell.add_paragraph()
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        p.paragraph_format.space_after = Pt(0)
        run = p.add_run(text)
        run.bold = bold
        run.font.size = Pt(13)
    _cell_text(table.cell(0, 1), "\n".join(head.right), bold=True, size=13,
               underline=not head.party or len(head.right) == 1)
    if not head.party:  # the motto line is 14 pt, the country name 13 pt
        table.cell(0, 1).paragraphs[1].runs[0].font.size = Pt(14)
    _cell_text(table.cell(1, 0), head.number, size=13)
    _cell_text(table.cell(1, 1), head.place_date, italic=True, size=14,
               align=WD_ALIGN_PARAGRAPH.RIGHT if head.party else WD_ALIGN_PARAGRAPH.CENTER)


def _title(doc: DocumentType, summary: Summary) -> None:
    title, subject = title_lines(summary)
    p = _para(doc, title, bold=True, size=15, align=WD_ALIGN_PARAGRAPH.CENTER, after=0)
    p.paragraph_format.space_before = Pt(18)
    _para(doc, subject, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER, after=0)
    _para(doc, "-----", align=WD_ALIGN_PARAGRAPH.CENTER, after=12)


def _grid(doc: DocumentType, headers: Sequence[str], widths: Sequence[float]) -> Table:
    table = doc.add_table(rows=1, cols=len(headers))
    table.style = doc.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for cell, text in zip(table.rows[0].cells, headers, strict=True):
        _cell_text(cell, text, bold=True, size=9)
    _repeat_header(table)
    _narrow_margins(table)
    _widths(table, widths)
    return table


def _narrow_margins(table: Table) -> None:
    """Cell padding of 0.08 cm instead of Word's 0.19 cm, so headers fit narrow columns."""
    margins = OxmlElement("w:tblCellMar")
    for edge in ("left", "right"):
        el = OxmlElement(f"w:{edge}")
        el.set(qn("w:w"), "45")
        el.set(qn("w:type"), "dxa")
        margins.append(el)
    table._tbl.tblPr.append(margins)


def _repeat_header(table: Table) -> None:
    tr_pr = table.rows[0]._tr.get_or_add_trPr()
    el = OxmlElement("w:tblHeader")
    el.set(qn("w:val"), "true")
    tr_pr.append(el)


def _row(table: Table, values: Sequence[str], widths: Sequence[float], *, bold: bool = False,
         italic: bool = False, left: Sequence[int] = (1,)) -> None:
    cells = table.add_row().cells
    for i, (cell, value) in enumerate(zip(cells, values, strict=True)):
        cell.width = Cm(widths[i])
        _cell_text(cell, value, bold=bold, italic=italic,
                   align=WD_ALIGN_PARAGRAPH.LEFT if i in left else WD_ALIGN_PARAGRAPH.CENTER)


def _numbers(c: Counts) -> list[str]:
    return [str(getattr(c, name)) for name, _ in COLUMNS]


BODY_WIDTHS = (0.8, 4.7) + (1.05,) * 10


def _bodies_table(doc: DocumentType, node: CascadeSummary) -> None:
    table = _grid(doc, ["TT", "Đơn vị", *(h for _, h in COLUMNS)], BODY_WIDTHS)
    for i, row in enumerate(node.bodies, start=1):
        _row(table, [str(i), row.body.name, *_numbers(row.counts)], BODY_WIDTHS)
        for child in row.children:
            _row(table, ["", f"↳ Kế hoạch con {child.directive.number} (mục {child.parent.ref})"
                         if child.parent else child.directive.number, *_numbers(child.overall)],
                 BODY_WIDTHS, italic=True)
    _row(table, ["", "Tổng cộng", *_numbers(node.total)], BODY_WIDTHS, bold=True)
    if node.descendant_cascades:
        _row(table, ["", f"Kế hoạch con ({node.descendant_cascades})", *_numbers(node.descendants)],
             BODY_WIDTHS, italic=True)


ITEM_COLUMNS = ("tasks", "done_on_time", "done_late", "in_term", "overdue", "no_deadline",
                "cancelled")
ITEM_WIDTHS = (1.3, 7.4) + (1.04,) * 7


def _assignments_table(doc: DocumentType, node: CascadeSummary) -> None:
    headers = dict(COLUMNS)
    table = _grid(doc, ["Mục", "Nội dung", *(headers[c] for c in ITEM_COLUMNS)], ITEM_WIDTHS)
    for a in node.assignments:
        text = a.task_text if len(a.task_text) <= 160 else a.task_text[:157].rstrip() + "…"
        _row(table, [a.ref, text, *(str(getattr(a.counts, c)) for c in ITEM_COLUMNS)], ITEM_WIDTHS)


OVERDUE_WIDTHS = (0.8, 3.6, 1.3, 2.0, 1.7, 6.6)


def _overdue(doc: DocumentType, summary: Summary) -> None:
    items = summary.overdue
    if not items:
        _para(doc, "Không có nhiệm vụ quá hạn.")
        return
    in_children = sum(1 for o in items if o.task.directive != summary.directive.number)
    text = f"Có {len(items)} nhiệm vụ quá hạn"
    if in_children:
        text += f" (trong đó {in_children} thuộc kế hoạch con)"
    _para(doc, text + ", xếp theo số ngày quá hạn:")
    table = _grid(doc, ["TT", "Đơn vị", "Mục", "Hạn", "Quá hạn", "Diễn biến"], OVERDUE_WIDTHS)
    root_number = summary.directive.number
    for i, o in enumerate(items, start=1):
        t = o.task
        ref = t.ref if t.directive == root_number else f"{t.ref}\n({t.directive})"
        if t.occurrence > 1:
            ref += f"\nkỳ {t.occurrence}"
        history = "\n".join(f"- {event_line(summary, e)}" for e in o.history)
        history += f"\nTrạng thái hiện tại: {t.status_label}."
        _row(table, [str(i), t.body.name, ref, short(t.due_on),
                     f"{o.days_late} ngày\n({o.working_days_late} ngày LV)", history],
             OVERDUE_WIDTHS, left=(1, 5))


EXT_WIDTHS = (0.8, 3.3, 1.2, 2.0, 2.0, 1.7, 2.0, 3.0)


def _extensions(doc: DocumentType, summary: Summary) -> None:
    requests = [(x, r) for x in summary.extensions for r in x.requests]
    if not requests:
        _para(doc, "Không có đề nghị gia hạn.")
        return
    granted = sum(1 for _, r in requests if r.outcome == "granted")
    refused = sum(1 for _, r in requests if r.outcome == "refused")
    pending = len(requests) - granted - refused
    _para(doc, f"Có {len(requests)} đề nghị gia hạn: đồng ý {granted}, không đồng ý {refused}, "
               f"chờ quyết định {pending}.")
    table = _grid(doc, ["TT", "Đơn vị", "Mục", "Ngày đề nghị", "Đề nghị đến", "Kết quả", "Hạn mới",
                        "Ghi chú"], EXT_WIDTHS)
    for i, (x, r) in enumerate(requests, start=1):
        notes = "; ".join(n for n in (r.reason, r.decision_note) if n)
        _row(table, [str(i), x.task.body.name, x.task.ref,
                     f"{summary.local(r.requested_at):%d/%m/%Y}", short(r.requested_until),
                     r.outcome_label, short(r.new_due_on) if r.new_due_on else "—", notes],
             EXT_WIDTHS, left=(1, 7))


def _closing(doc: DocumentType, summary: Summary) -> None:
    head = heading(summary)
    _para(doc, "", after=0)
    table = doc.add_table(rows=1, cols=2)
    _no_borders(table)
    _widths(table, (8, 8))
    left = table.cell(0, 0)
    _cell_text(left, "Nơi nhận:", bold=True, italic=True, size=12, align=WD_ALIGN_PARAGRAPH.LEFT)
    for line in recipients(summary):
        p = left.add_paragraph()
        p.paragraph_format.space_after = Pt(0)
        run = p.add_run(f"- {line}")
        run.font.size = Pt(11)
    _cell_text(table.cell(0, 1), f"{head.signature}\n\n\n\n", bold=True, size=14)
    sign = table.cell(0, 1).add_paragraph()
    sign.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = sign.add_run("(Ký, ghi rõ họ tên)")
    run.italic = True
    run.font.size = Pt(12)
