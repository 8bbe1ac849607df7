"""Link pages through Starlette's TestClient: GET shows, POST acts once, errors change nothing."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import re
import unicodedata

import sqlalchemy as sa

from models.db import unit_of_work
from models.tables import Assignment, Task
from services.actions import record_action
from services.links import issue_link
from tests.conftest import VN
from tests.web.conftest import (
    COORDINATOR,
    NOW,
    SIGNER,
    issue,
    link_events,
    snapshot,
    task_id,
)

LEAD = ("III.1", "tld_bch")  # lead task due 15/12/2023


def test_get_shows_the_task_and_a_button(launched, client):
    """GET shows the directive, task text, body, role, long due date, status and the button."""
    tid = task_id(launched, *LEAD)
    token = issue(launched, tid, "acknowledge")
    page = client.get(f"/l/{token}")
    assert page.status_code == 200
    html = page.text
    for text in ("48-KH/ĐĐTLĐ", "Nghị quyết số 20-NQ/TW", "Chỉ đạo triển khai thực hiện",
                 "Ban Chấp hành", "chủ trì", "ngày 15 tháng 12 năm 2023", "đã giao",
                 "Xác nhận đã nhận nhiệm vụ", "từ «đã giao» sang «đã nhận»"):
        assert text in html, text
    assert re.search(r'<form method="post"', html)
    assert "<button" in html and 'name="note"' in html
    assert 'name="until"' not in html


def test_get_changes_nothing(launched, client):
    """Fetching a link (as a mail scanner does) leaves status, version, audit trail and link unused."""
    tid = task_id(launched, *LEAD)
    token = issue(launched, tid, "report")
    before = snapshot(launched, tid, token)
    for _ in range(3):
        assert client.get(f"/l/{token}").status_code == 200
        assert client.head(f"/l/{token}").status_code == 200
    assert snapshot(launched, tid, token) == before
    assert before[-1] is None


def test_post_acts_once_through_the_service(launched, client):
    """POST applies the action with channel email-link and the link's actor; the result page says so."""
    tid = task_id(launched, *LEAD)
    token = issue(launched, tid, "acknowledge")
    page = client.post(f"/l/{token}", data={"note": "Đã nhận, sẽ triển khai"})
    assert page.status_code == 200
    assert "Đã ghi nhận" in page.text and "từ «đã giao» sang «đã nhận»" in page.text
    status, version, *_, used = snapshot(launched, tid, token)
    assert (status, version) == ("acknowledged", 2)
    assert used == NOW
    [event] = link_events(launched, tid)
    assert (event.action, event.actor, event.note, event.at) == (
        "acknowledge", "tld_bch", "Đã nhận, sẽ triển khai", NOW)


def test_used_link_is_410_and_says_what_happened(launched, client):
    """A second POST (or a later GET) gets 410 'đã được dùng' with when and what, and changes nothing."""
    tid = task_id(launched, *LEAD)
    token = issue(launched, tid, "acknowledge")
    assert client.post(f"/l/{token}").status_code == 200
    after_first = snapshot(launched, tid, token)
    for response in (client.post(f"/l/{token}"), client.get(f"/l/{token}")):
        assert response.status_code == 410
        assert "đã được dùng lúc 10:00 ngày 1 tháng 8 năm 2023" in response.text
        assert "sang «đã nhận»" in response.text
        assert "Việc này đã được thực hiện" in response.text
    assert snapshot(launched, tid, token) == after_first
    assert len(link_events(launched, tid)) == 1


def test_expired_link_is_410_and_changes_nothing(launched, client):
    """A link past its expiry answers 410 on GET and POST; nothing changes."""
    tid = task_id(launched, *LEAD)
    token = issue(launched, tid, "acknowledge", when=NOW - dt.timedelta(days=2), ttl_days=1)
    before = snapshot(launched, tid, token)
    for response in (client.get(f"/l/{token}"), client.post(f"/l/{token}")):
        assert response.status_code == 410
        assert "hết hạn" in response.text
        assert "Văn phòng Đảng đoàn" in response.text  # whom to contact
    assert snapshot(launched, tid, token) == before


def test_tampered_link_is_400(launched, client):
    """A token whose signature does not match, or that is cut short, answers 400; nothing changes."""
    tid = task_id(launched, *LEAD)
    token = issue(launched, tid, "acknowledge")
    before = snapshot(launched, tid, token)
    forged = token[:-1] + ("A" if token[-1] != "A" else "B")
    for path in (f"/l/{forged}", f"/l/{token[:30]}"):
        assert client.get(path).status_code == 400
        response = client.post(path)
        assert response.status_code == 400
        assert "Chưa có gì thay đổi" in response.text
    assert snapshot(launched, tid, token) == before


def test_unknown_link_is_404(launched, client):
    """A correctly signed token that was never stored answers 404."""
    tid = task_id(launched, *LEAD)
    with unit_of_work(launched) as session:
        token = issue_link(session=session, signer=SIGNER, task_id=tid, action="acknowledge",
                           actor="tld_bch", at=NOW, ttl_days=60)
        session.rollback()
    assert client.get(f"/l/{token}").status_code == 404
    response = client.post(f"/l/{token}")
    assert response.status_code == 404
    assert "Không tìm thấy" in response.text


