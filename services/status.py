"""The status listing: tasks with body, role, status, due date and colour as of a moment."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass

import sqlalchemy as sa
from sqlmodel import Session, col, select

from models.calendar import WorkingCalendar
from models.directives import NotFound, directive_ids
from models.status import TERMINAL, Role, TaskStatus, colour
from models.tables import Assignment, Body, Cascade, Directive, Task, select_columns
from models.vocabulary import business_date


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

    def as_json(self) -> dict:
        data = asdict(self)
        data["due_on"] = self.due_on.isoformat() if self.due_on else None
        return data


def list_tasks(
    *,
    session: Session,
    at: dt.datetime,
    tz: dt.tzinfo,
    calendar: WorkingCalendar,
    near_due_working_days: int,
    directive: str | None = None,
    body: str | None = None,
) -> list[TaskView]:
    """Tasks, in directive and item order; filtered by directive number and/or body id."""
    today = business_date(at, tz)
    query = (
        select_columns(Task.id, Directive.number, Assignment.ref, Task.body_id, Body.name, Task.role,
                       Task.status, Task.occurrence, Task.due_on, Task.closed_at,
                       Assignment.deadline_rule, Task.cascade_id)
        .join(Assignment, col(Assignment.id) == Task.assignment_id)
        .join(Cascade, col(Cascade.id) == Task.cascade_id)
        .join(Directive, col(Directive.id) == Cascade.directive_id)
        .join(Body, col(Body.id) == Task.body_id)
    )
    if directive:
        ids = [i for i, _, _ in directive_ids(session, directive)]
        cascade_ids = session.exec(select(Cascade.id).where(col(Cascade.directive_id).in_(ids))).all()
        query = query.where(col(Task.cascade_id).in_(cascade_ids))
    if body:
        if session.get(Body, body) is None:
            raise NotFound(f"không có đơn vị {body!r} trong sổ đăng ký")
        query = query.where(Task.body_id == body)
    query = query.order_by(col(Directive.number), col(Assignment.position), col(Task.role).desc(),
                           col(Task.id))
    rows = session.execute(query).all()
    progress = _child_progress(session, [r.id for r in rows])
    out = []
    for r in rows:
        status = TaskStatus(r.status)
        closed_on = business_date(r.closed_at, tz) if r.closed_at else None
        hue = colour(status=status, due_on=r.due_on, today=today, calendar=calendar,
                     near_due_working_days=near_due_working_days, closed_on=closed_on)
        out.append(TaskView(
            id=r.id, directive=r.number, ref=r.ref, body=r.body_id, body_name=r.name,
            role=Role(r.role).value, status=status.value, occurrence=r.occurrence,
            due_on=r.due_on, colour=hue.value, deadline_rule=r.deadline_rule,
            child_progress=progress.get(r.id)))
    return out


def _child_progress(session: Session, task_ids: list[int]) -> dict[int, str]:
    """'finished/total' of the child cascades that fulfil any of `task_ids`."""
    if not task_ids:
        return {}
    rows = session.execute(
        select(Cascade.parent_task_id, Cascade.id).where(col(Cascade.parent_task_id).is_not(None))
    ).all()
    wanted = set(task_ids)
    children = [(p, c) for p, c in rows if p in wanted]
    if not children:
        return {}
    counts = session.execute(
        select(Task.cascade_id,
               sa.func.count(),
               sa.func.sum(sa.case((col(Task.status).in_([s.value for s in TERMINAL]), 1), else_=0)))
        .where(col(Task.cascade_id).in_([c for _, c in children]))
        .group_by(col(Task.cascade_id))).all()
    by_cascade = {cid: (int(done or 0), int(total)) for cid, total, done in counts}
    out: dict[int, list[int]] = {}
    for parent, child in children:
        done, total = by_cascade.get(child, (0, 0))
        acc = out.setdefault(parent, [0, 0])
        acc[0] += done
        acc[1] += total
    return {p: f"{d}/{t}" for p, (d, t) in out.items()}
