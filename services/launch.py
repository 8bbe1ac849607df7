"""Launch a cascade from a validated template: directive, cascade, assignments, one task per
(assignment, body, role) after fanning out groups, and the creation events, in one transaction.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Collection
from dataclasses import dataclass, field
from typing import cast

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from models.calendar import WorkingCalendar
from models.contacts import Contacts
from models.db import unit_of_work
from models.deadlines import DeadlineRule, DeadlineRuleError, parse_rule
from models.numbering import normalise_number
from models.registry import EXTERNAL_KIND, Registry, external_body, is_external
from models.status import Role, TaskStatus
from models.tables import (
    AppNotice,
    Assignment,
    AssignmentTarget,
    Body,
    Cascade,
    Directive,
    Target,
    Task,
    TaskEvent,
    select_columns,
    table_of,
)
from models.template import TemplateSpec
from models.vocabulary import business_date
from services.notify import queue_assignments
from services.registry import registry_digest, sync_contacts, sync_registry


class LaunchError(ValueError):
    """The cascade cannot be launched as asked; nothing was written."""


@dataclass(frozen=True)
class PlannedTask:
    position: int
    ref: str
    body_id: str
    role: Role
    due_on: dt.date | None
    rule: str | None


@dataclass
class LaunchPlan:
    number: str
    rules: dict[str, DeadlineRule | None]
    tasks: list[PlannedTask]
    warnings: list[str] = field(default_factory=list)
    # groups used whose member list may be incomplete: about the registry, not this launch
    open_groups: list[str] = field(default_factory=list)


@dataclass
class LaunchResult:
    directive: str
    cascade_id: int | None
    tasks: int
    created: bool
    warnings: list[str]
    plan: LaunchPlan | None = None
    dry_run: bool = False
    missing_email: list[str] = field(default_factory=list)  # bodies with no address yet
    notices: list[str] = field(default_factory=list)  # registry notices not shown before
    mails: int | None = None  # assignment mails queued (none for bodies outside the system)

    def as_json(self) -> dict:
        data: dict = {"directive": self.directive, "cascade_id": self.cascade_id,
                      "tasks": self.tasks, "created": self.created, "warnings": self.warnings,
                      "notices": self.notices, "missing_email": self.missing_email}
        if self.dry_run:
            data["dry_run"] = True
            data["cascade_id"] = None if self.created else self.cascade_id
            if self.plan:
                data["planned"] = [
                    {"ref": t.ref, "body": t.body_id, "role": t.role.value,
                     "due_on": t.due_on.isoformat() if t.due_on else None}
                    for t in self.plan.tasks]
        return data


def _completed_rules(spec: TemplateSpec, annual_days: dict[str, str]) -> dict[str, DeadlineRule | None]:
    """Each item's rule, with the day the coordinator set for yearly rules that lack one."""
    unknown = sorted(set(annual_days) - {a.ref for a in spec.assignments})
    if unknown:
        raise LaunchError(f"--deadline nêu mục không có trong mẫu: {', '.join(unknown)}")
    rules: dict[str, DeadlineRule | None] = {}
    missing = []
    for item in spec.assignments:
        rule = item.deadline.parsed
        if item.ref in annual_days:
            if rule is None or rule.kind != "annual":
                raise LaunchError(f"mục {item.ref}: --deadline chỉ dành cho hạn hằng năm "
                                  f"(mục này: {rule or 'không có hạn'})")
            try:
                rule = rule.with_day(annual_days[item.ref])
            except DeadlineRuleError as exc:
                raise LaunchError(f"mục {item.ref}: {exc}") from None
        if rule is not None and rule.needs_day:
            missing.append(item.ref)
        rules[item.ref] = rule
    if missing:
        flags = " ".join(f"--deadline {ref}=MM-DD" for ref in missing)
        raise LaunchError(f"hạn hằng năm chưa có ngày ở mục {', '.join(missing)}: điều phối viên "
                          f"chọn ngày khi khởi chạy, ví dụ {flags}")
    return rules