def test_action_the_status_no_longer_allows(launched, client):
    """After the task was closed elsewhere: GET says why with no button; POST is 409 and keeps the link."""
    tid = task_id(launched, *LEAD)
    token = issue(launched, tid, "acknowledge")
    with unit_of_work(launched) as session:
        record_action(session=session, tz=VN, task_id=tid, action="close", actor="tld_bch",
                      channel="cli", at=dt.datetime(2023, 11, 30, 2, tzinfo=dt.UTC))
    before = snapshot(launched, tid, token)
    page = client.get(f"/l/{token}")
    assert page.status_code == 200
    assert "Nhiệm vụ đã được đánh dấu hoàn thành lúc 09:00 ngày 30 tháng 11 năm 2023" in page.text
    assert "<button" not in page.text
    response = client.post(f"/l/{token}")
    assert response.status_code == 409
    assert "Nhiệm vụ đã được đánh dấu hoàn thành lúc 09:00 ngày 30 tháng 11 năm 2023" in response.text
    assert "đã hoàn thành ngày 30/11/2023" in response.text  # the service's own reason
    assert snapshot(launched, tid, token) == before


def test_request_extension_needs_a_real_later_date(launched, client):
    """Missing, impossible or too early dates answer 400 with the form again; a good date acts."""
    tid = task_id(launched, *LEAD)
    token = issue(launched, tid, "request-extension")
    page = client.get(f"/l/{token}")
    # a text field read day/month/year, as the console's (a browser's date field may show mm/dd)
    assert 'type="date"' not in page.text and 'placeholder="30/11/2026"' in page.text
    assert "required" in page.text and "Viết ngày/tháng/năm" in page.text
    before = snapshot(launched, tid, token)
    for until, reason in (("", "cần ngày đề nghị gia hạn đến"), ("2023-02-30", "không có thật"),
                          ("2023-12-01", "phải sau hạn hiện tại 15/12/2023")):
        response = client.post(f"/l/{token}", data={"until": until, "note": "lý do"})
        assert response.status_code == 400, until
        assert reason in response.text
        assert "<button" in response.text and ">lý do</textarea>" in response.text
    assert snapshot(launched, tid, token) == before
    response = client.post(f"/l/{token}", data={"until": "31/01/2024"})
    assert response.status_code == 200
    status, _, due, requested, *_ = snapshot(launched, tid)
    assert (status, due, requested) == ("extension_requested", dt.date(2023, 12, 15),
                                         dt.date(2024, 1, 31))


def test_grant_extension_is_prefilled_with_the_requested_date(launched, client):
    """The coordinator's grant link shows the requested date and, pressed, moves the due date."""
    tid = task_id(launched, *LEAD)
    with unit_of_work(launched) as session:
        record_action(session=session, tz=VN, task_id=tid, action="request-extension", actor="tld_bch",
                      at=NOW, until=dt.date(2024, 1, 31))
    token = issue(launched, tid, "grant-extension", actor=COORDINATOR)
    page = client.get(f"/l/{token}")
    assert 'value="31/01/2024"' in page.text
    assert "Đề nghị gia hạn đến" in page.text and "ngày 31 tháng 1 năm 2024" in page.text
    response = client.post(f"/l/{token}", data={"until": "31/01/2024"})
    assert response.status_code == 200
    status, _, due, requested, *_ = snapshot(launched, tid)
    assert (status, due, requested) == ("in_progress", dt.date(2024, 1, 31), None)
    [event] = link_events(launched, tid)
    assert event.actor == COORDINATOR


def test_script_in_task_text_or_note_is_escaped(launched, client):
    """Text from a document or a body is escaped: no markup of theirs reaches the page."""
    tid = task_id(launched, *LEAD)
    with unit_of_work(launched) as session:
        assignment_id = session.get(Task, tid).assignment_id
        session.execute(sa.update(Assignment).where(Assignment.id == assignment_id)
                        .values(task_text='Việc <script>alert("x")</script> <img src=x onerror=1>'))
    token = issue(launched, tid, "report")
    page = client.get(f"/l/{token}").text
    assert "<script>alert" not in page and "<img src=x" not in page
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in page
    result = client.post(f"/l/{token}", data={"note": "<script>steal()</script>"}).text
    assert "<script>steal" not in result and "&lt;script&gt;steal()" in result


def _inline_style_hash(html: str) -> str:
    css = re.search(r"<style>(.*?)</style>", html, re.S).group(1)
    return "'sha256-" + base64.b64encode(hashlib.sha256(css.encode()).digest()).decode() + "'"


