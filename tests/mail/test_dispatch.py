"""The dispatcher on the database (SQLite, and PostgreSQL when configured): files, fakes, crashes."""

from __future__ import annotations

import datetime as dt
import email
import hashlib
import re
from email import policy

import pytest
import sqlalchemy as sa
from sqlmodel import select

from models.db import unit_of_work
from models.links import LinkSigner
from models.tables import Assignment, BodyContact, LinkToken, Outbox, Task
from notifications.mailer import FileMailer, RecordingMailer, make_mailer
from services.dispatch import RetryPolicy, release_waiting
from services.links import use_link
from tests.conftest import VN
from tests.mail.conftest import BASE_URL, dispatch

LINK = re.compile(r"https://giaoviec\.congdoan\.test/l/([A-Za-z0-9_.-]+)")


def signer_of(settings):
    return LinkSigner(settings.secret_key)


def statuses(engine) -> dict[str, int]:
    with engine.connect() as conn:
        return dict(conn.execute(sa.select(Outbox.status, sa.func.count()).group_by(Outbox.status)).all())


def text_of(msg) -> str:
    return msg.get_body(("plain",)).get_content()


def drain(engine, mailer, settings, clock, **kw):
    return dispatch(engine=engine, mailer=mailer, settings=settings, clock=clock, **kw)


def test_embedded_default_writes_83_eml_files_once(launched, settings, clock):
    """With no SMTP server, 48-KH's 83 mails land as .eml files; a second run sends nothing."""
    mailer = make_mailer(settings)
    assert isinstance(mailer, FileMailer)
    report = drain(launched, mailer, settings, clock, batch_size=50)
    files = sorted(settings.outbox_dir.glob("*.eml"))
    assert report.sent == 83 and report.batches == 2 and len(files) == 83
    assert statuses(launched) == {"sent": 83}
    msg = email.message_from_bytes(files[0].read_bytes(), policy=policy.default)
    assert msg["Subject"].startswith("[48-KH/ĐĐTLĐ] Nhiệm vụ ")
    again = drain(launched, make_mailer(settings), settings, clock.__class__(clock.now))
    assert again.sent == 0 and len(list(settings.outbox_dir.glob("*.eml"))) == 83


def test_links_point_at_base_url_and_tokens_are_stored_only_hashed(launched, settings, clock):
    """Each link is {CASCADE_BASE_URL}/l/{token}; the database holds sha256(token), scoped."""
    mailer = RecordingMailer()
    drain(launched, mailer, settings, clock)
    msg = min(mailer.sent, key=lambda m: int(m["X-Cascade-Task"]))  # item III.1's first task
    tokens = LINK.findall(text_of(msg))
    assert len(tokens) == 3 and all(f"{BASE_URL}/l/{t}" in text_of(msg) for t in tokens)
    with unit_of_work(launched, write=False) as session:
        rows = [session.exec(select(LinkToken).where(
            LinkToken.token_hash == hashlib.sha256(t.encode()).hexdigest())).one() for t in tokens]
        task = session.get(Task, int(msg["X-Cascade-Task"]))
        stored = session.execute(sa.text("SELECT * FROM link_token")).all()
    assert [r.action for r in rows] == ["acknowledge", "report", "request-extension"]
    assert {r.task_id for r in rows} == {task.id} and {r.actor for r in rows} == {task.body_id}
    # a yearly task's links work while its occurrence is open, at most 400 days after its
    # deadline (15/12/2023 for item III.1), and the mail says until when
    until = dt.datetime.combine(task.due_on + dt.timedelta(days=400), dt.time(23, 59, 59), tzinfo=VN)
    assert task.due_on == dt.date(2023, 12, 15) and {r.expires_at for r in rows} == {until}
    assert "dùng được đến 23:59 ngày 18 tháng 1 năm 2025" in text_of(msg)
    assert not any(t in str(row) for row in stored for t in tokens)