def plan_launch(
    spec: TemplateSpec,
    *,
    registry: Registry,
    calendar: WorkingCalendar,
    launched_on: dt.date,
    annual_days: dict[str, str] | None = None,
) -> LaunchPlan:
    """What launching `spec` creates: pure, no database."""
    rules = _completed_rules(spec, annual_days or {})
    plan = LaunchPlan(number=normalise_number(spec.directive.number), rules=rules, tasks=[])
    for position, item in enumerate(spec.assignments):
        rule = rules[item.ref]
        due = rule.first_due(issued_on=spec.directive.issued_on, launched_on=launched_on,
                             calendar=calendar) if rule else None
        leads = registry.expand_all(item.lead)
        cooperating = [b for b in registry.expand_all(item.cooperating) if b not in leads]
        for role, bodies in ((Role.LEAD, leads), (Role.COOPERATING, cooperating)):
            plan.tasks.extend(PlannedTask(position, item.ref, b, role, due, str(rule) if rule else None)
                              for b in bodies)
        plan.open_groups += [ref for ref in (*item.lead, *item.cooperating)
                             if registry.is_open(ref) and ref not in plan.open_groups]
    return plan


def template_digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def find_directive(session: Session, number: str, issuer_id: str | None = None) -> Directive | None:
    query = select(Directive).where(Directive.number == normalise_number(number))
    if issuer_id:
        query = query.where(Directive.issuer_id == issuer_id)
    return session.exec(query).first()


def issuer_id(spec: TemplateSpec) -> str:
    """The issuer's body id (a body outside the system has one made from its name)."""
    issuer = spec.directive.issuer
    return external_body(issuer).id if is_external(issuer) else issuer


def _existing(session: Session, spec: TemplateSpec, number: str) -> LaunchResult | None:
    directive = find_directive(session, number, issuer_id(spec))
    if directive is None:
        return None
    cascade = session.exec(select(Cascade).where(Cascade.directive_id == directive.id)).one()
    count = session.scalar(select(sa.func.count()).select_from(Task)
                           .where(Task.cascade_id == cascade.id)) or 0
    return LaunchResult(number, cascade.id, count, False, [])


def launch_cascade(
    *,
    session: Session,
    spec: TemplateSpec,
    template_text: str,
    registry: Registry,
    calendar: WorkingCalendar,
    at: dt.datetime,
    coordinator: str,
    parent_task_id: int | None = None,
    annual_days: dict[str, str] | None = None,
    launched_on: dt.date,
    tz: dt.tzinfo,
    actor: str | None = None,
    channel: str = "launch",
) -> LaunchResult:
    """Create the cascade, or find the one already launched for this directive.

    `actor`/`channel`: who launched it for the audit trail (a console user, channel 'web');
    by default the coordinator through channel 'launch'.
    The caller's unit of work commits; any error leaves nothing behind.
    """
    number = normalise_number(spec.directive.number)
    existing = _existing(session, spec, number)
    if existing is not None:
        return existing
    plan = plan_launch(spec, registry=registry, calendar=calendar,
                       launched_on=launched_on, annual_days=annual_days)
    parent = _check_parent(session, parent_task_id, spec, plan) if parent_task_id else None
    ensure_external_bodies(session, spec)

    directive = Directive(
        number=number, kind=spec.directive.kind, issuer_id=issuer_id(spec),
        issued_on=spec.directive.issued_on, place=spec.directive.place,
        title=spec.directive.title, signer=spec.directive.signer,
        implements=[normalise_number(x) for x in spec.directive.implements], created_at=at)
    try:
        with session.begin_nested():
            session.add(directive)
    except sa.exc.IntegrityError:
        # Another launch of the same directive committed first: report that one.
        existing = _existing(session, spec, number)
        if existing is None:
            raise
        return existing
    assert directive.id is not None  # flushed by the nested transaction
    cascade = Cascade(
        directive_id=directive.id, parent_task_id=parent_task_id,
        coordinator_id=spec.coordinator or coordinator,
        template_sha256=template_digest(template_text),
        policy=spec.policy.model_dump(exclude_none=True) if spec.policy else None,
        launched_at=at)
    session.add(cascade)
    session.flush()
    assert cascade.id is not None
    assignment_ids = _insert_assignments(session, cascade.id, spec, plan)
    _insert_targets(session, cascade.id, spec, assignment_ids)
    _insert_tasks(session, cascade.id, assignment_ids, plan, at)
    actor = actor or spec.coordinator or coordinator
    session.execute(
        sa.insert(TaskEvent).from_select(
            ["task_id", "at", "actor", "channel", "action", "from_status", "to_status", "note"],
            select_columns(Task.id, sa.literal(at, table_of(TaskEvent).c.at.type), sa.literal(actor),
                           sa.literal(channel), sa.literal("assign"), sa.null(),
                           sa.literal(TaskStatus.ASSIGNED.value), sa.literal(f"Giao theo {number}"))
            .where(Task.cascade_id == cascade.id)))
    queue_assignments(session=session, cascade_id=cascade.id, at=at)
    if parent is not None:
        from services.actions import start_parent_for_child

        start_parent_for_child(session=session, parent=parent, child_number=number, at=at, tz=tz)
    return LaunchResult(number, cascade.id, len(plan.tasks), True, plan.warnings, plan)


