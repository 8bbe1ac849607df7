"""From outbox rows to rendered messages: load what each mail shows, issue its links, render
through the renderer port (notifications/render.py in the App).

Runs inside the dispatcher's claim transaction, so a link token exists before its mail leaves.
Everything is loaded per batch in a handful of queries, not per row.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from email.message import EmailMessage

import sqlalchemy as sa
from sqlmodel import Session, col, select

from config.settings import Settings
from models.deadlines import DeadlineRuleError, parse_rule
from models.links import LinkSigner, link_url
from models.mail import (
    DIGEST,
    KINDS,
    LEDGER_KINDS,
    LINK_ONLY_ACTIONS,
    REPORT_KINDS,
    BadAddress,
    DigestMailData,
    MailData,
    MailDirective,
    MailEvent,
    MailFigure,
    MailFile,
    MailFollowUp,
    MailLink,
    MailRenderer,
    MailReport,
    MailTask,
    calendar_uid,
    mail_domain,
    message_id,
)
from models.report_views import ReportView, reports_of_tasks
from models.status import SYSTEM, TERMINAL, Actor, Role, TaskStatus, allowed_actions
from models.tables import (
    Assignment,
    Body,
    BodyContact,
    Cascade,
    Directive,
    FollowUp,
    LinkToken,
    Outbox,
    Task,
    TaskEvent,
)
from models.vocabulary import SYSTEM_ACTOR, action_label, long_date
from services.links import new_link

NO_ADDRESS = "chưa có địa chỉ e-mail"


@dataclass
class Prepared:
    """One claimed row, ready to send (`message`), or why it cannot be (`problem`)."""

    outbox_id: int
    attempts: int
    message_id: str
    to: tuple[str, ...] = ()
    message: EmailMessage | None = None
    problem: str | None = None  # set: no message; `waiting` says whether to wait or fail
    waiting: bool = False


def deadline_phrase(due_on: dt.date | None, rule_text: str | None, occurrence: int) -> str:
    """'ngày 30 tháng 11 năm 2026', with the rule for recurring tasks; the rule alone without
    a date ('thường xuyên')."""
    rule = None
    if rule_text:
        try:
            rule = parse_rule(rule_text)
        except DeadlineRuleError:
            rule = None
    if due_on is None:
        return rule.describe() if rule else "không thời hạn"
    if rule is not None and rule.recurring:
        return f"{long_date(due_on)} (kỳ {occurrence}; {rule.describe()})"
    return long_date(due_on)


def offered_actions(kind: str, task: Task, recipient: str, coordinator: str) -> list[str]:
    """The kind's link actions that the recipient may still take on the task as it is now.

    A supervisor's mail (an escalation) acts as the cascade's coordinator, whoever receives it."""
    actors = {Actor.BODY} if recipient == task.body_id else set()
    if recipient == coordinator or KINDS[kind].to == "supervisor":
        actors.add(Actor.COORDINATOR)
    role, status = Role(task.role), TaskStatus(task.status)
    allowed = {a for actor in actors for a in allowed_actions(role, status, actor)}
    if Actor.COORDINATOR in actors and status not in TERMINAL:
        allowed |= LINK_ONLY_ACTIONS
    out = []
    for action in KINDS[kind].links:
        if action not in allowed:
            continue
        if action in ("request-extension", "extend") and task.due_on is None:
            continue  # nothing to extend
        out.append(action)
    return out


class _Batch:
    """The rows of a batch and everything they refer to, loaded in a few queries."""

    def __init__(self, session: Session, rows: list[Outbox]):
        task_ids = {r.task_id for r in rows if r.task_id is not None}
        found = session.exec(
            select(Task, Assignment, Cascade, Directive)
            .join(Assignment, col(Assignment.id) == Task.assignment_id)
            .join(Cascade, col(Cascade.id) == Task.cascade_id)
            .join(Directive, col(Directive.id) == Cascade.directive_id)
            .where(col(Task.id).in_(task_ids))).all()
        self.tasks = {t.id: (t, a, c, d) for t, a, c, d in found}
        event_ids = {r.event_id for r in rows if r.event_id is not None}
        self.events = {e.id: e for e in session.exec(
            select(TaskEvent).where(col(TaskEvent.id).in_(event_ids))).all()} if event_ids else {}
        body_ids = {r.body_id for r in rows if r.body_id}
        for t, a, c, d in self.tasks.values():
            body_ids |= {t.body_id, c.coordinator_id, d.issuer_id}
            if a.report_to_id:
                body_ids.add(a.report_to_id)
        body_ids |= {e.actor for e in self.events.values()}
        ledger_tasks = {r.task_id for r in rows if r.kind in LEDGER_KINDS and r.task_id is not None}
        self.ledger: dict[int, list[FollowUp]] = defaultdict(list)
        if ledger_tasks:
            for f in session.exec(select(FollowUp).where(
                    col(FollowUp.task_id).in_(ledger_tasks)).order_by(col(FollowUp.id))).all():
                self.ledger[f.task_id].append(f)
                body_ids.add(f.recipient_id)
        report_tasks = [r.task_id for r in rows if r.kind in REPORT_KINDS and r.task_id is not None]
        self.reports = reports_of_tasks(session, report_tasks) if report_tasks else {}
        self.names = dict(session.exec(select(Body.id, Body.name).where(
            col(Body.id).in_(body_ids))).all())
        self.contacts: dict[str, list[str]] = defaultdict(list)
        for contact in session.exec(select(BodyContact).where(col(BodyContact.body_id).in_(body_ids))
                                    .order_by(col(BodyContact.body_id), col(BodyContact.position))).all():
            self.contacts[contact.body_id].append(contact.address)

    def name(self, body_id: str | None) -> str:
        if body_id is None or body_id == SYSTEM:
            return SYSTEM_ACTOR
        return self.names.get(body_id, body_id)


def _report_view(row: Outbox, batch: _Batch) -> MailReport | None:
    """The report the mail is about: the one its event recorded, or for a review the latest
    report before the review."""
    if row.kind not in REPORT_KINDS or row.task_id is None:
        return None
    reports = batch.reports.get(row.task_id, [])
    chosen: ReportView | None = next((r for r in reports if r.event_id == row.event_id), None)
    if chosen is None:
        earlier = [r for r in reports if row.event_id is None or r.event_id < row.event_id]
        chosen = earlier[-1] if earlier else None
    if chosen is None:
        return None
    return MailReport(
        at=chosen.at, summary=chosen.summary,
        files=tuple(MailFile(f.name, f.size_text, f.kind_label) for f in chosen.files),
        figures=tuple(MailFigure(g.target.label, g.value_text) for g in chosen.figures),
        missing_figures=tuple(t.label for t in chosen.missing))


def _event_view(event: TaskEvent | None, batch: _Batch) -> MailEvent | None:
    if event is None:
        return None
    until = None
    data = event.data or {}
    raw = data.get("requested_due_on") or data.get("due_on")
    if raw:
        until = dt.date.fromisoformat(raw)
    return MailEvent(action=event.action, actor=batch.name(event.actor), at=event.at,
                     note=event.note or None, until=until)


def _follow_up_view(raw: dict, recipient: str, at: dt.datetime | None = None) -> MailFollowUp:
    return MailFollowUp(kind=raw["kind"], level=raw["level"], occurrence=raw["occurrence"],
                        working_days=raw["working_days"],
                        due_on=dt.date.fromisoformat(raw["due_on"]) if isinstance(raw["due_on"], str)
                        else raw["due_on"], recipient=recipient, at=at)


def _ledger_views(row: Outbox, batch: _Batch) -> tuple[MailFollowUp | None, tuple[MailFollowUp, ...]]:
    """What this mail is about, and the task's reminders and escalations up to it."""
    payload = row.payload or {}
    if row.kind not in LEDGER_KINDS or "follow_up" not in payload:
        return None, ()
    current = _follow_up_view(payload, batch.name(row.body_id))
    history = []
    for f in batch.ledger.get(row.task_id or 0, []):
        history.append(MailFollowUp(f.kind, f.level, f.occurrence, f.working_days, f.due_on,
                                    batch.name(f.recipient_id), f.at))
        if f.key == payload["follow_up"]:
            break
    return current, tuple(history)


