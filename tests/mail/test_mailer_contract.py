"""One contract, two mailers: the RecordingMailer fake and the SMTP adapter against aiosmtpd."""

from __future__ import annotations

import asyncio
from email.message import EmailMessage
from email.policy import SMTP

import pytest

from config.settings import SmtpSettings
from models.mail import PermanentFailure, TemporaryFailure
from notifications.mailer import RecordingMailer, SmtpMailer


class RecordingBackend:
    def __init__(self) -> None:
        self.mailer = RecordingMailer()

    def refuse(self, address: str) -> None:
        self.mailer.refuse.add(address)

    def fail_next_with_421(self) -> None:
        self.mailer.fail_first += 1

    def received(self) -> list[EmailMessage]:
        return self.mailer.sent


class SmtpBackend:
    def __init__(self, server) -> None:
        self.server = server
        self.mailer = SmtpMailer(SmtpSettings(host="127.0.0.1", port=server.port, username=None,
                                              password=None, starttls=False, ssl=False), timeout=5)

    def refuse(self, address: str) -> None:
        self.server.inbox.refuse.add(address)

    def fail_next_with_421(self) -> None:
        self.server.inbox.fail_421 += 1

    def received(self) -> list[EmailMessage]:
        return self.server.inbox.messages


@pytest.fixture(params=["recording", "smtp"])
def backend(request):
    if request.param == "recording":
        return RecordingBackend()
    return SmtpBackend(request.getfixturevalue("smtp_server"))


def message(to=("ban-tuyen-giao@example.org",), n=1) -> EmailMessage:
    msg = EmailMessage(policy=SMTP)
    msg["Subject"] = f"[48-KH/ĐĐTLĐ] Nhiệm vụ III.{n} — hạn 30/11/2026"
    msg["From"] = "Văn phòng <giaoviec@congdoan.vn>"
    msg["To"] = ", ".join(to)
    msg["Message-ID"] = f"<cascade.{n}.contract@congdoan.vn>"
    msg["Date"] = "Mon, 03 Nov 2025 02:00:00 +0000"
    msg.set_content("Kính gửi: Ban Tuyên giáo\nThời hạn: ngày 30 tháng 11 năm 2026\n")
    return msg


def run(coro):
    return asyncio.run(coro)


async def send_all(mailer, messages):
    results = []
    async with mailer:
        for msg in messages:
            try:
                results.append(await mailer.send(msg))
            except (TemporaryFailure, PermanentFailure) as exc:
                results.append(exc)
    return results


def test_accepted_messages_arrive_intact(backend):
    """Every message of a block arrives with its subject, Message-ID and body unchanged."""
    results = run(send_all(backend.mailer, [message(n=i) for i in range(1, 4)]))
    assert results == [(), (), ()]
    got = backend.received()
    assert [m["Message-ID"] for m in got] == [f"<cascade.{i}.contract@congdoan.vn>" for i in range(1, 4)]
    assert got[0]["Subject"] == "[48-KH/ĐĐTLĐ] Nhiệm vụ III.1 — hạn 30/11/2026"
    assert "ngày 30 tháng 11 năm 2026" in got[0].get_content()


def test_refused_recipient_is_a_permanent_failure(backend):
    """A message whose only recipient is refused raises PermanentFailure naming the reason."""
    backend.refuse("khong-ton-tai@example.org")
    [result] = run(send_all(backend.mailer, [message(to=("khong-ton-tai@example.org",))]))
    assert isinstance(result, PermanentFailure) and result.code == 550
    assert "khong-ton-tai@example.org" in result.reason or "550" in result.reason
    assert backend.received() == []


def test_partly_refused_recipients_are_returned(backend):
    """With one of two recipients refused, the other gets the mail and send names the refused."""
    backend.refuse("sai@example.org")
    [result] = run(send_all(backend.mailer, [message(to=("dung@example.org", "sai@example.org"))]))
    assert result == ("sai@example.org",)
    assert len(backend.received()) == 1


def test_421_is_temporary_and_the_next_send_succeeds(backend):
    """A 421 raises TemporaryFailure; the same block then goes on sending."""
    backend.fail_next_with_421()
    first, second = run(send_all(backend.mailer, [message(n=1), message(n=2)]))
    assert isinstance(first, TemporaryFailure) and first.code == 421
    assert second == ()
    assert [m["Message-ID"] for m in backend.received()] == ["<cascade.2.contract@congdoan.vn>"]


def test_send_outside_the_block_is_refused(backend):
    """The connection belongs to `async with`: sending outside it is a programming error."""
    with pytest.raises(RuntimeError):
        run(backend.mailer.send(message()))


def test_a_block_can_be_reused(backend):
    """After one block closes, a second block sends again (a new connection per batch run)."""
    run(send_all(backend.mailer, [message(n=1)]))
    run(send_all(backend.mailer, [message(n=2)]))
    assert len(backend.received()) == 2


def test_smtp_unreachable_is_a_connection_failure():
    """No server on the port: TemporaryFailure marked as a connection failure."""
    from tests.mail.conftest import free_port

    mailer = SmtpMailer(SmtpSettings(host="127.0.0.1", port=free_port(), username=None, password=None,
                                     starttls=False, ssl=False), timeout=2)
    [result] = run(send_all(mailer, [message()]))
    assert isinstance(result, TemporaryFailure) and result.connection


def test_smtp_opens_one_connection_per_block(smtp_server):
    """Fifty messages in one block use one SMTP session (one EHLO)."""
    greetings = []

    async def handle_ehlo(server, session, envelope, hostname, responses):
        greetings.append(hostname)
        session.host_name = hostname
        return responses

    smtp_server.inbox.handle_EHLO = handle_ehlo
    backend = SmtpBackend(smtp_server)
    run(send_all(backend.mailer, [message(n=i) for i in range(50)]))
    assert len(smtp_server.inbox.messages) == 50 and len(greetings) == 1
