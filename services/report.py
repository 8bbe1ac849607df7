"""The review summary (sơ kết, tổng kết) of a directive: counts per body and in total, the
overdue tasks with their history, the extensions, rolled up through child cascades.

Pure data out (dataclasses, `Summary.as_json()`); the .docx and HTML renderers take it from
here. The clock is read only through `at`. A handful of queries whatever the size: the cascade
tree, directives, bodies, tasks, assignments, extension events, overdue tasks' events.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field, fields
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
import sqlalchemy.orm
from sqlmodel import Session, col, select

from models.calendar import WorkingCalendar
from models.numbering import normalise_number
from models.status import TRANSITIONS, Colour, Role, TaskStatus, colour
from models.tables import Assignment, Body, Cascade, Directive, Task, TaskEvent, select_columns
from services.status import NotFound, business_date

EXTENSION_ACTIONS = ("request-extension", "grant-extension", "refuse-extension")
_CHUNK = 500  # ids per IN (...) list: well under SQLite's and PostgreSQL's parameter limits

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
_ACTION_LABELS = {
    "assign": "giao nhiệm vụ",
    "link-child": "gắn kế hoạch con",
    **{row.action: row.label for row in TRANSITIONS if Role.LEAD in row.roles},
}


def action_label(action: str) -> str:
    """The Vietnamese label of an audit event's action (its code when unknown)."""
    return _ACTION_LABELS.get(action, action)


def vi_sort_key(text: str) -> tuple:
    """Sort key in Vietnamese alphabetical order: a ă â b c d đ e ê ... o ô ơ ... u ư ...; tones
    break ties only."""
    base: list[tuple[str, int]] = []
    tones: list[int] = []
    for ch in unicodedata.normalize("NFD", text.casefold()):
        if ch == "đ":
            base.append(("d", 1))
        elif ch in "\u0306\u0302\u031b" and base:  # breve, circumflex, horn: a new letter
            letter, _ = base[-1]
            base[-1] = (letter, {"\u0306": 1, "\u0302": 2, "\u031b": 3}[ch])
        elif unicodedata.combining(ch):
            tones.append(ord(ch))
        else:
            base.append((ch, 0))
    return tuple(base), tuple(tones), text


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
class EventView:
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
        return TaskStatus(self.status).label

    @property
    def role_label(self) -> str:
        return Role(self.role).label

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
    history: list[EventView]

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
        return {"granted": "đồng ý", "refused": "không đồng ý", "pending": "chờ quyết định"}[
            self.outcome]

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
        }


def _iso(value: dt.date | None) -> str | None:
    return value.isoformat() if value else None


def summarise_directive(
    *,
    session: Session,
    number: str,
    at: dt.datetime,
    tz: ZoneInfo | dt.tzinfo,
    calendar: WorkingCalendar,
    near_due_working_days: int,
    issuer: str | None = None,
) -> Summary:
    """The review summary of directive `number` (and of `issuer`, when numbers repeat) at `at`.

    Raises services.status.NotFound when the directive was not launched.
    """
    today = business_date(at, tz)  # type: ignore[arg-type]
    root_id = _root_cascade(session, number, issuer)
    tree = _cascade_tree(session, root_id)  # cascade id -> parent task id
    bodies = _bodies(session)
    infos = _cascade_infos(session, list(tree), bodies)
    tasks = _tasks(session, list(tree))
    assignments = _assignments(session, list(tree))
    ext_events = _events(session, _task_ids_of_cascades(tasks), EXTENSION_ACTIONS)

    grants: dict[int, int] = defaultdict(int)
    for e in ext_events:
        if e.action == "grant-extension":
            grants[e.task_id] += 1

    refs: dict[int, TaskRef] = {}
    colours: dict[int, Colour] = {}
    for row in tasks:
        ref = TaskRef(id=row.id, directive=infos[row.cascade_id][0].number, ref=row.ref,
                      occurrence=row.occurrence, body=bodies[row.body_id], role=row.role,
                      status=row.status, due_on=row.due_on)
        refs[row.id] = ref
        closed_on = business_date(row.closed_at, tz) if row.closed_at else None  # type: ignore[arg-type]
        colours[row.id] = colour(status=TaskStatus(row.status), due_on=row.due_on, today=today,
                                 calendar=calendar, near_due_working_days=near_due_working_days,
                                 closed_on=closed_on)

    nodes = _build_nodes(tree, infos, tasks, assignments, refs, colours, grants)
    root = nodes[root_id]
    root.parent = _outside_parent(session, root_id, bodies)
    _roll_up(root)

    overdue_ids = [r.id for r in tasks if colours[r.id] is Colour.OVERDUE]
    history = _group(_events(session, overdue_ids, None), bodies)
    overdue = [OverdueTask(task=refs[i], days_late=(today - refs[i].due_on).days,  # type: ignore[operator]
                           working_days_late=calendar.working_days_between(refs[i].due_on, today),  # type: ignore[arg-type]
                           history=history.get(i, []))
               for i in overdue_ids]
    overdue.sort(key=lambda o: (-o.days_late, vi_sort_key(o.task.body.name), o.task.ref, o.task.id))
    extensions = _extensions(_group(ext_events, bodies), refs)
    return Summary(as_of=at, today=today, near_due_working_days=near_due_working_days, root=root,
                   overdue=overdue, extensions=extensions, tz=tz)


