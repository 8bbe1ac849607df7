"""The dispatcher against a real SMTP server (aiosmtpd on 127.0.0.1)."""

from __future__ import annotations

import datetime as dt
import hashlib
import re

import sqlalchemy as sa
from icalendar import Calendar
from sqlmodel import select

from models.db import unit_of_work
from models.tables import LinkToken, Outbox
from notifications.mailer import SmtpMailer, make_mailer
from tests.mail.conftest import BASE_URL, dispatch

LINK = re.compile(re.escape(BASE_URL) + r"/l/([A-Za-z0-9_.-]+)")


def statuses(engine) -> dict[str, int]:
    with engine.connect() as conn:
        return dict(conn.execute(sa.select(Outbox.status, sa.func.count()).group_by(Outbox.status)).all())


def drain(engine, settings, clock, **kw):
    mailer = SmtpMailer(settings.smtp, timeout=5)
    return dispatch(engine=engine, mailer=mailer, settings=settings, clock=clock, **kw)


def test_vietnamese_mail_with_calendar_and_links_survives_smtp(launched, smtp_settings, smtp_server, clock):
    """Over SMTP: decoded Vietnamese subject and body, a parsing .ics with the due date, links
    on CASCADE_BASE_URL whose tokens are stored only as hashes."""
    assert isinstance(make_mailer(smtp_settings), SmtpMailer)
    report = drain(launched, smtp_settings, clock)
    assert report.sent == 83 and len(smtp_server.inbox.messages) == 83
    msg = next(m for m in smtp_server.inbox.messages if "III.7" in m["Subject"])
    assert msg["Subject"] == "[48-KH/ĐĐTLĐ] Nhiệm vụ III.7 — hạn 30/11/2023"
    assert str(msg["From"]) == "Văn phòng Đảng đoàn <giaoviec@congdoan.vn>"
    text = msg.get_body(("plain",)).get_content()
    assert "Thời hạn: ngày 30 tháng 11 năm 2023" in text and "Kính gửi: " in text
    [ics] = list(msg.iter_attachments())
    [event] = Calendar.from_ical(ics.get_content()).walk("VEVENT")
    assert event.decoded("dtstart") == dt.date(2023, 11, 30)
    tokens = LINK.findall(text)
    assert len(tokens) == 3
    with unit_of_work(launched, write=False) as session:
        for token in tokens:
            row = session.exec(select(LinkToken).where(
                LinkToken.token_hash == hashlib.sha256(token.encode()).hexdigest())).one()
            assert row.task_id == int(msg["X-Cascade-Task"])
    mail_from, rcpts = smtp_server.inbox.envelopes[0]
    assert mail_from == "giaoviec@congdoan.vn" and len(rcpts) == 1


def test_a_421_is_retried_after_the_back_off(launched, smtp_settings, smtp_server, clock):
    """The first message gets 421: it is pending with attempts=1, and goes out on the next run."""
    smtp_server.inbox.fail_421 = 1
    report = drain(launched, smtp_settings, clock)
    assert (report.sent, report.retried) == (82, 1)
    with unit_of_work(launched, write=False) as session:
        [row] = session.exec(select(Outbox).where(Outbox.status == "pending")).all()
    assert row.attempts == 1 and "421" in row.last_error
    assert drain(launched, smtp_settings, clock).sent == 0  # not due yet
    clock.advance(minutes=1)
    assert drain(launched, smtp_settings, clock).sent == 1
    assert statuses(launched) == {"sent": 83}
    assert len({m["Message-ID"] for m in smtp_server.inbox.messages}) == 83


def test_a_550_marks_the_row_failed(launched, smtp_settings, smtp_server, clock):
    """A recipient the server refuses with 550: failed, with the server's reply as the reason."""
    smtp_server.inbox.refuse.add("tld-bch@example.org")
    report = drain(launched, smtp_settings, clock)
    assert (report.sent, report.failed) == (82, 1)
    with unit_of_work(launched, write=False) as session:
        [row] = session.exec(select(Outbox).where(Outbox.status == "failed")).all()
    assert row.body_id == "tld_bch" and "550" in row.last_error and "tld-bch@example.org" in row.last_error
    clock.advance(days=2)
    assert drain(launched, smtp_settings, clock).attempted == 0  # a failed row is not retried


def test_server_stopped_mid_batch_then_restarted_loses_nothing(launched, smtp_settings, smtp_server, clock):
    """The server dies after 10 messages: the run stops, nothing is lost; after a restart on the
    same port every message is delivered."""
    stopper = []
    smtp_server.inbox.slow_after = 10  # give the stop time to land mid-batch

    def stop_once(count: int) -> None:
        if count == 10 and not stopper:
            stopper.append(smtp_server.stop_in_background())

    smtp_server.inbox.on_accept = stop_once
    first = drain(launched, smtp_settings, clock)
    stopper[0].join()
    assert first.stopped is not None and 10 <= first.sent < 83
    assert statuses(launched) == {"sent": first.sent, "pending": 83 - first.sent}
    smtp_server.inbox.on_accept = None
    smtp_server.inbox.slow_after = None
    smtp_server.start()
    clock.advance(minutes=2)
    second = drain(launched, smtp_settings, clock)
    assert statuses(launched) == {"sent": 83}
    with unit_of_work(launched, write=False) as session:
        recorded = set(session.exec(select(Outbox.message_id)).all())
    assert {m["Message-ID"] for m in smtp_server.inbox.messages} == recorded
    assert second.sent == 83 - first.sent
