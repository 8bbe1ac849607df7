"""The review summary's data: counts per body, per item and in total, overdue tasks with their
history, extensions, the cascade tree. Pure data (`Summary.as_json()` is the JSON report)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, fields
from typing import TYPE_CHECKING, Any

from models.status import Colour, TaskStatus
from models.vocabulary import EXTENSION_OUTCOME, role_label, status_label

if TYPE_CHECKING:
    from reports.results import Results

EXTENSION_ACTIONS = ("request-extension", "grant-extension", "refuse-extension")

# Categories that split the tasks: every task is in exactly one.
PARTITION = ("done_on_time", "done_late", "in_term", "overdue", "no_deadline", "cancelled")
# Counts inside a category (or across several), and counts of events rather than tasks.
SUB_COUNTS = {
    "near_due": "trong in_term: còn ít ngày làm việc trước hạn",
    "not_started": "trong các nhiệm vụ chưa xong (in_term, overdue, no_deadline): trạng thái "
                   "'đã giao' hoặc 'đã nhận'",
    "extension_pending": "trong các nhiệm vụ chưa xong: đang chờ quyết định gia hạn",
    "extensions_granted": "số lượt đồng ý gia hạn (sự kiện, không phải nhiệm vụ)",
}
LABELS = {
    "tasks": "tổng số nhiệm vụ",
    "done_on_time": "hoàn thành đúng hạn",
    "done_late": "hoàn thành trễ hạn",
    "in_term": "đang thực hiện, trong hạn",
    "near_due": "sắp đến hạn",
    "overdue": "quá hạn",
    "no_deadline": "thường xuyên, không thời hạn",
    "cancelled": "đã hủy",
    "not_started": "chưa bắt đầu",
    "extension_pending": "chờ quyết định gia hạn",
    "extensions_granted": "lượt gia hạn",
}
NOT_STARTED = frozenset({TaskStatus.ASSIGNED, TaskStatus.ACKNOWLEDGED})
@dataclass
class Counts:
    """Task counts. PARTITION fields add up to `tasks`; see SUB_COUNTS for the others."""

    tasks: int = 0
    done_on_time: int = 0
    done_late: int = 0
    in_term: int = 0
    near_due: int = 0
    overdue: int = 0
    no_deadline: int = 0
    cancelled: int = 0
    not_started: int = 0
    extension_pending: int = 0
    extensions_granted: int = 0

    @property
    def done(self) -> int:
        return self.done_on_time + self.done_late

    @property
    def open(self) -> int:
        return self.in_term + self.overdue + self.no_deadline

    def add_task(self, hue: Colour, status: TaskStatus) -> None:
        self.tasks += 1
        if hue is Colour.NEAR_DUE:
            self.near_due += 1
            hue = Colour.IN_TERM
        setattr(self, hue.value, getattr(self, hue.value) + 1)
        if status in NOT_STARTED:
            self.not_started += 1
        elif status is TaskStatus.EXTENSION_REQUESTED:
            self.extension_pending += 1

    def add(self, other: Counts) -> None:
        for f in fields(self):
            setattr(self, f.name, getattr(self, f.name) + getattr(other, f.name))

    def as_json(self) -> dict[str, int]:
        return {f.name: getattr(self, f.name) for f in fields(self)} | {
            "done": self.done, "open": self.open}


@dataclass(frozen=True)
class BodyInfo:
    id: str
    name: str
    kind: str
    parent_id: str | None
    parent_name: str | None

    def as_json(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "kind": self.kind, "parent": self.parent_id}


@dataclass(frozen=True)
class DirectiveInfo:
    number: str
    kind: str
    title: str
    issued_on: dt.date
    place: str | None
    signer: str | None
    implements: list[str]
    issuer: BodyInfo

    def as_json(self) -> dict[str, Any]:
        return {"number": self.number, "kind": self.kind, "title": self.title,
                "issued_on": self.issued_on.isoformat(), "place": self.place, "signer": self.signer,
                "implements": self.implements, "issuer": self.issuer.as_json()}


@dataclass
class EventRow:
    at: dt.datetime
    actor: str
    actor_name: str
    channel: str
    action: str
    action_label: str
    from_status: str | None
    to_status: str
    note: str | None
    data: dict[str, Any] | None

    def as_json(self) -> dict[str, Any]:
        return {"at": self.at.isoformat(), "actor": self.actor, "actor_name": self.actor_name,
                "channel": self.channel, "action": self.action, "action_label": self.action_label,
                "from": self.from_status, "to": self.to_status, "note": self.note,
                "data": self.data}


@dataclass
class TaskRef:
    """Which task, of which directive, of which body."""

    id: int
    directive: str
    ref: str
    occurrence: int
    body: BodyInfo
    role: str
    status: str
    due_on: dt.date | None

    @property
    def status_label(self) -> str:
        return status_label(self.status)

    @property
    def role_label(self) -> str:
        return role_label(self.role)

    def as_json(self) -> dict[str, Any]:
        return {"id": self.id, "directive": self.directive, "ref": self.ref,
                "occurrence": self.occurrence, "body": self.body.id, "body_name": self.body.name,
                "role": self.role, "status": self.status, "status_label": self.status_label,
                "due_on": self.due_on.isoformat() if self.due_on else None}


@dataclass
class OverdueTask:
    task: TaskRef
    days_late: int  # calendar days after the due date
    working_days_late: int
    history: list[EventRow]

    def as_json(self) -> dict[str, Any]:
        return {**self.task.as_json(), "days_late": self.days_late,
                "working_days_late": self.working_days_late,
                "history": [e.as_json() for e in self.history]}


@dataclass
class ExtensionRequest:
    requested_at: dt.datetime
    requested_by: str
    requested_until: dt.date | None
    reason: str | None
    outcome: str = "pending"  # granted | refused | pending
    decided_at: dt.datetime | None = None
    new_due_on: dt.date | None = None
    decision_note: str | None = None

    @property
    def outcome_label(self) -> str:
        return EXTENSION_OUTCOME[self.outcome]

    def as_json(self) -> dict[str, Any]:
        return {"requested_at": self.requested_at.isoformat(), "requested_by": self.requested_by,
                "requested_until": _iso(self.requested_until), "reason": self.reason,
                "outcome": self.outcome, "decided_at": _iso(self.decided_at),
                "new_due_on": _iso(self.new_due_on), "decision_note": self.decision_note}


@dataclass
class ExtensionItem:
    task: TaskRef
    requests: list[ExtensionRequest]

    def as_json(self) -> dict[str, Any]:
        return {**self.task.as_json(), "requests": [r.as_json() for r in self.requests]}


@dataclass
class AssignmentRow:
    ref: str
    task_text: str
    deadline_text: str | None
    counts: Counts = field(default_factory=Counts)

    def as_json(self) -> dict[str, Any]:
        return {"ref": self.ref, "task": self.task_text, "deadline": self.deadline_text,
                "counts": self.counts.as_json()}


@dataclass
class BodyRow:
    body: BodyInfo
    counts: Counts = field(default_factory=Counts)
    children: list[CascadeSummary] = field(default_factory=list)  # plans fulfilling its tasks

    def as_json(self) -> dict[str, Any]:
        return {**self.body.as_json(), "counts": self.counts.as_json(),
                "child_cascades": [{"directive": c.directive.number,
                                    "parent_task": c.parent.id if c.parent else None,
                                    "counts": c.total.as_json(),
                                    "descendants": c.descendants.as_json()}
                                   for c in self.children]}


@dataclass
class CascadeSummary:
    """One cascade's own counts, and its child cascades (each a CascadeSummary) under it."""

    cascade_id: int
    directive: DirectiveInfo
    coordinator: BodyInfo
    launched_at: dt.datetime
    parent: TaskRef | None  # the task this cascade fulfils (None for the one reported on)
    total: Counts = field(default_factory=Counts)  # this cascade's own tasks
    descendants: Counts = field(default_factory=Counts)  # tasks of all child cascades, recursively
    descendant_cascades: int = 0
    bodies: list[BodyRow] = field(default_factory=list)
    assignments: list[AssignmentRow] = field(default_factory=list)
    children: list[CascadeSummary] = field(default_factory=list)
    roles: dict[str, int] = field(default_factory=dict)

    @property
    def overall(self) -> Counts:
        """Own tasks plus every child cascade's tasks."""
        out = Counts()
        out.add(self.total)
        out.add(self.descendants)
        return out

    def as_json(self) -> dict[str, Any]:
        return {
            "cascade_id": self.cascade_id,
            "directive": self.directive.as_json(),
            "coordinator": self.coordinator.as_json(),
            "launched_at": self.launched_at.isoformat(),
            "parent_task": self.parent.as_json() if self.parent else None,
            "total": self.total.as_json(),
            "roles": self.roles,
            "descendants": self.descendants.as_json(),
            "descendant_cascades": self.descendant_cascades,
            "bodies": [b.as_json() for b in self.bodies],
            "assignments": [a.as_json() for a in self.assignments],
            "children": [c.as_json() for c in self.children],
        }


