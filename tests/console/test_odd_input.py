"""Input no route can use answers 400 with a Vietnamese sentence and changes nothing
(web.inputs): Unicode digits, numbers beyond a 64-bit id, NUL and other control characters."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from models.db import unit_of_work
from models.tables import Task, TaskEvent
from tests.console.conftest import USERS, csrf_of

BOARD = "/directives/48-KH/ĐĐTLĐ"
HUGE = str(2**63)


def _refused(response) -> None:
    assert 400 <= response.status_code < 500, response.status_code
    assert "Dữ liệu gửi lên không hợp lệ" in response.text
    assert "Chưa có gì thay đổi" in response.text


def _events(app) -> int:
    with unit_of_work(app.engine, write=False) as session:
        return session.scalar(sa.select(sa.func.count()).select_from(TaskEvent))


@pytest.mark.parametrize("query", ["q=²", "page=²", "q=%23" + HUGE, "page=" + HUGE,
                                   "q=a%00b", "status=%00", "q=x%07y"])
@pytest.mark.parametrize("where", [BOARD, "/exports/tasks.csv", "/exports/tasks.xlsx"])
def test_odd_board_and_export_filters_are_a_400(launched_app, web, where, query):
    response = web("viewer").get(f"{where}?{query}")
    _refused(response)
    assert "Tìm" in response.text or "Trang" in response.text or "Trạng thái" in response.text


def test_a_task_number_typed_in_the_search_still_works(launched_app, web):
    assert web("viewer").get(f"{BOARD}?q=%231").status_code == 200
    assert web("viewer").get(f"{BOARD}?page=2").status_code == 200


@pytest.mark.parametrize("path", [f"/tasks/{HUGE}", f"/tasks/1/files/{HUGE}",
                                  f"/documents/{'9' * 30}", f"/drafts/{HUGE}/preview",
                                  f"/decisions/{HUGE}"])
def test_an_id_beyond_64_bits_in_a_console_path_is_a_4xx(launched_app, web, path):
    client = web("coordinator")
    if path.startswith("/decisions/"):
        page = client.get("/directives/new")
        response = client.post(path, data={"csrf_token": csrf_of(page.text)})
    else:
        response = client.get(path)
    _refused(response)
    assert "quá lớn" in response.text


def test_an_id_beyond_64_bits_in_a_link_files_path_is_a_4xx(launched_app, web):
    _refused(web().get(f"/l/abc.def/files/{HUGE}"))


def test_a_nul_in_the_login_email_is_a_400_and_logs_nobody_in(console_app, web):
    client = web()
    page = client.get("/login")
    response = client.post("/login", data={"email": USERS["viewer"] + "\x00",
                                           "password": "x", "csrf_token": csrf_of(page.text)},
                           follow_redirects=False)
    _refused(response)
    assert "E-mail" in response.text and "U+0000" in response.text
    assert client.get("/", follow_redirects=False).status_code == 303


def test_a_nul_in_a_note_is_a_400_and_changes_nothing(launched_app, web):
    client = web("coordinator")
    with unit_of_work(launched_app.engine, write=False) as session:
        tid = session.scalar(sa.select(Task.id).order_by(Task.id))
        before = session.get(Task, tid).status
    page = client.get(f"/tasks/{tid}/confirm?action=remind")
    events = _events(launched_app)
    response = client.post(f"/tasks/{tid}/act", data={
        "csrf_token": csrf_of(page.text), "action": "remind", "note": "nhắc\x00lại"})
    _refused(response)
    assert "Ghi chú" in response.text
    assert _events(launched_app) == events
    with unit_of_work(launched_app.engine, write=False) as session:
        assert session.get(Task, tid).status == before
