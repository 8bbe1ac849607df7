"""Which mails a change implies, queued in the outbox in the same transaction as the change.

Nothing here renders or sends: the dispatcher does (notifications/). Each row has a unique
key, so queueing twice for the same task or event is a no-op.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa
from sqlmodel import Session, select

from models.tables import Cascade, Outbox, Task, TaskEvent, select_columns, table_of


@dataclass(frozen=True)
class MailKind:
    """A kind of mail: who receives it, and which one-click actions its links offer."""

    name: str
    to: str  # "body" (the task's body), "coordinator" (the cascade's), "supervisor" (escalations)
    links: tuple[str, ...]


TASK_ASSIGNED = MailKind("task_assigned", "body", ("acknowledge", "report", "request-extension"))
KINDS = {k.name: k for k in (
    TASK_ASSIGNED,
    MailKind("task_reported", "coordinator", ("close", "return")),
    MailKind("contribution_reported", "coordinator", ()),
    MailKind("task_closed", "coordinator", ()),
    MailKind("extension_requested", "coordinator", ("grant-extension", "refuse-extension")),
    MailKind("extension_decided", "body", ("report", "request-extension")),
    MailKind("report_returned", "body", ("report", "request-extension")),
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

# action -> mail kind; a report is a closing contribution for a co-operating task
_FOLLOW_UPS = {
    "close": "task_closed",
    "request-extension": "extension_requested",
    "grant-extension": "extension_decided",
    "refuse-extension": "extension_decided",
    "extend": "extension_decided",
    "return": "report_returned",
    "cancel": "task_cancelled",
}


def follow_up_kind(action: str, to_status: str) -> str | None:
    if action == "report":
        return "task_reported" if to_status == "reported" else "contribution_reported"
    return _FOLLOW_UPS.get(action)


def queue_assignments(*, session: Session, cascade_id: int, at: dt.datetime) -> None:
    """One 'task_assigned' mail per task of the cascade, in one INSERT ... SELECT."""
    outbox = table_of(Outbox)
    key = sa.literal("task_assigned:") + sa.cast(Task.id, sa.String)
    session.execute(sa.insert(outbox).from_select(
        ["key", "kind", "task_id", "body_id", "status", "attempts", "next_attempt_at",
         "created_at"],
        select_columns(key, sa.literal(TASK_ASSIGNED.name), Task.id, Task.body_id,
                       sa.literal("pending"), sa.literal(0), sa.literal(at, outbox.c.created_at.type),
                       sa.literal(at, outbox.c.created_at.type))
        .where(Task.cascade_id == cascade_id)))


def queue_task_assigned(*, session: Session, task: Task, at: dt.datetime) -> None:
    _queue(session, f"task_assigned:{task.id}", TASK_ASSIGNED, task.id, task.body_id, None, at)


def queue_follow_up(*, session: Session, task: Task, event: TaskEvent, at: dt.datetime) -> None:
    """The mail an event implies, unless its recipient is the one who acted."""
    name = follow_up_kind(event.action, event.to_status)
    if name is None:
        return
    kind = KINDS[name]
    if kind.to == "body":
        recipient = task.body_id
    else:
        cascade = session.get(Cascade, task.cascade_id)
        assert cascade is not None
        recipient = cascade.coordinator_id
    if recipient == event.actor:
        return
    _queue(session, f"{name}:{event.id}", kind, task.id, recipient, event.id, at)


def queue_manual_reminder(*, session: Session, task: Task, event: TaskEvent, link_id: int,
                          at: dt.datetime) -> None:
    """A supervisor asked, through an escalation mail, to remind the body once more."""
    _queue(session, f"manual_reminder:{link_id}", KINDS["manual_reminder"], task.id, task.body_id,
           event.id, at)


def _queue(session: Session, key: str, kind: MailKind, task_id: int | None, body_id: str,
           event_id: int | None, at: dt.datetime) -> None:
    exists = session.exec(select(Outbox.id).where(Outbox.key == key)).first()
    if exists is None:
        session.add(Outbox(key=key, kind=kind.name, task_id=task_id, body_id=body_id,
                           event_id=event_id, next_attempt_at=at, created_at=at))