@dataclass
class Summary:
    as_of: dt.datetime
    today: dt.date  # the business date in Vietnam at `as_of`
    near_due_working_days: int
    root: CascadeSummary
    overdue: list[OverdueTask]  # of the directive and of its child cascades
    extensions: list[ExtensionItem]
    tz: dt.tzinfo = dt.UTC  # for showing times; the JSON keeps ISO instants
    results: Results | None = None  # reports, files, figures, targets (reports/results.py)

    def local(self, when: dt.datetime) -> dt.datetime:
        return when.astimezone(self.tz)

    @property
    def directive(self) -> DirectiveInfo:
        return self.root.directive

    @property
    def total(self) -> Counts:
        return self.root.total

    @property
    def overall(self) -> Counts:
        return self.root.overall

    def all_cascades(self) -> list[CascadeSummary]:
        """The root and every child cascade, depth first."""
        out, stack = [], [self.root]
        while stack:
            node = stack.pop()
            out.append(node)
            stack.extend(reversed(node.children))
        return out

    def as_json(self) -> dict[str, Any]:
        return {
            "directive": self.root.directive.as_json(),
            "as_of": self.as_of.isoformat(),
            "business_date": self.today.isoformat(),
            "near_due_working_days": self.near_due_working_days,
            "categories": {
                "partition": list(PARTITION),
                "partition_note": "mỗi nhiệm vụ thuộc đúng một nhóm; tổng các nhóm = tasks",
                "sub_counts": SUB_COUNTS,
                "labels": LABELS,
            },
            "total": self.root.total.as_json(),
            "child_total": self.root.descendants.as_json(),
            "child_cascades": self.root.descendant_cascades,
            "overall": self.overall.as_json(),
            "cascade": self.root.as_json(),
            "overdue": [o.as_json() for o in self.overdue],
            "extensions": [e.as_json() for e in self.extensions],
            "targets": [t.as_json() for t in self.results.targets] if self.results else [],
            "tasks": [t.as_json() for t in self.results.tasks] if self.results else [],
        }


def _iso(value: dt.date | None) -> str | None:
    return value.isoformat() if value else None


