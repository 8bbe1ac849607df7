"""The four-statement path of a link click (services.clicks): the same writes as the general
path, at most four statements, and a fall back to the general path whenever it cannot act."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa
from sqlmodel import select

from models.db import make_engine, unit_of_work, writing
from models.tables import LinkToken, Outbox, Task, TaskEvent
from services.clicks import NotQuick, click
from services.links import token_hash, use_link
from tests.conftest import VN
from tests.web.conftest import COORDINATOR, NOW, SIGNER, issue, link_events, task_id
from web.pages import load_task, task_page

SUPERVISOR = "tld_dct"  # an escalation's links go to a supervisor, who acts for the coordinator

# (action, who holds the link: None = the task's body, the date the form carries, a note)
CASES = [
    ("acknowledge", None, None, "Đã nhận"),
    ("start", None, None, None),
    ("request-extension", None, dt.date(2023, 12, 20), "Cần thêm thời gian"),
    ("extend", SUPERVISOR, dt.date(2023, 12, 22), None),
]


def _written(engine, tid):
    """Everything a click may write about task `tid`, without ids (its body named "body")."""
    with unit_of_work(engine, write=False) as session:
        task = session.get(Task, tid)

        def who(body_id):
            return "body" if body_id == task.body_id else body_id

        events = session.exec(select(TaskEvent).where(TaskEvent.task_id == tid,
                                                      TaskEvent.action != "assign")).all()
        mails = session.exec(select(Outbox).where(Outbox.task_id == tid,
                                                  Outbox.kind != "task_assigned")).all()
        used = session.exec(select(LinkToken.used_at).where(LinkToken.task_id == tid)).all()
        return {
            "task": (task.status, task.version, task.due_on, task.requested_due_on,
                     task.closed_at, task.updated_at),
            "events": [(e.at, who(e.actor), e.channel, e.action, e.from_status, e.to_status, e.note,
                        e.data) for e in events],
            "mails": [(m.key.split(":")[0], m.kind, who(m.body_id), m.payload, m.status, m.attempts,
                       m.next_attempt_at) for m in mails],
            "used": used,
        }


def _two_tasks(engine):
    """Two tasks in the same state: one for each path."""
    return task_id(engine, "III.7", "ldld_hue"), task_id(engine, "III.7", "ldld_da_nang")


@pytest.mark.parametrize(("action", "holder", "until", "note"), CASES)
def test_a_click_writes_what_the_general_path_writes(launched, site, action, holder, until,
                                                     note):
    quick_task, general_task = _two_tasks(launched)
    if action == "start":  # acknowledged first, by the general path for both
        for tid in (quick_task, general_task):
            with unit_of_work(launched) as session:
                use_link(session=session, signer=SIGNER, token=issue(launched, tid, "acknowledge"),
                         at=NOW - dt.timedelta(hours=1), tz=VN)
    quick_token = issue(launched, quick_task, action, actor=holder)
    general_token = issue(launched, general_task, action, actor=holder)

    with writing(launched) as conn:
        done = click(conn, signer=SIGNER, token=quick_token, at=NOW, tz=VN, note=note,
                     until=until)
    with unit_of_work(launched) as session:
        general = use_link(session=session, signer=SIGNER, token=general_token, at=NOW, tz=VN,
                           note=note, until=until)

    assert _written(launched, quick_task) == _written(launched, general_task)
    assert (done.result.from_status, done.result.to_status, done.result.follow_ups) == \
        (general.result.from_status, general.result.to_status, general.result.follow_ups)
    [event] = [e for e in link_events(launched, quick_task) if e.action == action]
    assert done.result.event_id == event.id and event.actor == (holder or "ldld_hue")
    # the confirmation page, built from what the click holds, is the page a reload would show
    with unit_of_work(launched, write=False) as session:
        assert task_page(done.task, VN) == load_task(session, quick_task, VN)


def test_a_click_is_four_statements(launched, site, client):
    """Token, task, event, mail: the POST of an extension request runs four statements, two on
    PostgreSQL (the task, the event and the mail in one WITH)."""
    tid = task_id(launched, "III.7", "ldld_hue")
    token = issue(launched, tid, "request-extension")
    statements: list[str] = []

    def count(conn, cursor, statement, *args):
        if not statement.lstrip().upper().startswith(("BEGIN", "COMMIT", "ROLLBACK")):
            statements.append(statement)

    sa.event.listen(site.engine, "before_cursor_execute", count)
    try:
        response = client.post(f"/l/{token}", data={"until": "2023-12-20", "note": "Xin thêm"})
    finally:
        sa.event.remove(site.engine, "before_cursor_execute", count)
    assert response.status_code == 200 and "Đã ghi nhận: xin gia hạn nhiệm vụ" in response.text
    assert "20 tháng 12 năm 2023" in response.text  # the page shows the date just asked for
    assert len(statements) == (2 if site.engine.dialect.name == "postgresql" else 4), statements
    assert _written(launched, tid)["mails"][0][1] == "extension_requested"


@pytest.mark.parametrize(("action", "holder", "why"), [
    ("acknowledge", None, "spent"),
    ("grant-extension", COORDINATOR, "not allowed"),
    ("report", None, "report"),
    ("remind", COORDINATOR, "reminder"),
    ("request-extension", None, "no date"),
    ("acknowledge", None, "unknown"),
])
def test_what_it_cannot_do_is_left_to_the_general_path(launched, action, holder, why):
    """NotQuick, and the rolled-back transaction leaves the token unused and the task as it was."""
    tid = task_id(launched, "III.7", "ldld_hue")
    token = issue(launched, tid, action, actor=holder)
    if why == "spent":
        with unit_of_work(launched) as session:
            use_link(session=session, signer=SIGNER, token=token, at=NOW, tz=VN)
    if why == "unknown":
        token = SIGNER.new_token()
    before = _written(launched, tid)
    with pytest.raises(NotQuick), writing(launched) as conn:
        click(conn, signer=SIGNER, token=token, at=NOW, tz=VN, note=None, until=None)
    assert _written(launched, tid) == before


def test_a_click_that_loses_a_race_is_rolled_back(launched, database_url):
    """PostgreSQL: another transaction changes the task between the token's UPDATE and the
    task's; the guard sees it, and nothing of the click is kept (SQLite has one writer)."""
    if launched.dialect.name != "postgresql":
        pytest.skip("SQLite serialises writers: no other write can come in between")
    tid = task_id(launched, "III.7", "ldld_hue")
    token = issue(launched, tid, "acknowledge")
    other = make_engine(database_url)
    tasks = Task.__table__

    def meanwhile(conn, cursor, statement, *args):
        if statement.lstrip().startswith("UPDATE link_token"):
            with other.begin() as rival:
                rival.execute(sa.update(tasks).where(tasks.c.id == tid)
                              .values(version=tasks.c.version + 1))

    sa.event.listen(launched, "after_cursor_execute", meanwhile)
    try:
        with pytest.raises(NotQuick), writing(launched) as conn:
            click(conn, signer=SIGNER, token=token, at=NOW, tz=VN, note=None, until=None)
    finally:
        sa.event.remove(launched, "after_cursor_execute", meanwhile)
        other.dispose()
    with unit_of_work(launched, write=False) as session:
        used = session.exec(select(LinkToken.used_at)
                            .where(LinkToken.token_hash == token_hash(token))).one()
        task = session.get(Task, tid)
        assert used is None and (task.status, task.version) == ("assigned", 2)  # the rival's