def external_refs(spec: TemplateSpec) -> list[str]:
    refs = [spec.directive.issuer, *(r for a in spec.assignments for r in (*a.lead, *a.cooperating))]
    return list(dict.fromkeys(r for r in refs if is_external(r)))


def ensure_external_bodies(session: Session, spec: TemplateSpec) -> None:
    """The bodies outside the system that the template names (`external:...`), as rows of kind
    'external': their tasks are recorded and never mailed."""
    for ref in external_refs(spec):
        body = external_body(ref)
        if session.get(Body, body.id) is None:
            session.add(Body(id=body.id, name=body.name, kind=EXTERNAL_KIND))
    session.flush()


def launch_from_template(
    *,
    engine: Engine,
    spec: TemplateSpec,
    template_text: str,
    registry: Registry,
    contacts: Contacts,
    calendar: WorkingCalendar,
    tz: dt.tzinfo,
    at: dt.datetime,
    coordinator: str,
    parent_task_id: int | None = None,
    annual_days: dict[str, str] | None = None,
    dry_run: bool = False,
    actor: str | None = None,
    channel: str = "launch",
    unchased: Collection[str] = (),
) -> LaunchResult:
    """Launch `spec` in one transaction after bringing the registry and the contacts into the
    database; `dry_run` computes and writes everything, then rolls it all back, so it says
    exactly what a launch would do; `unchased`: items launched without reminders or escalations.
    Raises LaunchError; nothing is written then."""
    with unit_of_work(engine) as session:
        sync_registry(session=session, registry=registry)
        sync_contacts(session=session, contacts=contacts)
        result = launch_cascade(
            session=session, spec=spec, template_text=template_text, registry=registry,
            calendar=calendar, at=at, coordinator=coordinator, parent_task_id=parent_task_id,
            annual_days=annual_days, launched_on=business_date(at, tz), tz=tz, actor=actor,
            channel=channel)
        from services.launch_checks import after_launch  # it builds on this module

        after_launch(session, result, spec=spec, registry=registry, at=at, tz=tz, unchased=unchased)
        if dry_run:
            session.rollback()
            result.dry_run = True
    return result


def open_group_notices(session: Session, registry: Registry, groups: list[str],
                       at: dt.datetime) -> list[str]:
    """One notice naming the possibly incomplete groups not yet pointed out for this version
    of the registry (a user cannot act on it at launch: it is said once per registry change)."""
    digest = registry_digest(registry)
    keys = {f"open-group:{g}": g for g in groups}
    if not keys:
        return []
    shown = dict(session.execute(select(AppNotice.key, AppNotice.digest).where(
        col(AppNotice.key).in_(list(keys)))).all())
    fresh = [key for key in keys if shown.get(key) != digest]
    for key in fresh:
        session.merge(AppNotice(key=key, digest=digest, shown_at=at))
    if not fresh:
        return []
    names = "; ".join(registry.label(keys[k]) for k in fresh)
    return [f"{len(fresh)} nhóm có thể chưa đủ thành viên trong sổ đăng ký (config/bodies.yaml), "
            f"nhiệm vụ chỉ giao cho các thành viên đã có: {names}"]


