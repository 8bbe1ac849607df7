"""The sweep: for every open task near or past its deadline, what the escalation policy owes
now, recorded once in the follow-up ledger with its mail.

Idempotent by construction: each reminder or escalation has a unique key (task, kind, level,
occurrence, due date); the outbox row `followup:<key>` is inserted first with ON CONFLICT DO
NOTHING, and only the sweep whose insert went in records the ledger row. Two sweeps at once
(two processes, two machines) therefore record and mail each key once: on PostgreSQL the second
insert waits for the first transaction and then does nothing; on SQLite write transactions are
serialised (BEGIN IMMEDIATE).

Candidates come from one range query on the (status, due_on) index: open tasks due between
`today - horizon_days` and the widest reminder window. A task late by more than the horizon is
no longer chased by the sweep (it stays in the digests until done), nor is a task the
coordinator launched past due without reminders or escalations (`task.unchased`).
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from models.calendar import WorkingCalendar
from models.db import insert_ignoring_conflicts
from models.deadlines import DeadlineRuleError, parse_rule
from models.policy import FollowUpDue, Policy, follow_up_due
from models.registry import EXTERNAL_KIND
from models.status import OPEN, colour
from models.tables import Assignment, Body, Cascade, FollowUp, Outbox, Task, select_columns, table_of
from models.vocabulary import business_date
from services.chasing import HORIZON_DAYS
from services.notify import task_state

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

OPEN_STATUSES = sorted(s.value for s in OPEN)
_CHUNK = 5000  # bound parameters per IN (...) list


def outbox_key(follow_up_key: str) -> str:
    return f"followup:{follow_up_key}"


class CachedCalendar:
    """`working_days_between` memoised per (start, end): many tasks share a due date."""

    def __init__(self, calendar: WorkingCalendar):
        self.calendar = calendar
        self._between: dict[tuple[dt.date, dt.date], int] = {}

    def working_days_between(self, start: dt.date, end: dt.date) -> int:
        key = (start, end)
        found = self._between.get(key)
        if found is None:
            found = self._between[key] = self.calendar.working_days_between(start, end)
        return found

    def __getattr__(self, name: str) -> Any:
        return getattr(self.calendar, name)


@dataclass(frozen=True)
class RecordedFollowUp:
    """A ledger row this sweep wrote (or, in a dry run, would have written)."""

    key: str
    task_id: int
    kind: str
    level: int
    occurrence: int
    due_on: dt.date
    working_days: int
    recipient_id: str

    def as_json(self) -> dict[str, Any]:
        return {"key": self.key, "task": self.task_id, "kind": self.kind, "level": self.level,
                "occurrence": self.occurrence, "due_on": self.due_on.isoformat(),
                "working_days": self.working_days, "recipient": self.recipient_id}


@dataclass(frozen=True)
class Rollover:
    task_id: int
    new_task_id: int
    occurrence: int
    due_on: dt.date

    def as_json(self) -> dict[str, Any]:
        return {"task": self.task_id, "new_task": self.new_task_id, "occurrence": self.occurrence,
                "due_on": self.due_on.isoformat()}


@dataclass
class SweepReport:
    at: dt.datetime
    today: dt.date
    dry_run: bool = False
    candidates: int = 0  # open tasks in the window
    colours: Counter[str] = field(default_factory=Counter)  # of the candidates
    owed: int = 0  # candidates for which the policy owes something today
    already: int = 0  # owed, but recorded by an earlier (or a concurrent) sweep
    created: list[RecordedFollowUp] = field(default_factory=list)
    rollovers: list[Rollover] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def counts(self) -> dict[str, int]:
        """New follow-ups per 'reminder:7', 'escalation:2', ..."""
        found = Counter(f"{f.kind}:{f.level}" for f in self.created)
        return dict(sorted(found.items()))

    def as_json(self) -> dict[str, Any]:
        return {"at": self.at.isoformat(), "today": self.today.isoformat(), "dry_run": self.dry_run,
                "candidates": self.candidates, "colours": dict(sorted(self.colours.items())),
                "owed": self.owed, "already": self.already, "counts": self.counts,
                "created": [f.as_json() for f in self.created],
                "rollovers": [r.as_json() for r in self.rollovers], "problems": self.problems}


def _chunks(items: Sequence[Any], size: int = _CHUNK) -> Iterable[Sequence[Any]]:
    for i in range(0, len(items), size):
        yield items[i:i + size]


def widest_reminder(session: Session, policy: Policy) -> int:
    """The largest 'reminders_before' of the policy and of every override stored."""
    widest = max(policy.reminders_before, default=0)
    for table in (Cascade, Assignment):
        overrides = session.exec(select(col(table.policy)).where(
            col(table.policy).is_not(None))).all()
        for override in overrides:
            if override:
                widest = max(widest, max(policy.merged(override).reminders_before, default=0))
    return widest


def _recipient(to: str, task_body: str, coordinator: str, bodies: set[str],
               problems: list[str], task_id: int) -> str:
    if to == "body":
        return task_body
    if to == "follow_up_office":
        return coordinator
    if to in bodies:
        return to
    problems.append(f"nhiệm vụ #{task_id}: chính sách đôn đốc gửi cho {to!r}, không có trong sổ "
                    f"đăng ký; gửi cho đơn vị theo dõi {coordinator}")
    return coordinator


def candidates(*, session: Session, today: dt.date, calendar: WorkingCalendar, policy: Policy,
               horizon_days: int = HORIZON_DAYS) -> Any:
    """The SELECT of the open tasks whose deadline is near enough to owe something today (on
    the (status, due_on) index): all a sweep reads of the tasks."""
    lo = today - dt.timedelta(days=horizon_days)
    hi = calendar.add_working_days(today, widest_reminder(session, policy))
    return (select_columns(Task.id, Task.status, Task.due_on, Task.body_id, Task.role,
                           Task.occurrence, Task.cascade_id, Task.assignment_id,
                           Task.requested_due_on, Task.version, Task.unchased,
                           Cascade.coordinator_id,
                           col(Cascade.policy).label("cascade_policy"),
                           col(Assignment.policy).label("assignment_policy"),
                           Assignment.deadline_rule)
            .join(Cascade, col(Cascade.id) == Task.cascade_id)
            .join(Assignment, col(Assignment.id) == Task.assignment_id)
            .where(col(Task.status).in_(OPEN_STATUSES),
                   col(Task.due_on) >= lo, col(Task.due_on) <= hi))


def sweep(*, session: Session, at: dt.datetime, tz: dt.tzinfo, calendar: WorkingCalendar,
          policy: Policy, dry_run: bool = False, near_due_working_days: int = 3,
          horizon_days: int = HORIZON_DAYS) -> SweepReport:
    """Record every reminder and escalation owed at `at` (once per key) and roll recurring
    tasks over; the caller's unit of work commits. `dry_run`: everything is computed and
    written, then rolled back, so the report says exactly what a real run would do."""
    today = business_date(at, tz)
    report = SweepReport(at=at, today=today, dry_run=dry_run)
    cached = CachedCalendar(calendar)
    chosen = candidates(session=session, today=today, calendar=calendar, policy=policy,
                        horizon_days=horizon_days)
    rows = session.execute(chosen).all()
    report.candidates = len(rows)
    bodies = set(session.exec(select(Body.id)).all())
    outside = set(session.exec(select(Body.id).where(Body.kind == EXTERNAL_KIND)).all())
    policies: dict[tuple[str, str], Policy] = {}
    owed: dict[str, tuple[Any, FollowUpDue, str]] = {}
    for row in rows:
        report.colours[colour(status=row.status, due_on=row.due_on, today=today, calendar=calendar,
                              near_due_working_days=near_due_working_days).value] += 1
        if row.unchased:
            continue  # launched past due without reminders or escalations, by choice
        merged = policy
        if row.cascade_policy or row.assignment_policy:
            pkey = (json.dumps(row.cascade_policy, sort_keys=True),
                    json.dumps(row.assignment_policy, sort_keys=True))
            merged = policies.get(pkey)  # type: ignore[assignment]
            if merged is None:
                merged = policies[pkey] = policy.merged(row.cascade_policy).merged(
                    row.assignment_policy)
        due = follow_up_due(status=row.status, due_on=row.due_on, today=today,
                            calendar=cached, policy=merged)  # type: ignore[arg-type]
        if due is None:
            continue
        recipient = _recipient(due.to, row.body_id, row.coordinator_id, bodies, report.problems,
                               row.id)
        if recipient in outside:
            continue  # a body outside the system is never mailed
        owed[due.key(row.id)] = (row, due, recipient)
    report.owed = len(owed)
    _record(session, owed, at, report, among=chosen.with_only_columns(Task.id))
    _roll_over(session, [r for r in rows if r.deadline_rule], today, at, report)
    if dry_run:
        session.rollback()
    return report


def _record(session: Session, owed: dict[str, tuple[Any, FollowUpDue, str]], at: dt.datetime,
            report: SweepReport, *, among: Any) -> None:
    """Queue the mails and write the ledger of what is owed and not yet recorded. `among`:
    the ids of the candidate tasks (a subquery), whose recorded keys are read in one go
    rather than bound key by key."""
    existing = set(session.exec(select(FollowUp.key).where(col(FollowUp.task_id).in_(among)))
                   .all()) if owed else set()
    new = [k for k in owed if k not in existing]
    outbox_rows = []
    for k in new:
        row, due, recipient = owed[k]
        outbox_rows.append({
            # what is addressed to the body itself (reminders, level 1) is a reminder mail
            "key": outbox_key(k), "kind": "reminder" if due.to == "body" else "escalation",
            "task_id": row.id, "body_id": recipient, "status": "pending", "attempts": 0,
            "next_attempt_at": at, "created_at": at,
            "payload": {"follow_up": k, "kind": due.kind, "level": due.level,
                        "occurrence": due.occurrence, "working_days": due.working_days,
                        "due_on": due.due_on.isoformat(), "to": due.to,
                        "task": task_state(status=row.status, due_on=row.due_on,
                                           requested_due_on=row.requested_due_on,
                                           version=row.version)}})
    inserted = insert_ignoring_conflicts(session, table_of(Outbox), outbox_rows,
                                         returning=("id", "key"))
    outbox_ids = {key: oid for oid, key in inserted}
    ledger = []
    for k in new:
        oid = outbox_ids.get(outbox_key(k))
        if oid is None:
            continue  # a concurrent sweep recorded it first
        row, due, recipient = owed[k]
        ledger.append({"key": k, "task_id": row.id, "kind": due.kind, "level": due.level,
                       "occurrence": due.occurrence, "due_on": due.due_on,
                       "working_days": due.working_days, "recipient_id": recipient,
                       "outbox_id": oid, "at": at})
        report.created.append(RecordedFollowUp(k, row.id, due.kind, due.level, due.occurrence,
                                                due.due_on, due.working_days, recipient))
    insert_ignoring_conflicts(session, table_of(FollowUp), ledger)
    report.already = len(owed) - len(report.created)


def rollover_due(rule_text: str, due_on: dt.date, today: dt.date) -> dt.date | None:
    """The next occurrence's due date when a recurring task's period has ended, else None.

    A yearly occurrence ends with its year (30/11/2023 rolls on 1/1/2024); any other recurring
    occurrence ends with its due date."""
    try:
        rule = parse_rule(rule_text)
    except DeadlineRuleError:
        return None
    if not rule.recurring or rule.needs_day:
        return None
    ended = today.year > due_on.year if rule.kind == "annual" else today > due_on
    return rule.next_due(due_on) if ended else None


def _roll_over(session: Session, rows: list[Any], today: dt.date, at: dt.datetime,
               report: SweepReport) -> None:
    from services.actions import create_occurrence

    due = [(r, nxt) for r in rows
           if r.due_on < today and (nxt := rollover_due(r.deadline_rule, r.due_on, today))]
    if not due:
        return
    assignment_ids = sorted({r.assignment_id for r, _ in due})
    existing: set[tuple[int, str, str, int]] = set()
    for part in _chunks(assignment_ids):
        existing.update(tuple(x) for x in session.execute(
            select(Task.assignment_id, Task.body_id, Task.role, Task.occurrence)
            .where(col(Task.assignment_id).in_(part))).all())
    for row, next_due in due:
        if (row.assignment_id, row.body_id, row.role, row.occurrence + 1) in existing:
            continue
        task = session.get(Task, row.id)
        assert task is not None
        try:
            with session.begin_nested():  # a concurrent sweep may create it first
                new_id = create_occurrence(session=session, task=task,
                                           occurrence=row.occurrence + 1, due_on=next_due, at=at)
        except IntegrityError:
            continue
        if new_id is not None:
            report.rollovers.append(Rollover(row.id, new_id, row.occurrence + 1, next_due))


def run_sweep(*, engine: Engine, policy: Policy, calendar: WorkingCalendar, tz: dt.tzinfo,
              near_due_working_days: int, at: dt.datetime, dry_run: bool = False) -> SweepReport:
    """One sweep in its own unit of work (for the CLI, the jobs and the flows)."""
    from models.db import unit_of_work

    with unit_of_work(engine) as session:
        return sweep(session=session, at=at, tz=tz, calendar=calendar, policy=policy,
                     dry_run=dry_run, near_due_working_days=near_due_working_days)
