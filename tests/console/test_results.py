"""Results in the console: a report's summary, files and figures on the task page, its files
behind the session, acceptance dated by the report, and the ranking of the bodies (the same
figures as `cascade evaluate`) as a page with a chart and as .xlsx."""

from __future__ import annotations

import io

import openpyxl
import pytest

from models.db import unit_of_work
from models.report_views import latest_report
from models.tables import Task
from models.template import parse_template
from services.evaluation import evaluate_bodies
from services.launch import launch_cascade
from services.results import ReportInput, submit_report
from tests.conftest import VN, at
from tests.console.conftest import csrf_of
from tests.results.conftest import COORDINATOR, LAUNCHED, PLAN, task_of, upload
from tests.results.samples import docx_bytes


@pytest.fixture
def reported(console_app):
    """The plan with targets launched; Hà Nội reports with a .docx and two figures, Hải Phòng
    with its figures only, both on 20/11/2023."""
    app = console_app
    spec = parse_template(PLAN, app.registry, file="12-KH-TLD.yaml")
    with unit_of_work(app.engine) as session:
        launch_cascade(session=session, spec=spec, template_text=PLAN, registry=app.registry,
                       calendar=app.calendar, at=LAUNCHED, coordinator=COORDINATOR,
                       launched_on=LAUNCHED.date(), tz=VN)
    for body, files, figures in (
            ("ldld_ha_noi", [upload("Báo cáo số 45.docx", docx_bytes())],
             {"T1": "2.500", "T2": "12,5"}),
            ("ldld_hai_phong", [], {"T1": "1.200", "T2": "60"})):
        with unit_of_work(app.engine) as session:
            submit_report(session=session, store=app.files, limits=app.upload_limits,
                          task_id=task_of(app.engine, body), at=at("2023-11-20 10:00"), tz=VN,
                          actor=body, channel="email-link",
                          report=ReportInput(f"Báo cáo của {body}", files, figures))
    return app


def test_the_task_page_shows_the_report_and_serves_its_file_to_a_session(reported, web):
    tid = task_of(reported.engine, "ldld_ha_noi")
    page = web("viewer").get(f"/tasks/{tid}")
    assert page.status_code == 200
    text = page.text
    assert "Báo cáo của ldld_ha_noi" in text and "chờ xem xét" in text
    assert "2.500 đoàn viên" in text and "12,5%" in text and "Báo cáo số 45.docx" in text
    with unit_of_work(reported.engine, write=False) as session:
        [file] = latest_report(session, tid).files
    got = web("viewer").get(f"/tasks/{tid}/files/{file.id}")
    assert got.status_code == 200 and got.content == docx_bytes()
    assert "attachment" in got.headers["content-disposition"]
    assert "B%C3%A1o%20c%C3%A1o%20s%E1%BB%91%2045.docx" in got.headers["content-disposition"]
    # the file belongs to Hà Nội's task: asked through another task, it is not there
    other = task_of(reported.engine, "ldld_hai_phong")
    assert web("viewer").get(f"/tasks/{other}/files/{file.id}").status_code == 404
    anonymous = web().get(f"/tasks/{tid}/files/{file.id}", follow_redirects=False)
    assert anonymous.status_code == 303 and anonymous.headers["location"].startswith("/login")


def test_accepting_in_the_console_dates_the_task_by_its_report(reported, web, clock):
    tid = task_of(reported.engine, "ldld_ha_noi")
    clock.set(at("2023-12-04 08:30"))
    client = web("coordinator")
    inbox = client.get("/inbox")
    assert "Báo cáo của ldld_ha_noi" in inbox.text
    done = client.post(f"/tasks/{tid}/act", data={"csrf_token": csrf_of(inbox.text),
                                                  "action": "accept", "next": f"/tasks/{tid}"})
    assert done.status_code == 200 and "đã chấp nhận" in done.text
    with unit_of_work(reported.engine, write=False) as session:
        task = session.get(Task, tid)
        assert (task.status, task.closed_at) == ("done", at("2023-11-20 10:00"))
        assert latest_report(session, tid).outcome == "accepted"


def _rows(evaluation):
    return [(r.body_name, r.assigned, r.done_on_time, r.open_in_term, r.open_overdue, r.score,
             r.grade, r.rank) for r in evaluation.rows]


def test_the_ranking_page_and_its_xlsx_hold_the_figures_of_cascade_evaluate(reported, web,
                                                                             clock):
    tid = task_of(reported.engine, "ldld_ha_noi")
    with unit_of_work(reported.engine) as session:
        from services.results import accept_report

        accept_report(session=session, task_id=tid, at=at("2023-12-04 08:30"), tz=VN)
    clock.set(at("2023-12-31 12:00"))
    client = web("supervisor")
    page = client.get("/evaluation", params={"from": "01/01/2023", "to": "31/12/2023",
                                             "kind": "provincial_federation"})
    assert page.status_code == 200
    with unit_of_work(reported.engine, write=False) as session:
        expected = evaluate_bodies(session=session, scheme=reported.scheme,
                                   start=at("2023-01-01 00:00").date(),
                                   end=at("2023-12-31 00:00").date(), tz=VN,
                                   kind="provincial_federation")
    hanoi = next(r for r in expected.rows if r.body == "ldld_ha_noi")
    assert (hanoi.done_on_time, hanoi.score, hanoi.rank) == (1, 100.0, 1)
    for name, *_ in _rows(expected):
        assert name in page.text
    assert "<ol class=\"ranking\"" in page.text and hanoi.grade in page.text

    sheet = client.get("/evaluation.xlsx", params={"from": "01/01/2023", "to": "31/12/2023",
                                                   "kind": "provincial_federation"})
    assert sheet.status_code == 200 and "danh-gia-20230101-20231231.xlsx" in \
        sheet.headers["content-disposition"]
    book = openpyxl.load_workbook(io.BytesIO(sheet.content))
    cells = [[c for c in row] for row in book.active.iter_rows(values_only=True)]
    found = next(row for row in cells if hanoi.body_name in row)
    assert 100 in found and hanoi.grade in found


@pytest.mark.parametrize(("params", "message"), [
    ({"from": "31/02/2023"}, "không có thật"), ({"to": "hôm qua"}, "không phải ngày"),
    ({"kind": "cong_ty"}, "loại đơn vị «cong_ty»"), ({"directive": "99/KH-XYZ"}, "99/KH-XYZ"),
    ({"from": "31/12/2023", "to": "01/01/2023"}, "sau"),
])
def test_a_ranking_asked_wrongly_says_what_is_wrong(reported, web, params, message):
    page = web("viewer").get("/evaluation", params=params)
    assert page.status_code == 400 and message in page.text and "Sửa rồi xem lại" in page.text
