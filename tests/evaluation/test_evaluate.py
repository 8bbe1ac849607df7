"""`cascade evaluate`: a period with bodies on time, late, overdue, returned and extended,
frozen in time; the JSON, the .xlsx and the .docx hold what a hand computation gives."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from sqlmodel import select

from models.db import unit_of_work
from models.tables import Assignment, Task
from models.template import parse_template
from services.actions import record_action
from services.file_store import MemoryFileStore
from services.launch import launch_cascade
from services.results import ReportInput, submit_report
from tests.conftest import VN, FixedClock, at, cli_runner

PLAN = """\
directive:
  number: 20/KH-TLĐ
  kind: Kế hoạch
  issuer: tld_dct
  issued_on: 2023-07-10
  title: Kế hoạch thực hiện nhiệm vụ trọng tâm 6 tháng cuối năm 2023
coordinator: tld_van_phong_dang_doan
assignments:
  - {ref: "1", lead: [ldld_ha_noi, ldld_hai_phong, ldld_da_nang, ldld_hue], task: Việc 1,
     deadline: 2023-09-30}
  - {ref: "2", lead: [ldld_ha_noi, ldld_hai_phong, ldld_da_nang, ldld_hue], task: Việc 2,
     deadline: 2023-11-30}
  - {ref: "3", lead: [tld_ban_to_chuc, tld_ban_tuyen_giao], task: Việc 3, deadline: 2023-10-31}
  - {ref: "4", lead: [ldld_ha_noi], task: Việc 4, deadline: 2024-03-31}
