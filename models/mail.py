"""The mail contract between the services and the mail adapters (notifications/).

- which mails exist: who receives each kind and which one-click actions its links offer;
- what one mail shows (`MailData`, `DigestMailData`), built by the services from the
  database and rendered by notifications/render.py;
- the mailer port (`Mailer`) and the failures a mailer reports.

No I/O here: the services build the data, the adapters render and send it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import parseaddr
from types import TracebackType
from typing import Any, Protocol, Self

from models.contacts import valid_address

# --- Kinds of mail -----------------------------------------------------------------------------


@dataclass(frozen=True)
class MailKind:
    """A kind of mail: who receives it, and which one-click actions its links offer."""

    name: str
    to: str  # "body" (the task's body), "coordinator" (the cascade's), "supervisor" (escalations)
    links: tuple[str, ...]


TASK_ASSIGNED = MailKind("task_assigned", "body", ("acknowledge", "report", "request-extension"))
KINDS = {k.name: k for k in (
    TASK_ASSIGNED,
    # the coordinator's "report received": the report's files and figures, accept / return
    MailKind("task_reported", "coordinator", ("accept", "return")),
    MailKind("contribution_reported", "coordinator", ()),
    MailKind("task_closed", "coordinator", ()),
    MailKind("extension_requested", "coordinator", ("grant-extension", "refuse-extension")),
    MailKind("extension_decided", "body", ("report", "request-extension")),
    MailKind("report_returned", "body", ("report", "request-extension")),
    MailKind("report_accepted", "body", ()),
    MailKind("task_cancelled", "body", ()),
    # the sweep (services/sweep.py): before the deadline and level 1 to the body, then up
    MailKind("reminder", "body", ("acknowledge", "report", "request-extension")),
    MailKind("escalation", "supervisor", ("remind", "extend", "close")),
    # a supervisor's "remind again" link (services/links.py)
    MailKind("manual_reminder", "body", ("acknowledge", "report", "request-extension")),
)}
# The digest is about many tasks, not one: it is rendered from its outbox payload.
DIGEST = MailKind("digest", "supervisor", ())
# Link actions that are not status transitions (models/status.py): services/links handles them.
LINK_ONLY_ACTIONS = frozenset({"remind"})
# Kinds whose mail carries the task's deadline as a calendar event.
CALENDAR_KINDS = frozenset({"task_assigned", "extension_decided", "report_returned"})
# Mails whose body shows the task's follow-up ledger.
LEDGER_KINDS = frozenset({"reminder", "escalation"})
# Mails that show a report (summary, files, figures): the one their event is about, or the
# latest one of the task.
REPORT_KINDS = frozenset({"task_reported", "contribution_reported", "report_returned",
                          "report_accepted"})

# action -> mail kind; a report is a closing contribution for a co-operating task
_FOLLOW_UPS = {
    "close": "task_closed",
    "request-extension": "extension_requested",
    "grant-extension": "extension_decided",
    "refuse-extension": "extension_decided",
    "extend": "extension_decided",
    "return": "report_returned",
    "accept": "report_accepted",
    "cancel": "task_cancelled",
}


def follow_up_kind(action: str, to_status: str) -> str | None:
    """The kind of mail an audit event implies, if any."""
    if action == "report":
        return "task_reported" if to_status == "reported" else "contribution_reported"
    return _FOLLOW_UPS.get(action)


# --- Addresses and identifiers -----------------------------------------------------------------


class BadAddress(ValueError):
    """An address that cannot be put in a header (a permanent failure for its mail)."""


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


def calendar_uid(*, task_id: int, occurrence: int, domain: str) -> str:
    return f"cascade-task-{task_id}-{occurrence}@{domain}"


# --- What one mail shows -----------------------------------------------------------------------


@dataclass(frozen=True)
class MailDirective:
    number: str
    kind: str
    title: str
    issued_on: dt.date
    issuer: str


@dataclass(frozen=True)
class MailTask:
    id: int
    ref: str
    occurrence: int
    text: str
    role: str  # models.status.Role value
    status: str
    body: str  # the responsible body's name
    due_on: dt.date | None
    deadline: str  # long form, or the rule in Vietnamese for recurring / continuous tasks
    report_to: str | None
    version: int = 1
    requested_due_on: dt.date | None = None  # the date asked for, while a request is pending


@dataclass(frozen=True)
class MailEvent:
    action: str
    actor: str  # a body's name
    at: dt.datetime
    note: str | None = None
    until: dt.date | None = None  # proposed (extension request) or granted due date


@dataclass(frozen=True)
class MailLink:
    action: str
    label: str
    url: str


@dataclass(frozen=True)
class MailFollowUp:
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
class MailFile:
    name: str
    size: str  # '1,2 MB'
    kind: str  # 'Word (.docx)'


@dataclass(frozen=True)
class MailFigure:
    target: str  # 'T1: Phấn đấu có 13,5 triệu đoàn viên'
    value: str  # '1,25 triệu đoàn viên'


@dataclass(frozen=True)
class MailReport:
    """A report as a mail shows it (the files are listed, never attached: the link page
    serves them)."""

    at: dt.datetime
    summary: str | None
    files: tuple[MailFile, ...] = ()
    figures: tuple[MailFigure, ...] = ()
    missing_figures: tuple[str, ...] = ()  # targets the report gave no figure for


@dataclass(frozen=True)
class MailData:
    """Everything one mail about a task shows."""

    kind: str
    message_id: str
    sender: str  # CASCADE_MAIL_FROM
    to: tuple[str, ...]
    recipient: str  # the receiving body's name
    directive: MailDirective
    task: MailTask
    at: dt.datetime  # the Date header
    timezone: dt.tzinfo
    event: MailEvent | None = None
    links: tuple[MailLink, ...] = ()
    links_until: dt.datetime | None = None  # when the buttons stop working
    reply_to: tuple[str, ...] = ()
    calendar_uid: str | None = None
    follow_up: MailFollowUp | None = None  # reminder / escalation mails: what is owed
    history: tuple[MailFollowUp, ...] = ()  # the ledger of this task up to this mail
    report: MailReport | None = None  # REPORT_KINDS: the report the mail is about


@dataclass(frozen=True)
class DigestMailData:
    """A supervisor's digest: the snapshot kept in the outbox payload (services/digest.py)."""

    message_id: str
    sender: str
    to: tuple[str, ...]
    recipient: str
    at: dt.datetime
    digest: dict[str, Any]  # Digest.as_json()
    timezone: dt.tzinfo = field(default=dt.UTC)


