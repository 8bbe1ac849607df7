"""Which mails a change implies, queued in the outbox in the same transaction as the change.

Nothing here renders or sends: the dispatcher does (notifications/). Each row has a unique
key, so queueing twice for the same task or event is a no-op.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, select

from models.mail import KINDS, TASK_ASSIGNED, MailKind, follow_up_kind
from models.registry import EXTERNAL_KIND
from models.tables import Body, Cascade, Outbox, Task, TaskEvent, select_columns, table_of


def _external() -> sa.Select:  # type: ignore[type-arg]
    return select(Body.id).where(Body.kind == EXTERNAL_KIND)


def task_state(*, status: str, due_on: dt.date | None, requested_due_on: dt.date | None,
               version: int) -> dict[str, Any]:
    """A task's changing fields as a mail will tell them (the outbox payload's "task")."""
    return {"status": status, "due_on": due_on.isoformat() if due_on else None,
            "requested_due_on": requested_due_on.isoformat() if requested_due_on else None,
            "version": version}


def state_of(task: Task) -> dict[str, Any]:
    return task_state(status=task.status, due_on=task.due_on,
                      requested_due_on=task.requested_due_on, version=task.version)


def _state_in_sql(dialect: str) -> Any:
    """The payload {"task": state} of a task just created, built by the database itself (the
    launch queues one mail per task in one INSERT ... SELECT)."""
    build = sa.func.json_build_object if dialect == "postgresql" else sa.func.json_object
    return build("task", build("status", Task.status, "due_on", Task.due_on,
                               "requested_due_on", Task.requested_due_on, "version", Task.version))


def queue_assignments(*, session: Session, cascade_id: int, at: dt.datetime) -> None:
    """One 'task_assigned' mail per task of the cascade, in one INSERT ... SELECT; none for a
    body outside the system (recorded, never mailed)."""
    outbox = table_of(Outbox)
    key = sa.literal("task_assigned:") + sa.cast(Task.id, sa.String)
    payload = _state_in_sql(session.get_bind().dialect.name)
    session.execute(sa.insert(outbox).from_select(
        ["key", "kind", "task_id", "body_id", "status", "attempts", "next_attempt_at",
         "created_at", "payload"],
        select_columns(key, sa.literal(TASK_ASSIGNED.name), Task.id, Task.body_id,
                       sa.literal("pending"), sa.literal(0), sa.literal(at, outbox.c.created_at.type),
                       sa.literal(at, outbox.c.created_at.type), payload)
        .where(Task.cascade_id == cascade_id, sa.not_(Task.body_id.in_(_external())))))  # type: ignore[attr-defined]


def queue_task_assigned(*, session: Session, task: Task, at: dt.datetime) -> None:
    _queue(session, f"task_assigned:{task.id}", TASK_ASSIGNED, task.id, task.body_id, None, at,
           state_of(task))


def queue_follow_up(*, session: Session, task: Task, event: TaskEvent, at: dt.datetime,
                    state: dict[str, Any]) -> None:
    """The mail an event implies, unless its recipient is the one who acted; it will say what
    the task was right after the event (`state`), whenever it is sent."""
    if follow_up_kind(event.action, event.to_status) is None:
        return
    cascade = session.get(Cascade, task.cascade_id)  # already in the session, as a rule
    assert cascade is not None and task.id is not None and event.id is not None
    row = follow_up_row(action=event.action, to_status=event.to_status, actor=event.actor,
                        task_id=task.id, body_id=task.body_id,
                        coordinator_id=cascade.coordinator_id, event_id=event.id, at=at,
                        state=state, on_behalf_of=(event.data or {}).get("on_behalf_of"))
    if row is not None:
        _queue(session, row["key"], KINDS[row["kind"]], task.id, row["body_id"], event.id, at,
               state)


def follow_up_row(*, action: str, to_status: str, actor: str, task_id: int, body_id: str,
                  coordinator_id: str, event_id: int, at: dt.datetime, state: dict[str, Any],
                  on_behalf_of: str | None = None,
                  body_outside: bool = False) -> dict[str, Any] | None:
    """The Outbox row of the mail an event implies, for a caller that holds the ids (a link
    click, services.clicks; queue_follow_up); None when the event implies no mail, when its
    recipient is who acted (or for whom), or when it would go to a body outside the system."""
    name = follow_up_kind(action, to_status)
    if name is None:
        return None
    kind = KINDS[name]
    recipient = body_id if kind.to == "body" else coordinator_id
    if recipient in (actor, on_behalf_of):
        return None  # the one who acted (a console user acts for the coordinator)
    if recipient == body_id and body_outside:
        return None  # outside the system: recorded, never mailed
    return {"key": f"{name}:{event_id}", "kind": kind.name, "task_id": task_id,
            "body_id": recipient, "event_id": event_id, "status": "pending", "attempts": 0,
            "next_attempt_at": at, "created_at": at, "payload": {"task": state}}


def queue_manual_reminder(*, session: Session, task: Task, event: TaskEvent, link_id: int,
                          at: dt.datetime) -> None:
    """A supervisor asked, through an escalation mail, to remind the body once more."""
    _queue(session, f"manual_reminder:{link_id}", KINDS["manual_reminder"], task.id, task.body_id,
           event.id, at, state_of(task))


def queue_event_reminder(*, session: Session, task: Task, event: TaskEvent, at: dt.datetime) -> None:
    """A console user asked to remind the body once more (one mail per such event)."""
    _queue(session, f"manual_reminder:event:{event.id}", KINDS["manual_reminder"], task.id,
           task.body_id, event.id, at, state_of(task))


def _queue(session: Session, key: str, kind: MailKind, task_id: int | None, body_id: str,
           event_id: int | None, at: dt.datetime, state: dict[str, Any]) -> None:
    body = session.get(Body, body_id)
    if body is not None and body.kind == EXTERNAL_KIND:
        return  # outside the system: recorded, never mailed
    exists = session.exec(select(Outbox.id).where(Outbox.key == key)).first()
    if exists is None:
        session.add(Outbox(key=key, kind=kind.name, task_id=task_id, body_id=body_id,
                           event_id=event_id, next_attempt_at=at, created_at=at,
                           payload={"task": state}))
