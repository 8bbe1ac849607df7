"""The status listing: tasks with body, role, status, due date and colour as of a moment.

On the light read path (models/reading.py: SQLAlchemy Core, no ORM): `cascade status` answers
in about the time Python takes to import SQLAlchemy. `db` is a Connection or a Session.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from models import reading as t
from models.directives import NotFound, directive_ids
from models.status import TERMINAL, colour_by
from models.vocabulary import business_date
from services.chasing import unchased_note

if TYPE_CHECKING:
    from models.calendar import WorkingCalendar


@dataclass(frozen=True)
class TaskView:
    id: int
    directive: str
    ref: str
    body: str
    body_name: str
    role: str
    status: str
    occurrence: int
    due_on: dt.date | None
    colour: str
    deadline_rule: str | None
    child_progress: str | None  # "3/5" when a child cascade fulfils the task
    chase_note: str | None = None  # why the sweep no longer reminds or escalates it, if so

    def as_json(self) -> dict:
        data = asdict(self)
        data["due_on"] = self.due_on.isoformat() if self.due_on else None
        return data


def list_tasks(
    *,
    session: Any,
    at: dt.datetime,
    tz: dt.tzinfo,
    calendar: WorkingCalendar,
    near_due_working_days: int,
    directive: str | None = None,
    body: str | None = None,
) -> list[TaskView]:
    """Tasks, in directive and item order; filtered by directive number and/or body id."""
    today = business_date(at, tz)
    # the one working-day sum the colours need: near due means due on or before this day
    near_limit = calendar.add_working_days(today, near_due_working_days)
    query = (
        sa.select(t.task.c.id, t.directive.c.number, t.assignment.c.ref, t.task.c.body_id,
                  t.body.c.name, t.task.c.role, t.task.c.status, t.task.c.occurrence,
                  t.task.c.due_on, t.task.c.closed_at, t.assignment.c.deadline_rule,
                  t.task.c.unchased)
        .select_from(t.task
                     .join(t.assignment, t.assignment.c.id == t.task.c.assignment_id)
                     .join(t.cascade, t.cascade.c.id == t.task.c.cascade_id)
                     .join(t.directive, t.directive.c.id == t.cascade.c.directive_id)
                     .join(t.body, t.body.c.id == t.task.c.body_id)))
    if directive:
        ids = [i for i, _, _ in directive_ids(session, directive)]
        query = query.where(t.cascade.c.directive_id.in_(ids))
    if body:
        if session.execute(sa.select(t.body.c.id).where(t.body.c.id == body)).first() is None:
            raise NotFound(f"không có đơn vị {body!r} trong sổ đăng ký")
        query = query.where(t.task.c.body_id == body)
    query = query.order_by(t.directive.c.number, t.assignment.c.position, t.task.c.role.desc(),
                           t.task.c.id)
    rows = session.execute(query).all()
    progress = _child_progress(session, [r.id for r in rows])
    return [TaskView(id=r.id, directive=r.number, ref=r.ref, body=r.body_id, body_name=r.name,
                     role=r.role, status=r.status, occurrence=r.occurrence, due_on=r.due_on,
                     colour=colour_by(status=r.status, due_on=r.due_on, today=today,
                                      near_limit=near_limit,
                                      closed_on=business_date(r.closed_at, tz) if r.closed_at
                                      else None).value,
                     deadline_rule=r.deadline_rule, child_progress=progress.get(r.id),
                     chase_note=unchased_note(status=r.status, due_on=r.due_on, today=today,
                                              unchased=bool(r.unchased)))
            for r in rows]


def _child_progress(session: Any, task_ids: list[int]) -> dict[int, str]:
    """'finished/total' of the child cascades that fulfil any of `task_ids`."""
    if not task_ids:
        return {}
    rows = session.execute(sa.select(t.cascade.c.parent_task_id, t.cascade.c.id)
                           .where(t.cascade.c.parent_task_id.is_not(None))).all()
    wanted = set(task_ids)
    children = [(p, c) for p, c in rows if p in wanted]
    if not children:
        return {}
    finished = sa.func.sum(sa.case((t.task.c.status.in_([s.value for s in TERMINAL]), 1), else_=0))
    counts = session.execute(
        sa.select(t.task.c.cascade_id, sa.func.count(), finished)
        .where(t.task.c.cascade_id.in_([c for _, c in children]))
        .group_by(t.task.c.cascade_id)).all()
    by_cascade = {cid: (int(done or 0), int(total)) for cid, total, done in counts}
    out: dict[int, list[int]] = {}
    for parent, child in children:
        done, total = by_cascade.get(child, (0, 0))
        acc = out.setdefault(parent, [0, 0])
        acc[0] += done
        acc[1] += total
    return {p: f"{d}/{total}" for p, (d, total) in out.items()}
