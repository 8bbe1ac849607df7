"""What a console user does, through the same services as every other channel: act on a task,
remind a body, retry a mail, edit a body's addresses. The user is the audit actor
(`user:<id>`), acting on behalf of the cascade's coordinator, through channel 'web'.

Which role may do what is decided here, once (`permitted`); the web layer asks before showing
a button and this module refuses again when the request arrives.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa
from sqlmodel import Session, col, select

from models.accounts import UserRole, user_actor
from models.console_tables import ContactEdit
from models.contacts import valid_address
from models.mail import KINDS
from models.status import TERMINAL, Actor, Role, TaskStatus, allowed_actions
from models.tables import Body, BodyContact, BodyGroup, Cascade, Outbox, Task, TaskEvent, table_of
from services.actions import ActionRefused, ActionResult, NewDate, TaskNotFound, record_action
from services.notify import queue_event_reminder

WEB = "web"
REMIND = "remind"
# Accepting a report: the task is done, dated by the report (services.actions.record_action)
ACCEPT_ACTION = "accept"
# A supervisor takes what the escalation mail lets him take by link.
SUPERVISOR_ACTIONS = frozenset(KINDS["escalation"].links)
MAX_ADDRESSES = 10


class NotPermitted(PermissionError):
    """The user's role does not allow this; nothing changed."""


def permitted(role: UserRole, action: str) -> bool:
    if role is UserRole.COORDINATOR:
        return True
    if role is UserRole.SUPERVISOR:
        return action in SUPERVISOR_ACTIONS
    return False


def available_actions(role: UserRole, task_role: str, status: str) -> list[str]:
    """The buttons a task page offers this user now: the coordinator's transitions (plus a
    reminder while the task is open), filtered by what the user's role permits."""
    status_, role_ = TaskStatus(status), Role(task_role)
    actions = allowed_actions(role_, status_, Actor.COORDINATOR)
    if status_ not in TERMINAL:
        actions.append(REMIND)
    return [a for a in dict.fromkeys(actions) if permitted(role, a)]


def _require(role: UserRole, action: str) -> None:
    if not permitted(role, action):
        raise NotPermitted(f"vai trò của bạn không được thực hiện thao tác «{action}»")


def act(*, session: Session, user_id: int, role: UserRole, task_id: int, action: str,
        at: dt.datetime, tz: dt.tzinfo, note: str | None = None,
        until: NewDate | None = None) -> ActionResult:
    """Apply `action` to the task as console user `user_id` (record_action's refusals apply)."""
    _require(role, action)
    task = session.get(Task, task_id)
    if task is None:
        raise TaskNotFound(f"không có nhiệm vụ #{task_id}")
    if action == REMIND:
        return remind(session=session, task=task, user_id=user_id, at=at, note=note)
    cascade = session.get(Cascade, task.cascade_id)
    assert cascade is not None
    return record_action(session=session, task_id=task_id, action=action, at=at,
                         actor=user_actor(user_id), channel=WEB, note=note, until=until, tz=tz,
                         on_behalf_of=cascade.coordinator_id)


def accept_report(*, session: Session, user_id: int, role: UserRole, task_id: int,
                  at: dt.datetime, tz: dt.tzinfo, note: str | None = None) -> ActionResult:
    """The inbox's "accept": the one place that says which transition accepts a report; only a
    reported task is accepted (closing one still at work is the task page's "close")."""
    task = session.get(Task, task_id)
    if task is None:
        raise TaskNotFound(f"không có nhiệm vụ #{task_id}")
    if task.status != TaskStatus.REPORTED.value:
        status = TaskStatus(task.status)
        raise ActionRefused(f"nhiệm vụ #{task_id} đang ở trạng thái '{status.label}', không có báo "
                            "cáo chờ chấp nhận", status=status)
    return act(session=session, user_id=user_id, role=role, task_id=task_id,
               action=ACCEPT_ACTION, at=at, tz=tz, note=note)


