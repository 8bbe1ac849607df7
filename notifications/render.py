"""Rendering: mail data -> `email.message.EmailMessage`. Pure: no database, no clock, no I/O.

Templates live in templates/email/: one `.txt` and one `.html` per mail kind
(services/notify.KINDS), both extending a shared layout; the subject is the `subject` block of
the `.txt` template. HTML is autoescaped, undefined variables are errors, and every value that
reaches a header is stripped of control characters first; `email.policy.SMTP` then refuses any
CR/LF that would still get through, so nothing a document or a body supplies can add a header.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import quopri
import re
import secrets
import unicodedata
from dataclasses import dataclass, field
from email.header import Header
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime, parseaddr
from functools import lru_cache
from pathlib import Path
from typing import cast

import jinja2

from models.status import TRANSITIONS, Role, TaskStatus
from notifications.contacts import valid_address
from notifications.formatting import long_date, short_date

TEMPLATE_DIR = Path(__file__).resolve().parent.parent / "templates" / "email"
# Kinds whose mail carries the task's deadline as a calendar event.
CALENDAR_KINDS = frozenset({"task_assigned", "extension_decided", "report_returned"})

KIND_LABELS = {
    "task_assigned": "giao nhiệm vụ",
    "task_reported": "báo cáo kết quả",
    "contribution_reported": "báo cáo phần phối hợp",
    "task_closed": "nhiệm vụ hoàn thành",
    "extension_requested": "xin gia hạn",
    "extension_decided": "trả lời xin gia hạn",
    "report_returned": "trả lại báo cáo",
    "task_cancelled": "hủy nhiệm vụ",
    "reminder": "nhắc hạn",
    "escalation": "báo cáo quá hạn",
    "manual_reminder": "nhắc lại",
    "digest": "tổng hợp nhiệm vụ quá hạn",
}
# Labels of link and audit actions that are not status transitions.
EXTRA_ACTION_LABELS = {"remind": "nhắc lại đơn vị thực hiện"}

# C0/C1 controls, and the Unicode line and paragraph separators some mail readers honour.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")


class BadAddress(ValueError):
    """An address that cannot be put in a header (a permanent failure for its mail)."""


def header_text(value: str) -> str:
    """`value` made safe for a header: NFC, no control characters, single spaces."""
    text = _CONTROL.sub(" ", unicodedata.normalize("NFC", value))
    return " ".join(text.split())


def body_text(value: str | None) -> str:
    """Document-supplied text for a mail body: NFC, line breaks kept, other controls dropped."""
    if not value:
        return ""
    text = unicodedata.normalize("NFC", value).replace("\r\n", "\n").replace("\r", "\n")
    return re.sub(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]", "", text)


def action_label(action: str, role: Role) -> str:
    """The Vietnamese label of `action` for a task of `role`, from the transition table."""
    for row in TRANSITIONS:
        if row.action == action and role in row.roles:
            return row.label
    return EXTRA_ACTION_LABELS.get(action, action)


def mail_domain(mail_from: str) -> str:
    """The domain of the configured sender, for Message-IDs and calendar UIDs."""
    _, addr = parseaddr(mail_from)
    if not valid_address(addr):
        raise BadAddress(f"CASCADE_MAIL_FROM={mail_from!r}: không phải địa chỉ e-mail hợp lệ")
    return addr.rpartition("@")[2].lower()


def message_id(*, outbox_id: int, key: str, mail_from: str) -> str:
    """A stable Message-ID for an outbox row: the same on every resend of that row.

    The key's hash keeps two databases (a test and production) from sharing ids.
    """
    digest = hashlib.sha256(key.encode()).hexdigest()[:12]
    return f"<cascade.{outbox_id}.{digest}@{mail_domain(mail_from)}>"


@dataclass(frozen=True)
class DirectiveView:
    number: str
    kind: str
    title: str
    issued_on: dt.date
    issuer: str


@dataclass(frozen=True)
class TaskView:
    id: int
    ref: str
    occurrence: int
    text: str
    role: Role
    status: str
    body: str  # the responsible body's name
    due_on: dt.date | None
    deadline: str  # long form, or the rule in Vietnamese for recurring / continuous tasks
    report_to: str | None
    version: int = 1


@dataclass(frozen=True)
class EventView:
    action: str
    actor: str  # a body's name
    at: dt.datetime
    note: str | None = None
    until: dt.date | None = None  # proposed (extension request) or granted due date


@dataclass(frozen=True)
class LinkView:
    action: str
    label: str
    url: str


@dataclass(frozen=True)
class FollowUpView:
    """One reminder or escalation from the follow-up ledger (services/sweep.py)."""

    kind: str  # reminder | escalation
    level: int  # reminder: working days before; escalation: the level
    occurrence: int
    working_days: int  # left (reminder) or late (escalation)
    due_on: dt.date
    recipient: str  # the receiving body's name
    at: dt.datetime | None = None

    @property
    def description(self) -> str:
        """'nhắc trước hạn 3 ngày làm việc', 'đôn đốc mức 2 (lần 2), quá hạn 10 ngày làm việc'."""
        if self.kind == "reminder":
            if self.working_days <= 0:
                return "nhắc vào ngày đến hạn"
            return f"nhắc trước hạn {self.working_days} ngày làm việc"
        again = f" (lần {self.occurrence})" if self.occurrence > 1 else ""
        return f"đôn đốc mức {self.level}{again}, quá hạn {self.working_days} ngày làm việc"


@dataclass(frozen=True)
class MailData:
    """Everything one mail shows. Built by notifications.context from the database."""

    kind: str
    message_id: str
    sender: str  # CASCADE_MAIL_FROM
    to: tuple[str, ...]
    recipient: str  # the receiving body's name
    directive: DirectiveView
    task: TaskView
    at: dt.datetime  # the Date header
    event: EventView | None = None
    links: tuple[LinkView, ...] = ()
    reply_to: tuple[str, ...] = ()
    calendar_uid: str | None = None
    timezone: dt.tzinfo = field(default=dt.timezone(dt.timedelta(hours=7)))
    follow_up: FollowUpView | None = None  # reminder / escalation mails: what is owed
    history: tuple[FollowUpView, ...] = ()  # the ledger of this task up to this mail


@dataclass(frozen=True)
class DigestMailData:
    """A supervisor's digest: the snapshot kept in the outbox payload (services/digest.py)."""

    message_id: str
    sender: str
    to: tuple[str, ...]
    recipient: str
    at: dt.datetime
    digest: dict  # Digest.as_json()
    timezone: dt.tzinfo = field(default=dt.timezone(dt.timedelta(hours=7)))


