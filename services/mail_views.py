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
from email.utils import parseaddr

from sqlmodel import Session, col, select

from config.settings import Settings
from models.db import insert_ignoring_conflicts
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
    Wire,
    calendar_uid,
    mail_domain,
    message_id,
)
from models.report_views import ReportView, reports_of_tasks
from models.status import SYSTEM, TERMINAL, Actor, Role, TaskStatus, allowed_actions
from models.tables import (
    Assignment,
    BodyContact,
    Cascade,
    Directive,
    FollowUp,
    LinkToken,
    Outbox,
    Task,
    TaskEvent,
    table_of,
)
from models.vocabulary import SYSTEM_ACTOR, action_label, long_date
from services.history import actor_names
from services.links import link_expiry, link_row

NO_ADDRESS = "chưa có địa chỉ e-mail"


@dataclass
class Prepared:
    """One claimed row, ready to send (`message`), or why it cannot be (`problem`)."""

    outbox_id: int
    attempts: int
    message_id: str
    to: tuple[str, ...] = ()
    message: EmailMessage | None = None
    wire: Wire | None = None  # the message's envelope and bytes, made with it
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


@dataclass(frozen=True)
class TaskState:
    """What a mail says about a task's changing fields: as they were when the mail was queued
    (services.notify stores them in the outbox payload), so sending later never contradicts
    the event the mail is about."""

    status: str
    due_on: dt.date | None
    requested_due_on: dt.date | None
    version: int

    @classmethod
    def of(cls, row: Outbox, task: Task) -> TaskState:
        saved = (row.payload or {}).get("task")
        if not saved:
            return cls(task.status, task.due_on, task.requested_due_on, task.version)
        return cls(saved["status"], _date(saved.get("due_on")), _date(saved.get("requested_due_on")),
                   int(saved.get("version") or 1))


def _date(value: object) -> dt.date | None:
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(value) if isinstance(value, str) and value else None


def offered_actions(kind: str, task: Task, state: TaskState, recipient: str,
                    coordinator: str) -> list[str]:
    """The kind's link actions that the recipient may take on the task as the mail describes
    it (a decision taken since leads to a page that says so).

    A supervisor's mail (an escalation) acts as the cascade's coordinator, whoever receives it."""
    actors = {Actor.BODY} if recipient == task.body_id else set()
    if recipient == coordinator or KINDS[kind].to == "supervisor":
        actors.add(Actor.COORDINATOR)
    role, status = Role(task.role), TaskStatus(state.status)
    allowed = {a for actor in actors for a in allowed_actions(role, status, actor)}
    if Actor.COORDINATOR in actors and status not in TERMINAL:
        allowed |= LINK_ONLY_ACTIONS
    out = []
    for action in KINDS[kind].links:
        if action not in allowed:
            continue
        if action in ("request-extension", "extend") and state.due_on is None:
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
        # bodies by name, and a console user ('user:3') by name and role, never by id
        self.names = actor_names(session, body_ids)
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
                  renderer: MailRenderer, at: dt.datetime,
                  store_links: Session | None = None) -> list[Prepared]:
    """Render each claimed row, storing its link tokens in `store_links` (default: `session`),
    which must commit before any of the mails leaves. `session` is only read: it may be a
    read-only one, so that no write lock is held while the mails are rendered.

    A row that cannot be rendered is marked as a permanent problem with the reason; the others
    are not held up by it."""
    batch = _Batch(session, rows)
    domain = mail_domain(settings.mail_from)
    sender = parseaddr(settings.mail_from)[1]
    out = []
    token_rows: list[dict] = []  # stored in one INSERT, before any mail leaves
    for row in rows:
        assert row.id is not None and row.message_id is not None
        prepared = Prepared(row.id, row.attempts, row.message_id)
        out.append(prepared)
        links: list[dict] = []
        try:
            _prepare_one(row, prepared, batch, settings, signer, renderer, at, domain, links)
        except BadAddress as exc:
            prepared.problem, prepared.message = str(exc), None
        except Exception as exc:  # a poisoned row must not stop the mail of the others
            prepared.problem = f"không dựng được thư: {type(exc).__name__}: {exc}"[:500]
            prepared.message = None
        else:
            token_rows += links
            if prepared.message is not None:
                prepared.wire = Wire(sender, prepared.to, renderer.to_wire(prepared.message))
    insert_ignoring_conflicts(store_links or session, table_of(LinkToken), token_rows,
                              key="token_hash")
    return out