def remind(*, session: Session, task: Task, user_id: int, at: dt.datetime,
           note: str | None) -> ActionResult:
    """'Nhắc lại': no status change; an audit event (from = to) and one more reminder mail."""
    assert task.id is not None
    status = TaskStatus(task.status)
    if status in TERMINAL:
        raise ActionRefused(f"nhiệm vụ #{task.id} đã {status.label}: không cần nhắc nữa",
                            status=status)
    cascade = session.get(Cascade, task.cascade_id)
    assert cascade is not None
    event = TaskEvent(task_id=task.id, at=at, actor=user_actor(user_id), channel=WEB,
                      action=REMIND, from_status=status.value, to_status=status.value, note=note,
                      data={"on_behalf_of": cascade.coordinator_id})
    session.add(event)
    session.flush()
    queue_event_reminder(session=session, task=task, event=event, at=at)
    return ActionResult(task.id, REMIND, status, status, event.id or 0,
                        follow_ups=[f"thư nhắc lại gửi {task.body_id}"])


class MailNotFound(LookupError):
    pass


@dataclass(frozen=True)
class Retried:
    requeued: bool
    status: str  # the mail's status before: only a failed one goes back to the queue


def retry_mail(*, session: Session, role: UserRole, outbox_id: int, at: dt.datetime) -> Retried:
    """A failed mail goes back to the queue, due now; a mail in any other state (sent, waiting,
    being sent) is left as it is, and the outcome says so. MailNotFound when there is none."""
    _require(role, "resend")
    t = table_of(Outbox)
    result = session.connection().execute(
        sa.update(t).where(t.c.id == outbox_id, t.c.status == "failed")
        .values(status="pending", next_attempt_at=at, last_error=None))
    if (result.rowcount or 0) == 1:
        return Retried(requeued=True, status="failed")
    status = session.connection().execute(sa.select(t.c.status).where(t.c.id == outbox_id)).scalar()
    if status is None:
        raise MailNotFound(f"Không có thư #{outbox_id}")
    return Retried(requeued=False, status=status)


# --- Bodies and their addresses -----------------------------------------------------------------

@dataclass(frozen=True)
class BodyLine:
    id: str
    name: str
    kind: str
    addresses: list[str]
    edited_at: dt.datetime | None  # set in the console (wins over the contacts file)


def bodies(*, session: Session) -> tuple[list[BodyLine], list[BodyGroup]]:
    contacts: dict[str, list[str]] = {}
    for c in session.exec(select(BodyContact).order_by(col(BodyContact.body_id),
                                                       col(BodyContact.position))).all():
        contacts.setdefault(c.body_id, []).append(c.address)
    edited = dict(session.execute(select(ContactEdit.body_id, ContactEdit.at)).all())
    lines = [BodyLine(b.id, b.name, b.kind, contacts.get(b.id, []), edited.get(b.id))
             for b in session.exec(select(Body)).all()]
    groups = list(session.exec(select(BodyGroup).order_by(col(BodyGroup.id))).all())
    return lines, groups


def parse_addresses(text: str) -> list[str]:
    """Addresses separated by commas, semicolons or line breaks; ValueError names a bad one."""
    parts = [p.strip() for p in text.replace(";", ",").replace("\n", ",").split(",")]
    addresses = list(dict.fromkeys(p for p in parts if p))
    bad = [a for a in addresses if not valid_address(a)]
    if bad:
        raise ValueError(f"địa chỉ e-mail không hợp lệ: {', '.join(bad)}")
    if len(addresses) > MAX_ADDRESSES:
        raise ValueError(f"tối đa {MAX_ADDRESSES} địa chỉ cho một đơn vị")
    return addresses


def set_contacts(*, session: Session, role: UserRole, user_id: int, body_id: str,
                 addresses: list[str], at: dt.datetime) -> None:
    """Replace a body's addresses (kept in the database; launches and `cascade init` keep
    them); mails waiting for an address become due."""
    from services.dispatch import release_waiting

    _require(role, "edit-contacts")
    if session.get(Body, body_id) is None:
        raise TaskNotFound(f"không có đơn vị {body_id}")
    session.merge(ContactEdit(body_id=body_id, addresses=addresses, user_id=user_id, at=at))
    session.connection().execute(sa.delete(table_of(BodyContact))
                                 .where(table_of(BodyContact).c.body_id == body_id))
    for i, address in enumerate(addresses):
        session.add(BodyContact(body_id=body_id, position=i, address=address))
    session.flush()
    release_waiting(session=session, at=at)
