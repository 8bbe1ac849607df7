"""The report rows that follow audit events: every 'report' event has its task_report row
(whatever the channel), and an 'accept' or 'return' event records the coordinator's review on
the report it is about. Called by services/actions.py inside the transition's transaction."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlmodel import Session, col, select

from models.tables import Task, TaskEvent, TaskReport, table_of

REVIEWS = {"accept": "accepted", "return": "returned"}


def follow_event(session: Session, task: Task, event: TaskEvent) -> None:
    """Write what `event` implies for the task's reports (nothing for other actions)."""
    assert event.id is not None and task.id is not None
    if event.action == "report":
        session.add(TaskReport(task_id=task.id, event_id=event.id, actor=event.actor,
                               channel=event.channel, at=event.at, summary=event.note))
        session.flush()
    elif event.action in REVIEWS:
        latest = latest_report_id(session, task.id)
        if latest is None:
            return
        t = table_of(TaskReport)
        session.connection().execute(
            sa.update(t).where(t.c.id == latest, t.c.outcome.is_(None))
            .values(outcome=REVIEWS[event.action], reviewed_at=event.at, reviewed_by=event.actor,
                    review_note=event.note, review_event_id=event.id))


def latest_report_id(session: Session, task_id: int) -> int | None:
    return session.exec(select(TaskReport.id).where(TaskReport.task_id == task_id)
                        .order_by(col(TaskReport.id).desc())).first()


def reported_at(session: Session, task_id: int) -> dt.datetime | None:
    """When the task's body last reported (the date an accepted task is done on)."""
    return session.exec(select(TaskEvent.at).where(TaskEvent.task_id == task_id,
                                                   TaskEvent.action == "report")
                        .order_by(col(TaskEvent.id).desc())).first()