def _prepare_one(row: Outbox, prepared: Prepared, batch: _Batch, settings: Settings,
                 signer: LinkSigner, renderer: MailRenderer, at: dt.datetime, domain: str,
                 token_rows: list[dict]) -> None:
    if row.kind == DIGEST.name and row.payload:
        _prepare_digest(row, prepared, batch, settings, at, renderer)
        return
    if row.kind not in KINDS or row.task_id not in batch.tasks:
        prepared.problem = f"không dựng được thư loại {row.kind!r} cho nhiệm vụ #{row.task_id}"
        return
    to = _recipients(row, prepared, batch, settings)
    if not to:
        return
    task, assignment, cascade, directive = batch.tasks[row.task_id]
    assert task.id is not None and row.link_seed is not None  # a stored task, a claimed row
    state = TaskState.of(row, task)
    recipient = row.body_id or task.body_id
    recurring = _recurring(assignment.deadline_rule)
    # from the row's own time, not the sending time: every copy of a mail says the same
    expires = link_expiry(due_on=state.due_on, recurring=recurring, at=row.created_at,
                          tz=settings.timezone, grace_days=settings.link_grace_days,
                          max_days=settings.link_max_days)
    links = []
    for action in offered_actions(row.kind, task, state, recipient, cascade.coordinator_id):
        token = signer.derived_token(row.link_seed, action)
        token_rows.append(link_row(token, task_id=task.id, action=action, actor=recipient, at=at,
                                   expires_at=expires, outbox_id=row.id))
        links.append(MailLink(action, action_label(action, task.role),
                              link_url(settings.base_url, token)))
    reply_to = tuple(batch.contacts.get(cascade.coordinator_id, ())) \
        if recipient != cascade.coordinator_id else ()
    current, history = _ledger_views(row, batch)
    data = MailData(
        kind=row.kind, message_id=row.message_id or "", sender=settings.mail_from, to=to,
        recipient=batch.name(recipient), at=at, links=tuple(links), reply_to=reply_to,
        links_until=expires if links else None,
        directive=MailDirective(number=directive.number, kind=directive.kind,
                                title=directive.title, issued_on=directive.issued_on,
                                issuer=batch.name(directive.issuer_id)),
        task=MailTask(id=task.id, ref=assignment.ref, occurrence=task.occurrence,
                      text=assignment.task_text, role=task.role,
                      status=state.status, body=batch.name(task.body_id), due_on=state.due_on,
                      deadline=deadline_phrase(state.due_on, assignment.deadline_rule,
                                               task.occurrence),
                      report_to=batch.name(assignment.report_to_id) if assignment.report_to_id
                      else None, version=state.version,
                      requested_due_on=state.requested_due_on),
        event=_event_view(batch.events.get(row.event_id) if row.event_id else None, batch),
        calendar_uid=calendar_uid(task_id=task.id, occurrence=task.occurrence, domain=domain),
        timezone=settings.timezone, follow_up=current, history=history,
        report=_report_view(row, batch))
    prepared.message = renderer.render_mail(data)


def _recurring(rule_text: str | None) -> bool:
    try:
        return bool(rule_text) and parse_rule(rule_text or "").recurring
    except DeadlineRuleError:
        return False


def stable_message_id(row: Outbox, settings: Settings) -> str:
    assert row.id is not None
    return message_id(outbox_id=row.id, key=row.key, mail_from=settings.mail_from)
