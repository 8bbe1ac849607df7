"""What a link page shows: the task a link is about, read from the database into plain data.

Everything here runs inside a unit of work (in a worker thread) and returns frozen data, so the
templates never touch an ORM object after its session has closed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

import sqlalchemy as sa
from sqlmodel import Session, select

from models.deadlines import window
from models.links import token_hash
from models.mail import LINK_ONLY_ACTIONS
from models.report_views import ReportView, TargetView, latest_report, targets_of_tasks
from models.status import TERMINAL, Role, TaskStatus, find_transition
from models.tables import Assignment, Body, Cascade, Directive, LinkToken, Task, TaskEvent, table_of
from models.vocabulary import (
    action_heading,
    due_label,
    local_time,
    long_date,
    status_label,
    upper_first,
)
from services import documents
from services.clicks import TaskFacts
from services.documents import DocumentView
from services.links import EMAIL_LINK


@dataclass(frozen=True)
class TaskPage:
    """The task a link acts on, as the page shows it."""

    task_id: int
    directive_number: str
    directive_kind: str
    directive_title: str
    ref: str
    task_text: str
    body_name: str
    role: Role
    role_label: str
    due_text: str
    due_on: dt.date | None
    requested_due_on: dt.date | None
    requested_text: str | None
    status: TaskStatus
    status_label: str
    closed_text: str | None
    coordinator_name: str
    date_min: str | None  # the earliest new deadline a form accepts (the day after the current)
    date_max: str  # the latest (models.deadlines.window)


@dataclass(frozen=True)
class LinkPage:
    """A valid link: its task, its action, and whether the task's status still allows it."""

    task: TaskPage
    action: str
    heading: str
    button: str
    allowed: bool
    explanation: str  # what pressing the button does, or why it no longer can
    target_label: str | None
    expires_text: str
    targets: tuple[TargetView, ...] = ()  # a report link: one figure field per target
    report: ReportView | None = None  # the task's latest report (shown for review)
    documents: tuple[DocumentView, ...] = ()  # the document the directive was drafted from


def load_task(session: Session, task_id: int, tz: dt.tzinfo) -> TaskPage:
    """The task's page from one query (a link page is the path most users take)."""
    t, c, a, d = (table_of(m) for m in (Task, Cascade, Assignment, Directive))
    body, coordinator = table_of(Body).alias("body"), table_of(Body).alias("coordinator")
    row = session.connection().execute(
        sa.select(t.c.id, t.c.body_id, t.c.role, t.c.status, t.c.version, t.c.due_on,
                  t.c.requested_due_on, t.c.closed_at, c.c.coordinator_id, d.c.number,
                  d.c.kind, d.c.title, d.c.issued_on, a.c.ref, a.c.task_text, a.c.deadline_rule,
                  body.c.name.label("body_name"), coordinator.c.name.label("coordinator_name"))
        .join(c, c.c.id == t.c.cascade_id).join(a, a.c.id == t.c.assignment_id)
        .join(d, d.c.id == c.c.directive_id)
        .outerjoin(body, body.c.id == t.c.body_id)
        .outerjoin(coordinator, coordinator.c.id == c.c.coordinator_id)
        .where(t.c.id == task_id)).one_or_none()
    assert row is not None, f"link to missing task #{task_id}"
    return task_page(TaskFacts(
        id=row.id, body_id=row.body_id, role=row.role, status=row.status, version=row.version,
        due_on=row.due_on, requested_due_on=row.requested_due_on, closed_at=row.closed_at,
        coordinator_id=row.coordinator_id, directive_number=row.number,
        directive_kind=row.kind, directive_title=row.title, issued_on=row.issued_on,
        ref=row.ref, task_text=row.task_text, body_name=row.body_name or row.body_id,
        coordinator_name=row.coordinator_name or row.coordinator_id,
        deadline_rule=row.deadline_rule), tz)


def task_page(task: TaskFacts, tz: dt.tzinfo) -> TaskPage:
    """The page's view of a task, from what was read of it (load_task, services.clicks)."""
    status, role = TaskStatus(task.status), Role(task.role)
    return TaskPage(
        task_id=task.id,
        directive_number=task.directive_number,
        directive_kind=task.directive_kind,
        directive_title=task.directive_title,
        ref=task.ref,
        task_text=task.task_text,
        body_name=task.body_name,
        role=role,
        role_label=role.label,
        due_text=long_date(task.due_on) if task.due_on else due_label(None, task.deadline_rule),
        due_on=task.due_on,
        requested_due_on=task.requested_due_on,
        requested_text=long_date(task.requested_due_on) if task.requested_due_on else None,
        status=status,
        status_label=status.label,
        closed_text=local_time(task.closed_at, tz) if task.closed_at else None,
        coordinator_name=task.coordinator_name,
        date_min=_day_after(task.due_on),
        date_max=window(task.issued_on)[1].isoformat(),
    )