def test_every_message_has_a_stable_message_id_recorded(launched, settings, clock):
    """The Message-ID sent is the one recorded on the outbox row."""
    mailer = RecordingMailer()
    drain(launched, mailer, settings, clock)
    with unit_of_work(launched, write=False) as session:
        recorded = set(session.exec(select(Outbox.message_id)).all())
    assert {m["Message-ID"] for m in mailer.sent} == recorded and len(recorded) == 83


def test_a_crash_after_sending_loses_nothing_and_resends_with_the_same_id(launched, settings, clock):
    """Dying between send and record leaves rows 'sending'; after the lease they go again."""

    class Crash(Exception):
        pass

    class CrashingMailer(RecordingMailer):
        async def send(self, message, wire=None):
            refused = await super().send(message, wire)
            if len(self.sent) == 30:
                raise Crash
            return refused

    first = CrashingMailer()
    with pytest.raises(Crash):
        drain(launched, first, settings, clock, batch_size=50)
    # the batch on the wire (50) waits for its lease, and so does the next one if it was
    # already claimed and rendered (a pipeline); nothing else is held
    held = statuses(launched)
    assert held.get("sending") in (50, 83) and held.get("sending", 0) + held.get("pending", 0) == 83
    second = RecordingMailer()
    assert drain(launched, second, settings, clock).sent == held.get("pending", 0)
    clock.advance(minutes=11)
    assert drain(launched, second, settings, clock).sent == held["sending"]
    assert statuses(launched) == {"sent": 83}
    ids_first = [m["Message-ID"] for m in first.sent]
    ids_second = [m["Message-ID"] for m in second.sent]
    assert set(ids_first) <= set(ids_second)  # the 30 resent carry the same Message-ID
    assert len(set(ids_second)) == 83


def test_temporary_failures_back_off_exponentially_then_give_up(launched, settings, clock):
    """4xx: pending again after 1, 2, 4 ... minutes, attempts counted; failed after the maximum."""
    policy_ = RetryPolicy(max_attempts=3)
    mailer = RecordingMailer(fail_first=10**6)
    drain(launched, mailer, settings, clock, batch_size=1, max_batches=1, policy=policy_)
    with unit_of_work(launched, write=False) as session:
        row = session.get(Outbox, 1)
    assert (row.status, row.attempts) == ("pending", 1)
    assert row.next_attempt_at == clock.now + dt.timedelta(minutes=1) and "421" in row.last_error
    clock.advance(minutes=1)
    drain(launched, mailer, settings, clock, batch_size=1, max_batches=1, policy=policy_)
    with unit_of_work(launched, write=False) as session:
        row = session.get(Outbox, 1)
    assert row.attempts == 2 and row.next_attempt_at == clock.now + dt.timedelta(minutes=2)
    clock.advance(minutes=2)
    drain(launched, mailer, settings, clock, batch_size=1, max_batches=1, policy=policy_)
    with unit_of_work(launched, write=False) as session:
        row = session.get(Outbox, 1)
    assert row.status == "failed" and row.attempts == 3 and row.last_error.startswith("bỏ sau 3 lần thử")


def test_retry_policy_doubles_up_to_the_cap():
    """The back-off decision: 1, 2, 4 minutes ... capped; None once attempts reach the max."""
    p = RetryPolicy(base=dt.timedelta(minutes=1), cap=dt.timedelta(minutes=5), max_attempts=5)
    t0 = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
    assert [p.next_attempt(n, at=t0) - t0 for n in (1, 2, 3, 4)] == [
        dt.timedelta(minutes=m) for m in (1, 2, 4, 5)]
    assert p.next_attempt(5, at=t0) is None


def test_refused_recipient_is_marked_failed_with_the_reason(launched, settings, clock):
    """A 550 marks the row failed with the server's reason; the others are sent."""
    mailer = RecordingMailer(refuse={"tld-bch@example.org"})
    report = drain(launched, mailer, settings, clock)
    assert (report.sent, report.failed) == (82, 1)
    with unit_of_work(launched, write=False) as session:
        [row] = session.exec(select(Outbox).where(Outbox.status == "failed")).all()
    assert row.body_id == "tld_bch" and "550" in row.last_error and row.attempts == 1