def _root_cascade(session: Session, number: str, issuer: str | None) -> int:
    query = (select(Cascade.id, Directive.issuer_id)
             .join(Directive, col(Directive.id) == Cascade.directive_id)
             .where(Directive.number == normalise_number(number)))
    if issuer:
        query = query.where(Directive.issuer_id == issuer)
    rows = session.execute(query).all()
    if not rows:
        who = f" của {issuer}" if issuer else ""
        raise NotFound(f"chưa khởi chạy văn bản {number}{who}: không có gì để báo cáo "
                       "(xem `cascade status` để biết các văn bản đã khởi chạy)")
    if len(rows) > 1:
        issuers = ", ".join(sorted(r.issuer_id for r in rows))
        raise NotFound(f"có {len(rows)} văn bản cùng số {number} (cơ quan ban hành: {issuers}): "
                       "chọn một bằng --issuer")
    return rows[0].id


def _cascade_tree(session: Session, root_id: int) -> dict[int, int | None]:
    """{cascade id: parent task id} for the root and every cascade under it (one query)."""
    links = session.execute(
        select(Cascade.id, Cascade.parent_task_id, Task.cascade_id)
        .join(Task, col(Task.id) == Cascade.parent_task_id)).all()
    under: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for child, parent_task, parent_cascade in links:
        under[parent_cascade].append((child, parent_task))
    tree: dict[int, int | None] = {root_id: None}
    stack = [root_id]
    while stack:
        for child, parent_task in under.get(stack.pop(), []):
            if child not in tree:  # a cycle is impossible by construction; guard anyway
                tree[child] = parent_task
                stack.append(child)
    return tree


def _outside_parent(session: Session, cascade_id: int, bodies: dict[str, BodyInfo]) -> TaskRef | None:
    """The task (of another directive) that the reported cascade itself fulfils, if any."""
    parent_cascade = sa.orm.aliased(Cascade)
    row = session.execute(
        select_columns(Task.id, Directive.number, Assignment.ref, Task.occurrence, Task.body_id,
                       Task.role, Task.status, Task.due_on)
        .join(Cascade, col(Cascade.parent_task_id) == Task.id)
        .join(Assignment, col(Assignment.id) == Task.assignment_id)
        .join(parent_cascade, col(parent_cascade.id) == Task.cascade_id)
        .join(Directive, col(Directive.id) == parent_cascade.directive_id)
        .where(Cascade.id == cascade_id)).first()
    if row is None:
        return None
    return TaskRef(id=row.id, directive=row.number, ref=row.ref, occurrence=row.occurrence,
                   body=bodies[row.body_id], role=row.role, status=row.status, due_on=row.due_on)


def _bodies(session: Session) -> dict[str, BodyInfo]:
    rows = session.execute(select(Body.id, Body.name, Body.kind, Body.parent_id)).all()
    names = {r.id: r.name for r in rows}
    return {r.id: BodyInfo(r.id, r.name, r.kind, r.parent_id, names.get(r.parent_id or ""))
            for r in rows}


def _cascade_infos(session: Session, cascade_ids: list[int], bodies: dict[str, BodyInfo]
                   ) -> dict[int, tuple[DirectiveInfo, BodyInfo, dt.datetime]]:
    rows = session.execute(
        select(Cascade.id, Cascade.coordinator_id, Cascade.launched_at, Directive)
        .join(Directive, col(Directive.id) == Cascade.directive_id)
        .where(col(Cascade.id).in_(cascade_ids))).all()
    out = {}
    for cid, coordinator, launched_at, d in rows:
        info = DirectiveInfo(number=d.number, kind=d.kind, title=d.title, issued_on=d.issued_on,
                             place=d.place, signer=d.signer, implements=list(d.implements or []),
                             issuer=bodies[d.issuer_id])
        out[cid] = (info, bodies[coordinator], launched_at)
    return out


