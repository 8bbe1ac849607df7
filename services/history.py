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
    e = t.task_event
    rows = session.execute(sa.select(e).where(e.c.task_id == task_id).order_by(e.c.id)).all()
    names = actor_names(session, {r.actor for r in rows})
    return [HistoryEvent(r.id, r.at, r.actor, names.get(r.actor, r.actor), r.channel, r.action,
                         role, r.from_status, r.to_status, r.note, r.data)
            for r in rows]


def actor_names(session: Any, actors: set[str]) -> dict[str, str]:
    """Who an audit actor is, by name: a body's name, the system, or a console user's name and
    role ('user:3'). `session`: a Connection or a Session."""
    from models.accounts import user_id_of
    from models.vocabulary import USER_ROLE, label

    b, u = t.body, t.user_account
    names = dict(session.execute(sa.select(b.c.id, b.c.name).where(b.c.id.in_(actors))).all())
    if SYSTEM in actors:
        names[SYSTEM] = SYSTEM_ACTOR
    users = {a: uid for a in actors if (uid := user_id_of(a)) is not None}
    if users:
        rows = session.execute(sa.select(u.c.id, u.c.name, u.c.role)
                               .where(u.c.id.in_(set(users.values())))).all()
        by_id = {r.id: f"{r.name} ({label(USER_ROLE, r.role)})" for r in rows}
        names |= {a: by_id.get(uid, a) for a, uid in users.items()}
    return names
