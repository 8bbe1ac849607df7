"""A task's audit trail as a user reads it, on the light read path (Core)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from models import reading as t
from models.status import SYSTEM
from models.vocabulary import SYSTEM_ACTOR


class TaskNotFound(LookupError):
    pass


@dataclass(frozen=True)
class HistoryEvent:
    """One audit event as a user reads it: who by name, and the task's role for the label."""

    id: int
    at: dt.datetime
    actor: str
    actor_name: str
    channel: str
    action: str
    role: str
    from_status: str | None
    to_status: str
    note: str | None
    data: dict | None


def task_history(session: Any, task_id: int) -> list[HistoryEvent]:
    """The task's audit trail, oldest first. `session`: a Connection or a Session."""
    role = session.execute(sa.select(t.task.c.role).where(t.task.c.id == task_id)).scalar()
    if role is None:
        raise TaskNotFound(f"không có nhiệm vụ #{task_id}")
    e, b = t.task_event, t.body
    rows = session.execute(
        sa.select(e, b.c.name.label("actor_name"))
        .select_from(e.outerjoin(b, b.c.id == e.c.actor))
        .where(e.c.task_id == task_id).order_by(e.c.id)).all()
    return [HistoryEvent(r.id, r.at, r.actor,
                         r.actor_name or (SYSTEM_ACTOR if r.actor == SYSTEM else r.actor),
                         r.channel, r.action, role, r.from_status, r.to_status, r.note, r.data)
            for r in rows]