def _tasks(session: Session, cascade_ids: list[int]) -> list[Any]:
    return list(session.execute(
        select_columns(Task.id, Task.cascade_id, Task.assignment_id, Task.body_id, Task.role,
                       Task.status, Task.occurrence, Task.due_on, Task.closed_at, Assignment.ref)
        .join(Assignment, col(Assignment.id) == Task.assignment_id)
        .where(col(Task.cascade_id).in_(cascade_ids))
        .order_by(col(Task.cascade_id), col(Assignment.position), col(Task.id))).all())


def _assignments(session: Session, cascade_ids: list[int]) -> list[Any]:
    return list(session.execute(
        select_columns(Assignment.id, Assignment.cascade_id, Assignment.ref, Assignment.task_text,
                       Assignment.deadline_text)
        .where(col(Assignment.cascade_id).in_(cascade_ids))
        .order_by(col(Assignment.cascade_id), col(Assignment.position))).all())


def _task_ids_of_cascades(tasks: list[Any]) -> list[int]:
    return [r.id for r in tasks]


def _events(session: Session, task_ids: list[int], actions: tuple[str, ...] | None
            ) -> list[TaskEvent]:
    """Events of `task_ids` (only `actions`, when given), in order, in chunks of ids."""
    out: list[TaskEvent] = []
    for start in range(0, len(task_ids), _CHUNK):
        query = select(TaskEvent).where(col(TaskEvent.task_id).in_(task_ids[start:start + _CHUNK]))
        if actions:
            query = query.where(col(TaskEvent.action).in_(actions))
        out.extend(session.exec(query.order_by(col(TaskEvent.task_id), col(TaskEvent.id))).all())
    return out


def _group(events: list[TaskEvent], bodies: dict[str, BodyInfo]) -> dict[int, list[EventView]]:
    out: dict[int, list[EventView]] = defaultdict(list)
    for e in events:
        who = bodies.get(e.actor)
        out[e.task_id].append(EventView(
            at=e.at, actor=e.actor, actor_name=who.name if who else "hệ thống",
            channel=e.channel, action=e.action, action_label=action_label(e.action),
            from_status=e.from_status, to_status=e.to_status, note=e.note, data=e.data))
    return out


def _build_nodes(tree, infos, tasks, assignments, refs, colours, grants) -> dict[int, CascadeSummary]:  # type: ignore[no-untyped-def]
    nodes: dict[int, CascadeSummary] = {}
    for cid, parent_task in tree.items():
        directive, coordinator, launched_at = infos[cid]
        nodes[cid] = CascadeSummary(cascade_id=cid, directive=directive, coordinator=coordinator,
                                    launched_at=launched_at,
                                    parent=refs.get(parent_task) if parent_task else None)
    by_assignment: dict[int, AssignmentRow] = {}
    for a in assignments:
        row = AssignmentRow(ref=a.ref, task_text=a.task_text, deadline_text=a.deadline_text)
        by_assignment[a.id] = row
        nodes[a.cascade_id].assignments.append(row)
    body_rows: dict[tuple[int, str], BodyRow] = {}
    task_cascade: dict[int, int] = {}
    for t in tasks:
        node = nodes[t.cascade_id]
        task_cascade[t.id] = t.cascade_id
        hue, status = colours[t.id], TaskStatus(t.status)
        key = (t.cascade_id, t.body_id)
        if key not in body_rows:
            body_rows[key] = BodyRow(body=refs[t.id].body)
            node.bodies.append(body_rows[key])
        for counts in (node.total, body_rows[key].counts, by_assignment[t.assignment_id].counts):
            counts.add_task(hue, status)
            counts.extensions_granted += grants.get(t.id, 0)
        node.roles[t.role] = node.roles.get(t.role, 0) + 1
    for cid, parent_task in tree.items():
        if parent_task is None or parent_task not in task_cascade:
            continue
        parent_cascade = task_cascade[parent_task]
        nodes[parent_cascade].children.append(nodes[cid])
        body_rows[(parent_cascade, refs[parent_task].body.id)].children.append(nodes[cid])
    for node in nodes.values():
        node.bodies.sort(key=lambda b: vi_sort_key(b.body.name))
        node.children.sort(key=lambda c: (vi_sort_key(c.parent.body.name) if c.parent else (),
                                          c.directive.number))
    return nodes


