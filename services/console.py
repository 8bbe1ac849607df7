"""What the console's pages show, read in a few aggregated queries: the dashboard, the list of
directives with their progress, one task with its timeline and mails, and the inbox.

Colours are counted in SQL (services.board.colour_column), so the dashboard over a million
tasks reads one grouped scan, not a million rows.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, fields, replace
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from models.calendar import WorkingCalendar
from models.report_views import ReportView, reports_of_tasks
from models.status import TaskStatus
from models.tables import (
    Assignment,
    Body,
    Cascade,
    Directive,
    LinkToken,
    Outbox,
    Task,
    TaskEvent,
    select_columns,
)
from services.board import ColourClock, child_plans, colour_column
from services.chasing import unchased_note
from services.counts import (
    OPEN_VALUES,
    Counts,
    CountsCache,
    cascade_counts,
    most_overdue,
    overdue_counts,
)
from services.history import HistoryEvent, TaskNotFound, actor_names, task_history

UPCOMING_WORKING_DAYS = 7
LIST_LIMIT = 100


@dataclass(frozen=True)
class DirectiveLine:
    number: str
    kind: str
    title: str
    issuer_name: str
    issued_on: dt.date
    cascade_id: int
    parent_task_id: int | None
    counts: Counts


@dataclass(frozen=True)
class TaskLine:
    """A task in a list (upcoming deadlines, inbox)."""

    id: int
    number: str
    ref: str
    task_text: str
    body_name: str
    role: str
    status: str
    due_on: dt.date | None
    requested_due_on: dt.date | None
    note: str | None = None  # the latest report's or request's note


@dataclass(frozen=True)
class EventLine:
    task_id: int
    number: str
    at: dt.datetime
    actor_name: str
    channel: str
    action: str
    role: str
    from_status: str | None
    to_status: str
    count: int = 1  # a launch's many "assign" events, shown as one line


@dataclass
class Dashboard:
    overall: Counts
    directives: list[DirectiveLine]
    overdue_bodies: list[tuple[str, str, int]]  # (id, name, overdue tasks)
    upcoming: list[TaskLine]
    upcoming_total: int
    upcoming_until: dt.date
    events: list[EventLine]


def _clock(at: dt.datetime, tz: dt.tzinfo, calendar: WorkingCalendar, near: int) -> ColourClock:
    return ColourClock.at_moment(at, tz, calendar, near)


def directive_lines(session: Session, clock: ColourClock,
                    cache: CountsCache | None = None) -> list[DirectiveLine]:
    """Every launched directive with its counts by colour, newest first."""
    per = cache.get(session, clock)[0] if cache is not None else cascade_counts(session, clock)
    return _directive_lines(session, per)


def _directive_lines(session: Session, per: dict[int, Counts]) -> list[DirectiveLine]:
    rows = session.execute(
        select_columns(Directive.number, Directive.kind, Directive.title, Body.name,
                       Directive.issued_on, Cascade.id, Cascade.parent_task_id)
        .join(Cascade, col(Cascade.directive_id) == Directive.id)
        .join(Body, col(Body.id) == Directive.issuer_id)
        .order_by(col(Cascade.launched_at).desc(), col(Cascade.id).desc())).all()
    return [DirectiveLine(r[0], r[1], r[2], r[3], r[4], r[5], r[6], per.get(r[5], Counts()))
            for r in rows]


def _task_lines(session: Session, query: Any) -> list[TaskLine]:
    return [TaskLine(*r) for r in session.execute(query).all()]


def _task_query(*extra: Any) -> Any:
    return (select_columns(Task.id, Directive.number, Assignment.ref, Assignment.task_text,
                           Body.name, Task.role, Task.status, Task.due_on, Task.requested_due_on,
                           *extra)
            .join(Assignment, col(Assignment.id) == Task.assignment_id)
            .join(Cascade, col(Cascade.id) == Task.cascade_id)
            .join(Directive, col(Directive.id) == Cascade.directive_id)
            .join(Body, col(Body.id) == Task.body_id))


def latest_events(session: Session, limit: int = 15, window: int = 400) -> list[EventLine]:
    """The latest events, newest first; the tasks a launch created (same directive, moment,
    actor) make one line, so a launch of 100 tasks does not push everything else out. Reads
    the last `window` events by primary key."""
    rows = session.execute(
        select_columns(TaskEvent.task_id, Directive.number, TaskEvent.at, TaskEvent.actor,
                       TaskEvent.channel, TaskEvent.action, Task.role, TaskEvent.from_status,
                       TaskEvent.to_status)
        .join(Task, col(Task.id) == TaskEvent.task_id)
        .join(Cascade, col(Cascade.id) == Task.cascade_id)
        .join(Directive, col(Directive.id) == Cascade.directive_id)
        .order_by(col(TaskEvent.id).desc()).limit(window)).all()
    names = actor_names(session, {r.actor for r in rows})
    out: list[EventLine] = []
    for r in rows:
        last = out[-1] if out else None
        if (last is not None and r.action == last.action == "assign" and r.number == last.number
                and r.at == last.at and names.get(r.actor, r.actor) == last.actor_name):
            out[-1] = replace(last, count=last.count + 1, task_id=r.task_id)
            continue
        if len(out) == limit:
            break
        out.append(EventLine(r.task_id, r.number, r.at, names.get(r.actor, r.actor), r.channel,
                             r.action, r.role, r.from_status, r.to_status))
    return out


def _scanned(session: Session, clock: ColourClock,
             cache: CountsCache | None) -> tuple[dict[int, Counts], dict[int, Counter[str]]]:
    if cache is not None:
        return cache.get(session, clock)
    return cascade_counts(session, clock), overdue_counts(session, clock)


def dashboard(*, session: Session, at: dt.datetime, tz: dt.tzinfo, calendar: WorkingCalendar,
              near_due_working_days: int, cache: CountsCache | None = None) -> Dashboard:
    clock = _clock(at, tz, calendar, near_due_working_days)
    per, overdue_per = _scanned(session, clock, cache)
    lines = _directive_lines(session, per)
    overall = Counts()
    for line in lines:
        for hue, n in line.counts.by_colour.items():
            overall.add(hue, n)
    overdue = most_overdue(session, overdue_per)
    open_ = col(Task.status).in_(OPEN_VALUES)
    until = calendar.add_working_days(clock.today, UPCOMING_WORKING_DAYS)
    window = (open_, col(Task.due_on) >= clock.today, col(Task.due_on) <= until)
    soonest = select(Task.id).where(*window).order_by(col(Task.due_on), col(Task.id)).limit(20)
    upcoming = _task_lines(session, _task_query().where(col(Task.id).in_(soonest.scalar_subquery()))
                           .order_by(col(Task.due_on), col(Task.id)))
    total = session.execute(select(sa.func.count()).select_from(Task).where(*window)).scalar_one()
    return Dashboard(overall, lines, overdue, upcoming, int(total), until, latest_events(session))


# --- The inbox ----------------------------------------------------------------------------------

@dataclass
class Inbox:
    extensions: list[TaskLine]
    extensions_total: int
    reports: list[TaskLine]
    reports_total: int
    failed_mails: list[Any]  # services.dispatch.OutboxView
    failed_total: int


def _with_notes(session: Session, lines: list[TaskLine], action: str) -> list[TaskLine]:
    """The lines with the note of each task's latest `action` event (one query for all)."""
    if not lines:
        return lines
    notes: dict[int, str | None] = {}
    for task_id, note in session.execute(
            select(TaskEvent.task_id, TaskEvent.note)
            .where(col(TaskEvent.task_id).in_([t.id for t in lines]), TaskEvent.action == action)
            .order_by(col(TaskEvent.id))).all():
        notes[task_id] = note
    return [replace(t, note=notes.get(t.id)) for t in lines]


