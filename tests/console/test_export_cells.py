"""The .xlsx export writes a text that starts like a formula (-, +, =, @) as a text cell, as
typed: no visible quote, and never a formula a spreadsheet would run."""

from __future__ import annotations

import csv
import io

import sqlalchemy as sa

from models.db import unit_of_work
from models.tables import Assignment

NUMBER = "48-KH/ĐĐTLĐ"
TEXTS = ("- Tuyên truyền đến đoàn viên", "+84 912 345 678", "=HYPERLINK(\"http://x\",\"y\")",
         "@SUM(A1:A2)")


def test_formula_like_texts_are_plain_text_cells_without_a_quote(launched_app, web):
    from openpyxl import load_workbook

    with unit_of_work(launched_app.engine) as session:
        ids = session.scalars(sa.select(Assignment.id).order_by(Assignment.id).limit(len(TEXTS))).all()
        for tid, text in zip(ids, TEXTS, strict=True):
            session.get(Assignment, tid).task_text = text
    client = web("viewer")
    data = client.get(f"/exports/tasks.xlsx?directive={NUMBER}")
    assert data.status_code == 200
    sheet = load_workbook(io.BytesIO(data.content)).active
    cells = {c.value: c for row in sheet.iter_rows(min_row=3, min_col=5, max_col=5) for c in row}
    for text in TEXTS:
        cell = cells[text]  # exactly as typed: no leading '
        assert cell.data_type == "s", (text, cell.data_type)
    assert not any(str(v).startswith("'") for v in cells)
    csv_rows = list(csv.reader(io.StringIO(
        client.get(f"/exports/tasks.csv?directive={NUMBER}").content.decode("utf-8-sig"))))
    assert "'=HYPERLINK(\"http://x\",\"y\")" in {r[4] for r in csv_rows}  # .csv keeps its guard
