"""Which mails a change implies, queued in the outbox in the same transaction as the change.

Nothing here renders or sends: the dispatcher does (notifications/). Each row has a unique
key, so queueing twice for the same task or event is a no-op.
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlmodel import Session, select

from models.mail import KINDS, TASK_ASSIGNED, MailKind, follow_up_kind
from models.registry import EXTERNAL_KIND
from models.tables import Body, Cascade, Outbox, Task, TaskEvent, select_columns, table_of


def _external() -> sa.Select:  # type: ignore[type-arg]
    return select(Body.id).where(Body.kind == EXTERNAL_KIND)


def queue_assignments(*, session: Session, cascade_id: int, at: dt.datetime) -> None:
    """One 'task_assigned' mail per task of the cascade, in one INSERT ... SELECT; none for a
    body outside the system (recorded, never mailed)."""
    outbox = table_of(Outbox)
    key = sa.literal("task_assigned:") + sa.cast(Task.id, sa.String)
    session.execute(sa.insert(outbox).from_select(
        ["key", "kind", "task_id", "body_id", "status", "attempts", "next_attempt_at",
         "created_at"],
        select_columns(key, sa.literal(TASK_ASSIGNED.name), Task.id, Task.body_id,
                       sa.literal("pending"), sa.literal(0), sa.literal(at, outbox.c.created_at.type),
                       sa.literal(at, outbox.c.created_at.type))
        .where(Task.cascade_id == cascade_id, sa.not_(Task.body_id.in_(_external())))))  # type: ignore[attr-defined]


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
    if recipient in (event.actor, (event.data or {}).get("on_behalf_of")):
        return  # the one who acted (a console user acts for the coordinator)
    _queue(session, f"{name}:{event.id}", kind, task.id, recipient, event.id, at)


def queue_manual_reminder(*, session: Session, task: Task, event: TaskEvent, link_id: int,
                          at: dt.datetime) -> None:
    """A supervisor asked, through an escalation mail, to remind the body once more."""
    _queue(session, f"manual_reminder:{link_id}", KINDS["manual_reminder"], task.id, task.body_id,
           event.id, at)


def queue_event_reminder(*, session: Session, task: Task, event: TaskEvent, at: dt.datetime) -> None:
    """A console user asked to remind the body once more (one mail per such event)."""
    _queue(session, f"manual_reminder:event:{event.id}", KINDS["manual_reminder"], task.id,
           task.body_id, event.id, at)


def _queue(session: Session, key: str, kind: MailKind, task_id: int | None, body_id: str,
           event_id: int | None, at: dt.datetime) -> None:
    body = session.get(Body, body_id)
    if body is not None and body.kind == EXTERNAL_KIND:
        return  # outside the system: recorded, never mailed
    exists = session.exec(select(Outbox.id).where(Outbox.key == key)).first()
    if exists is None:
        session.add(Outbox(key=key, kind=kind.name, task_id=task_id, body_id=body_id,
                           event_id=event_id, next_attempt_at=at, created_at=at))