def _status_label(status: str) -> str:
    try:
        return TaskStatus(status).label
    except ValueError:
        return status


def _local_time(when: dt.datetime, tz: dt.tzinfo) -> str:
    return f"{when.astimezone(tz):%H:%M} {long_date(when.astimezone(tz).date())}"


@lru_cache(maxsize=4)
def mail_environment(directory: Path = TEMPLATE_DIR) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(directory)),
        autoescape=jinja2.select_autoescape(["html"]),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["long_date"] = long_date
    env.filters["short_date"] = short_date
    env.filters["upper_first"] = lambda text: text[:1].upper() + text[1:]
    env.filters["iso_long"] = lambda text: long_date(dt.date.fromisoformat(text))
    env.filters["iso_short"] = lambda text: short_date(dt.date.fromisoformat(text))
    return env


def _render_digest_parts(data: DigestMailData, env: jinja2.Environment) -> tuple[str, str, str]:
    values = {"g": data.digest, "recipient": data.recipient,
              "when": (lambda at: _local_time(at, data.timezone))}
    text_template = env.get_template("digest.txt")
    subject = "".join(text_template.blocks["subject"](text_template.new_context(values)))
    text = text_template.render(values)
    html = env.get_template("digest.html").render(values)
    return header_text(subject), unicodedata.normalize("NFC", text), unicodedata.normalize("NFC", html)


def render_digest(data: DigestMailData, *, env: jinja2.Environment | None = None) -> EmailMessage:
    """A supervisor's digest: text and HTML (CSS bars), no attachment."""
    if not data.to:
        raise BadAddress("thư không có người nhận")
    subject, text, html = _render_digest_parts(data, env or mail_environment())
    msg = _headers(subject, data.sender, data.to, data.recipient, (), data.at, data.message_id)
    _set_header(msg, "X-Cascade-Kind", "digest")
    body = _multipart("alternative", [_part("text/plain", text, "quoted-printable"),
                                      _part("text/html", html, "base64")])
    for name, value in body.items():
        msg.set_raw(name, value)
    msg.set_payload(body.get_payload())
    return msg


