"""Section III of the .docx review summary: the targets with the figures reported and
combined, and each body's report with its files and review (reports/results.py)."""

from __future__ import annotations

from docx.document import Document as DocumentType

from reports.docx import _grid, _para, _row
from reports.model import Summary
from reports.wording import results_overview

TARGET_WIDTHS = (0.8, 4.6, 2.0, 1.4, 2.6, 1.4, 3.2)
REPORT_WIDTHS = (0.8, 3.2, 1.2, 1.8, 3.6, 3.2, 2.2)


def results_section(doc: DocumentType, summary: Summary) -> None:
    for text in results_overview(summary):
        _para(doc, text)
    results = summary.results
    if results is None:
        return
    if results.targets:
        _para(doc, "1. Số liệu theo chỉ tiêu", bold=True)
        table = _grid(doc, ["TT", "Chỉ tiêu", "Mức phấn đấu", "Số đơn vị báo cáo", "Tổng hợp",
                            "Kết quả", "Đơn vị chưa báo cáo"], TARGET_WIDTHS)
        for i, t in enumerate(results.targets, start=1):
            year = f" (năm {t.target.year})" if t.target.year else ""
            _row(table, [str(i), f"{t.target.key}: {t.target.text}{year}", t.shown(t.target.value),
                         str(t.combined.reporting), t.combined_text, t.reached_text,
                         "; ".join(b.name for b in t.not_reported) or "—"],
                 TARGET_WIDTHS, left=(1, 6))
    reported = results.reported()
    if reported:
        _para(doc, f"{2 if results.targets else 1}. Báo cáo của các đơn vị", bold=True)
        table = _grid(doc, ["TT", "Đơn vị", "Mục", "Ngày báo cáo", "Tệp đính kèm", "Số liệu",
                            "Xem xét"], REPORT_WIDTHS)
        for i, task in enumerate(reported, start=1):
            r = task.report
            assert r is not None
            files = "\n".join(f"{f.name} ({f.size_text})" for f in r.files) or "—"
            figures = "\n".join(f"{g.target.key}: {g.value_text}" for g in r.figures) or "—"
            review = task.review_label
            if r.review_note:
                review += f": {r.review_note}"
            _row(table, [str(i), task.task.body.name, task.task.ref, f"{summary.local(r.at):%d/%m/%Y}",
                         files, figures, review], REPORT_WIDTHS, left=(1, 4, 5, 6))
