"""The evaluation of every body over a period (`cascade evaluate`): the four-way split of
official follow-up reports, returned reports, extensions, an on-time rate, a score and a grade
by the scheme (config/evaluation.yaml), and a rank within the body's kind.

A task counts in the period [start, end] when it was assigned by `end`, is not cancelled, and
was not already done before `start`. Its outcome is read at `end` from what is stored (the
closing time, dated by the report for an accepted one), so a past period reads the same later:
- done_on_time / done_late: done by `end`, on or before its due date, or after it;
- open_overdue: not done by `end` and its due date passed, unless its body reported on time
  and the report waits for review (then open_in_term: the delay is the reviewer's);
- open_in_term: not done by `end`, due on or after `end`, or without a due date.
Returned reports and extensions (granted, given by the coordinator, or a new deadline with a
return) are counted when they happened within the period.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from sqlmodel import Session, col, select

from models.scheme import OUTCOMES, Scheme
from models.status import TaskStatus
from models.tables import Body, Task, TaskEvent, TaskReport, select_columns
from models.vocabulary import body_kind_label, business_date, vi_sort_key

EXTENSION_ACTIONS = ("grant-extension", "extend")
_CHUNK = 500


@dataclass
class BodyEvaluation:
    body: str
    body_name: str
    kind: str
    assigned: int = 0
    done_on_time: int = 0
    done_late: int = 0
    open_in_term: int = 0
    open_overdue: int = 0
    returned: int = 0
    extensions: int = 0
    awaiting_review: int = 0  # in open_in_term: reported on time, not yet reviewed
    on_time_rate: float | None = None
    points: float = 0.0
    counted: int = 0  # tasks whose outcome the scheme scores
    score: float | None = None
    grade: str | None = None
    rank: int | None = None

    def as_json(self) -> dict[str, Any]:
        return {"body": self.body, "body_name": self.body_name, "kind": self.kind,
                "kind_label": body_kind_label(self.kind), "assigned": self.assigned,
                "done_on_time": self.done_on_time, "done_late": self.done_late,
                "open_in_term": self.open_in_term, "open_overdue": self.open_overdue,
                "returned": self.returned, "extensions": self.extensions,
                "on_time_rate": self.on_time_rate, "score": self.score, "grade": self.grade,
                "rank": self.rank, "awaiting_review": self.awaiting_review,
                "counted": self.counted, "points": self.points}


@dataclass
class Evaluation:
    start: dt.date | None
    end: dt.date
    scheme: Scheme
    rows: list[BodyEvaluation] = field(default_factory=list)
    directive: str | None = None
    kind: str | None = None

    def as_json(self) -> list[dict[str, Any]]:
        return [r.as_json() for r in self.rows]

    def by_kind(self) -> list[tuple[str, list[BodyEvaluation]]]:
        groups: dict[str, list[BodyEvaluation]] = defaultdict(list)
        for row in self.rows:
            groups[row.kind].append(row)
        return list(groups.items())


def outcome(*, status: str, due_on: dt.date | None, closed_on: dt.date | None, end: dt.date,
            reported_on: dt.date | None = None) -> str:
    """One task's outcome at `end` (see the module docstring); `reported_on`: the day of a
    report still waiting for review at `end`."""
    if status == TaskStatus.DONE.value and closed_on is not None and closed_on <= end:
        return "done_on_time" if due_on is None or closed_on <= due_on else "done_late"
    if due_on is None or due_on >= end:
        return "open_in_term"
    if reported_on is not None and reported_on <= due_on:
        return "open_in_term"
    return "open_overdue"


def score(row: BodyEvaluation, scheme: Scheme) -> None:
    """Fill the rate, score and grade of `row` from its counts."""
    due = row.done_on_time + row.done_late + row.open_overdue
    row.on_time_rate = round(row.done_on_time / due, 4) if due else None
    counted = {o: getattr(row, o) for o in OUTCOMES if scheme.counted(o)}
    row.counted = sum(counted.values())
    row.points = sum(n * (scheme.points[o] or 0) for o, n in counted.items())
    if row.counted == 0:
        row.score, row.grade = None, None
        return
    raw = row.points - row.returned * scheme.returned - row.extensions * scheme.extension
    row.score = round(max(0.0, raw / row.counted), 2)
    row.grade = scheme.grade(row.score)


def rank(rows: list[BodyEvaluation]) -> list[BodyEvaluation]:
    """Rank within each kind by score (ties share a rank: 1, 1, 3); ungraded bodies unranked;
    ordered by kind, rank, name."""
    kinds: dict[str, list[BodyEvaluation]] = defaultdict(list)
    for row in rows:
        kinds[row.kind].append(row)
    out = []
    for kind in sorted(kinds, key=lambda k: vi_sort_key(body_kind_label(k))):
        group = sorted(kinds[kind], key=lambda r: (r.score is None, -(r.score or 0),
                                                   vi_sort_key(r.body_name)))
        for row in group:
            if row.score is not None:
                row.rank = 1 + sum(1 for other in group
                                   if other.score is not None and other.score > row.score)
        out += group
    return out


def evaluate_tasks(session: Session, *, scheme: Scheme, start: dt.date | None, end: dt.date,
                   tz: dt.tzinfo, cascade_ids: list[int] | None = None,
                   kind: str | None = None) -> Evaluation:
    """The evaluation of the bodies with tasks (of `cascade_ids`, when given) in the period."""
    query = select_columns(Task.id, Task.body_id, Task.status, Task.due_on, Task.created_at,
                           Task.closed_at)
    if cascade_ids is not None:
        query = query.where(col(Task.cascade_id).in_(cascade_ids))
    bodies = {b.id: b for b in session.exec(select(Body)).all()}
    rows: dict[str, BodyEvaluation] = {}
    in_period: dict[int, str] = {}  # task id -> body id
    tasks = [t for t in session.execute(query).all()
             if t.status != TaskStatus.CANCELLED.value and business_date(t.created_at, tz) <= end
             and (kind is None or bodies[t.body_id].kind == kind)]
    pending = _pending_reports(session, [t.id for t in tasks], end, tz)
    for t in tasks:
        closed_on = business_date(t.closed_at, tz) if t.closed_at else None
        if t.status == TaskStatus.DONE.value and closed_on is not None and start is not None \
                and closed_on < start:
            continue
        body = bodies[t.body_id]
        row = rows.setdefault(t.body_id, BodyEvaluation(body.id, body.name, body.kind))
        result = outcome(status=t.status, due_on=t.due_on, closed_on=closed_on, end=end,
                         reported_on=pending.get(t.id))
        setattr(row, result, getattr(row, result) + 1)
        row.assigned += 1
        if result == "open_in_term" and t.id in pending:
            row.awaiting_review += 1
        in_period[t.id] = t.body_id
    for event in _events(session, list(in_period)):
        day = business_date(event.at, tz)
        if day > end or (start is not None and day < start):
            continue
        row = rows[in_period[event.task_id]]
        if event.action == "return":
            row.returned += 1
            if (event.data or {}).get("due_on"):
                row.extensions += 1
        else:
            row.extensions += 1
    for row in rows.values():
        score(row, scheme)
    return Evaluation(start, end, scheme, rank(list(rows.values())), kind=kind)


def _pending_reports(session: Session, task_ids: list[int], end: dt.date,
                     tz: dt.tzinfo) -> dict[int, dt.date]:
    """{task id: day of its newest report by `end`} for reports not reviewed by `end`."""
    newest: dict[int, TaskReport] = {}
    for start in range(0, len(task_ids), _CHUNK):
        for r in session.exec(select(TaskReport).where(
                col(TaskReport.task_id).in_(task_ids[start:start + _CHUNK]))
                .order_by(col(TaskReport.id))).all():
            if business_date(r.at, tz) <= end:
                newest[r.task_id] = r
    return {task_id: business_date(r.at, tz) for task_id, r in newest.items()
            if r.reviewed_at is None or business_date(r.reviewed_at, tz) > end}


def _events(session: Session, task_ids: list[int]) -> list[TaskEvent]:
    out: list[TaskEvent] = []
    for start in range(0, len(task_ids), _CHUNK):
        out += session.exec(select(TaskEvent).where(
            col(TaskEvent.task_id).in_(task_ids[start:start + _CHUNK]),
            col(TaskEvent.action).in_(("return", *EXTENSION_ACTIONS)))).all()
    return out