def _oldest(session: Session, status: str, limit: int) -> list[TaskLine]:
    """The `limit` tasks in `status` that waited longest: their ids from the (status,
    updated_at) index first, then their details (so the planner never joins them all)."""
    order = (col(Task.updated_at), col(Task.id))
    ids = select(Task.id).where(Task.status == status).order_by(*order).limit(limit)
    return _task_lines(session, _task_query().where(col(Task.id).in_(ids.scalar_subquery()))
                       .order_by(*order))


def _count(session: Session, status: str) -> int:
    return int(session.execute(select(sa.func.count()).select_from(Task)
                               .where(Task.status == status)).scalar_one())


def inbox(*, session: Session, limit: int = LIST_LIMIT) -> Inbox:
    """What waits for the coordinator: extension requests, reports to accept or return, mails
    that could not be delivered; oldest first, `limit` of each with the totals."""
    from services.dispatch import FAILED
    from services.outbox import list_outbox

    ext = TaskStatus.EXTENSION_REQUESTED.value
    rep = TaskStatus.REPORTED.value
    extensions = _with_notes(session, _oldest(session, ext, limit), "request-extension")
    reports = _with_notes(session, _oldest(session, rep, limit), "report")
    failed_total = int(session.execute(select(sa.func.count()).select_from(Outbox)
                                       .where(Outbox.status == FAILED)).scalar_one())
    return Inbox(extensions, _count(session, ext), reports, _count(session, rep),
                 list_outbox(session=session, failed_only=True, limit=limit), failed_total)