def test_a_body_without_address_waits_and_goes_once_an_address_exists(launched, settings, clock):
    """No address: the row stays pending with a clear error, not lost; it goes after one is added."""
    with unit_of_work(launched) as session:
        session.execute(sa.delete(BodyContact).where(BodyContact.body_id == "tld_bch"))
    mailer = RecordingMailer()
    report = drain(launched, mailer, settings, clock)
    assert (report.sent, report.waiting) == (82, 1)
    with unit_of_work(launched, write=False) as session:
        [row] = session.exec(select(Outbox).where(Outbox.status == "pending")).all()
    assert row.attempts == 0 and "chưa có địa chỉ e-mail" in row.last_error
    assert row.next_attempt_at > clock.now + dt.timedelta(hours=12)
    with unit_of_work(launched) as session:
        session.add(BodyContact(body_id="tld_bch", position=0, address="bch@congdoan.vn"))
        session.flush()
        assert release_waiting(session=session, at=clock.now) == 1
    assert drain(launched, mailer, settings, clock).sent == 1
    assert mailer.sent[-1]["To"].addresses[0].addr_spec == "bch@congdoan.vn"


def test_header_injection_through_the_database_adds_no_recipient(launched, settings, clock):
    """A task text or note with CR/LF + Bcc reaches no header; a bad to_address fails the row."""
    with unit_of_work(launched) as session:
        session.execute(sa.update(Assignment).values(task_text="Làm việc\r\nBcc: x@evil.example"))
        session.execute(sa.update(Outbox).where(Outbox.id == 2).values(
            to_addresses=["ok@example.org\r\nBcc: y@evil.example"]))
    mailer = RecordingMailer()
    report = drain(launched, mailer, settings, clock)
    assert (report.sent, report.failed) == (82, 1)
    for msg in mailer.sent:
        assert msg["Bcc"] is None
        assert not any("evil" in str(v) for _, v in msg.items())
    with unit_of_work(launched, write=False) as session:
        assert "không hợp lệ" in session.get(Outbox, 2).last_error


def test_report_through_a_mailed_link_mails_the_coordinator_accept_and_return(launched, settings, clock):
    """The lead's report link (from its mail) runs record_action; the coordinator gets a mail
    with accept / return links, addressed to the coordinator."""
    mailer = RecordingMailer()
    drain(launched, mailer, settings, clock)
    msg = next(m for m in mailer.sent if m["X-Cascade-Task"] == "46")  # III.7, a lead body
    actions = ["acknowledge", "report", "request-extension"]
    tokens = dict(zip(actions, LINK.findall(text_of(msg)), strict=True))
    clock.advance(days=3)
    with unit_of_work(launched) as session:
        use_link(session=session, signer=signer_of(settings), tz=VN,
                 token=tokens["report"], at=clock.now,
                 note="Đã ban hành kế hoạch <b>số 12</b>")
    drain(launched, mailer, settings, clock)
    follow = mailer.sent[-1]
    assert follow["X-Cascade-Kind"] == "task_reported"
    assert follow["To"].addresses[0].addr_spec == "tld-van-phong-dang-doan@example.org"
    body = text_of(follow)
    assert "đã báo cáo kết quả" in follow["Subject"] and "Ghi chú: Đã ban hành kế hoạch <b>số 12</b>" in body
    assert "Chấp nhận báo cáo, hoàn thành nhiệm vụ: " in body and "Trả lại báo cáo: " in body
    assert "&lt;b&gt;số 12&lt;/b&gt;" in follow.get_body(("html",)).get_content()


