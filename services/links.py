"""One-click links: random tokens, stored only as a hash, scoped to one task and one action.

A token is `<random 256 bits>.<signature>`; the signature (HMAC with CASCADE_SECRET_KEY) tells
a tampered link (400) from an unknown one (404) without a database lookup. A token is
single-use: the UPDATE that marks it used matches only an unused row, so of fifty
simultaneous clicks one acts and the others are told it is already done.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass

import sqlalchemy as sa
from sqlmodel import Session, select

from models.status import TERMINAL, TaskStatus
from models.tables import LinkToken, Task, TaskEvent, table_of
from services.actions import ActionRefused, ActionResult, TaskNotFound, record_action
from services.notify import LINK_ONLY_ACTIONS, queue_manual_reminder

_TOKEN = re.compile(r"[A-Za-z0-9_-]{43}\.[A-Za-z0-9_-]{22}")


class LinkInvalid(ValueError):
    """The link cannot act; `status_code` is the HTTP status a page should answer with."""

    def __init__(self, status_code: int, message: str, token: LinkToken | None = None):
        super().__init__(message)
        self.status_code = status_code
        self.token = token


def _signature(secret: str, random_part: str) -> str:
    mac = hmac.new(secret.encode(), random_part.encode(), hashlib.sha256).digest()[:16]
    return base64.urlsafe_b64encode(mac).decode().rstrip("=")


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_link(*, secret: str, task_id: int, action: str, actor: str, at: dt.datetime,
             ttl_days: int, outbox_id: int | None = None) -> tuple[str, dict]:
    """A fresh random token and the LinkToken row (as a dict) that stores its hash."""
    random_part = secrets.token_urlsafe(32)
    token = f"{random_part}.{_signature(secret, random_part)}"
    row = {"token_hash": token_hash(token), "task_id": task_id, "action": action, "actor": actor,
           "outbox_id": outbox_id, "created_at": at, "expires_at": at + dt.timedelta(days=ttl_days)}
    return token, row


def issue_link(*, session: Session, secret: str, task_id: int, action: str, actor: str,
               at: dt.datetime, ttl_days: int, outbox_id: int | None = None) -> str:
    """Create a link token for `action` on `task_id` by `actor`; return the raw token."""
    token, row = new_link(secret=secret, task_id=task_id, action=action, actor=actor, at=at,
                          ttl_days=ttl_days, outbox_id=outbox_id)
    session.add(LinkToken(**row))
    return token


def find_link(*, session: Session, secret: str, token: str, at: dt.datetime) -> LinkToken:
    """The stored link for `token`, or LinkInvalid with 400 (tampered), 404, or 410."""
    if not _TOKEN.fullmatch(token or ""):
        raise LinkInvalid(400, "Đường dẫn không đúng dạng: có thể đã bị cắt hoặc sửa.")
    random_part, signature = token.split(".")
    if not hmac.compare_digest(signature, _signature(secret, random_part)):
        raise LinkInvalid(400, "Đường dẫn đã bị sửa đổi nên không dùng được.")
    link = session.exec(select(LinkToken).where(LinkToken.token_hash == token_hash(token))).first()
    if link is None:
        raise LinkInvalid(404, "Không tìm thấy đường dẫn này.")
    if link.used_at is not None:
        raise LinkInvalid(410, f"Đường dẫn đã được dùng lúc {_local(link.used_at)}.", link)
    if link.expires_at <= at:
        raise LinkInvalid(410, f"Đường dẫn đã hết hạn từ {_local(link.expires_at)}.", link)
    return link


def _local(when: dt.datetime) -> str:
    vn = dt.timezone(dt.timedelta(hours=7))
    return f"{when.astimezone(vn):%H:%M ngày %d/%m/%Y}"


@dataclass(frozen=True)
class LinkOutcome:
    link: LinkToken
    result: ActionResult


def use_link(*, session: Session, secret: str, token: str, at: dt.datetime,
             note: str | None = None, until: dt.date | None = None,
             today: dt.date | None = None) -> LinkOutcome:
    """Spend the token and apply its action through record_action (channel 'email-link').

    Raises LinkInvalid, or ActionRefused when the task's status no longer allows the action;
    either way the caller's transaction rolls back and nothing changes.
    """
    link = find_link(session=session, secret=secret, token=token, at=at)
    table = table_of(LinkToken)
    spent = session.connection().execute(
        sa.update(table).where(table.c.id == link.id, table.c.used_at.is_(None))
        .values(used_at=at))
    if spent.rowcount != 1:
        session.expire(link)
        raise LinkInvalid(410, "Đường dẫn vừa được dùng.", link)
    if link.action in LINK_ONLY_ACTIONS:
        return LinkOutcome(link, _remind(session, link, at=at, note=note))
    result = record_action(session=session, task_id=link.task_id, action=link.action,
                           actor=link.actor, channel="email-link", at=at, note=note, until=until,
                           today=today, on_behalf_of=_acting_for(session, link))
    return LinkOutcome(link, result)


def _acting_for(session: Session, link: LinkToken) -> str | None:
    """A link issued to neither the task's body nor its coordinator went to a supervisor in an
    escalation: the token is the system's grant to act for the coordinator."""
    from models.tables import Cascade, Task

    task = session.get(Task, link.task_id)
    cascade = session.get(Cascade, task.cascade_id) if task else None
    if task is None or cascade is None or link.actor in (task.body_id, cascade.coordinator_id):
        return None
    return cascade.coordinator_id


def _remind(session: Session, link: LinkToken, *, at: dt.datetime, note: str | None) -> ActionResult:
    """'Nhắc lại': no status change; an audit event (from = to) and one more reminder mail."""
    task = session.get(Task, link.task_id)
    if task is None:
        raise TaskNotFound(f"không có nhiệm vụ #{link.task_id}")
    assert task.id is not None  # a stored task
    status = TaskStatus(task.status)
    if status in TERMINAL:
        raise ActionRefused(f"nhiệm vụ #{task.id} đã {status.label}: không cần nhắc nữa",
                            status=status)
    event = TaskEvent(task_id=task.id, at=at, actor=link.actor, channel="email-link",
                      action="remind", from_status=status.value, to_status=status.value,
                      note=note)
    session.add(event)
    session.flush()
    assert event.id is not None and link.id is not None
    queue_manual_reminder(session=session, task=task, event=event, link_id=link.id, at=at)
    return ActionResult(task.id, "remind", status, status, event.id,
                        follow_ups=[f"thư nhắc lại gửi {task.body_id}"])