def _roll_up(node: CascadeSummary) -> None:
    """Fill `descendants` bottom-up: each child's own tasks plus its descendants."""
    for child in node.children:
        _roll_up(child)
        node.descendants.add(child.total)
        node.descendants.add(child.descendants)
        node.descendant_cascades += 1 + child.descendant_cascades


def _extensions(events: dict[int, list[EventView]], refs: dict[int, TaskRef]) -> list[ExtensionItem]:
    """Each task's extension requests, with the decision taken on each."""
    out = []
    for task_id, items in events.items():
        requests: list[ExtensionRequest] = []
        for e in items:
            data = e.data or {}
            if e.action == "request-extension":
                until = data.get("requested_due_on")
                requests.append(ExtensionRequest(
                    requested_at=e.at, requested_by=e.actor_name,
                    requested_until=dt.date.fromisoformat(until) if until else None, reason=e.note))
            elif requests and requests[-1].outcome == "pending":
                last = requests[-1]
                last.outcome = "granted" if e.action == "grant-extension" else "refused"
                last.decided_at, last.decision_note = e.at, e.note
                if data.get("due_on"):
                    last.new_due_on = dt.date.fromisoformat(data["due_on"])
        out.append(ExtensionItem(task=refs[task_id], requests=requests))
    out.sort(key=lambda x: (x.task.directive, vi_sort_key(x.task.body.name), x.task.ref))
    return out


# --- Wording shared by the .docx and HTML renderers --------------------------------------------

PARTY_MOTTO = ("ĐẢNG CỘNG SẢN VIỆT NAM",)
STATE_MOTTO = ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc")
# Columns of the per-body and per-item tables: (Counts field, header).
COLUMNS = (
    ("tasks", "Tổng số"),
    ("done_on_time", "Xong đúng hạn"),
    ("done_late", "Xong trễ hạn"),
    ("in_term", "Trong hạn"),
    ("near_due", "Sắp đến hạn"),
    ("overdue", "Quá hạn"),
    ("no_deadline", "Thường xuyên"),
    ("cancelled", "Đã hủy"),
    ("not_started", "Chưa bắt đầu"),
    ("extensions_granted", "Lượt gia hạn"),
)
COLUMNS_NOTE = ("Ghi chú: các cột từ “Xong đúng hạn” đến “Đã hủy” (trừ “Sắp đến hạn”) chia hết số "
                "nhiệm vụ, cộng lại bằng cột “Tổng số”; “Sắp đến hạn” nằm trong “Trong hạn”; "
                "“Chưa bắt đầu” là nhiệm vụ chưa xong ở trạng thái đã giao hoặc đã nhận; "
                "“Lượt gia hạn” đếm số lần đồng ý gia hạn. Nhiệm vụ hằng năm tính mỗi kỳ là "
                "một nhiệm vụ.")


def admin_date(day: dt.date) -> str:
    """'ngày 05 tháng 02 năm 2026': the administrative form (Nghị định 30/2020/NĐ-CP pads
    days below 10 and the months 1 and 2)."""
    month = f"{day.month:02d}" if day.month < 3 else str(day.month)
    return f"ngày {day.day:02d} tháng {month} năm {day.year}"


def short(day: dt.date | None) -> str:
    return f"{day.day}/{day.month}/{day.year}" if day else "không thời hạn"


def upper_vi(text: str) -> str:
    return unicodedata.normalize("NFC", text.upper())


@dataclass(frozen=True)
class Heading:
    """The heading block: issuing body on the left, national or Party motto on the right."""

    left: tuple[tuple[str, bool], ...]  # (line, bold)
    number: str
    right: tuple[str, ...]  # first line bold; the last line underlined
    place_date: str
    party: bool
    signature: str


def heading(summary: Summary) -> Heading:
    d = summary.directive
    issuer = d.issuer
    party = issuer.kind == "party_body"
    left: list[tuple[str, bool]] = []
    if party:
        left = [(upper_vi(issuer.name), True), ("*", False)]
    else:
        if issuer.parent_name and issuer.kind != "apex":
            left.append((upper_vi(issuer.parent_name), False))
        left.append((upper_vi(issuer.name), True))
    place = d.place or "Hà Nội"
    first_words = " ".join(issuer.name.split()[:2])
    signature = f"T/M {upper_vi(first_words)}" if party else f"TM. {upper_vi(issuer.name)}"
    return Heading(left=tuple(left), number=report_number(d.number),
                   right=PARTY_MOTTO if party else STATE_MOTTO,
                   place_date=f"{place}, {admin_date(summary.today)}", party=party,
                   signature=signature)


