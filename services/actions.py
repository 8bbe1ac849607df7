"""Apply a status transition to a task, from any channel (CLI, e-mail link, system).

The transition table (models/status.py) decides what is allowed; the database guards it: the
UPDATE matches only the version and status that were read, so of two simultaneous clicks
exactly one wins and the other is told what happened.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlmodel import Session, col, select

from models.accounts import user_id_of
from models.deadlines import parse_rule
from models.status import (
    ACTIONS,
    SYSTEM,
    TERMINAL,
    Actor,
    Role,
    TaskStatus,
    Transition,
    allowed_actions,
    find_transition,
)
from models.tables import Assignment, Body, Cascade, Directive, Task, TaskEvent, UserAccount, table_of
from models.vocabulary import SYSTEM_ACTOR, action_label, business_date, short_date
from services.notify import queue_follow_up, queue_task_assigned

# Which actions carry a date, and whether it is required ("required") or may be left out
# ("optional": granting an extension without a date grants the date asked for).
DATE_ACTIONS = {"request-extension": "required", "grant-extension": "optional",
                "extend": "required"}


class ActionRefused(ValueError):
    """The action is not allowed now; nothing changed. The message says why and what is."""

    def __init__(self, message: str, *, status: TaskStatus | None = None,
                 allowed: list[str] | None = None):
        super().__init__(message)
        self.status = status
        self.allowed = allowed or []


class TaskNotFound(LookupError):
    pass


@dataclass(frozen=True)
class DaysAfterDue:
    """A new date given as 'N days after the current deadline' (`--until +15`)."""

    days: int


NewDate = dt.date | DaysAfterDue


@dataclass
class ActionResult:
    task_id: int
    action: str
    from_status: TaskStatus
    to_status: TaskStatus
    event_id: int
    follow_ups: list[str] = field(default_factory=list)


_fmt = short_date


def _actor_kinds(actor: str | None, task: Task, cascade: Cascade) -> set[Actor]:
    if actor is None or actor == SYSTEM:
        return {Actor.COORDINATOR}
    kinds = set()
    if actor == task.body_id:
        kinds.add(Actor.BODY)
    if actor == cascade.coordinator_id:
        kinds.add(Actor.COORDINATOR)
    return kinds


def _refusal(action: str, task: Task, kinds: set[Actor], tz: dt.tzinfo) -> ActionRefused:
    status, role = TaskStatus(task.status), Role(task.role)
    allowed = sorted({a for k in kinds for a in allowed_actions(role, status, k)}, key=ACTIONS.index)
    allowed_text = (", ".join(f"{a} ({action_label(a, role.value)})" for a in allowed) if allowed
                    else "không còn thao tác nào")
    if status in TERMINAL:
        when = f" ngày {_fmt(business_date(task.closed_at, tz))}" if task.closed_at else ""
        reason = f"nhiệm vụ #{task.id} đã {status.label}{when} (trạng thái '{status.label}')"
    elif action == "close" and role is Role.COOPERATING:
        reason = (f"nhiệm vụ #{task.id} (trạng thái '{status.label}') là phần phối hợp: chỉ đơn "
                  "vị chủ trì đóng nhiệm vụ; đơn vị phối hợp báo cáo phần đóng góp (report)")
    else:
        reason = (f"không thể {action_label(action, role.value)} nhiệm vụ #{task.id} đang ở trạng "
                  f"thái '{status.label}'")
    return ActionRefused(f"{reason}. Thao tác được phép: {allowed_text}", status=status,
                         allowed=allowed)


MISSING_DATE = {"request-extension": "xin gia hạn cần ngày đề nghị gia hạn đến",
                "grant-extension": "đồng ý gia hạn cần ngày hạn mới",
                "extend": "gia hạn cần ngày hạn mới"}


def _check_dates(row: Transition, task: Task, given: NewDate | None, today: dt.date) -> dict:
    """Extra columns an extension action sets, after checking the date it carries."""
    until = given
    if isinstance(given, DaysAfterDue):
        if task.due_on is None:
            raise ActionRefused(f"nhiệm vụ #{task.id} không có thời hạn để cộng thêm {given.days} ngày")
        until = task.due_on + dt.timedelta(days=given.days)
    assert not isinstance(until, DaysAfterDue)
    if DATE_ACTIONS.get(row.action) == "required" and until is None:
        raise ActionRefused(MISSING_DATE[row.action])
    if row.action == "request-extension":
        assert until is not None
        if task.due_on is None:
            raise ActionRefused(f"nhiệm vụ #{task.id} không có thời hạn để gia hạn")
        if until <= task.due_on:
            raise ActionRefused(f"ngày đề nghị {_fmt(until)} phải sau hạn hiện tại {_fmt(task.due_on)}")
        return {"requested_due_on": until}
    if row.action == "grant-extension":
        new_due = until or task.requested_due_on
        if new_due is None:
            raise ActionRefused(MISSING_DATE[row.action])
        if new_due < today:
            raise ActionRefused(f"hạn mới {_fmt(new_due)} đã qua")
        return {"due_on": new_due, "requested_due_on": None}
    if row.action == "extend":
        assert until is not None
        if until < today or (task.due_on is not None and until <= task.due_on):
            raise ActionRefused(f"hạn mới {_fmt(until)} phải sau hạn hiện tại {_fmt(task.due_on)} "
                                "và chưa qua")
        return {"due_on": until, "requested_due_on": None}
    if row.action == "refuse-extension":
        return {"requested_due_on": None}
    return {}


def record_action(
    *,
    session: Session,
    task_id: int,
    action: str,
    at: dt.datetime,
    actor: str | None = None,
    channel: str = "cli",
    note: str | None = None,
    until: NewDate | None = None,
    tz: dt.tzinfo,
    on_behalf_of: str | None = None,
) -> ActionResult:
    """Apply `action` to task `task_id` as `actor` (a body id; None = the coordinator).

    `on_behalf_of`: whose rights the actor uses (a supervisor acting through an escalation
    link acts for the cascade's coordinator); the audit trail still names the actor.

    Raises ActionRefused (nothing changed) or TaskNotFound. The caller's unit of work commits.
    """
    if action not in ACTIONS:
        raise ActionRefused(f"không có thao tác {action!r}; các thao tác: {', '.join(ACTIONS)}")
    task = session.get(Task, task_id)
    if task is None:
        raise TaskNotFound(f"không có nhiệm vụ #{task_id}")
    cascade = session.get(Cascade, task.cascade_id)
    assert cascade is not None
    kinds = _actor_kinds(on_behalf_of or actor, task, cascade)
    if not kinds:
        raise ActionRefused(f"đơn vị {actor} không phụ trách nhiệm vụ #{task_id} và không phải "
                            f"điều phối viên ({cascade.coordinator_id})")
    row = find_transition(action, Role(task.role), TaskStatus(task.status))
    if row is None:
        raise _refusal(action, task, kinds, tz)
    if not kinds & row.actors:
        raise ActionRefused(f"chỉ điều phối viên ({cascade.coordinator_id}) được {row.label} "
                            f"nhiệm vụ #{task_id}")
    extra = _check_dates(row, task, until, business_date(at, tz))
    recorded = {"on_behalf_of": on_behalf_of} if actor and user_id_of(actor) and on_behalf_of else {}
    return _apply(session, task, row, at=at, actor=actor or cascade.coordinator_id,
                  channel=channel, note=note, extra=extra, tz=tz, recorded=recorded)


def _apply(session: Session, task: Task, row: Transition, *, at: dt.datetime, actor: str,
           channel: str, note: str | None, extra: dict, tz: dt.tzinfo,
           recorded: dict | None = None) -> ActionResult:
    assert task.id is not None  # a stored task
    source = TaskStatus(task.status)
    # the event keeps what changed, the due date it replaced included, and for whom a user acted
    recorded = {**(recorded or {}), **extra}
    if "due_on" in extra:
        recorded["previous_due_on"] = task.due_on
    data = {k: (v.isoformat() if isinstance(v, dt.date) else v)
            for k, v in recorded.items() if v is not None} or None
    values = {"status": row.target.value, "updated_at": at, "version": Task.version + 1, **extra}
    if row.target in TERMINAL:
        values["closed_at"] = at
    table = table_of(Task)
    result = session.connection().execute(
        sa.update(table)
        .where(table.c.id == task.id, table.c.version == task.version,
               table.c.status == source.value)
        .values(**values))
    if result.rowcount != 1:
        # Someone else changed the task between our read and our write.
        session.expire(task)
        fresh = session.get(Task, task.id)
        assert fresh is not None
        raise _refusal(row.action, fresh, {Actor.BODY, Actor.COORDINATOR}, tz)
    event = TaskEvent(task_id=task.id, at=at, actor=actor, channel=channel, action=row.action,
                      from_status=source.value, to_status=row.target.value, note=note, data=data)
    session.add(event)
    session.flush()
    assert event.id is not None
    session.expire(task)
    queue_follow_up(session=session, task=task, event=event, at=at)
    outcome = ActionResult(task.id, row.action, source, row.target, event.id)
    if row.target is TaskStatus.DONE:
        outcome.follow_ups += _roll_over(session, task, at)
        outcome.follow_ups += _complete_parent(session, task, at, tz)
    return outcome


def _roll_over(session: Session, task: Task, at: dt.datetime) -> list[str]:
    """A recurring task that closes makes way for its next occurrence."""
    assignment = session.get(Assignment, task.assignment_id)
    if assignment is None or not assignment.deadline_rule or task.due_on is None:
        return []
    rule = parse_rule(assignment.deadline_rule)
    next_due = rule.next_due(task.due_on)
    if next_due is None:
        return []
    created = create_occurrence(session=session, task=task, occurrence=task.occurrence + 1,
                                due_on=next_due, at=at)
    return [f"tạo kỳ {task.occurrence + 1} (#{created}), hạn {_fmt(next_due)}"] if created else []


def create_occurrence(*, session: Session, task: Task, occurrence: int, due_on: dt.date,
                      at: dt.datetime) -> int | None:
    """Insert occurrence `occurrence` of a recurring task unless it exists; its id, or None."""
    exists = session.exec(select(Task.id).where(
        Task.assignment_id == task.assignment_id, Task.body_id == task.body_id,
        Task.role == task.role, Task.occurrence == occurrence)).first()
    if exists is not None:
        return None
    row = Task(cascade_id=task.cascade_id, assignment_id=task.assignment_id, body_id=task.body_id,
               role=task.role, occurrence=occurrence, status=TaskStatus.ASSIGNED.value,
               due_on=due_on, created_at=at, updated_at=at)
    session.add(row)
    session.flush()
    assert row.id is not None
    session.add(TaskEvent(task_id=row.id, at=at, actor=SYSTEM, channel=SYSTEM, action="assign",
                          to_status=TaskStatus.ASSIGNED.value,
                          note=f"Kỳ {occurrence}, tiếp theo nhiệm vụ #{task.id}"))
    queue_task_assigned(session=session, task=row, at=at)
    return row.id


def child_progress(session: Session, cascade_id: int) -> tuple[int, int]:
    """(finished, total) tasks of a cascade; cancelled tasks count as finished."""
    rows = session.execute(
        select(Task.status, sa.func.count()).where(Task.cascade_id == cascade_id)
        .group_by(Task.status)).all()
    total = sum(n for _, n in rows)
    finished = sum(n for status, n in rows if status in TERMINAL)
    return finished, total


def _complete_parent(session: Session, task: Task, at: dt.datetime, tz: dt.tzinfo) -> list[str]:
    """When the last task of a child cascade finishes, the parent task it fulfils is done."""
    cascade = session.get(Cascade, task.cascade_id)
    if cascade is None or cascade.parent_task_id is None:
        return []
    assert cascade.id is not None
    finished, total = child_progress(session, cascade.id)
    if finished < total:
        return []
    parent = session.get(Task, cascade.parent_task_id)
    if parent is None or TaskStatus(parent.status) in TERMINAL:
        return []
    action = "close" if parent.role == Role.LEAD else "report"
    row = find_transition(action, Role(parent.role), TaskStatus(parent.status))
    if row is None:  # e.g. still 'assigned': start it first, then close
        start = find_transition("start", Role(parent.role), TaskStatus(parent.status))
        if start is None:
            return []
        _apply(session, parent, start, at=at, actor=SYSTEM, channel=SYSTEM, note=None, extra={},
               tz=tz)
        session.refresh(parent)
        row = find_transition(action, Role(parent.role), TaskStatus(parent.status))
        if row is None:
            return []
    number = session.exec(select(Directive.number).where(Directive.id == cascade.directive_id)).one()
    result = _apply(session, parent, row, at=at, actor=SYSTEM, channel=SYSTEM,
                    note=f"Kế hoạch con {number} đã hoàn thành mọi nhiệm vụ", extra={}, tz=tz)
    return [f"nhiệm vụ cha #{parent.id} hoàn thành", *result.follow_ups]


def start_parent_for_child(*, session: Session, parent: Task, child_number: str,
                           at: dt.datetime, tz: dt.tzinfo) -> None:
    """Launching a child cascade means the parent task's body has started implementing it."""
    row = find_transition("start", Role(parent.role), TaskStatus(parent.status))
    note = f"Đã ban hành kế hoạch con {child_number}"
    if row is None:
        assert parent.id is not None  # a stored task
        session.add(TaskEvent(task_id=parent.id, at=at, actor=SYSTEM, channel=SYSTEM,
                              action="link-child", from_status=parent.status,
                              to_status=parent.status, note=note))
        return
    _apply(session, parent, row, at=at, actor=SYSTEM, channel=SYSTEM, note=note, extra={}, tz=tz)


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


def task_history(session: Session, task_id: int) -> list[HistoryEvent]:
    """The task's audit trail, oldest first."""
    task = session.get(Task, task_id)
    if task is None:
        raise TaskNotFound(f"không có nhiệm vụ #{task_id}")
    events = session.exec(select(TaskEvent).where(TaskEvent.task_id == task_id)
                          .order_by(col(TaskEvent.id))).all()
    names = actor_names(session, {e.actor for e in events})
    return [HistoryEvent(e.id, e.at, e.actor, names.get(e.actor, SYSTEM_ACTOR if e.actor == SYSTEM
                                                        else e.actor),
                         e.channel, e.action, task.role, e.from_status, e.to_status, e.note, e.data)
            for e in events if e.id is not None]


def actor_names(session: Session, actors: set[str]) -> dict[str, str]:
    """Who an audit actor is, by name: a body's name, or a console user's name and role."""
    from models.vocabulary import USER_ROLE, label

    names = dict(session.execute(select(Body.id, Body.name).where(col(Body.id).in_(actors))).all())
    if SYSTEM in actors:
        names[SYSTEM] = SYSTEM_ACTOR
    users = {a: uid for a in actors if (uid := user_id_of(a)) is not None}
    if users:
        rows = session.execute(select(UserAccount.id, UserAccount.name, UserAccount.role).where(
            col(UserAccount.id).in_(set(users.values())))).all()
        by_id = {r.id: f"{r.name} ({label(USER_ROLE, r.role)})" for r in rows}
        names |= {a: by_id.get(uid, a) for a, uid in users.items()}
    return names
