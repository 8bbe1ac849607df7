"""The review summary (sơ kết, tổng kết) of a directive from the database: the cascade tree,
directives, bodies, tasks, assignments, extension events, overdue tasks' events, in a
handful of queries whatever the size. The clock is read only through `at`.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm
from sqlmodel import Session, col, select

from models.accounts import user_actor, user_id_of
from models.calendar import WorkingCalendar
from models.console_tables import UserAccount
from models.directives import NotFound, directive_ids
from models.status import Colour, TaskStatus, colour
from models.tables import Assignment, Body, Cascade, Directive, Task, TaskEvent, select_columns
from models.vocabulary import action_label, business_date, vi_sort_key
from reports.model import (
    EXTENSION_ACTIONS,
    AssignmentRow,
    BodyInfo,
    BodyRow,
    CascadeSummary,
    DirectiveInfo,
    EventRow,
    ExtensionItem,
    ExtensionRequest,
    OverdueTask,
    Summary,
    TaskRef,
)
from reports.results import load_results

_CHUNK = 500  # ids per IN (...) list: well under SQLite's and PostgreSQL's parameter limits


def summarise_directive(
    *,
    session: Session,
    number: str,
    at: dt.datetime,
    tz: dt.tzinfo,
    calendar: WorkingCalendar,
    near_due_working_days: int,
    issuer: str | None = None,
) -> Summary:
    """The review summary of directive `number` (and of `issuer`, when numbers repeat) at `at`.

    Raises services.status.NotFound when the directive was not launched.
    """
    today = business_date(at, tz)
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
        closed_on = business_date(row.closed_at, tz) if row.closed_at else None
        colours[row.id] = colour(status=TaskStatus(row.status), due_on=row.due_on, today=today,
                                 calendar=calendar, near_due_working_days=near_due_working_days,
                                 closed_on=closed_on)

    nodes = _build_nodes(tree, infos, tasks, assignments, refs, colours, grants)
    root = nodes[root_id]
    root.parent = _outside_parent(session, root_id, bodies)
    _roll_up(root)

    overdue_ids = [r.id for r in tasks if colours[r.id] is Colour.OVERDUE]
    overdue_events = _events(session, overdue_ids, None)
    users = _users(session, [*overdue_events, *ext_events])
    history = _group(overdue_events, bodies, users)
    overdue = [OverdueTask(task=refs[i], days_late=(today - refs[i].due_on).days,  # type: ignore[operator]
                           working_days_late=calendar.working_days_between(refs[i].due_on, today),  # type: ignore[arg-type]
                           history=history.get(i, []))
               for i in overdue_ids]
    overdue.sort(key=lambda o: (-o.days_late, vi_sort_key(o.task.body.name), o.task.ref, o.task.id))
    extensions = _extensions(_group(ext_events, bodies, users), refs)
    results = load_results(session, cascades={cid: info[0].number for cid, info in infos.items()},
                           tasks=tasks, refs=refs)
    return Summary(as_of=at, today=today, near_due_working_days=near_due_working_days, root=root,
                   overdue=overdue, extensions=extensions, tz=tz, results=results)


def directive_cascades(session: Session, number: str, issuer: str | None = None) -> list[int]:
    """The cascade of directive `number` and every child cascade under it (NotFound if none)."""
    return list(_cascade_tree(session, _root_cascade(session, number, issuer)))


def _root_cascade(session: Session, number: str, issuer: str | None) -> int:
    try:
        found = directive_ids(session, number, issuer)
    except NotFound as exc:
        raise NotFound(f"{exc}: không có gì để báo cáo") from None
    if len(found) > 1:
        issuers = ", ".join(sorted(i for _, _, i in found))
        raise NotFound(f"có {len(found)} văn bản cùng số {found[0][1]} (cơ quan ban hành: {issuers}): "
                       "chọn một bằng --issuer")
    cascade_id = session.exec(select(Cascade.id).where(Cascade.directive_id == found[0][0])).one()
    assert cascade_id is not None  # a stored row
    return cascade_id


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


def _users(session: Session, events: list[TaskEvent]) -> dict[str, str]:
    """Console users among the actors ('user:3') by name."""
    ids = {uid for e in events if (uid := user_id_of(e.actor)) is not None}
    if not ids:
        return {}
    rows = session.execute(select(UserAccount.id, UserAccount.name)
                           .where(col(UserAccount.id).in_(ids))).all()
    return {user_actor(uid): name for uid, name in rows}


def _group(events: list[TaskEvent], bodies: dict[str, BodyInfo],
           users: dict[str, str] | None = None) -> dict[int, list[EventRow]]:
    out: dict[int, list[EventRow]] = defaultdict(list)
    for e in events:
        who = bodies.get(e.actor)
        name = who.name if who else (users or {}).get(e.actor, "hệ thống")
        out[e.task_id].append(EventRow(
            at=e.at, actor=e.actor, actor_name=name,
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


def _extensions(events: dict[int, list[EventRow]], refs: dict[int, TaskRef]) -> list[ExtensionItem]:
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


