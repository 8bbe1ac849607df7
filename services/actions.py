"""Apply a status transition to a task, from any channel (CLI, e-mail link, system).

The transition table (models/status.py) decides what is allowed; the database guards it: the
UPDATE matches only the version and status that were read, so of two simultaneous clicks
exactly one wins and the other is told what happened.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Protocol

import sqlalchemy as sa
from sqlmodel import Session, select

from models.accounts import user_id_of
from models.deadlines import parse_rule, window_problem
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
from models.tables import Assignment, Cascade, Directive, Task, TaskEvent, table_of
from models.vocabulary import action_label, business_date, short_date
from services.history import TaskNotFound
from services.notify import queue_follow_up, queue_task_assigned, task_state
from services.report_rows import follow_event, reported_at

# Which actions carry a date, and whether it is required ("required") or may be left out
# ("optional": granting an extension without a date grants the date asked for; a report is
# returned with its deadline unchanged unless a new one is given).
DATE_ACTIONS = {"request-extension": "required", "grant-extension": "optional",
                "extend": "required", "return": "optional"}
MISSING_REASON = ("trả lại báo cáo cần lý do (ghi chú): đơn vị cần biết phải bổ sung, sửa "
                  "những gì")


class ActionRefused(ValueError):
    """The action is not allowed now; nothing changed. The message says why and what is."""

    def __init__(self, message: str, *, status: TaskStatus | None = None,
                 allowed: list[str] | None = None):
        super().__init__(message)
        self.status = status
        self.allowed = allowed or []


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


class Deadlines(Protocol):
    """What an extension is checked against: a Task, or the row of a link click."""

    @property
    def id(self) -> int | None: ...

    @property
    def due_on(self) -> dt.date | None: ...

    @property
    def requested_due_on(self) -> dt.date | None: ...


def actor_kinds(actor: str | None, body_id: str, coordinator_id: str) -> set[Actor]:
    """Which roles `actor` holds on a task of `body_id` in a cascade run by `coordinator_id`."""
    if actor is None or actor == SYSTEM:
        return {Actor.COORDINATOR}
    kinds = set()
    if actor == body_id:
        kinds.add(Actor.BODY)
    if actor == coordinator_id:
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


NOTE_LIMIT = 2000
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029]")


def check_note(note: str | None) -> None:
    """A note from any channel: at most NOTE_LIMIT characters, no control character but tab
    and newline (a NUL is refused by PostgreSQL, an escape sequence would act on a terminal)."""
    if not note:
        return
    if len(note) > NOTE_LIMIT:
        raise ActionRefused(f"ghi chú dài {len(note)} ký tự; tối đa {NOTE_LIMIT} ký tự")
    if m := _CONTROL.search(note.replace("\r\n", "\n")):
        raise ActionRefused(f"ghi chú chứa ký tự điều khiển {m.group()!r} (vị trí {m.start() + 1}): "
                            "xóa ký tự đó rồi gửi lại")


MISSING_DATE = {"request-extension": "xin gia hạn cần ngày đề nghị gia hạn đến",
                "grant-extension": "đồng ý gia hạn cần ngày hạn mới",
                "extend": "gia hạn cần ngày hạn mới"}


def check_dates(row: Transition, task: Deadlines, given: NewDate | None, today: dt.date,
                 issued_on: dt.date) -> dict:
    """Extra columns an extension action sets, after checking the date it carries (within the
    directive's window: models.deadlines.window)."""
    until = given
    if isinstance(given, DaysAfterDue):
        if task.due_on is None:
            raise ActionRefused(f"nhiệm vụ #{task.id} không có thời hạn để cộng thêm {given.days} ngày")
        until = task.due_on + dt.timedelta(days=given.days)
    assert not isinstance(until, DaysAfterDue)
    chosen = until or (task.requested_due_on if row.action == "grant-extension" else None)
    if row.action in DATE_ACTIONS and chosen is not None:
        if problem := window_problem(chosen, issued_on, "ngày gia hạn"):
            raise ActionRefused(problem)
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
    if row.action == "return" and until is None:
        return {}
    if row.action in ("extend", "return"):
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
    kinds = actor_kinds(on_behalf_of or actor, task.body_id, cascade.coordinator_id)
    if not kinds:
        raise ActionRefused(f"đơn vị {actor} không phụ trách nhiệm vụ #{task_id} và không phải "
                            f"điều phối viên ({cascade.coordinator_id})")
    row = find_transition(action, Role(task.role), TaskStatus(task.status))
    if row is None:
        raise _refusal(action, task, kinds, tz)
    if not kinds & row.actors:
        raise ActionRefused(f"chỉ điều phối viên ({cascade.coordinator_id}) được {row.label} "
                            f"nhiệm vụ #{task_id}")
    check_note(note)
    if row.action == "return" and not (note or "").strip():
        raise ActionRefused(MISSING_REASON)
    directive = session.get(Directive, cascade.directive_id)
    assert directive is not None
    extra = check_dates(row, task, until, business_date(at, tz), directive.issued_on)
    if row.action == "accept":  # done on the day the body reported, not the day of the review
        extra["closed_at"] = reported_at(session, task_id) or at
    recorded = {"on_behalf_of": on_behalf_of} if actor and user_id_of(actor) and on_behalf_of else {}
    return _apply(session, task, row, at=at, actor=actor or cascade.coordinator_id,
                  channel=channel, note=note, extra=extra, tz=tz, recorded=recorded)


def task_change(row: Transition, extra: dict, *, at: dt.datetime, due_on: dt.date | None,
                recorded: dict | None = None) -> tuple[dict, dict | None]:
    """The task's new column values for `row` (version bumped in SQL), and the event's data:
    what changed, the due date it replaced included, and `recorded` (for whom a console user
    acted)."""
    recorded = {**(recorded or {}), **extra}
    if "due_on" in extra:
        recorded["previous_due_on"] = due_on
    data = {k: (v.isoformat() if isinstance(v, dt.date) else v)
            for k, v in recorded.items() if v is not None} or None
    values = {"status": row.target.value, "updated_at": at, "version": Task.version + 1, **extra}
    if row.target in TERMINAL:
        values.setdefault("closed_at", at)
    return values, data


def _apply(session: Session, task: Task, row: Transition, *, at: dt.datetime, actor: str,
           channel: str, note: str | None, extra: dict, tz: dt.tzinfo,
           recorded: dict | None = None) -> ActionResult:
    assert task.id is not None  # a stored task
    source = TaskStatus(task.status)
    values, data = task_change(row, extra, at=at, due_on=task.due_on, recorded=recorded)
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
    after = task_state(status=row.target.value, due_on=extra.get("due_on", task.due_on),
                       requested_due_on=extra.get("requested_due_on", task.requested_due_on),
                       version=task.version + 1)
    session.expire(task)
    follow_event(session, task, event)
    queue_follow_up(session=session, task=task, event=event, at=at, state=after)
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