def _headers(subject: str, sender: str, to: tuple[str, ...], recipient: str,
             reply_to: tuple[str, ...], at: dt.datetime, msg_id: str) -> EmailMessage:
    msg = EmailMessage(policy=SMTP)
    _set_header(msg, "Subject", subject)
    _set_header(msg, "From", _sender(sender))
    _set_header(msg, "To", ", ".join(_address(a, recipient) for a in to))
    if reply_to:
        _set_header(msg, "Reply-To", ", ".join(_address(a) for a in reply_to))
    _set_header(msg, "Date", format_datetime(at.astimezone(dt.UTC)))
    _set_header(msg, "Message-ID", header_text(msg_id))
    _set_header(msg, "Auto-Submitted", "auto-generated")
    return msg


def _render_parts(data: MailData, env: jinja2.Environment) -> tuple[str, str, str]:
    """(subject, text, html) for `data`."""
    values = {
        "kind": data.kind, "d": data.directive, "t": data.task, "e": data.event,
        "links": data.links, "recipient": data.recipient, "role": data.task.role.label,
        "due": short_date(data.task.due_on) if data.task.due_on else data.task.deadline,
        "when": (lambda at: _local_time(at, data.timezone)),
        "action_label": (lambda action: action_label(action, data.task.role)),
        "f": data.follow_up, "history": data.history,
        "status_label": _status_label(data.task.status),
    }
    text_template = env.get_template(f"{data.kind}.txt")
    context = text_template.new_context(values)
    subject = "".join(text_template.blocks["subject"](context))
    text = text_template.render(values)
    html = env.get_template(f"{data.kind}.html").render(values)
    return header_text(subject), unicodedata.normalize("NFC", text), unicodedata.normalize("NFC", html)


@lru_cache(maxsize=4096)
def _address(addr: str, name: str | None = None) -> str:
    """`Name <addr>` with the name RFC 2047-encoded; the address must be a plain addr-spec."""
    addr = addr.strip()
    if not valid_address(addr):
        raise BadAddress(f"địa chỉ e-mail không hợp lệ: {addr!r}")
    name = header_text(name or "")
    if not name:
        return addr
    if name.isascii():
        return str(Address(display_name=name, addr_spec=addr))
    return f"{encoded_phrase(name)} <{addr}>"


def encoded_phrase(text: str, limit: int = 75) -> str:
    """`text` as RFC 2047 encoded-words split between words, never inside one.

    Readers drop the white space between adjacent encoded-words (RFC 2047 §6.2), so each word
    keeps its following space inside the encoding; `email.header.Header` splits wherever the
    line is full, which shows "Tổng Liên đo àn" in readers that keep that white space.
    """
    def word(chunk: str) -> str:
        return "=?utf-8?b?" + base64.b64encode(chunk.encode("utf-8")).decode("ascii") + "?="

    chunks: list[str] = []
    current = ""
    for piece in text.split(" "):
        candidate = f"{current} {piece}" if current else piece
        if current and len(word(candidate)) > limit:
            chunks.append(current + " ")
            current = piece
        else:
            current = candidate
    chunks.append(current)
    return " ".join(word(chunk) for chunk in chunks)


@lru_cache(maxsize=16)
def _sender(mail_from: str) -> str:
    name, addr = parseaddr(mail_from)
    if not valid_address(addr):
        raise BadAddress(f"CASCADE_MAIL_FROM={mail_from!r}: không phải địa chỉ e-mail hợp lệ")
    return _address(addr, name)


def _set_header(msg: EmailMessage, name: str, value: str) -> None:
    """Add a header already encoded and folded to ASCII by `email.header.Header`."""
    msg.set_raw(name, _encoded_header(name, value))


@lru_cache(maxsize=4096)
def _encoded_header(name: str, value: str) -> str:
    """`value` encoded and folded once (many mails of a cascade share subjects and senders).

    The email package's own folding of non-ASCII headers costs about 3 ms a message, more than
    the SMTP exchange, so headers are encoded here. That bypasses the policy's CR/LF check, so
    the same check is made explicitly: only folding whitespace may follow a line break.
    """
    folded = Header(value, "utf-8" if not value.isascii() else "us-ascii", header_name=name,
                    maxlinelen=76).encode(linesep="\r\n")
    lines = folded.split("\r\n")
    if any(c in line for line in lines for c in "\r\n\x00") or \
            any(not line[:1].isspace() for line in lines[1:]):
        raise ValueError(f"header {name} would carry a line break: {value!r}")
    return folded


