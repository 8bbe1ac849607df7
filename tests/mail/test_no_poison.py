"""The mail goes on whatever one row holds, a batch is sent once however long it takes, a
resend is the same mail, and a mail says what was true when it was queued (issue 9)."""

from __future__ import annotations

import asyncio
import datetime as dt
import re

import pytest
import sqlalchemy as sa
from sqlmodel import select

from models.calendar import WorkingCalendar
from models.db import unit_of_work
from models.links import LinkSigner
from models.mail import TemporaryFailure
from models.tables import Assignment, LinkToken, Outbox, Task
from notifications.mailer import RecordingMailer
from notifications.render import MailTemplates
from services.actions import ActionRefused, record_action
from services.dispatch import RetryPolicy, claim_batch
from services.links import use_link
from services.outbox import list_outbox
from tests.conftest import VN
from tests.mail.conftest import dispatch

LINK = re.compile(r"https://\S+/l/\S+")


def text_of(msg) -> str:
    return msg.get_body(("plain",)).get_content()


def task_of(engine, ref, body):
    with unit_of_work(engine, write=False) as session:
        return session.exec(select(Task).join(Assignment, Assignment.id == Task.assignment_id)
                            .where(Assignment.ref == ref, Task.body_id == body)).one()


def statuses(engine) -> dict[str, int]:
    with engine.connect() as conn:
        return dict(conn.execute(sa.select(Outbox.status, sa.func.count())
                                 .group_by(Outbox.status)).all())


def test_a_row_that_cannot_be_rendered_fails_alone(launched, settings, clock):
    """Two poisoned rows among 83 (a legacy due date of 31/12/9999, a payload that does not
    parse): the 81 good mails are delivered, the two are failed with their reason, and the
    next dispatch does not start with them again."""
    lam_dong = task_of(launched, "III.7", "ldld_lam_dong")
    hue = task_of(launched, "III.7", "ldld_hue")
    with unit_of_work(launched) as session:
        conn = session.connection()
        conn.execute(sa.update(Task).where(Task.id == lam_dong.id).values(due_on=dt.date.max))
        conn.execute(sa.update(Outbox).where(Outbox.task_id == lam_dong.id)
                     .values(payload={"task": {"status": "done", "due_on": "9999-12-31",
                                               "version": 1}}))
        conn.execute(sa.update(Outbox).where(Outbox.task_id == hue.id)
                     .values(payload={"task": {"status": "no-such-status"}}))
    mailer = RecordingMailer()
    report = dispatch(engine=launched, mailer=mailer, settings=settings, clock=clock)
    assert report.sent == 82 and report.failed == 1  # 9999-12-31 renders now; the bad status not
    with unit_of_work(launched, write=False) as session:
        [failed] = list_outbox(session=session, failed_only=True)
    assert failed.task_id == hue.id and "không dựng được thư" in failed.last_error
    again = dispatch(engine=launched, mailer=RecordingMailer(), settings=settings,
                     clock=lambda: clock.now + dt.timedelta(days=1))
    assert again.attempted == 0 and statuses(launched) == {"sent": 82, "failed": 1}


class SlowMailer(RecordingMailer):
    """Each message takes `seconds` on the injected clock; halfway through the batch a second
    dispatcher tries to claim what is due."""

    def __init__(self, clock, seconds, on_half) -> None:
        super().__init__()
        self.clock, self.seconds, self.on_half = clock, seconds, on_half

    async def send(self, message, wire=None):
        self.clock.advance(seconds=self.seconds)
        if len(self.sent) == 25:
            self.on_half()
        await asyncio.sleep(0)
        return await super().send(message, wire)


def test_a_batch_slower_than_the_lease_is_not_sent_twice(launched, settings, clock):
    """A batch of 50 taking 50 × 20 s (longer than the 60 s lease) keeps its claim: a second
    dispatcher finds nothing of it to take."""
    taken = []

    def second_dispatcher() -> None:
        with unit_of_work(launched) as session:
            taken.extend(claim_batch(session=session, settings=settings,
                                     signer=LinkSigner(settings.secret_key), renderer=MailTemplates(),
                                     at=clock.now, limit=500,
                                     policy=RetryPolicy(lease=dt.timedelta(seconds=60))))

    mailer = SlowMailer(clock, 20, second_dispatcher)
    report = dispatch(engine=launched, mailer=mailer, settings=settings, clock=clock, max_batches=1)
    assert report.sent == 50 and settings.outbox_batch == 50
    assert {p.outbox_id for p in taken}.isdisjoint(
        {int(m["Message-ID"].split(".")[1]) for m in mailer.sent})