def report_number(number: str) -> str:
    """The report's own number, left blank for the registry office: 'Số     -BC/ĐĐTLĐ' for a
    Party-style number (48-KH/ĐĐTLĐ), 'Số:      /BC-TLĐ' for 300/KH-TLĐ."""
    head, _, tail = number.partition("/")
    if "-" in head and tail:  # 48-KH/ĐĐTLĐ
        return f"Số        -BC/{tail}"
    _, _, issuer = tail.partition("-")
    return f"Số:        /BC-{issuer or tail}"


def title_lines(summary: Summary) -> tuple[str, str]:
    d = summary.directive
    about = d.title.strip()
    if about[:1].isupper() and not about[1:2].isupper():
        about = about[0].lower() + about[1:]
    return ("BÁO CÁO", f"Kết quả thực hiện {d.kind} số {d.number} ngày {short(d.issued_on)} của "
            f"{d.issuer.name} về {about}")


def overview(summary: Summary) -> list[str]:
    """Section I: how the directive was rolled out and where it stands, in sentences."""
    root, t = summary.root, summary.total
    bodies = len(root.bodies)
    roles = f"{root.roles.get('lead', 0)} chủ trì, {root.roles.get('cooperating', 0)} phối hợp"
    out = [
        f"Ngày {root.launched_at.astimezone(summary.tz).strftime('%d/%m/%Y')}, "
        f"{root.coordinator.name} giao nhiệm vụ theo {root.directive.kind} số {root.directive.number} "
        f"đến {bodies} đơn vị: {t.tasks} nhiệm vụ ({roles}) thuộc {len(root.assignments)} nội dung.",
        f"Tính đến {admin_date(summary.today)}: {_state_sentence(t)}",
    ]
    if root.descendant_cascades:
        c = root.descendants
        out.append(
            f"Các đơn vị đã ban hành {root.descendant_cascades} kế hoạch con để thực hiện nhiệm vụ "
            f"được giao, gồm {c.tasks} nhiệm vụ: {_state_sentence(c)} Tính cả kế hoạch con: "
            f"{summary.overall.tasks} nhiệm vụ, {summary.overall.done} đã hoàn thành, "
            f"{summary.overall.overdue} quá hạn.")
    return out


def _state_sentence(c: Counts) -> str:
    text = (f"{c.done} nhiệm vụ đã hoàn thành ({c.done_on_time} đúng hạn, {c.done_late} trễ hạn); "
            f"{c.in_term} đang thực hiện trong hạn (trong đó {c.near_due} sắp đến hạn); "
            f"{c.overdue} quá hạn; {c.no_deadline} nhiệm vụ thường xuyên, không thời hạn; "
            f"{c.cancelled} đã hủy. Trong số nhiệm vụ chưa xong, {c.not_started} chưa bắt đầu")
    if c.extension_pending:
        text += f", {c.extension_pending} đang chờ quyết định gia hạn"
    return text + f". Đã đồng ý {c.extensions_granted} lượt gia hạn."


def cascade_caption(node: CascadeSummary) -> str:
    """'Kế hoạch số 07/KH-LĐLĐ của Liên đoàn Lao động Thành phố Hà Nội (thực hiện nhiệm vụ mục
    III.7 của 48-KH/ĐĐTLĐ)'."""
    d = node.directive
    text = f"{d.kind} số {d.number} của {d.issuer.name}"
    if node.parent:
        text += f" (thực hiện nhiệm vụ mục {node.parent.ref} của {node.parent.directive})"
    return text


def event_line(summary: Summary, e: EventView) -> str:
    text = f"{summary.local(e.at):%d/%m/%Y %H:%M}: {e.action_label} ({e.actor_name})"
    due = (e.data or {}).get("due_on") or (e.data or {}).get("requested_due_on")
    if due:
        text += f", đến ngày {short(dt.date.fromisoformat(due))}"
    if e.note:
        text += f"; {e.note}"
    return text


def recipients(summary: Summary) -> list[str]:
    root = summary.root
    return ["Các đơn vị có tên tại mục II (để t/h);",
            "Đoàn Chủ tịch Tổng Liên đoàn (để b/c);",
            f"Lưu: Văn thư, {root.coordinator.name}."]
