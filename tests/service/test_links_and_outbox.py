"""Outbox rows written with the change that implies them; link tokens hashed, scoped, single-use."""

import datetime as dt
import hashlib

import pytest
import sqlalchemy as sa
from sqlmodel import select

from models.db import unit_of_work
from models.links import LinkSigner
from models.tables import Assignment, LinkToken, Outbox, Task
from services.actions import ActionRefused, record_action
from services.launch import LaunchError
from services.links import LinkInvalid, find_link, issue_link, use_link
from tests.conftest import VN, at, launch_template

SECRET = "test-secret"
SIGNER = LinkSigner(SECRET)
T0 = at("2023-08-01 09:00")


@pytest.fixture
def launched(engine, registry, calendar):
    launch_template(engine, registry, calendar)
    return engine


def task_of(engine, ref, body):
    with unit_of_work(engine, write=False) as session:
        return session.execute(select(Task).join(Assignment, Assignment.id == Task.assignment_id)
                               .where(Assignment.ref == ref, Task.body_id == body)).scalar_one()


def outbox(engine):
    with unit_of_work(engine, write=False) as session:
        return session.exec(select(Outbox).order_by(Outbox.id)).all()


def link(engine, task_id, action, actor, *, when=T0, ttl=60):
    with unit_of_work(engine) as session:
        return issue_link(session=session, signer=SIGNER, task_id=task_id, action=action,
                          actor=actor, at=when, ttl_days=ttl)


def test_launch_queues_one_mail_per_task_in_the_same_transaction(launched):
    """83 tasks, 83 pending 'task_assigned' mails, each addressed to its task's body."""
    rows = outbox(launched)
    assert len(rows) == 83 and {r.kind for r in rows} == {"task_assigned"}
    with unit_of_work(launched, write=False) as session:
        tasks = dict(session.execute(select(Task.id, Task.body_id)).all())
    assert all(r.status == "pending" and tasks[r.task_id] == r.body_id for r in rows)


def test_a_failed_launch_queues_nothing(engine, registry, calendar):
    """No tasks, no mails: the outbox is part of the launch transaction."""
    with pytest.raises(LaunchError):
        launch_template(engine, registry, calendar, annual_days={})
    assert outbox(engine) == []


def test_follow_ups_go_to_the_coordinator_or_the_body(launched):
    """A report and an extension request notify the coordinator; a grant notifies the body."""
    tid = task_of(launched, "III.7", "ldld_ha_noi").id
    with unit_of_work(launched) as session:
        record_action(session=session, tz=VN, task_id=tid, action="request-extension",
                      actor="ldld_ha_noi", at=T0, until=dt.date(2023, 12, 20))
    with unit_of_work(launched) as session:
        record_action(session=session, tz=VN, task_id=tid, action="grant-extension", at=T0)
    with unit_of_work(launched) as session:
        record_action(session=session, tz=VN, task_id=tid, action="report", actor="ldld_ha_noi", at=T0)
    follow = [(r.kind, r.body_id) for r in outbox(launched) if r.kind != "task_assigned"]
    assert follow == [("extension_requested", "tld_van_phong_dang_doan"),
                      ("extension_decided", "ldld_ha_noi"),
                      ("task_reported", "tld_van_phong_dang_doan")]


def test_no_mail_to_the_one_who_acted(launched):
    """The coordinator closing a task through the CLI is not mailed about it."""
    tid = task_of(launched, "III.7", "ldld_hue").id
    with unit_of_work(launched) as session:
        record_action(session=session, tz=VN, task_id=tid, action="close", at=T0)
    kinds = [r.kind for r in outbox(launched) if r.task_id == tid]
    assert "task_closed" not in kinds


def test_token_is_random_and_stored_only_as_its_hash(launched):
    """The raw token is 256 random bits plus a signature; the database holds its SHA-256 only."""
    tid = task_of(launched, "III.7", "ldld_hue").id
    token = link(launched, tid, "acknowledge", "ldld_hue")
    other = link(launched, tid, "acknowledge", "ldld_hue")
    assert token != other and len(token.split(".")[0]) == 43
    with unit_of_work(launched, write=False) as session:
        hashes = set(session.exec(select(LinkToken.token_hash)).all())
    assert hashlib.sha256(token.encode()).hexdigest() in hashes
    assert token not in hashes