def _part(content_type: str, text: str, cte: str, params: str = "") -> EmailMessage:
    """A leaf MIME part built directly: the email package's content manager parses every
    header it writes, which costs more than the whole SMTP exchange of the message."""
    part = EmailMessage(policy=SMTP)
    raw = text.encode("utf-8")
    if cte == "base64":
        payload = base64.encodebytes(raw).decode("ascii")
    else:
        payload = quopri.encodestring(raw).decode("ascii")
    part.set_raw("Content-Type", f'{content_type}; charset="utf-8"{params}')
    part.set_raw("Content-Transfer-Encoding", cte)
    part.set_payload(payload)
    return part


def _multipart(subtype: str, parts: list[EmailMessage]) -> EmailMessage:
    multipart = EmailMessage(policy=SMTP)
    multipart.set_raw("MIME-Version", "1.0")
    multipart.set_raw("Content-Type", f'multipart/{subtype}; boundary="{_boundary()}"')
    multipart.set_payload(list(parts))
    return multipart


def _boundary() -> str:
    return "=_cascade_" + secrets.token_hex(12)


def render_mail(data: MailData, *, env: jinja2.Environment | None = None) -> EmailMessage:
    """The message for `data`: text and HTML alternatives, plus the deadline as .ics when due.

    Raises BadAddress when a recipient or the sender is not a plain, valid address.
    """
    if not data.to:
        raise BadAddress("thư không có người nhận")
    subject, text, html = _render_parts(data, env or mail_environment())
    msg = _headers(subject, data.sender, data.to, data.recipient, data.reply_to, data.at,
                   data.message_id)
    _set_header(msg, "X-Cascade-Task", str(data.task.id))
    _set_header(msg, "X-Cascade-Kind", header_text(data.kind))
    parts = [_part("text/plain", text, "quoted-printable"), _part("text/html", html, "base64")]
    body = _multipart("alternative", parts)
    if data.kind in CALENDAR_KINDS and data.task.due_on is not None and data.calendar_uid:
        from notifications.ics import deadline_calendar

        ics = deadline_calendar(
            uid=data.calendar_uid, due_on=data.task.due_on, stamp=data.at, sequence=data.task.version,
            summary=f"Hạn nhiệm vụ {data.task.ref} — {data.directive.number}",
            description=f"{data.task.text}\n\n{data.directive.kind} {data.directive.number}: "
                        f"{data.directive.title}",
            url=data.links[0].url if data.links else None)
        attachment = _part("text/calendar", ics.decode("utf-8"), "base64", params='; method="PUBLISH"')
        attachment.set_raw("Content-Disposition", 'attachment; filename="han-nhiem-vu.ics"')
        body = _multipart("mixed", [body, attachment])
    for name, value in body.items():
        msg.set_raw(name, value)
    msg.set_payload(body.get_payload())
    return msg


_BOUNDARY = re.compile(r'boundary="([^"]+)"')


def wire_bytes(msg: EmailMessage) -> bytes:
    """The message as sent, serialised directly from the raw headers and payloads that
    `render_mail` set (CRLF line ends). The email package's generator would fold every header
    again, which costs more than the SMTP exchange; a message built any other way goes through
    the generator."""
    out: list[str] = []
    if not _write_raw(msg, out):
        return msg.as_bytes(policy=SMTP)
    return "".join(out).encode("ascii")


def _write_raw(msg: EmailMessage, out: list[str]) -> bool:
    for name, value in msg.raw_items():
        if not isinstance(value, str) or not value.isascii():
            return False
        out.append(f"{name}: {value}\r\n")
    out.append("\r\n")
    payload = msg.get_payload()
    if isinstance(payload, list):
        found = _BOUNDARY.search(dict(msg.raw_items()).get("Content-Type", ""))
        if found is None:
            return False
        boundary = found.group(1)
        for part in payload:
            out.append(f"--{boundary}\r\n")
            if not _write_raw(cast(EmailMessage, part), out):  # the parts of an EmailMessage
                return False
            out.append("\r\n")
        out.append(f"--{boundary}--\r\n")
        return True
    if not isinstance(payload, str) or not payload.isascii():
        return False
    out.append(payload.replace("\r\n", "\n").replace("\n", "\r\n"))
    return True

