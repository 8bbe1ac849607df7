"""The preview says what launching will do before it is done: each body's tasks with their
due dates, the items already past due (a new deadline, or launch without reminders or
escalations: the sweep then leaves them alone), the bodies that will get no mail (an address
added there or in the inbox, and the waiting mails go), and what the first sweep would send."""

from __future__ import annotations

import re

import pytest
import yaml
from sqlmodel import select

from models.db import unit_of_work
from models.tables import Assignment, FollowUp, Outbox, Task
from notifications.mailer import RecordingMailer
from services.accounts import create_user
from services.setup import initialise
from services.sweep import sweep
from tests.conftest import ROOT, VN, FixedClock, at
from tests.console.conftest import NAMES, PASSWORD, USERS, csrf_of, login
from tests.mail.conftest import dispatch

NOW = at("2023-08-01 10:00")
TEMPLATE = """\
directive:
  number: 09-KH/ĐĐTLĐ
  kind: Kế hoạch
  issuer: tld_dang_doan
  issued_on: 2023-05-02
  title: Kế hoạch thử xem trước khi khởi chạy
coordinator: tld_van_phong_dang_doan
assignments:
  - ref: '1'
    lead: [ldld_ha_noi]
    task: Báo cáo sơ kết việc quán triệt
    deadline: 2023-06-01
  - ref: '2'
    lead: [ldld_da_nang]
    task: Báo cáo kết quả tuyên truyền
    deadline: 2023-06-01
  - ref: '3'
    lead: [ldld_hue]
    task: Xây dựng kế hoạch của tỉnh
    deadline: 2023-09-29
"""


@pytest.fixture
def app(make_app, tmp_path):
    """Every example address but the Huế federation's; one account per role; 1/8/2023."""
    example = yaml.safe_load((ROOT / "config" / "contacts.example.yaml").read_text(encoding="utf-8"))
    example.pop("ldld_hue")
    contacts = tmp_path / "contacts.yaml"
    contacts.write_text(yaml.safe_dump(example, allow_unicode=True), encoding="utf-8")
    made = make_app(clock=FixedClock(NOW), CASCADE_CONTACTS=str(contacts))
    initialise(engine=made.engine, registry=made.registry, contacts=made.contacts, at=NOW)
    with unit_of_work(made.engine) as session:
        for role, email in USERS.items():
            create_user(session=session, email=email, name=NAMES[role], role=role,
                        password=PASSWORD, at=NOW)
    return made


@pytest.fixture
def client(app):
    from starlette.testclient import TestClient

    from web.app import create_app

    with TestClient(create_app(app)) as made:
        assert login(made, "coordinator").status_code == 303
        yield made


def _draft(app) -> str:
    """The template as a draft in the coordinator's "Giao việc mới" (each item with its line)."""
    from models.console_tables import UserAccount
    from services.drafts import start_draft

    draft = yaml.safe_load(TEMPLATE)
    for n, item in enumerate(draft["assignments"]):
        item.update(cooperating=[], flags=[], source={"line_start": 10 + 4 * n, "line_end": 13 + 4 * n},
                    deadline={"rule": item["deadline"].isoformat(), "text": None})
    draft["directive"]["issued_on"] = draft["directive"]["issued_on"].isoformat()
    with unit_of_work(app.engine) as session:
        user = session.exec(select(UserAccount).where(
            UserAccount.email == USERS["coordinator"])).one()
        row = start_draft(session=session, user_id=user.id, draft=draft, name="09-kh.yaml", at=NOW)
    return f"/drafts/{row.id}"


def _section(html: str, heading_id: str) -> str:
    return re.search(rf'id="{heading_id}".*?</section>', html, re.S)[0]


def _launch(client, url: str) -> None:
    page = client.get(f"{url}/preview")
    done = client.post(f"{url}/launch", data={"csrf_token": csrf_of(page.text), "confirm": "yes"},
                       follow_redirects=False)
    assert done.status_code == 303, done.text


def _tasks(app) -> dict[str, int]:
    with unit_of_work(app.engine, write=False) as session:
        return dict(session.execute(select(Assignment.ref, Task.id).join(
            Assignment, Assignment.id == Task.assignment_id)).all())