def _insert_assignments(session: Session, cascade_id: int, spec: TemplateSpec,
                        plan: LaunchPlan) -> dict[str, int]:
    rows = []
    for position, item in enumerate(spec.assignments):
        rule = plan.rules[item.ref]
        rows.append(Assignment(
            cascade_id=cascade_id, position=position, ref=item.ref, task_text=item.task,
            deadline_rule=str(rule) if rule else None, deadline_text=item.deadline.text,
            report_to_id=item.report_to, lead_refs=item.lead, cooperating_refs=item.cooperating,
            policy=item.policy.model_dump(exclude_none=True) if item.policy else None))
    session.add_all(rows)
    session.flush()  # one batched INSERT ... RETURNING for all items
    return {row.ref: cast(int, row.id) for row in rows}  # ids set by the flush


def _insert_targets(session: Session, cascade_id: int, spec: TemplateSpec,
                    assignment_ids: dict[str, int]) -> None:
    """The template's targets, and which assignments report on each."""
    if not spec.targets:
        return
    rows = [Target(cascade_id=cascade_id, key=t.id, position=i, text=t.text, unit=t.unit,
                   value=t.value, year=t.year, combine=t.combine)
            for i, t in enumerate(spec.targets)]
    session.add_all(rows)
    session.flush()
    ids = {row.key: cast(int, row.id) for row in rows}
    session.add_all([AssignmentTarget(assignment_id=assignment_ids[item.ref], target_id=ids[key])
                     for item in spec.assignments for key in dict.fromkeys(item.targets)])


def _insert_tasks(session: Session, cascade_id: int, assignment_ids: dict[str, int],
                  plan: LaunchPlan, at: dt.datetime) -> None:
    """One bulk INSERT (executemany), not one ORM object per task. The timestamps are the
    cascade's launch time, read by the statement itself, so only the columns that vary are
    converted row by row (about twice as fast as binding them on every row)."""
    table, cascades = table_of(Task), table_of(Cascade)
    launched = sa.select(cascades.c.launched_at).where(cascades.c.id == cascade_id).scalar_subquery()
    statement = sa.insert(table).values(
        cascade_id=cascade_id, occurrence=1, status=TaskStatus.ASSIGNED.value, version=1,
        created_at=launched, updated_at=launched,
        assignment_id=sa.bindparam("a"), body_id=sa.bindparam("b"), role=sa.bindparam("r"),
        due_on=sa.bindparam("d", type_=table.c.due_on.type))
    rows = [{"a": assignment_ids[t.ref], "b": t.body_id, "r": t.role.value, "d": t.due_on}
            for t in plan.tasks]
    if rows:
        session.connection().execute(statement, rows)


def _check_parent(session: Session, task_id: int, spec: TemplateSpec, plan: LaunchPlan) -> Task:
    parent = session.get(Task, task_id)
    if parent is None:
        raise LaunchError(f"--parent-task {task_id}: không có nhiệm vụ này")
    if parent.status in (TaskStatus.DONE, TaskStatus.CANCELLED):
        raise LaunchError(f"--parent-task {task_id}: nhiệm vụ đã "
                          f"{TaskStatus(parent.status).label}, không gắn kế hoạch con được")
    if parent.body_id != spec.directive.issuer and not is_external(spec.directive.issuer):
        plan.warnings.append(f"nhiệm vụ cha #{task_id} giao cho {parent.body_id}, còn văn bản con "
                             f"do {spec.directive.issuer} ban hành")
    return parent


def parse_annual_days(values: list[str]) -> dict[str, str]:
    """`--deadline III.1=12-15` options into {ref: 'MM-DD'}."""
    out = {}
    for value in values:
        ref, sep, day = value.partition("=")
        if not sep or not ref.strip() or not day.strip():
            raise LaunchError(f"--deadline {value!r}: cần dạng MỤC=MM-DD, ví dụ III.1=12-15")
        try:
            parse_rule(f"annual:{day.strip()}")
        except DeadlineRuleError as exc:
            raise LaunchError(f"--deadline {value!r}: {exc}") from None
        out[ref.strip()] = day.strip()
    return out
