"""One-click links: random tokens, stored only as a hash, scoped to one task and one action.

The token's signature (models/links.LinkSigner) tells a tampered link (400) from an unknown
one (404) without a database lookup. A token is single-use: the UPDATE that marks it used
matches only an unused row, so of fifty simultaneous clicks one acts and the others are told
it is already done.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import sqlalchemy as sa
from sqlmodel import Session, select

from models.files import CheckedFile, FileStore, Staged, Upload, UploadLimits
from models.links import LinkSigner, token_hash
from models.mail import LINK_ONLY_ACTIONS
from models.status import TERMINAL, TaskStatus
from models.tables import Cascade, LinkToken, Task, TaskEvent, table_of
from models.vocabulary import local_time
from services.actions import ActionRefused, ActionResult, TaskNotFound, check_note, record_action
from services.notify import queue_manual_reminder
from services.results import (
    ReportInput,
    ReportRefused,
    ReportResult,
    check_files,
    check_report,
    record_report,
    stage_files,
)

EMAIL_LINK = "email-link"  # the audit channel of a link click


class LinkInvalid(ValueError):
    """The link cannot act; `status_code` is the HTTP status a page should answer with."""

    def __init__(self, status_code: int, message: str, token: LinkToken | None = None):
        super().__init__(message)
        self.status_code = status_code
        self.token = token


def link_expiry(*, due_on: dt.date | None, recurring: bool, at: dt.datetime, tz: dt.tzinfo,
                grace_days: int, max_days: int) -> dt.datetime:
    """Until when a mail's links work: the end of the task's deadline plus `grace_days`; for a
    yearly (or other recurring) occurrence, as long as it is open, capped `max_days` after its
    deadline; for a task with no deadline, `max_days` after the mail was queued (`at`)."""
    if due_on is None:
        return at + dt.timedelta(days=max_days)
    days = max_days if recurring else grace_days
    last = due_on + dt.timedelta(days=days) if due_on < dt.date.max - dt.timedelta(days=days) \
        else dt.date.max  # a legacy far-future deadline must not stop its mail
    return dt.datetime.combine(last, dt.time(23, 59, 59), tzinfo=tz)


def link_row(token: str, *, task_id: int, action: str, actor: str, at: dt.datetime,
             expires_at: dt.datetime, outbox_id: int | None = None) -> dict:
    """The LinkToken row (as a dict) that stores the hash of `token`."""
    return {"token_hash": token_hash(token), "task_id": task_id, "action": action, "actor": actor,
            "outbox_id": outbox_id, "created_at": at, "expires_at": expires_at}


def issue_link(*, session: Session, signer: LinkSigner, task_id: int, action: str, actor: str,
               at: dt.datetime, ttl_days: int, outbox_id: int | None = None) -> str:
    """A fresh random link for `action` on `task_id` by `actor`, valid `ttl_days`; the raw
    token (mails derive theirs from their outbox row: services.mail_views)."""
    token = signer.new_token()
    session.add(LinkToken(**link_row(token, task_id=task_id, action=action, actor=actor, at=at,
                                     expires_at=at + dt.timedelta(days=ttl_days),
                                     outbox_id=outbox_id)))
    return token


_PROBLEMS = {"malformed": "Đường dẫn không đúng dạng: có thể đã bị cắt hoặc sửa.",
             "tampered": "Đường dẫn đã bị sửa đổi nên không dùng được."}


def find_link(*, session: Session, signer: LinkSigner, token: str, at: dt.datetime,
              tz: dt.tzinfo) -> LinkToken:
    """The stored link for `token`, or LinkInvalid with 400 (tampered), 404, or 410."""
    link = reading_link(session=session, signer=signer, token=token, at=at, tz=tz)
    if link.used_at is not None:
        raise LinkInvalid(410, f"Đường dẫn đã được dùng lúc {local_time(link.used_at, tz)}.", link)
    return link


def reading_link(*, session: Session, signer: LinkSigner, token: str, at: dt.datetime,
                 tz: dt.tzinfo) -> LinkToken:
    """The stored, unexpired link for `token`, used or not: what lets its holder read the
    files of its task's reports (a used link still proves the mail was received)."""
    problem = signer.problem(token)
    if problem is not None:
        raise LinkInvalid(400, _PROBLEMS[problem])
    link = session.exec(select(LinkToken).where(LinkToken.token_hash == token_hash(token))).first()
    if link is None:
        raise LinkInvalid(404, "Không tìm thấy đường dẫn này.")
    if link.expires_at <= at:
        raise LinkInvalid(410, f"Đường dẫn đã hết hạn từ {local_time(link.expires_at, tz)}.", link)
    return link


@dataclass(frozen=True)
class LinkOutcome:
    link: LinkToken
    result: ActionResult
    report: ReportResult | None = None  # a report link: what was recorded with it