"""
KEYS = ("body", "assigned", "done_on_time", "done_late", "open_in_term", "open_overdue",
        "returned", "extensions", "on_time_rate", "score", "grade", "rank")
# Worked by hand with config/evaluation.yaml (on time 100, late 60, overdue 0, in term not
# counted; −10 per returned report, −5 per extension; score = points / tasks counted):
EXPECTED = [
    # Hà Nội: 1 and 2 on time (2 returned once, redone in time), 4 in term: (200 − 10) / 2
    ("ldld_ha_noi", 3, 2, 0, 1, 0, 1, 0, 1.0, 95.0, "Hoàn thành xuất sắc", 1),
    # Hải Phòng: 1 late, 2 on time after an extension granted: (100 + 60 − 5) / 2
    ("ldld_hai_phong", 2, 1, 1, 0, 0, 0, 1, 0.5, 77.5, "Hoàn thành tốt", 2),
    # Đà Nẵng: 1 overdue, 2 extended by the coordinator into 2024: max(0, (0 − 5) / 1)
    ("ldld_da_nang", 2, 0, 0, 1, 1, 0, 1, 0.0, 0.0, "Không hoàn thành", 3),
    # Huế: 1 reported on time, awaiting review (in term); 2 reported late, awaiting: 0 / 1
    ("ldld_hue", 2, 0, 0, 1, 1, 0, 0, 0.0, 0.0, "Không hoàn thành", 3),
]
DEPARTMENTS = [
    ("tld_ban_to_chuc", 1, 1, 0, 0, 0, 0, 0, 1.0, 100.0, "Hoàn thành xuất sắc", 1),
    ("tld_ban_tuyen_giao", 1, 0, 0, 0, 1, 0, 0, 0.0, 0.0, "Không hoàn thành", 2),
]


def tid(engine, ref, body):
    with unit_of_work(engine, write=False) as session:
        return session.exec(select(Task.id).join(Assignment, Assignment.id == Task.assignment_id)
                            .where(Assignment.ref == ref, Task.body_id == body)).one()


@pytest.fixture
def period(engine, registry, calendar):
    """The second half of 2023, acted out through the services at fixed moments."""
    launched = at("2023-07-20 09:00")
    with unit_of_work(engine) as session:
        launch_cascade(session=session, spec=parse_template(PLAN, registry), template_text=PLAN,
                       registry=registry, calendar=calendar, at=launched,
                       coordinator="tld_van_phong_dang_doan", launched_on=launched.date(), tz=VN)
    store = MemoryFileStore()

    def report(ref, body, when):
        with unit_of_work(engine) as session:
            submit_report(session=session, store=store, limits=_limits(), task_id=tid(engine, ref, body),
                          report=ReportInput(summary="Báo cáo"), at=at(when), tz=VN, actor=body,
                          channel="email-link")

    def act(ref, body, action, when, **kw):
        with unit_of_work(engine) as session:
            record_action(session=session, task_id=tid(engine, ref, body), action=action,
                          at=at(when), tz=VN, **kw)

    report("1", "ldld_ha_noi", "2023-09-25 10:00")
    act("1", "ldld_ha_noi", "accept", "2023-10-05 09:00")
    report("2", "ldld_ha_noi", "2023-11-20 10:00")
    act("2", "ldld_ha_noi", "return", "2023-11-22 09:00", note="Thiếu số liệu")
    report("2", "ldld_ha_noi", "2023-11-28 10:00")
    act("2", "ldld_ha_noi", "accept", "2023-12-01 09:00")
    report("1", "ldld_hai_phong", "2023-10-10 10:00")
    act("1", "ldld_hai_phong", "accept", "2023-10-12 09:00")
    act("2", "ldld_hai_phong", "request-extension", "2023-11-25 09:00", actor="ldld_hai_phong",
        until=dt.date(2023, 12, 20))
    act("2", "ldld_hai_phong", "grant-extension", "2023-11-27 09:00")
    report("2", "ldld_hai_phong", "2023-12-15 10:00")
    act("2", "ldld_hai_phong", "accept", "2023-12-18 09:00")
    act("2", "ldld_da_nang", "extend", "2023-11-29 09:00", until=dt.date(2024, 1, 31))
    report("1", "ldld_hue", "2023-09-28 10:00")
    report("2", "ldld_hue", "2023-12-05 10:00")
    report("3", "tld_ban_to_chuc", "2023-10-30 10:00")
    act("3", "tld_ban_to_chuc", "accept", "2023-11-02 09:00")
    return engine


def _limits():
    from models.files import UploadLimits

    return UploadLimits(1024 * 1024, 5)


def rows(data):
    return [tuple(r[k] for k in KEYS) for r in data]


def test_json_equals_the_hand_computation(period, make_app, tmp_path):
    """Counts, rate, score, grade and rank per body, ranked within its kind."""
    run = cli_runner(make_app(), tmp_path)
    data = json.loads(run("evaluate", "--from", "01/07/2023", "--to", "31/12/2023",
                          "--format", "json").stdout)
    assert rows(data) == DEPARTMENTS + EXPECTED  # 'ban' sorts before 'LĐLĐ tỉnh'
    assert all(set(KEYS) <= set(r) for r in data)
    hue = next(r for r in data if r["body"] == "ldld_hue")
    assert hue["awaiting_review"] == 1 and hue["kind"] == "provincial_federation"


def test_filters_and_the_default_end_is_today_by_the_clock(period, make_app, tmp_path):
    """--kind keeps one kind; --directive one plan; without --to the clock's business date;
    --from leaves out what was done before it."""
    run = cli_runner(make_app(clock=FixedClock(at("2023-12-31 16:00"))), tmp_path)
    data = json.loads(run("evaluate", "--from", "2023-07-01", "--kind", "provincial_federation",
                          "--directive", "20/kh-tld", "--format", "json").stdout)
    assert rows(data) == EXPECTED
    later = json.loads(run("evaluate", "--from", "01/10/2023", "--to", "31/12/2023",
                           "--kind", "provincial_federation", "--format", "json").stdout)
    hanoi = next(r for r in later if r["body"] == "ldld_ha_noi")
    # item 1 was closed on 25/09, before the period: (100 − 10) / 1
    assert (hanoi["assigned"], hanoi["done_on_time"], hanoi["score"]) == (2, 1, 90.0)


def test_xlsx_holds_the_same_numbers(period, make_app, tmp_path):
    """The workbook opened with openpyxl: the same bodies, counts, rates, scores, grades, ranks."""
    from openpyxl import load_workbook

    from reports.evaluation_xlsx import COLUMNS, HEADER_ROW

    run = cli_runner(make_app(), tmp_path)
    args = ("evaluate", "--from", "01/07/2023", "--to", "31/12/2023")
    data = json.loads(run(*args, "--format", "json").stdout)
    result = run(*args, "--format", "xlsx", "-o", "xep-loai.xlsx")
    assert "Đã ghi kết quả đánh giá 6 đơn vị (xlsx) vào xep-loai.xlsx" in result.stdout
    sheet = load_workbook(tmp_path / "xep-loai.xlsx")["Xếp loại"]
    headers = [c.value for c in sheet[HEADER_ROW]]
    assert headers == [h for _, h, _ in COLUMNS]
    keys = [k for k, _, _ in COLUMNS]
    table = [dict(zip(keys, (c.value for c in row), strict=True))
             for row in sheet.iter_rows(min_row=HEADER_ROW + 1)]
    assert [tuple(r[k] for k in KEYS) for r in table] == rows(data)
    assert sheet.cell(HEADER_ROW + 1, keys.index("on_time_rate") + 1).number_format == "0.0%"


def test_docx_and_table(period, make_app, tmp_path):
    """The Word document has one table per kind with the same figures; the terminal table fits
    80 columns."""
    from docx import Document

    run = cli_runner(make_app(), tmp_path)
    run("evaluate", "--from", "01/07/2023", "--to", "31/12/2023", "--format", "docx", "-o", "xl.docx")
    doc = Document(io.BytesIO((tmp_path / "xl.docx").read_bytes()))
    provinces = doc.tables[-1]
    first = [c.text for c in provinces.rows[1].cells]
    assert first == ["1", "Liên đoàn Lao động Thành phố Hà Nội", "3", "2", "0", "1", "0", "1", "0",
                     "100%", "95", "Hoàn thành xuất sắc"]
    assert [c.text for c in provinces.rows[4].cells][0] == "3"
    # the follow-up office belongs to the Đảng đoàn: the Party's form, not the State's
    head = [c.text for c in doc.tables[0].rows[0].cells]
    assert head[0].startswith("ĐẢNG ĐOÀN TỔNG LIÊN ĐOÀN") and "VĂN PHÒNG ĐẢNG ĐOÀN" in head[0]
    assert head[1] == "ĐẢNG CỘNG SẢN VIỆT NAM"
    text = run("evaluate", "--from", "01/07/2023", "--to", "31/12/2023").stdout
    table_lines = text.splitlines()[:-1]  # the legend is a sentence: the terminal wraps it
    assert all(len(line) <= 80 for line in table_lines), text
    assert "Hoàn thành" in text and "95" in text and "Giao: nhiệm vụ được giao" in text


def test_bad_input_is_refused_clearly(period, make_app, tmp_path):
    """A date that is not one, a period backwards, an unknown kind, an unknown format."""
    run = cli_runner(make_app(), tmp_path)
    assert "không phải ngày" in run("evaluate", "--to", "31/13", code=2).stderr
    assert "sau --to" in run("evaluate", "--from", "01/12/2023", "--to", "01/11/2023",
                             code=1).stderr
    assert "chọn một trong" in run("evaluate", "--kind", "tinh", code=2).stderr
    assert "table, json, xlsx, docx" in run("evaluate", "--format", "pdf", code=2).stderr
