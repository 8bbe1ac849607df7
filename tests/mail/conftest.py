"""Mail fixtures: a real SMTP server (aiosmtpd) on 127.0.0.1, an injected clock, settings."""

from __future__ import annotations

import asyncio
import datetime as dt
import email
import socket
import threading
from email import policy
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller

from config.settings import load_settings
from models.contacts import load_contacts
from models.db import unit_of_work
from services.registry import sync_contacts
from tests.conftest import ROOT, at, launch_template

BASE_URL = "https://giaoviec.congdoan.test"
START = at("2023-07-20 09:05")


def free_port() -> int:
    """A port nobody listens on: aiosmtpd's Controller(port=0) does not work."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Inbox:
    """An aiosmtpd handler that keeps what it accepts and misbehaves on request."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.envelopes: list[tuple[str, list[str]]] = []
        self.refuse: set[str] = set()  # 550 at RCPT
        self.fail_421 = 0  # the next n DATA commands get 421
        self.on_accept = None  # called (in the server thread) after each accepted message
        self.slow_after: int | None = None  # delay each reply once this many were accepted

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        if address.lower() in self.refuse:
            return f"550 5.1.1 <{address}>: mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        if self.fail_421 > 0:
            self.fail_421 -= 1
            return "421 4.3.2 Service not available, try again later"
        if self.slow_after is not None and len(self.messages) >= self.slow_after:
            await asyncio.sleep(0.05)
        self.messages.append(email.message_from_bytes(envelope.content, policy=policy.default))
        self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        if self.on_accept is not None:
            self.on_accept(len(self.messages))
        return "250 OK"


class SmtpServer:
    def __init__(self) -> None:
        self.port = free_port()
        self.inbox = Inbox()
        self.controller: Controller | None = None

    def start(self) -> None:
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    def stop_in_background(self) -> threading.Thread:
        thread = threading.Thread(target=self.stop)
        thread.start()
        return thread


@pytest.fixture
def smtp_server():
    server = SmtpServer()
    server.start()
    yield server
    server.stop()


class Clock:
    """An injected clock the test moves by hand (never a static freeze around asyncio)."""

    def __init__(self, start: dt.datetime = START) -> None:
        self.now = start

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, **delta: float) -> dt.datetime:
        self.now += dt.timedelta(**delta)
        return self.now


@pytest.fixture
def clock():
    return Clock()


def dispatch(*, engine, mailer, settings, clock, **kw):
    """services.dispatch.dispatch_outbox with the real renderer and a signer for `settings`."""
    from models.links import LinkSigner
    from notifications.render import MailTemplates
    from services.dispatch import dispatch_outbox

    kw.setdefault("renderer", MailTemplates())
    return dispatch_outbox(engine=engine, mailer=mailer, signer=LinkSigner(settings.secret_key),
                           settings=settings, clock=clock, **kw)


def make_settings(tmp_path, database_url, **extra: str):
    env = {"CASCADE_HOME": str(tmp_path / "home"), "CASCADE_DATABASE_URL": database_url,
           "CASCADE_BASE_URL": BASE_URL, "CASCADE_CONTACTS": str(tmp_path / "none.yaml"),
           "CASCADE_MAIL_FROM": "Văn phòng Đảng đoàn <giaoviec@congdoan.vn>", **extra}
    return load_settings(env)


@pytest.fixture
def settings(tmp_path, database_url):
    """Settings of the embedded default (no SMTP server), links on BASE_URL."""
    return make_settings(tmp_path, database_url)


@pytest.fixture
def smtp_settings(tmp_path, database_url, smtp_server):
    return make_settings(tmp_path, database_url, CASCADE_SMTP_HOST="127.0.0.1",
                         CASCADE_SMTP_PORT=str(smtp_server.port))


@pytest.fixture
def mail_engine(engine, registry, settings):
    """The test database with the example contacts (one example.org address per body)."""
    contacts = load_contacts(settings.contacts_path, ROOT / "config" / "contacts.example.yaml", registry)
    with unit_of_work(engine) as session:
        sync_contacts(session=session, contacts=contacts)
    return engine


@pytest.fixture
def launched(mail_engine, registry, calendar):
    """48-KH/ĐĐTLĐ launched: 83 tasks, 83 mails queued."""
    result = launch_template(mail_engine, registry, calendar)
    assert result.tasks == 83
    return mail_engine