def test_security_headers_on_every_page(launched, client):
    """Strict CSP (only our one inline style), no-referrer, noindex and no-store on pages and errors."""
    tid = task_id(launched, *LEAD)
    token = issue(launched, tid, "acknowledge")
    responses = [client.get(f"/l/{token}"), client.get("/l/nonsense"), client.get("/healthz"),
                 client.post(f"/l/{token}"), client.post(f"/l/{token}"), client.get("/nowhere")]
    assert [r.status_code for r in responses] == [200, 400, 200, 200, 410, 404]
    for response in responses:
        csp = response.headers["content-security-policy"]
        assert "default-src 'none'" in csp and "unsafe-inline" not in csp and "script-src" not in csp
        assert response.headers["referrer-policy"] == "no-referrer"
        assert "noindex" in response.headers["x-robots-tag"]
        assert response.headers["cache-control"] == "no-store"
    page = responses[0]
    assert f"style-src 'self' {_inline_style_hash(page.text)}" in page.headers["content-security-policy"]


def test_pages_are_vietnamese_for_a_phone(launched, client):
    """Pages declare lang="vi", a mobile viewport, UTF-8, and their text is NFC-normalised."""
    tid = task_id(launched, *LEAD)
    token = issue(launched, tid, "acknowledge")
    for response in (client.get(f"/l/{token}"), client.post(f"/l/{token}"), client.get("/l/x")):
        html = response.text
        assert '<html lang="vi">' in html
        assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in html
        assert response.headers["content-type"] == "text/html; charset=utf-8"
        assert unicodedata.is_normalized("NFC", html)
        assert "http://" not in html.replace("http://www.w3.org", "") and "https://" not in html


def test_healthz_checks_the_database(client):
    """/healthz answers JSON with the database and schema revision checked."""
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok" and body["database"] == "ok" and body["schema"]


def test_healthz_reports_an_unreachable_database(tmp_path):
    """/healthz answers 503 when the database has no schema."""
    from starlette.testclient import TestClient

    from cascade.bootstrap import build_app
    from web.app import create_app

    app = build_app(environ={"CASCADE_DATABASE_URL": f"sqlite:///{tmp_path / 'empty.db'}",
                             "CASCADE_HOME": str(tmp_path)})
    with TestClient(create_app(app)) as client:
        response = client.get("/healthz")
    assert response.status_code == 503 and response.json()["status"] == "error"
    app.engine.dispose()


def test_lifespan_runs_the_startup_and_shutdown_hooks(site):
    """create_app's on_startup/on_shutdown (sync or async) run once each around serving."""
    from starlette.testclient import TestClient

    from web.app import create_app

    calls = []

    async def start_async():
        calls.append("async start")

    app = create_app(site, on_startup=[lambda: calls.append("start"), start_async],
                     on_shutdown=[lambda: calls.append("stop")])
    with TestClient(app) as client:
        assert calls == ["start", "async start"]
        assert client.get("/healthz").status_code in (200, 503)
    assert calls == ["start", "async start", "stop"]


def test_wrong_method_and_path_get_a_page(client):
    """Unknown paths answer a Vietnamese 404 page; PUT on a link answers 405."""
    assert client.get("/khong-co").status_code == 404
    assert "Không có trang này" in client.get("/khong-co").text
    assert client.put("/l/abc").status_code == 405


def test_supervisor_extend_link_needs_a_date_and_moves_the_deadline(launched, client):
    """An escalation's 'extend' link asks for the new date, refuses none, and records the supervisor."""
    tid = task_id(launched, "III.7", "ldld_hue")
    token = issue(launched, tid, "extend", actor="tld_dct")
    page = client.get(f"/l/{token}")
    assert page.status_code == 200 and "Gia hạn nhiệm vụ" in page.text
    assert 'name="until" required' in page.text
    before = snapshot(launched, tid, token)
    missing = client.post(f"/l/{token}", data={"until": ""})
    assert missing.status_code == 400 and "cần ngày hạn mới" in missing.text
    assert snapshot(launched, tid, token) == before
    done = client.post(f"/l/{token}", data={"until": "2023-12-20"})
    assert done.status_code == 200
    status, _, due, *_ = snapshot(launched, tid)
    assert (status, due) == ("assigned", dt.date(2023, 12, 20))
    [event] = link_events(launched, tid)
    assert (event.actor, event.action) == ("tld_dct", "extend")


def test_remind_link_sends_one_more_reminder_without_changing_the_status(launched, client):
    """'Nhắc lại' shows a button, then queues one reminder mail; the status stays."""
    from sqlmodel import select

    from models.tables import Outbox

    tid = task_id(launched, "III.7", "ldld_hue")
    token = issue(launched, tid, "remind", actor=COORDINATOR)
    page = client.get(f"/l/{token}")
    assert "Nhắc lại đơn vị thực hiện" in page.text and "Gửi thư nhắc" in page.text
    assert client.post(f"/l/{token}", data={}).status_code == 200
    status, *_ = snapshot(launched, tid)
    assert status == "assigned"
    with unit_of_work(launched, write=False) as session:
        kinds = session.exec(select(Outbox.kind).where(Outbox.task_id == tid)).all()
    assert sorted(kinds) == ["manual_reminder", "task_assigned"]