def test_past_due_items_are_flagged_and_one_launched_unchased_is_never_escalated(app, client):
    url = _draft(app)
    preview = client.get(f"{url}/preview").text
    late = _section(preview, "h-late")
    assert "Mục 1</strong>: hạn 01/06/2023, đã qua 61 ngày" in late
    assert "Mục 2</strong>: hạn 01/06/2023" in late and "Mục 3" not in late
    bodies = _section(preview, "h-bodies")
    assert "Mục 3 · chủ trì · hạn <span class=\"nw\">29/09/2023</span>" in bodies
    first = _section(preview, "h-sweep")  # before any choice both late items are escalated
    assert "Thành phố Hà Nội" in first and "đôn đốc sau hạn" in first

    token = csrf_of(preview)
    refused = client.post(f"{url}/overdue", data={"csrf_token": token, "ref": "2",
                                                  "choice": "date", "due_on": "01/01/2023"})
    assert refused.status_code == 400 and "đã qua" in refused.text and "Chưa lưu gì" in refused.text
    chosen = client.post(f"{url}/overdue", data={"csrf_token": token, "ref": "1",
                                                 "choice": "unchased"}, follow_redirects=False)
    assert chosen.status_code == 303
    preview = client.get(f"{url}/preview").text
    assert "Đã chọn: khởi chạy không nhắc, không báo cáo vượt cấp" in _section(preview, "h-late")
    first = _section(preview, "h-sweep")
    assert "Hà Nội" not in first and "Đà Nẵng" in first  # the forecast follows the choice
    _launch(client, url)

    tasks = _tasks(app)
    with unit_of_work(app.engine) as session:  # the first sweep, a week later
        report = sweep(session=session, at=at("2023-08-08 08:00"), tz=VN, calendar=app.calendar,
                       policy=app.policy)
    assert report.created
    with unit_of_work(app.engine, write=False) as session:
        followed = set(session.exec(select(FollowUp.task_id)).all())
        escalations = set(session.exec(select(Outbox.task_id).where(
            Outbox.kind == "escalation")).all())
    assert tasks["1"] not in followed and tasks["1"] not in escalations
    assert tasks["2"] in followed and tasks["2"] in escalations
    page = client.get(f"/tasks/{tasks['1']}").text
    assert "điều phối viên chọn không nhắc và không báo cáo vượt cấp" in page
    assert "không nhắc" not in client.get(f"/tasks/{tasks['2']}").text


def test_a_new_deadline_for_a_past_due_item_takes_it_off_the_list(app, client):
    url = _draft(app)
    token = csrf_of(client.get(f"{url}/preview").text)
    client.post(f"{url}/overdue", data={"csrf_token": token, "ref": "2", "choice": "date",
                                        "due_on": "15/09/2023"})
    preview = client.get(f"{url}/preview").text
    assert "Mục 2</strong>" not in _section(preview, "h-late")
    assert "Mục 2 · chủ trì · hạn <span class=\"nw\">15/09/2023</span>" in preview


def test_only_a_coordinator_chooses_and_a_form_needs_its_token(app, client):
    from starlette.testclient import TestClient

    from web.app import create_app

    url = _draft(app)
    bare = client.post(f"{url}/overdue", data={"ref": "1", "choice": "unchased"})
    assert bare.status_code == 403
    with TestClient(create_app(app)) as viewer:
        assert login(viewer, "viewer").status_code == 303
        assert viewer.get(f"{url}/preview").status_code == 403


def test_a_body_without_address_is_shown_waits_and_gets_its_mail_once_added(app, client):
    url = _draft(app)
    missing = _section(client.get(f"{url}/preview").text, "h-noaddr")
    assert "Liên đoàn Lao động thành phố Huế" in missing and 'action="/bodies/ldld_hue/contacts"' in missing
    _launch(client, url)
    first = RecordingMailer()
    dispatch(engine=app.engine, mailer=first, settings=app.settings, clock=FixedClock(NOW))
    assert len(first.sent) == 2  # Hà Nội and Đà Nẵng; Huế's mail waits
    inbox = client.get("/inbox").text
    waiting = _section(inbox, "h-wait")
    assert "Liên đoàn Lao động thành phố Huế" in waiting and "Thư gửi không được (0)" in inbox

    saved = client.post("/bodies/ldld_hue/contacts", data={
        "csrf_token": csrf_of(inbox), "addresses": "vanthu@ldldhue.vn", "next": "/inbox"},
        follow_redirects=False)
    assert saved.status_code == 303 and saved.headers["location"].startswith("/inbox")
    assert "Không có thư nào chờ địa chỉ" in client.get("/inbox").text
    second = RecordingMailer()
    dispatch(engine=app.engine, mailer=second, settings=app.settings, clock=FixedClock(NOW))
    assert [m["To"].addresses[0].addr_spec for m in second.sent] == ["vanthu@ldldhue.vn"]


def test_an_address_added_on_the_preview_comes_back_to_it(app, client):
    url = _draft(app)
    preview = client.get(f"{url}/preview").text
    saved = client.post("/bodies/ldld_hue/contacts", data={
        "csrf_token": csrf_of(preview), "addresses": "vanthu@ldldhue.vn",
        "next": f"{url}/preview"}, follow_redirects=False)
    assert saved.headers["location"].startswith(f"{url}/preview")
    assert 'id="h-noaddr"' not in client.get(f"{url}/preview").text