def use_link(*, session: Session, signer: LinkSigner, token: str, at: dt.datetime, tz: dt.tzinfo,
             note: str | None = None, until: dt.date | None = None) -> LinkOutcome:
    """Spend the token and apply its action through record_action (channel 'email-link').

    Raises LinkInvalid, or ActionRefused when the task's status no longer allows the action;
    either way the caller's transaction rolls back and nothing changes.
    """
    link = find_link(session=session, signer=signer, token=token, at=at, tz=tz)
    _spend(session, link, at)
    if link.action in LINK_ONLY_ACTIONS:
        return LinkOutcome(link, _remind(session, link, at=at, note=note))
    result = record_action(session=session, task_id=link.task_id, action=link.action,
                           actor=link.actor, channel=EMAIL_LINK, at=at, note=note, until=until,
                           tz=tz, on_behalf_of=_acting_for(session, link))
    return LinkOutcome(link, result)


def _spend(session: Session, link: LinkToken, at: dt.datetime) -> None:
    table = table_of(LinkToken)
    spent = session.connection().execute(
        sa.update(table).where(table.c.id == link.id, table.c.used_at.is_(None))
        .values(used_at=at))
    if spent.rowcount != 1:
        session.expire(link)
        raise LinkInvalid(410, "Đường dẫn vừa được dùng.", link)


def report_by_link(*, session: Session, signer: LinkSigner, store: FileStore,
                   limits: UploadLimits, token: str, report: ReportInput, at: dt.datetime,
                   tz: dt.tzinfo, prepared: PreparedFiles | None = None) -> LinkOutcome:
    """A report link with its summary, files and figures: the link is checked (a replay is
    refused before anything is read), then the input (ReportRefused: the link stays unused),
    then the token is spent and the report recorded (services.results). `prepared`: the files,
    checked and copied into the store before this transaction began (`prepare_files`)."""
    link = find_link(session=session, signer=signer, token=token, at=at, tz=tz)
    if link.action != "report":
        raise LinkInvalid(400, "Đường dẫn này không dùng để gửi báo cáo.", link)
    checked = check_report(session=session, task_id=link.task_id, report=report, limits=limits,
                           checked_files=prepared.files if prepared else None)
    _spend(session, link, at)
    result = record_report(session=session, store=store, task_id=link.task_id, report=checked,
                           at=at, tz=tz, actor=link.actor, channel=EMAIL_LINK,
                           on_behalf_of=_acting_for(session, link),
                           staged=prepared.staged if prepared else None)
    return LinkOutcome(link, result.action, result)


@dataclass
class PreparedFiles:
    """A report's files checked in full and copied into the store, before any transaction."""

    store: FileStore
    files: list[CheckedFile]
    staged: list[Staged]

    def discard(self) -> None:
        """Drop the copies no transaction published (after a refusal or a failure)."""
        for item in self.staged:
            self.store.discard(item)


def prepare_files(*, store: FileStore, limits: UploadLimits,
                  uploads: Sequence[Upload]) -> PreparedFiles:
    """Check a report's files (ReportRefused: nothing stored) and stage them in the store; no
    session: this is the slow part of a report, kept out of the write transaction."""
    files, problems = check_files(uploads, limits)
    if problems:
        raise ReportRefused(problems)
    return PreparedFiles(store, files, stage_files(store, files))


def _acting_for(session: Session, link: LinkToken) -> str | None:
    """A link issued to neither the task's body nor its coordinator went to a supervisor in an
    escalation: the token is the system's grant to act for the coordinator."""
    task = session.get(Task, link.task_id)
    cascade = session.get(Cascade, task.cascade_id) if task else None
    if task is None or cascade is None or link.actor in (task.body_id, cascade.coordinator_id):
        return None
    return cascade.coordinator_id


def _remind(session: Session, link: LinkToken, *, at: dt.datetime, note: str | None) -> ActionResult:
    """'Nhắc lại': no status change; an audit event (from = to) and one more reminder mail."""
    check_note(note)
    task = session.get(Task, link.task_id)
    if task is None:
        raise TaskNotFound(f"không có nhiệm vụ #{link.task_id}")
    assert task.id is not None  # a stored task
    status = TaskStatus(task.status)
    if status in TERMINAL:
        raise ActionRefused(f"nhiệm vụ #{task.id} đã {status.label}: không cần nhắc nữa",
                            status=status)
    event = TaskEvent(task_id=task.id, at=at, actor=link.actor, channel=EMAIL_LINK,
                      action="remind", from_status=status.value, to_status=status.value,
                      note=note)
    session.add(event)
    session.flush()
    assert event.id is not None and link.id is not None
    queue_manual_reminder(session=session, task=task, event=event, link_id=link.id, at=at)
    return ActionResult(task.id, "remind", status, status, event.id,
                        follow_ups=[f"thư nhắc lại gửi {task.body_id}"])