def test_a_resend_after_a_crash_is_the_same_mail(launched, settings, clock):
    """A batch claimed, rendered and sent, then the dispatcher dies before recording: the next
    dispatch, once the lease has run out, sends the same Message-ID with the same links."""
    class Crash(RecordingMailer):
        async def send(self, message, wire=None):
            await super().send(message, wire)
            if len(self.sent) == 10:
                raise KeyboardInterrupt  # the process dies here, nothing is recorded

    first = Crash()
    with pytest.raises(KeyboardInterrupt):
        dispatch(engine=launched, mailer=first, settings=settings, clock=clock)
    # the batch being sent (50) waits for its lease, with the next one if already rendered
    assert statuses(launched)["sending"] in (50, 83)
    clock.advance(seconds=settings.outbox_lease_seconds + 1)
    second = RecordingMailer()
    dispatch(engine=launched, mailer=second, settings=settings, clock=clock)
    assert statuses(launched) == {"sent": 83}
    again = {m["Message-ID"]: m for m in second.sent}
    for msg in first.sent[:10]:
        resent = again[msg["Message-ID"]]
        assert LINK.findall(text_of(resent)) == LINK.findall(text_of(msg))
    with unit_of_work(launched, write=False) as session:
        tokens = session.scalar(select(sa.func.count()).select_from(LinkToken))
    every = {m["Message-ID"]: m for m in [*first.sent, *second.sent]}
    assert len(every) == 83
    assert tokens == sum(len(LINK.findall(text_of(m))) for m in every.values())  # stored once


def test_a_mail_is_the_snapshot_of_its_event(launched, settings, clock):
    """A body asks for an extension; the coordinator grants it before the dispatcher runs: the
    request mail still says the deadline and the date asked, offers approve/refuse, and those
    links lead to the page that says the decision was taken."""
    tid = task_of(launched, "III.7", "ldld_ha_noi").id
    with unit_of_work(launched) as session:
        record_action(session=session, tz=VN, task_id=tid, action="request-extension",
                      actor="ldld_ha_noi", until=dt.date(2024, 1, 15), at=clock.now,
                      note="Chờ số liệu")
    with unit_of_work(launched) as session:
        record_action(session=session, tz=VN, task_id=tid, action="grant-extension", at=clock.now)
    mailer = RecordingMailer()
    dispatch(engine=launched, mailer=mailer, settings=settings, clock=clock)
    [request] = [m for m in mailer.sent if m["X-Cascade-Kind"] == "extension_requested"]
    text = text_of(request)
    assert "ngày 30 tháng 11 năm 2023" in text and "ngày 15 tháng 1 năm 2024" in text
    assert "Đồng ý gia hạn: " in text and "Không đồng ý gia hạn: " in text
    token = re.search(r"Đồng ý gia hạn: \S+/l/(\S+)", text).group(1)
    with pytest.raises(ActionRefused) as refused, unit_of_work(launched) as session:
        use_link(session=session, signer=LinkSigner(settings.secret_key), tz=VN, token=token,
                 at=clock.now)
    assert refused.value.status == "in_progress"
    [decided] = [m for m in mailer.sent if m["X-Cascade-Kind"] == "extension_decided"]
    assert "ngày 15 tháng 1 năm 2024" in text_of(decided)


def test_links_live_as_long_as_the_task_and_say_so(launched, settings, clock):
    """A task due 30/11/2023 (III.7, yearly) gets links valid while the occurrence is open
    (400 days after the deadline); a one-off deadline's links end 30 days after it. Every mail
    says until when its buttons work, and reminders carry fresh links."""
    from services.sweep import sweep
    from tests.follow.conftest import POLICY

    mailer = RecordingMailer()
    dispatch(engine=launched, mailer=mailer, settings=settings, clock=clock)
    hanoi = task_of(launched, "III.7", "ldld_ha_noi")
    first = next(m for m in mailer.sent if m["X-Cascade-Task"] == str(hanoi.id))
    assert "dùng được đến 23:59 ngày 3 tháng 1 năm 2025" in text_of(first)
    with unit_of_work(launched) as session:
        sweep(session=session, at=dt.datetime(2023, 11, 27, 8, tzinfo=VN), tz=VN,
              calendar=WorkingCalendar(), policy=POLICY)
    reminders = RecordingMailer()
    dispatch(engine=launched, mailer=reminders, settings=settings,
             clock=lambda: dt.datetime(2023, 11, 27, 8, 5, tzinfo=VN))
    reminder = next(m for m in reminders.sent if m["X-Cascade-Task"] == str(hanoi.id))
    assert set(LINK.findall(text_of(reminder))).isdisjoint(LINK.findall(text_of(first)))
    assert "dùng được đến" in text_of(reminder)


def test_a_connection_failure_keeps_the_rest_pending(launched, settings, clock):
    """The server unreachable mid-batch: what was not tried goes back to pending at once."""
    class Down(RecordingMailer):
        async def send(self, message, wire=None):
            if len(self.sent) == 5:
                raise TemporaryFailure("không kết nối được", connection=True)
            return await super().send(message, wire)

    report = dispatch(engine=launched, mailer=Down(), settings=settings, clock=clock)
    assert report.sent == 5 and report.stopped
    assert statuses(launched) == {"sent": 5, "pending": 78}