def _day_after(day: dt.date | None) -> str | None:
    if day is None or day >= dt.date.max:
        return None
    return (day + dt.timedelta(days=1)).isoformat()


def status_explanation(task: TaskPage, action: str) -> str:
    """Why `action` is no longer possible, in a sentence a body understands."""
    if task.status in TERMINAL:
        when = f" lúc {task.closed_text}" if task.closed_text else ""
        if task.status is TaskStatus.DONE:
            return f"Nhiệm vụ đã được đánh dấu hoàn thành{when}."
        return f"Nhiệm vụ đã bị hủy{when}."
    return (f"Nhiệm vụ đang ở trạng thái «{task.status_label}», nên thao tác "
            f"«{action_heading(action).lower()}» không còn áp dụng được.")


def link_page(session: Session, link: LinkToken, tz: dt.tzinfo) -> LinkPage:
    page = _link_page(session, link, tz)
    targets = tuple(targets_of_tasks(session, [link.task_id]).get(link.task_id, [])) \
        if link.action == "report" else ()
    return replace(page, targets=targets, report=latest_report(session, link.task_id),
                   documents=tuple(documents.of_task(session, link.task_id)))


def _link_page(session: Session, link: LinkToken, tz: dt.tzinfo) -> LinkPage:
    task = load_task(session, link.task_id, tz)
    # The role's row of the table; record_action checks the actor again when the button is pressed.
    heading = action_heading(link.action)
    if link.action in LINK_ONLY_ACTIONS and task.status not in TERMINAL:
        return LinkPage(task, link.action, heading, "Gửi thư nhắc", True,
                        "Bấm nút bên dưới để gửi thêm một thư nhắc đơn vị thực hiện; trạng thái "
                        "nhiệm vụ không thay đổi.", task.status_label, local_time(link.expires_at, tz))
    row = find_transition(link.action, task.role, task.status)
    if row is None:
        return LinkPage(task, link.action, heading, heading, False,
                        status_explanation(task, link.action), None,
                        local_time(link.expires_at, tz))
    explanation = (f"Bấm nút bên dưới để {row.label}: trạng thái nhiệm vụ sẽ chuyển từ "
                   f"«{task.status_label}» sang «{row.target.label}».")
    if link.action == "accept":
        explanation += " Nhiệm vụ được tính hoàn thành vào ngày đơn vị gửi báo cáo."
    return LinkPage(task, link.action, heading, upper_first(row.label), True,
                    explanation, row.target.label, local_time(link.expires_at, tz))


@dataclass(frozen=True)
class SpentLink:
    """A link that can no longer act (used or expired): what happened to it and its task."""

    task: TaskPage
    heading: str
    used_text: str | None  # when it was used
    used_action: str | None  # the action it recorded, as a label
    expired_text: str | None


def _stored(session: Session, token: str) -> LinkToken | None:
    return session.exec(select(LinkToken).where(LinkToken.token_hash == token_hash(token))).first()


def task_for_token(session: Session, token: str, tz: dt.tzinfo) -> tuple[TaskPage, str]:
    """The task and action of a stored link (already verified by the caller)."""
    link = _stored(session, token)
    assert link is not None
    return load_task(session, link.task_id, tz), link.action


def spent_link(session: Session, token: str, tz: dt.tzinfo) -> SpentLink | None:
    """The story of a used or expired link, looked up by its token; None if unknown."""
    link = _stored(session, token)
    if link is None:
        return None
    task = load_task(session, link.task_id, tz)
    heading = action_heading(link.action)
    if link.used_at is None:
        return SpentLink(task, heading, None, None, local_time(link.expires_at, tz))
    event = session.exec(select(TaskEvent).where(
        TaskEvent.task_id == link.task_id, TaskEvent.channel == EMAIL_LINK,
        TaskEvent.action == link.action, TaskEvent.at == link.used_at)).first()
    recorded = None
    if event is not None:
        recorded = (f"{action_heading(event.action)} (trạng thái chuyển từ "
                    f"«{status_label(event.from_status)}» sang «{status_label(event.to_status)}»)")
    return SpentLink(task, heading, local_time(link.used_at, tz), recorded, None)
