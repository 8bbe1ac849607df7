"""Digests: per supervisor, what is overdue (and what was escalated), until it is done.

A supervisor is a body that receives escalations: the follow-up office of a cascade (its
coordinator) and every body a policy level names (base policy, the template's, the item's).
A digest lists the supervisor's overdue open tasks grouped by directive, then by body, oldest
first, with counts, and per directive the open tasks in term / near due / overdue for a chart.
It is queued as one outbox row per supervisor and business date (`digest:<body>:<date>`) whose
payload is the snapshot the mail shows, so running it twice the same day queues nothing new.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from models.calendar import WorkingCalendar
from models.db import insert_ignoring_conflicts
from models.mail import DIGEST
from models.policy import Policy
from models.tables import (
    Assignment,
    Body,
    Cascade,
    Directive,
    FollowUp,
    Outbox,
    Task,
    select_columns,
    table_of,
)
from models.vocabulary import business_date, status_label, vi_sort_key
from services.sweep import OPEN_STATUSES

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine


@dataclass(frozen=True)
class DigestItem:
    task_id: int
    ref: str
    occurrence: int
    status: str
    due_on: dt.date
    days_late: int
    working_days_late: int
    level: int  # highest escalation level sent to a supervisor for this due date; 0: none
    follow_ups: int  # reminders and escalations recorded for this due date

    def as_json(self) -> dict[str, Any]:
        return {"task": self.task_id, "ref": self.ref, "occurrence": self.occurrence,
                "status": self.status, "status_label": status_label(self.status),
                "due_on": self.due_on.isoformat(), "days_late": self.days_late,
                "working_days_late": self.working_days_late, "level": self.level,
                "follow_ups": self.follow_ups}


@dataclass
class DigestBody:
    body_id: str
    name: str
    items: list[DigestItem] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {"id": self.body_id, "name": self.name, "tasks": [i.as_json() for i in self.items]}


@dataclass(frozen=True)
class ChartRow:
    """Open tasks of one directive (those the supervisor supervises) by colour."""

    number: str
    in_term: int
    near_due: int
    overdue: int
    no_deadline: int

    def as_json(self) -> dict[str, Any]:
        return {"number": self.number, "in_term": self.in_term, "near_due": self.near_due,
                "overdue": self.overdue, "no_deadline": self.no_deadline}


@dataclass
class DirectiveGroup:
    number: str
    kind: str
    title: str
    bodies: list[DigestBody] = field(default_factory=list)

    @property
    def overdue(self) -> int:
        return sum(len(b.items) for b in self.bodies)

    def as_json(self) -> dict[str, Any]:
        return {"number": self.number, "kind": self.kind, "title": self.title,
                "overdue": self.overdue, "bodies": [b.as_json() for b in self.bodies]}


@dataclass
class Digest:
    supervisor_id: str
    supervisor_name: str
    date: dt.date
    near_due_working_days: int
    directives: list[DirectiveGroup]
    chart: list[ChartRow]

    @property
    def overdue(self) -> int:
        return sum(d.overdue for d in self.directives)

    @property
    def escalated(self) -> int:
        return sum(1 for d in self.directives for b in d.bodies for i in b.items if i.level)

    @property
    def bodies(self) -> int:
        return len({b.body_id for d in self.directives for b in d.bodies})

    @property
    def key(self) -> str:
        return f"digest:{self.supervisor_id}:{self.date.isoformat()}"

    def as_json(self) -> dict[str, Any]:
        return {"supervisor": self.supervisor_id, "supervisor_name": self.supervisor_name,
                "date": self.date.isoformat(), "near_due_working_days": self.near_due_working_days,
                "totals": {"overdue": self.overdue, "escalated": self.escalated,
                           "bodies": self.bodies, "directives": len(self.directives)},
                "chart": [c.as_json() for c in self.chart],
                "directives": [d.as_json() for d in self.directives]}


def _supervisors(policy: Policy, coordinator: str, *overrides: dict | None) -> frozenset[str]:
    merged = policy
    for override in overrides:
        merged = merged.merged(override)
    named = {lv.to for lv in merged.levels} - {"body", "follow_up_office"}
    return frozenset({coordinator, *named})


def build_digests(*, session: Session, at: dt.datetime, tz: dt.tzinfo, calendar: WorkingCalendar,
                  near_due_working_days: int, policy: Policy | None = None,
                  to: str | None = None) -> list[Digest]:
    """One digest per supervisor with something overdue (only `to`'s when given)."""
    today = business_date(at, tz)
    near_limit = calendar.add_working_days(today, near_due_working_days)
    base = policy or Policy((), ())
    cascades = {c.id: c for c in session.execute(
        select(Cascade.id, Cascade.directive_id, Cascade.coordinator_id,
               Cascade.policy)).all()}  # type: ignore[call-overload]
    item_policies = dict(session.execute(select(Assignment.id, col(Assignment.policy)).where(
        col(Assignment.policy).is_not(None))).all())
    memo: dict[tuple[int, str], frozenset[str]] = {}

    def supervisors(cascade_id: int, assignment_id: int) -> frozenset[str]:
        override = item_policies.get(assignment_id)
        key = (cascade_id, json.dumps(override, sort_keys=True))
        found = memo.get(key)
        if found is None:
            c = cascades[cascade_id]
            found = memo[key] = _supervisors(base, c.coordinator_id, c.policy, override)
        return found

    directives = {d.id: d for d in session.execute(
        select(Directive.id, Directive.number, Directive.kind, Directive.title)).all()}
    names = dict(session.execute(select(Body.id, Body.name)).all())  # type: ignore[arg-type]

    # per supervisor, per cascade: [in_term, near_due, overdue, no_deadline]
    chart: dict[str, dict[int, list[int]]] = defaultdict(lambda: defaultdict(lambda: [0, 0, 0, 0]))
    t = table_of(Task)
    open_ = t.c.status.in_(OPEN_STATUSES)
    for row in session.execute(
            sa.select(t.c.cascade_id, t.c.assignment_id,
                      sa.func.sum(sa.case((t.c.due_on > near_limit, 1), else_=0)),
                      sa.func.sum(sa.case((t.c.due_on.between(today, near_limit), 1), else_=0)),
                      sa.func.sum(sa.case((t.c.due_on < today, 1), else_=0)),
                      sa.func.sum(sa.case((t.c.due_on.is_(None), 1), else_=0)))
            .where(open_).group_by(t.c.cascade_id, t.c.assignment_id)).all():
        for sup in supervisors(row[0], row[1]):
            if to is None or sup == to:
                acc = chart[sup][row[0]]
                for i in range(4):
                    acc[i] += int(row[2 + i] or 0)

    f = table_of(FollowUp)
    ledger = {r[0]: (int(r[1]), int(r[2] or 0)) for r in session.execute(
        sa.select(f.c.task_id, sa.func.count(),
                  sa.func.max(sa.case(((f.c.kind == "escalation") & (f.c.recipient_id != t.c.body_id),
                                       f.c.level), else_=0)))
        .select_from(f.join(t, t.c.id == f.c.task_id))
        .where(open_, t.c.due_on < today, f.c.due_on == t.c.due_on)
        .group_by(f.c.task_id)).all()}

    overdue = session.execute(
        select_columns(Task.id, Task.cascade_id, Task.assignment_id, Task.body_id, Task.occurrence,
                       Task.status, Task.due_on, Assignment.ref)
        .join(Assignment, col(Assignment.id) == Task.assignment_id)
        .where(col(Task.status).in_(OPEN_STATUSES), col(Task.due_on) < today)
        .order_by(col(Task.due_on), col(Task.id))).all()
    between: dict[dt.date, int] = {}
    grouped: dict[str, dict[int, dict[str, list[DigestItem]]]] = defaultdict(
        lambda: defaultdict(lambda: defaultdict(list)))
    for r in overdue:
        sups = [s for s in supervisors(r.cascade_id, r.assignment_id) if to is None or s == to]
        if not sups:
            continue
        if r.due_on not in between:
            between[r.due_on] = calendar.working_days_between(r.due_on, today)
        follow_ups, level = ledger.get(r.id, (0, 0))
        item = DigestItem(r.id, r.ref, r.occurrence, r.status, r.due_on, (today - r.due_on).days,
                          between[r.due_on], level, follow_ups)
        for sup in sups:
            grouped[sup][r.cascade_id][r.body_id].append(item)

    out = []
    for sup in sorted(grouped):
        groups = []
        for cascade_id, by_body in grouped[sup].items():
            d = directives[cascades[cascade_id].directive_id]
            bodies = [DigestBody(b, names.get(b, b), items) for b, items in by_body.items()]
            bodies.sort(key=lambda g: (g.items[0].due_on, vi_sort_key(g.name)))
            groups.append((cascade_id, DirectiveGroup(d.number, d.kind, d.title, bodies)))
        groups.sort(key=lambda cg: (min(b.items[0].due_on for b in cg[1].bodies), cg[1].number))
        rows = [ChartRow(directives[cascades[cid].directive_id].number, *chart[sup][cid])
                for cid in sorted(chart[sup], key=lambda c: directives[cascades[c].directive_id].number)]
        out.append(Digest(sup, names.get(sup, sup), today, near_due_working_days,
                          [g for _, g in groups], rows))
    return out


@dataclass
class DigestRun:
    today: dt.date
    digests: list[Digest]
    queued: list[str] = field(default_factory=list)  # outbox keys inserted now
    already: list[str] = field(default_factory=list)  # queued earlier the same business date
    skipped: str | None = None  # why nothing was built (not a working day)
    dry_run: bool = False

    def as_json(self) -> dict[str, Any]:
        return {"today": self.today.isoformat(), "dry_run": self.dry_run, "skipped": self.skipped,
                "queued": self.queued, "already": self.already,
                "digests": [{"supervisor": d.supervisor_id, "name": d.supervisor_name,
                             "overdue": d.overdue, "escalated": d.escalated, "bodies": d.bodies,
                             "directives": len(d.directives), "key": d.key} for d in self.digests]}


def queue_digests(*, session: Session, at: dt.datetime, tz: dt.tzinfo, calendar: WorkingCalendar,
                  near_due_working_days: int, policy: Policy | None = None, to: str | None = None,
                  dry_run: bool = False, working_days_only: bool = False) -> DigestRun:
    """Build the digests and queue one mail per supervisor and business date (idempotent).

    `working_days_only` (the scheduled job): on a weekend or holiday nothing is built."""
    today = business_date(at, tz)
    if working_days_only and not calendar.is_working_day(today):
        name = calendar.holiday_name(today)
        return DigestRun(today, [], skipped=f"{today:%d/%m/%Y} không phải ngày làm việc"
                         + (f" ({name})" if name else ""), dry_run=dry_run)
    digests = build_digests(session=session, at=at, tz=tz, calendar=calendar,
                            near_due_working_days=near_due_working_days, policy=policy, to=to)
    rows = [{"key": d.key, "kind": DIGEST.name, "task_id": None, "body_id": d.supervisor_id,
             "payload": d.as_json(), "status": "pending", "attempts": 0, "next_attempt_at": at,
             "created_at": at} for d in digests]
    inserted = {r[0] for r in insert_ignoring_conflicts(
        session, table_of(Outbox), rows, returning=("key",))}
    run = DigestRun(today, digests, dry_run=dry_run)
    for d in digests:
        (run.queued if d.key in inserted else run.already).append(d.key)
    if dry_run:
        session.rollback()
    return run


def run_digests(*, engine: Engine, policy: Policy, calendar: WorkingCalendar, tz: dt.tzinfo,
                near_due_working_days: int, at: dt.datetime, to: str | None = None,
                dry_run: bool = False, working_days_only: bool = False) -> DigestRun:
    """`queue_digests` in its own unit of work (CLI, jobs and flows)."""
    from models.db import unit_of_work

    with unit_of_work(engine) as session:
        return queue_digests(session=session, at=at, tz=tz, calendar=calendar,
                             near_due_working_days=near_due_working_days, policy=policy,
                             to=to, dry_run=dry_run, working_days_only=working_days_only)