def test_link_acts_once_through_the_email_channel(launched):
    """Using a link applies its action with channel 'email-link'; a second use is refused (410)."""
    tid = task_of(launched, "III.7", "ldld_hue").id
    token = link(launched, tid, "acknowledge", "ldld_hue")
    with unit_of_work(launched) as session:
        outcome = use_link(session=session, signer=SIGNER, tz=VN, token=token, at=T0, note="Đã nhận")
    assert outcome.result.to_status == "acknowledged"
    with pytest.raises(LinkInvalid) as info:
        with unit_of_work(launched) as session:
            use_link(session=session, signer=SIGNER, tz=VN, token=token, at=T0)
    assert info.value.status_code == 410


@pytest.mark.parametrize("mangle, code", [
    (lambda t: t[:-1] + ("A" if t[-1] != "A" else "B"), 400),  # signature no longer matches
    (lambda t: t[:20], 400),  # truncated
    (lambda t: "x" * 43 + "." + t.split(".")[1], 400),  # other random part, old signature
])
def test_tampered_links_are_400_and_change_nothing(launched, mangle, code):
    """A modified or truncated token is refused before any lookup."""
    tid = task_of(launched, "III.7", "ldld_hue").id
    token = link(launched, tid, "acknowledge", "ldld_hue")
    with pytest.raises(LinkInvalid) as info:
        with unit_of_work(launched) as session:
            use_link(session=session, signer=SIGNER, tz=VN, token=mangle(token), at=T0)
    assert info.value.status_code == code
    assert task_of(launched, "III.7", "ldld_hue").status == "assigned"


def test_unknown_and_expired_links(launched):
    """A well-signed token that was never issued is 404; one past its expiry is 410."""
    forged = "y" * 43
    with unit_of_work(launched, write=False) as session:
        with pytest.raises(LinkInvalid) as unknown:
            find_link(session=session, signer=SIGNER, tz=VN,
                      token=f"{forged}.{SIGNER._signature(forged)}", at=T0)
    assert unknown.value.status_code == 404
    tid = task_of(launched, "III.7", "ldld_hue").id
    token = link(launched, tid, "acknowledge", "ldld_hue", ttl=60)
    with unit_of_work(launched, write=False) as session:
        find_link(session=session, signer=SIGNER, tz=VN, token=token, at=T0 + dt.timedelta(days=59))
        with pytest.raises(LinkInvalid) as expired:
            find_link(session=session, signer=SIGNER, tz=VN, token=token, at=T0 + dt.timedelta(days=60))
    assert expired.value.status_code == 410 and "hết hạn" in str(expired.value)


def test_a_refused_action_leaves_the_link_unused(launched):
    """If the task no longer allows the action, nothing changes, the token included."""
    tid = task_of(launched, "III.7", "ldld_hue").id
    token = link(launched, tid, "acknowledge", "ldld_hue")
    with unit_of_work(launched) as session:
        record_action(session=session, tz=VN, task_id=tid, action="close", actor="ldld_hue", at=T0)
    with pytest.raises(ActionRefused, match="đã hoàn thành"):
        with unit_of_work(launched) as session:
            use_link(session=session, signer=SIGNER, tz=VN, token=token, at=T0)
    with unit_of_work(launched, write=False) as session:
        assert session.scalar(select(sa.func.count()).select_from(LinkToken)
                              .where(LinkToken.used_at.is_not(None))) == 0


def test_a_supervisor_link_acts_for_the_coordinator_and_is_recorded_as_the_supervisor(launched):
    """An escalation link sent to the Đoàn Chủ tịch extends with the coordinator's rights, and the
    audit trail names the Đoàn Chủ tịch."""
    from services.history import task_history

    tid = task_of(launched, "III.7", "ldld_hue").id
    token = link(launched, tid, "extend", "tld_dct")
    with unit_of_work(launched) as session:
        outcome = use_link(session=session, signer=SIGNER, tz=VN, token=token, at=T0,
                           until=dt.date(2023, 12, 20), note="Đồng ý lùi hạn")
    assert outcome.result.to_status == "assigned"
    with unit_of_work(launched, write=False) as session:
        event = task_history(session, tid)[-1]
        task = session.get(Task, tid)
    assert (event.actor, event.channel, event.action) == ("tld_dct", "email-link", "extend")
    assert task.due_on == dt.date(2023, 12, 20)
