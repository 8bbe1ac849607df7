"""The mailer adapters of the port models.mail.Mailer: SMTP (aiosmtplib), .eml files, and a
recording fake shipped for tests.

A mailer is used as `async with mailer: await mailer.send(msg)`: the connection belongs to the
`async with` block (one per batch, opened on the first send), never to `__init__`.
"""

from __future__ import annotations

import asyncio
import copy
import os
import re
import tempfile
from collections.abc import Iterable
from email.message import EmailMessage
from email.policy import compat32
from email.utils import getaddresses, parseaddr
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, Self

from models.mail import MailError, PermanentFailure, TemporaryFailure, Wire
from notifications.mime import wire_bytes

if TYPE_CHECKING:
    from config.settings import Settings, SmtpSettings


def recipients_of(message: EmailMessage) -> list[str]:
    """The envelope recipients: every address in To, Cc and Bcc."""
    fields = [str(v) for name in ("To", "Cc", "Bcc") for v in message.get_all(name, [])]
    return [addr for _, addr in getaddresses(fields) if addr]


# Rendering stores headers already encoded (notifications/render.py): the legacy policy reads
# them as they are, and `wire_bytes` writes them without folding them again (~0.1 ms a message
# instead of ~2 ms for aiosmtplib's flattening, which re-parses every header).
_WIRE = compat32.clone(linesep="\r\n")


def envelope(message: EmailMessage) -> tuple[str, list[str], bytes]:
    """(sender, recipients, bytes on the wire) of a rendered message; Bcc is not transmitted."""
    policy = message.policy
    message.policy = _WIRE
    try:
        sender = parseaddr(str(message.get("Sender") or message.get("From") or ""))[1]
        fields = [str(v) for name in ("To", "Cc", "Bcc") for v in message.get_all(name, [])]
        recipients = [addr for _, addr in getaddresses(fields) if addr]
        if message.get("Bcc") is not None:
            message = copy.copy(message)
            del message["Bcc"]
    finally:
        message.policy = policy
    data = wire_bytes(message)
    return sender, recipients, data


def failure_for(code: int, message: str, what: str) -> MailError:
    """The failure an SMTP reply code means: 4xx temporary, anything else permanent."""
    reason = f"{what}: {code} {message}".strip()
    if 400 <= code < 500:
        return TemporaryFailure(reason, code=code)
    return PermanentFailure(reason, code=code)


class _Context:
    """Shared `async with` bookkeeping: sending outside the block is a programming error."""

    _open = False
    parallel = 1

    async def __aenter__(self) -> Self:
        self._open = True
        return self

    async def __aexit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                        tb: TracebackType | None) -> None:
        self._open = False

    def _check_open(self) -> None:
        if not self._open:
            raise RuntimeError(f"{type(self).__name__}.send outside `async with mailer:`")


class RecordingMailer(_Context):
    """A supported fake: keeps every accepted message in `sent`.

    It answers like a server would: addresses in `refuse` are refused (550), and the first
    `fail_first` sends fail with a 421, so the dispatcher's handling of both can be tested
    without a network.
    """

    description = "bộ nhớ (RecordingMailer)"

    def __init__(self, *, refuse: Iterable[str] = (), fail_first: int = 0):
        self.sent: list[EmailMessage] = []
        self.refuse = {a.lower() for a in refuse}
        self.fail_first = fail_first
        self.batches = 0

    async def __aenter__(self) -> Self:
        self.batches += 1
        return await super().__aenter__()

    async def send(self, message: EmailMessage, wire: Wire | None = None) -> tuple[str, ...]:
        self._check_open()
        if self.fail_first > 0:
            self.fail_first -= 1
            raise failure_for(421, "Service not available, try again later", "máy chủ tạm từ chối")
        rcpts = recipients_of(message)
        if not rcpts:
            raise PermanentFailure("thư không có người nhận")
        refused = tuple(a for a in rcpts if a.lower() in self.refuse)
        if len(refused) == len(rcpts):
            raise PermanentFailure(f"máy chủ từ chối người nhận {', '.join(refused)}: "
                                   "550 mailbox unavailable", code=550)
        self.sent.append(message)
        return refused


_UNSAFE = re.compile(r"[^A-Za-z0-9._@+-]+")


def eml_name(message: EmailMessage) -> str:
    """A file name from the Message-ID: the same message always lands in the same file."""
    mid = str(message.get("Message-ID") or "").strip("<> ")
    if not mid:
        raise PermanentFailure("thư không có Message-ID")
    return _UNSAFE.sub("_", mid)[:200] + ".eml"


class FileMailer(_Context):
    """The embedded default: each message as `<outbox_dir>/<message id>.eml`.

    The file is written to a temporary name and renamed, so a crash leaves no half file; a
    resend of the same message overwrites its own file.
    """

    def __init__(self, directory: Path):
        self.directory = Path(directory)
        self.description = f"thư mục {self.directory}"
        self.written: list[Path] = []

    async def send(self, message: EmailMessage, wire: Wire | None = None) -> tuple[str, ...]:
        self._check_open()
        if not (wire.recipients if wire else recipients_of(message)):
            raise PermanentFailure("thư không có người nhận")
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            target = self.directory / eml_name(message)
            fd, tmp = tempfile.mkstemp(dir=self.directory, prefix=".tmp-", suffix=".eml")
            with os.fdopen(fd, "wb") as fh:
                fh.write(wire.data if wire else wire_bytes(message))
            os.replace(tmp, target)
        except OSError as exc:
            raise TemporaryFailure(f"không ghi được {self.directory}: {exc.strerror}",
                                   connection=True) from None
        self.written.append(target)
        return ()