# --- One task -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class MailLine:
    id: int
    kind: str
    body_name: str | None
    status: str
    attempts: int
    created_at: dt.datetime
    sent_at: dt.datetime | None
    last_error: str | None
    links: list[tuple[str, dt.datetime | None]]  # (action, used at)


@dataclass
class TaskDetail:
    id: int
    number: str
    directive_kind: str
    directive_title: str
    ref: str
    task_text: str
    deadline_text: str | None
    body_id: str
    body_name: str
    body_kind: str
    role: str
    status: str
    occurrence: int
    due_on: dt.date | None
    requested_due_on: dt.date | None
    colour: str
    coordinator_id: str
    coordinator_name: str
    child: tuple[str, str] | None  # (number, 'finished/total') of the plan that fulfils it
    parent_task_id: int | None  # the task this task's plan fulfils
    timeline: list[HistoryEvent]
    mails: list[MailLine]
    reports: list[ReportView]  # oldest first: summary, files, figures, review
    reporters: dict[str, str]  # who sent each report, by name
    chase_note: str | None = None  # why the sweep no longer reminds or escalates it, if so


def task_detail(*, session: Session, task_id: int, at: dt.datetime, tz: dt.tzinfo,
                calendar: WorkingCalendar, near_due_working_days: int) -> TaskDetail:
    """The task page's data; TaskNotFound when there is no such task."""
    clock = _clock(at, tz, calendar, near_due_working_days)
    colour = colour_column(clock, session.get_bind().dialect.name)
    row = session.execute(
        select_columns(Task.id, Directive.number, Directive.kind, Directive.title, Assignment.ref,
                       Assignment.task_text, Assignment.deadline_text, Task.body_id, Body.name,
                       Body.kind, Task.role, Task.status, Task.occurrence, Task.due_on,
                       Task.requested_due_on, colour, Cascade.coordinator_id,
                       Cascade.parent_task_id)
        .join(Assignment, col(Assignment.id) == Task.assignment_id)
        .join(Cascade, col(Cascade.id) == Task.cascade_id)
        .join(Directive, col(Directive.id) == Cascade.directive_id)
        .join(Body, col(Body.id) == Task.body_id)
        .where(Task.id == task_id)).first()
    if row is None:
        raise TaskNotFound(f"không có nhiệm vụ #{task_id}")
    coordinator = session.get(Body, row.coordinator_id)
    names = [f.name for f in fields(TaskDetail)][:17]
    head: dict[str, Any] = dict(zip(names, row[:17], strict=True))
    reports = reports_of_tasks(session, [task_id]).get(task_id, [])
    return TaskDetail(**head, coordinator_name=coordinator.name if coordinator else row[16],
                      child=child_plans(session, [task_id]).get(task_id),
                      parent_task_id=row[17], timeline=task_history(session, task_id),
                      mails=task_mails(session, task_id), reports=reports,
                      reporters=actor_names(session, {r.actor for r in reports}),
                      chase_note=unchased_note(
                          status=row.status, due_on=row.due_on, today=clock.today,
                          unchased=bool(session.scalar(select(Task.unchased)
                                                       .where(Task.id == task_id)))))


def task_mails(session: Session, task_id: int) -> list[MailLine]:
    """The mails sent (or waiting) for the task, with each link they carried and its use."""
    rows = session.execute(
        select(Outbox, Body.name).join(Body, col(Body.id) == Outbox.body_id, isouter=True)
        .where(Outbox.task_id == task_id).order_by(col(Outbox.id))).all()
    links: dict[int, list[tuple[str, dt.datetime | None]]] = {}
    for outbox_id, action, used in session.execute(
            select(LinkToken.outbox_id, LinkToken.action, LinkToken.used_at)
            .where(LinkToken.task_id == task_id).order_by(col(LinkToken.id))).all():
        if outbox_id is not None:
            links.setdefault(outbox_id, []).append((action, used))
    return [MailLine(o.id, o.kind, name, o.status, o.attempts, o.created_at, o.sent_at,  # type: ignore[arg-type]
                     o.last_error, links.get(o.id or 0, [])) for o, name in rows]
