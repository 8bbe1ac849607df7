"""Task statuses, the one transition table every channel uses, and deadline colours.

Overdue and near-due are never stored: they are computed from the due date, the calendar and
the moment asked about.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

from models import vocabulary

if TYPE_CHECKING:
    from models.calendar import WorkingCalendar


class TaskStatus(StrEnum):
    ASSIGNED = "assigned"  # created at launch, not yet seen by the body
    ACKNOWLEDGED = "acknowledged"  # the body confirmed it received the task
    IN_PROGRESS = "in_progress"  # the body is working on it
    REPORTED = "reported"  # the lead body reported its result; awaiting closure
    RETURNED = "returned"  # the coordinator sent the report back for more work
    EXTENSION_REQUESTED = "extension_requested"  # the body asked for a later due date
    DONE = "done"  # closed by the lead body / the coordinator, or a contribution reported
    CANCELLED = "cancelled"  # withdrawn by the coordinator

    @property
    def label(self) -> str:
        return vocabulary.status_label(self.value)


TERMINAL = frozenset({TaskStatus.DONE, TaskStatus.CANCELLED})
OPEN = frozenset(TaskStatus) - TERMINAL


class Role(StrEnum):
    LEAD = "lead"  # chủ trì: closes the task
    COOPERATING = "cooperating"  # phối hợp: reports a contribution

    @property
    def label(self) -> str:
        return vocabulary.role_label(self.value)


# The actor and channel of what the system does by itself (roll-overs, parent tasks).
SYSTEM = "system"


class Actor(StrEnum):
    """Who may take an action: the task's own body, or the cascade's coordinator."""

    BODY = "body"
    COORDINATOR = "coordinator"


@dataclass(frozen=True)
class Transition:
    action: str
    sources: frozenset[TaskStatus]
    target: TaskStatus
    actors: frozenset[Actor]
    roles: frozenset[Role] = frozenset(Role)

    @property
    def label(self) -> str:
        """What the action does, from the vocabulary (a co-operating report has its own)."""
        only = next(iter(self.roles)).value if len(self.roles) == 1 else None
        return vocabulary.action_label(self.action, only)


def _t(action: str, sources: set[TaskStatus], target: TaskStatus, actors: set[Actor],
       roles: set[Role] | None = None) -> Transition:
    return Transition(action, frozenset(sources), target, frozenset(actors),
                      frozenset(roles or Role))


A, C = Actor.BODY, Actor.COORDINATOR
S = TaskStatus
WORKING = {S.ASSIGNED, S.ACKNOWLEDGED, S.IN_PROGRESS, S.RETURNED}

# The transition table. One action may have one row per role (report ends a contribution).
TRANSITIONS: tuple[Transition, ...] = (
    _t("acknowledge", {S.ASSIGNED}, S.ACKNOWLEDGED, {A, C}),
    _t("start", {S.ASSIGNED, S.ACKNOWLEDGED, S.RETURNED}, S.IN_PROGRESS, {A, C}),
    _t("report", WORKING, S.REPORTED, {A, C}, {Role.LEAD}),
    _t("report", WORKING, S.DONE, {A, C}, {Role.COOPERATING}),
    _t("return", {S.REPORTED}, S.RETURNED, {C}, {Role.LEAD}),
    # the coordinator accepts the lead's report: done, dated by the report (services/actions)
    _t("accept", {S.REPORTED}, S.DONE, {C}, {Role.LEAD}),
    _t("close", WORKING | {S.REPORTED}, S.DONE, {A, C},
       {Role.LEAD}),
    _t("request-extension", WORKING, S.EXTENSION_REQUESTED, {A, C}),
    _t("grant-extension", {S.EXTENSION_REQUESTED}, S.IN_PROGRESS, {C}),
    _t("refuse-extension", {S.EXTENSION_REQUESTED}, S.IN_PROGRESS, {C}),
    _t("cancel", set(OPEN), S.CANCELLED, {C}),
    # The coordinator moves a deadline without a request (from an escalation mail): the status
    # stays what it was, so there is one row per status.
    *(_t("extend", {s}, s, {C}) for s in sorted(WORKING)),
)

ACTIONS: tuple[str, ...] = tuple(dict.fromkeys(t.action for t in TRANSITIONS))


def find_transition(action: str, role: Role, status: TaskStatus) -> Transition | None:
    """The row that lets `action` move a task of `role` out of `status`, if any."""
    for row in TRANSITIONS:
        if row.action == action and role in row.roles and status in row.sources:
            return row
    return None


def allowed_actions(role: Role, status: TaskStatus, actor: Actor | None = None) -> list[str]:
    """Actions possible now for a task of `role` in `status` (by `actor`, if given)."""
    return [
        row.action for row in TRANSITIONS
        if role in row.roles and status in row.sources and (actor is None or actor in row.actors)
    ]


class Colour(StrEnum):
    IN_TERM = "in_term"  # green: trong hạn
    NEAR_DUE = "near_due"  # orange: sắp đến hạn
    OVERDUE = "overdue"  # red: quá hạn
    NO_DEADLINE = "no_deadline"  # continuous or day not set: tracked, never late
    DONE_ON_TIME = "done_on_time"
    DONE_LATE = "done_late"
    CANCELLED = "cancelled"

    @property
    def label(self) -> str:
        return vocabulary.colour_label(self.value)


def colour(
    *,
    status: TaskStatus | str,
    due_on: dt.date | None,
    today: dt.date,
    calendar: WorkingCalendar,
    near_due_working_days: int,
    closed_on: dt.date | None = None,
) -> Colour:
    """A task's colour on `today` (a business date in Asia/Ho_Chi_Minh).

    A task is overdue from the day after its due date; near due when at most
    `near_due_working_days` working days remain before it.
    """
    return colour_by(status=status, due_on=due_on, today=today, closed_on=closed_on,
                     near_limit=calendar.add_working_days(today, near_due_working_days))


def colour_by(*, status: TaskStatus | str, due_on: dt.date | None, today: dt.date,
              near_limit: dt.date, closed_on: dt.date | None = None) -> Colour:
    """`colour` with the working-day sum done once by the caller: a task due on or before
    `near_limit` (today plus the near-due working days) is near due."""
    if status == TaskStatus.CANCELLED:
        return Colour.CANCELLED
    if status == TaskStatus.DONE:
        if due_on is None or closed_on is None or closed_on <= due_on:
            return Colour.DONE_ON_TIME
        return Colour.DONE_LATE
    if due_on is None:
        return Colour.NO_DEADLINE
    if today > due_on:
        return Colour.OVERDUE
    if due_on <= near_limit:
        return Colour.NEAR_DUE
    return Colour.IN_TERM