class SmtpMailer(_Context):
    """aiosmtplib over `connections` persistent connections (a small pool: a local relay
    takes about twice as many messages a second over three connections as over one), each
    opened on its first use in a block and reopened once when the server has dropped it."""

    def __init__(self, smtp: SmtpSettings, *, timeout: float = 30.0, connections: int = 1):
        self.settings = smtp
        self.timeout = timeout
        self.parallel = max(connections, 1)
        self.description = f"máy chủ SMTP {smtp.host}:{self._port()}"
        self._clients: list[Any] = []  # aiosmtplib.SMTP or None, per slot, for one block
        self._free: asyncio.Queue[int] | None = None

    def _port(self) -> int:
        if self.settings.port:
            return self.settings.port
        return 465 if self.settings.ssl else (587 if self.settings.starttls else 25)

    async def __aenter__(self) -> Self:
        self._clients = [None] * self.parallel
        self._free = asyncio.Queue()
        for slot in range(self.parallel):
            self._free.put_nowait(slot)
        return await super().__aenter__()

    async def __aexit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                        tb: TracebackType | None) -> None:
        await super().__aexit__(exc_type, exc, tb)
        clients, self._clients = self._clients, []
        for client in clients:
            if client is not None and client.is_connected:
                try:
                    await client.quit()
                except Exception:  # the server went away: nothing left to close politely
                    client.close()

    async def _connect(self) -> Any:
        import aiosmtplib

        s = self.settings
        client = aiosmtplib.SMTP(hostname=s.host, port=self._port(), use_tls=s.ssl,
                                 start_tls=True if s.starttls else False, timeout=self.timeout)
        try:
            await client.connect()
            if s.username:
                await client.login(s.username, s.password or "")
        except aiosmtplib.SMTPAuthenticationError as exc:
            client.close()
            raise PermanentFailure(f"đăng nhập SMTP bị từ chối: {exc.code} {exc.message}; kiểm tra "
                                   "CASCADE_SMTP_USERNAME / CASCADE_SMTP_PASSWORD", code=exc.code) from None
        except aiosmtplib.SMTPResponseException as exc:
            client.close()
            raise failure_for(exc.code, exc.message, f"máy chủ {self.description}") from None
        except (aiosmtplib.SMTPException, OSError) as exc:
            client.close()
            raise TemporaryFailure(f"không kết nối được {self.description}: {exc}",
                                   connection=True) from None
        return client

    async def send(self, message: EmailMessage, wire: Wire | None = None) -> tuple[str, ...]:
        self._check_open()
        assert self._free is not None
        slot = await self._free.get()
        try:
            return await self._send_on(slot, message, wire)
        finally:
            self._free.put_nowait(slot)

    async def _send_on(self, slot: int, message: EmailMessage, wire: Wire | None) -> tuple[str, ...]:
        import aiosmtplib

        if wire is None:
            sender, recipients, data = envelope(message)
            wire = Wire(sender, tuple(recipients), data)
        for attempt in (1, 2):
            client = self._clients[slot]
            if client is None or not client.is_connected:
                client = self._clients[slot] = await self._connect()
            try:
                errors, _ = await client.sendmail(wire.sender, list(wire.recipients), wire.data)
            except (aiosmtplib.SMTPServerDisconnected, aiosmtplib.SMTPTimeoutError,
                    ConnectionError) as exc:
                client.close()
                self._clients[slot] = None
                if attempt == 2:
                    raise TemporaryFailure(f"mất kết nối với {self.description}: {exc}",
                                           connection=True) from None
                continue  # the server dropped an idle connection: reconnect once
            except aiosmtplib.SMTPRecipientsRefused as exc:
                worst = max(r.code for r in exc.recipients)
                detail = "; ".join(f"{r.recipient}: {r.code} {r.message}" for r in exc.recipients)
                if all(400 <= r.code < 500 for r in exc.recipients):
                    raise TemporaryFailure(f"máy chủ tạm từ chối người nhận ({detail})",
                                           code=worst) from None
                raise PermanentFailure(f"máy chủ từ chối người nhận ({detail})", code=worst) from None
            except aiosmtplib.SMTPResponseException as exc:
                if exc.code == 421 or not client.is_connected:
                    client.close()
                    self._clients[slot] = None
                raise failure_for(exc.code, exc.message, "máy chủ từ chối thư") from None
            except ValueError as exc:  # an address aiosmtplib will not put on the wire
                raise PermanentFailure(f"địa chỉ không gửi được: {exc}") from None
            return tuple(errors)
        raise AssertionError("unreachable")


def make_mailer(settings: Settings) -> SmtpMailer | FileMailer:
    """SMTP when CASCADE_SMTP_HOST is set, else .eml files under the outbox folder."""
    if settings.smtp.configured:
        return SmtpMailer(settings.smtp, timeout=settings.smtp_timeout_seconds,
                          connections=settings.smtp_connections)
    return FileMailer(settings.outbox_dir)