def test_extension_request_mails_approve_and_refuse_links_with_the_proposed_date(launched, settings, clock):
    """An extension request through its link gives the coordinator grant / refuse links."""
    mailer = RecordingMailer()
    drain(launched, mailer, settings, clock)
    msg = next(m for m in mailer.sent if m["X-Cascade-Task"] == "46")
    token = LINK.findall(text_of(msg))[2]
    with unit_of_work(launched) as session:
        use_link(session=session, signer=signer_of(settings), tz=VN,
                 token=token, at=clock.now,
                 until=dt.date(2023, 12, 31), note="Chờ số liệu")
    drain(launched, mailer, settings, clock)
    follow = mailer.sent[-1]
    body = text_of(follow)
    assert follow["X-Cascade-Kind"] == "extension_requested"
    assert follow["Subject"].endswith("xin gia hạn đến 31/12/2023")
    assert "Ngày đề nghị gia hạn: ngày 31 tháng 12 năm 2023" in body
    assert "Đồng ý gia hạn: " in body and "Không đồng ý gia hạn: " in body
    with unit_of_work(launched, write=False) as session:
        actions = set(session.exec(select(LinkToken.action).where(
            LinkToken.actor == "tld_van_phong_dang_doan", LinkToken.task_id == 46)).all())
    assert actions == {"grant-extension", "refuse-extension"}


def test_a_mail_says_what_was_true_when_it_was_queued(launched, settings, clock):
    """The assignment mail of a task acknowledged by another channel before dispatch still
    describes the assignment; its acknowledge link then refuses, saying it was done."""
    from services.actions import ActionRefused, record_action

    with unit_of_work(launched) as session:
        task = session.exec(select(Task).join(Assignment, Assignment.id == Task.assignment_id)
                            .where(Assignment.ref == "III.3")).one()  # continuous: no due date
        record_action(session=session, tz=VN, task_id=task.id, action="acknowledge",
                      actor=task.body_id, at=clock.now)
    mailer = RecordingMailer()
    drain(launched, mailer, settings, clock)
    msg = next(m for m in mailer.sent if m["X-Cascade-Task"] == str(task.id))
    body = text_of(msg)
    assert "Xác nhận đã nhận: " in body and "Báo cáo kết quả: " in body
    assert "Xin gia hạn" not in body  # no due date: nothing to extend
    assert "Thời hạn: thường xuyên" in body and list(msg.iter_attachments()) == []
    token = re.search(r"Xác nhận đã nhận: \S+/l/(\S+)", body).group(1)
    with pytest.raises(ActionRefused) as refused, unit_of_work(launched) as session:
        use_link(session=session, signer=signer_of(settings), tz=VN, token=token, at=clock.now)
    assert refused.value.status == "acknowledged" and "đã nhận" in str(refused.value)


def test_rendering_holds_no_write_lock_so_a_click_is_not_kept_waiting(launched, settings,
                                                                      clock):
    """SQLite: while the dispatcher renders a batch, another writer (a web click) gets the
    database at once: the claim and the link tokens are short writes of their own."""
    from models.db import make_engine
    from notifications.render import MailTemplates

    if launched.dialect.name != "sqlite":
        pytest.skip("PostgreSQL writers lock rows, not the database")
    url = launched.url.render_as_string(hide_password=False)
    impatient = make_engine(url, busy_seconds=0)  # DatabaseBusy at the first wait
    writes: list[int] = []

    class Clicking(MailTemplates):
        def render_mail(self, data):  # type: ignore[no-untyped-def]
            with unit_of_work(impatient) as session:
                session.execute(sa.text("UPDATE task SET version = version WHERE id = 1"))
            writes.append(1)
            return super().render_mail(data)

    # one batch of all 83: no other write of the dispatcher (recording the batch before,
    # claiming the one after) can overlap this batch's rendering
    report = drain(launched, RecordingMailer(), settings, clock, renderer=Clicking(),
                   batch_size=100)
    impatient.dispose()
    assert report.sent == 83 and len(writes) == 83