# --- The mailer port ---------------------------------------------------------------------------


class MailError(Exception):
    """A message was not delivered; `reason` is shown to the user by `cascade outbox`."""

    def __init__(self, reason: str, *, code: int | None = None):
        super().__init__(reason)
        self.reason = reason
        self.code = code


class TemporaryFailure(MailError):
    """Try again later. `connection` is true when the server could not be reached at all,
    so the rest of the batch need not be tried now."""

    def __init__(self, reason: str, *, code: int | None = None, connection: bool = False):
        super().__init__(reason, code=code)
        self.connection = connection


class PermanentFailure(MailError):
    """Retrying will not help: the server refused the sender, the recipients or the message."""


@dataclass(frozen=True)
class Wire:
    """A rendered message as it goes on the wire: envelope and bytes, made once when it is
    rendered so that sending parses nothing again."""

    sender: str
    recipients: tuple[str, ...]
    data: bytes


class Mailer(Protocol):
    """Where messages go. `description` says where, for the user; `parallel` how many
    messages it takes at once (its connections).

    Used as `async with mailer: await mailer.send(msg, wire)`: the connections belong to the
    block. `send` returns the recipients the server refused while accepting the others
    (usually none), raises TemporaryFailure for what a later attempt may fix and
    PermanentFailure for what it will not.
    """

    description: str
    parallel: int

    async def __aenter__(self) -> Self: ...

    async def __aexit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                        tb: TracebackType | None) -> None: ...

    async def send(self, message: EmailMessage, wire: Wire | None = None) -> tuple[str, ...]: ...


class MailRenderer(Protocol):
    """Turns mail data into messages (notifications/render.py is the implementation)."""

    def render_mail(self, data: MailData) -> EmailMessage: ...

    def render_digest(self, data: DigestMailData) -> EmailMessage: ...

    def to_wire(self, message: EmailMessage) -> bytes: ...
