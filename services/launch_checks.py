"""What a launch will do before it is done, and what it must say: each body's tasks with their
due dates, the bodies that get no mail (no address yet), the items already past due (the
coordinator gives them a new deadline or launches them without reminders or escalations), and
the reminders and escalations the first sweep after launch would send, computed by the sweep
itself in a transaction that is rolled back.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from models.calendar import WorkingCalendar
from models.contacts import Contacts
from models.db import unit_of_work
from models.policy import Policy
from models.registry import Registry, external_body
from models.tables import Assignment, Body, BodyContact, Outbox, Task
from models.template import TemplateSpec
from models.vocabulary import business_date, short_date
from services.chasing import HORIZON_DAYS
from services.launch import (
    LaunchPlan,
    LaunchResult,
    PlannedTask,
    external_refs,
    launch_cascade,
    launch_from_template,
    open_group_notices,
)
from services.registry import sync_contacts, sync_registry
from services.sweep import sweep


@dataclass(frozen=True)
class PastDue:
    """An item whose first due date is already behind the launch day."""

    ref: str
    due_on: dt.date
    tasks: int
    days_late: int

    @property
    def beyond_horizon(self) -> bool:  # the sweep would never chase it anyway
        return self.days_late > HORIZON_DAYS


@dataclass(frozen=True)
class FirstSweep:
    """A reminder or escalation the first sweep after launch would record."""

    ref: str
    body_id: str
    kind: str
    level: int
    recipient_id: str


@dataclass
class Forecast:
    per_body: list[tuple[str, list[PlannedTask]]] = field(default_factory=list)
    missing_email: list[str] = field(default_factory=list)
    past_due: list[PastDue] = field(default_factory=list)
    first_sweep: list[FirstSweep] = field(default_factory=list)


def past_due(plan: LaunchPlan, today: dt.date) -> list[PastDue]:
    found: dict[str, PastDue] = {}
    for t in plan.tasks:
        if t.due_on is not None and t.due_on < today:
            seen = found.get(t.ref)
            found[t.ref] = PastDue(t.ref, t.due_on, (seen.tasks if seen else 0) + 1,
                                   (today - t.due_on).days)
    return list(found.values())


def missing_addresses(session: Session, plan: LaunchPlan, spec: TemplateSpec) -> list[str]:
    """The bodies of the plan, outside-the-system ones aside, with no address in the contacts."""
    external = {external_body(r).id for r in external_refs(spec)}
    bodies = sorted({t.body_id for t in plan.tasks} - external)
    known = set(session.exec(select(BodyContact.body_id).distinct()).all())
    return [b for b in bodies if b not in known]


def launch_warnings(items: list[PastDue], missing: list[str], unchased: Collection[str] = ()) -> list[str]:
    """The launch's warnings, in the words the CLI, its JSON and the console share."""
    out = []
    for p in items:
        then = ("khởi chạy không nhắc, không báo cáo vượt cấp theo lựa chọn" if p.ref in unchased
                else f"hệ thống không đôn đốc quá {HORIZON_DAYS} ngày sau hạn" if p.beyond_horizon
                else "lần quét đầu tiên sẽ gửi nhắc và báo cáo vượt cấp")
        out.append(f"mục {p.ref}: hạn {short_date(p.due_on)} đã qua {p.days_late} ngày khi khởi "
                   f"chạy ({p.tasks} nhiệm vụ quá hạn ngay): {then}")
    if missing:
        out.append(f"{len(missing)} đơn vị chưa có địa chỉ e-mail, thư giao việc chờ đến khi có "
                   f"địa chỉ: {', '.join(missing)} (cascade bodies --missing-email)")
    return out


def mark_unchased(session: Session, cascade_id: int, refs: Collection[str]) -> int:
    """The tasks of these items are launched without reminders or escalations."""
    if not refs:
        return 0
    items = select(Assignment.id).where(Assignment.cascade_id == cascade_id,
                                        col(Assignment.ref).in_(list(refs)))
    done = session.execute(sa.update(Task).where(col(Task.assignment_id).in_(items))
                           .values(unchased=True))
    return int(getattr(done, "rowcount", 0) or 0)