def _recipients(row: Outbox, prepared: Prepared, batch: _Batch,
                settings: Settings) -> tuple[str, ...]:
    """The row's addresses (its own, else its body's); none leaves it waiting, not failed."""
    to = tuple(row.to_addresses or batch.contacts.get(row.body_id or "", []))
    if to:
        prepared.to = to
    else:
        prepared.problem = (f"{batch.name(row.body_id)} ({row.body_id}) {NO_ADDRESS}: thêm vào "
                            f"{settings.contacts_path} rồi chạy lại `cascade dispatch`")
        prepared.waiting = True
    return to


def _prepare_digest(row: Outbox, prepared: Prepared, batch: _Batch, settings: Settings,
                    at: dt.datetime, renderer: MailRenderer) -> None:
    to = _recipients(row, prepared, batch, settings)
    if not to:
        return
    try:
        prepared.message = renderer.render_digest(DigestMailData(
            message_id=prepared.message_id, sender=settings.mail_from, to=to,
            recipient=batch.name(row.body_id), at=at, digest=row.payload or {},
            timezone=settings.timezone))
    except BadAddress as exc:
        prepared.problem = str(exc)


def prepare_batch(*, session: Session, rows: list[Outbox], settings: Settings, signer: LinkSigner,
                  renderer: MailRenderer, at: dt.datetime) -> list[Prepared]:
    """Render each claimed row, issuing its link tokens in `session` (the claim transaction)."""
    batch = _Batch(session, rows)
    domain = mail_domain(settings.mail_from)
    out = []
    token_rows: list[dict] = []  # stored in one INSERT, before any mail leaves
    for row in rows:
        assert row.id is not None and row.message_id is not None
        prepared = Prepared(row.id, row.attempts, row.message_id)
        out.append(prepared)
        if row.kind == DIGEST.name and row.payload:
            _prepare_digest(row, prepared, batch, settings, at, renderer)
            continue
        if row.kind not in KINDS or row.task_id not in batch.tasks:
            prepared.problem = f"không dựng được thư loại {row.kind!r} cho nhiệm vụ #{row.task_id}"
            continue
        to = _recipients(row, prepared, batch, settings)
        if not to:
            continue
        task, assignment, cascade, directive = batch.tasks[row.task_id]
        assert task.id is not None  # a stored task
        recipient = row.body_id or task.body_id
        links = []
        for action in offered_actions(row.kind, task, recipient, cascade.coordinator_id):
            token, token_row = new_link(signer=signer, task_id=task.id, action=action,
                                        actor=recipient, at=at, ttl_days=settings.link_ttl_days,
                                        outbox_id=row.id)
            token_rows.append(token_row)
            links.append(MailLink(action, action_label(action, task.role),
                                  link_url(settings.base_url, token)))
        reply_to = tuple(batch.contacts.get(cascade.coordinator_id, ())) \
            if recipient != cascade.coordinator_id else ()
        current, history = _ledger_views(row, batch)
        data = MailData(
            kind=row.kind, message_id=row.message_id, sender=settings.mail_from, to=to,
            recipient=batch.name(recipient), at=at, links=tuple(links), reply_to=reply_to,
            directive=MailDirective(number=directive.number, kind=directive.kind,
                                    title=directive.title, issued_on=directive.issued_on,
                                    issuer=batch.name(directive.issuer_id)),
            task=MailTask(id=task.id, ref=assignment.ref, occurrence=task.occurrence,
                          text=assignment.task_text, role=task.role,
                          status=task.status, body=batch.name(task.body_id), due_on=task.due_on,
                          deadline=deadline_phrase(task.due_on, assignment.deadline_rule,
                                                   task.occurrence),
                          report_to=batch.name(assignment.report_to_id) if assignment.report_to_id
                          else None, version=task.version),
            event=_event_view(batch.events.get(row.event_id) if row.event_id else None, batch),
            calendar_uid=calendar_uid(task_id=task.id, occurrence=task.occurrence, domain=domain),
            timezone=settings.timezone, follow_up=current, history=history,
            report=_report_view(row, batch))
        try:
            prepared.message = renderer.render_mail(data)
        except BadAddress as exc:
            prepared.problem = str(exc)
    if token_rows:
        session.execute(sa.insert(LinkToken), token_rows)
    return out


def stable_message_id(row: Outbox, settings: Settings) -> str:
    assert row.id is not None
    return message_id(outbox_id=row.id, key=row.key, mail_from=settings.mail_from)