def after_launch(session: Session, result: LaunchResult, *, spec: TemplateSpec,
                 registry: Registry, at: dt.datetime, tz: dt.tzinfo,
                 unchased: Collection[str] = ()) -> None:
    """Fill a fresh launch's result (bodies without address, mails, notices, warnings) and
    record the coordinator's choice of items launched without reminders."""
    plan = result.plan
    if plan is None:
        return
    external = {external_body(r).id for r in external_refs(spec)}
    result.missing_email = missing_addresses(session, plan, spec)
    result.mails = sum(1 for t in plan.tasks if t.body_id not in external)
    result.notices = open_group_notices(session, registry, plan.open_groups, at)
    result.warnings = [*result.warnings, *launch_warnings(
        past_due(plan, business_date(at, tz)), result.missing_email, unchased)]
    if result.cascade_id is not None:
        mark_unchased(session, result.cascade_id, unchased)


def forecast(*, engine: Engine, spec: TemplateSpec, template_text: str, registry: Registry,
             contacts: Contacts, calendar: WorkingCalendar, tz: dt.tzinfo, at: dt.datetime,
             coordinator: str, policy: Policy, near_due_working_days: int,
             annual_days: dict[str, str] | None = None,
             unchased: Collection[str] = ()) -> Forecast:
    """Launch in a transaction, run the sweep as it would run right after, roll everything
    back: what the launch creates and what the first sweep would send, nothing written."""
    found = Forecast()
    with unit_of_work(engine) as session:
        sync_registry(session=session, registry=registry)
        sync_contacts(session=session, contacts=contacts)
        result = launch_cascade(session=session, spec=spec, template_text=template_text,
                                registry=registry, calendar=calendar, at=at,
                                coordinator=coordinator, annual_days=annual_days,
                                launched_on=business_date(at, tz), tz=tz)
        if result.plan is None or result.cascade_id is None:
            session.rollback()
            return found
        plan = result.plan
        by_body: dict[str, list[PlannedTask]] = {}
        for t in plan.tasks:
            by_body.setdefault(t.body_id, []).append(t)
        found.per_body = sorted(by_body.items(), key=lambda kv: (-len(kv[1]), kv[0]))
        found.missing_email = missing_addresses(session, plan, spec)
        found.past_due = past_due(plan, business_date(at, tz))
        mark_unchased(session, result.cascade_id, unchased)
        ours = {tid: (ref, body) for tid, ref, body in session.execute(
            select(Task.id, Assignment.ref, Task.body_id)
            .join(Assignment, col(Assignment.id) == Task.assignment_id)
            .where(Task.cascade_id == result.cascade_id)).all()}
        report = sweep(session=session, at=at, tz=tz, calendar=calendar, policy=policy,
                       near_due_working_days=near_due_working_days)
        session.rollback()
    found.first_sweep = [FirstSweep(ours[f.task_id][0], ours[f.task_id][1], f.kind, f.level,
                                    f.recipient_id)
                         for f in report.created if f.task_id in ours]
    return found


@dataclass(frozen=True)
class WaitingBody:
    body_id: str
    name: str
    mails: int


def waiting_bodies(session: Session) -> list[WaitingBody]:
    """Bodies with mails waiting in the outbox because they have no address yet."""
    known = select(BodyContact.body_id)
    rows = session.execute(
        select(Outbox.body_id, Body.name, sa.func.count())
        .join(Body, col(Body.id) == Outbox.body_id)
        .where(Outbox.status == "pending", col(Outbox.body_id).not_in(known))
        .group_by(Outbox.body_id, Body.name).order_by(Body.name)).all()
    return [WaitingBody(b, n, int(c)) for b, n, c in rows]


def launch_draft(*, engine: Engine, draft_id: int, user_id: int, actor: str, registry: Registry,
                 contacts: Contacts, calendar: WorkingCalendar, tz: dt.tzinfo, at: dt.datetime,
                 coordinator: str) -> LaunchResult:
    """Launch the user's draft with the yearly days and the items without reminders chosen on
    the preview (one transaction, as `cascade launch`); the draft is then closed. Raises
    DraftNotFound, TemplateError or LaunchError; nothing is written then."""
    from models.template import parse_template
    from services.drafts import LAUNCHED, get_draft
    from services.review import template_text

    with unit_of_work(engine, write=False) as session:
        row = get_draft(session, user_id, draft_id)
    text = template_text(row.draft)
    spec = parse_template(text, registry, file="bản nháp")
    result = launch_from_template(
        engine=engine, spec=spec, template_text=text, registry=registry, contacts=contacts,
        calendar=calendar, tz=tz, at=at, coordinator=coordinator,
        annual_days=dict(row.annual_days or {}), actor=actor, channel="web",
        unchased=list(row.unchased_refs or []))
    with unit_of_work(engine) as session:
        row = get_draft(session, user_id, draft_id)
        row.status, row.directive_number, row.updated_at = LAUNCHED, result.directive, at
        session.add(row)
    return result
