"""The instances, as SQLModel tables: bodies, directives, cascades, assignments, tasks, events.

Every datetime is aware and stored in UTC; business dates (due_on) are plain dates in
Asia/Ho_Chi_Minh. Schema changes go through Alembic (migrations/).
"""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

import sqlalchemy as sa
from sqlmodel import JSON, Column, Field, SQLModel, select
from sqlmodel.sql.expression import Select

from models.types import UTCDateTime

# Row ids are INTEGER columns: 32-bit on PostgreSQL, so no row has a larger id (a larger
# number in a query is an error there, not a miss).
MAX_ROW_ID = 2**31 - 1


def _when(nullable: bool = False) -> Any:
    return Field(sa_column=Column(UTCDateTime(), nullable=nullable))


def _json() -> Any:
    return Field(default_factory=list, sa_column=Column(JSON, nullable=False))


class Body(SQLModel, table=True):
    __tablename__ = "body"

    id: str = Field(primary_key=True, max_length=80)
    name: str
    kind: str = Field(max_length=40, index=True)
    parent_id: str | None = Field(default=None, max_length=80)
    status: str | None = None
    aliases: list[str] = _json()
    abbreviations: list[str] = _json()


class BodyGroup(SQLModel, table=True):
    __tablename__ = "body_group"

    id: str = Field(primary_key=True, max_length=80)
    surface_forms: list[str] = _json()
    members: list[str] = _json()
    closed: bool = False
    placeholder: bool = False
    notes: str | None = None


class Directive(SQLModel, table=True):
    __tablename__ = "directive"
    # Numbers repeat across issuers (every LĐLĐ has its own "07/KH-LĐLĐ").
    __table_args__ = (sa.UniqueConstraint("number", "issuer_id"),)

    id: int | None = Field(default=None, primary_key=True)
    number: str = Field(max_length=80)
    kind: str = Field(max_length=80)
    issuer_id: str = Field(foreign_key="body.id", max_length=80)
    issued_on: dt.date
    place: str | None = None
    title: str
    signer: str | None = None
    implements: list[str] = _json()
    created_at: dt.datetime = _when()


class Cascade(SQLModel, table=True):
    __tablename__ = "cascade"

    id: int | None = Field(default=None, primary_key=True)
    directive_id: int = Field(foreign_key="directive.id", unique=True)
    # task.id; use_alter breaks the cascade -> task -> cascade cycle at creation time
    parent_task_id: int | None = Field(default=None, sa_column=Column(
        sa.Integer, sa.ForeignKey("task.id", use_alter=True, name="fk_cascade_parent_task"),
        index=True))
    coordinator_id: str = Field(foreign_key="body.id", max_length=80)
    template_sha256: str = Field(max_length=64)
    policy: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    launched_at: dt.datetime = _when()


class Assignment(SQLModel, table=True):
    __tablename__ = "assignment"
    __table_args__ = (sa.UniqueConstraint("cascade_id", "ref"),)

    id: int | None = Field(default=None, primary_key=True)
    cascade_id: int = Field(foreign_key="cascade.id")
    position: int
    ref: str = Field(max_length=40)
    task_text: str
    deadline_rule: str | None = Field(default=None, max_length=40)
    deadline_text: str | None = None
    report_to_id: str | None = Field(default=None, foreign_key="body.id", max_length=80)
    lead_refs: list[str] = _json()
    cooperating_refs: list[str] = _json()
    policy: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON, nullable=True))


class Task(SQLModel, table=True):
    __tablename__ = "task"
    __table_args__ = (
        sa.UniqueConstraint("assignment_id", "body_id", "role", "occurrence"),
        sa.Index("ix_task_cascade", "cascade_id", "id"),
        sa.Index("ix_task_body_status", "body_id", "status"),
        # body_id too: the console counts overdue tasks per body from the index alone
        sa.Index("ix_task_status_due", "status", "due_on", "body_id"),
        # every column a colour needs: the console counts colours per cascade from the index
        sa.Index("ix_task_cascade_colour", "cascade_id", "status", "due_on", "closed_at"),
        sa.Index("ix_task_status_updated", "status", "updated_at", "id"),  # the inbox, oldest first
    )

    id: int | None = Field(default=None, primary_key=True)
    cascade_id: int = Field(foreign_key="cascade.id")
    assignment_id: int = Field(foreign_key="assignment.id")
    body_id: str = Field(foreign_key="body.id", max_length=80)
    role: str = Field(max_length=20)
    occurrence: int = 1
    status: str = Field(max_length=30)
    due_on: dt.date | None = None
    requested_due_on: dt.date | None = None
    created_at: dt.datetime = _when()
    updated_at: dt.datetime = _when()
    closed_at: dt.datetime | None = _when(nullable=True)
    version: int = 1
    # launched past due and the coordinator chose no reminders or escalations for it
    unchased: bool = Field(default=False, sa_column_kwargs={"server_default": sa.false()})


class TaskEvent(SQLModel, table=True):
    """The audit trail: append-only (the database refuses UPDATE and DELETE on it)."""

    __tablename__ = "task_event"
    __table_args__ = (sa.Index("ix_task_event_task", "task_id", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    task_id: int = Field(foreign_key="task.id")
    at: dt.datetime = _when()
    actor: str = Field(max_length=80)
    channel: str = Field(max_length=20)
    action: str = Field(max_length=30)
    from_status: str | None = Field(default=None, max_length=30)
    to_status: str = Field(max_length=30)
    note: str | None = None
    data: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON, nullable=True))


class BodyContact(SQLModel, table=True):
    """A body's e-mail addresses as of the last launch or `cascade init` (from the contacts file)."""

    __tablename__ = "body_contact"

    body_id: str = Field(foreign_key="body.id", primary_key=True, max_length=80)
    position: int = Field(primary_key=True)
    address: str = Field(max_length=254)


class Outbox(SQLModel, table=True):
    """A mail to send, written in the transaction that implies it; drained by the dispatcher.

    `key` makes queueing idempotent (one mail per task assignment, per event, ...). Recipients
    are resolved at dispatch from body_contact (or `to_addresses` when set); the Message-ID is
    derived from the row id, so a resend after a crash carries the same one.
    """

    __tablename__ = "outbox"
    __table_args__ = (sa.Index("ix_outbox_due", "status", "next_attempt_at"),)

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=120, unique=True)
    kind: str = Field(max_length=40)
    task_id: int | None = Field(default=None, foreign_key="task.id", index=True)
    event_id: int | None = Field(default=None, foreign_key="task_event.id")
    body_id: str | None = Field(default=None, foreign_key="body.id", max_length=80)
    to_addresses: list[str] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    # data the mail shows that is not in other tables (a digest's snapshot, ...)
    payload: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    status: str = Field(default="pending", max_length=20)
    attempts: int = 0
    next_attempt_at: dt.datetime = _when()
    claimed_at: dt.datetime | None = _when(nullable=True)
    last_error: str | None = None
    message_id: str | None = Field(default=None, max_length=250)
    # secret per row, set at the first claim: the row's link tokens are derived from it with
    # the deployment's key, so every copy of the mail carries the same links
    link_seed: str | None = Field(default=None, max_length=64)
    created_at: dt.datetime = _when()
    sent_at: dt.datetime | None = _when(nullable=True)


class LinkToken(SQLModel, table=True):
    """A one-click link: random token stored only as its SHA-256, scoped to a task and action."""

    __tablename__ = "link_token"

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True)
    task_id: int = Field(foreign_key="task.id", index=True)
    action: str = Field(max_length=30)
    actor: str = Field(max_length=80)
    outbox_id: int | None = Field(default=None, foreign_key="outbox.id")
    created_at: dt.datetime = _when()
    expires_at: dt.datetime = _when()
    used_at: dt.datetime | None = _when(nullable=True)


class FollowUp(SQLModel, table=True):
    """A reminder or escalation recorded by the sweep: once per key (task, kind, level,
    occurrence, due date), whoever sweeps and however often."""

    __tablename__ = "follow_up"

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=120, unique=True)
    task_id: int = Field(foreign_key="task.id", index=True)
    kind: str = Field(max_length=20)  # reminder | escalation
    level: int
    occurrence: int
    due_on: dt.date
    working_days: int  # left before (reminder) or late (escalation)
    recipient_id: str = Field(foreign_key="body.id", max_length=80)
    outbox_id: int | None = Field(default=None, foreign_key="outbox.id")
    at: dt.datetime = _when()


class AppNotice(SQLModel, table=True):
    """A notice about the configuration (a registry group that may be incomplete), shown once
    per version (`digest`) of what it is about."""

    __tablename__ = "app_notice"

    key: str = Field(primary_key=True, max_length=160)
    digest: str = Field(max_length=64)
    shown_at: dt.datetime = _when()


class SchedulerLease(SQLModel, table=True):
    """Who runs the embedded scheduler: one holder at a time, renewed before it expires."""

    __tablename__ = "scheduler_lease"

    name: str = Field(primary_key=True, max_length=40)
    holder: str = Field(max_length=120)
    expires_at: dt.datetime = _when()


class JobRun(SQLModel, table=True):
    """One run of a scheduled job (dispatch, sweep, digest): when, by whom, with what result."""

    __tablename__ = "job_run"
    __table_args__ = (sa.Index("ix_job_run_job", "job", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    job: str = Field(max_length=40)
    holder: str = Field(max_length=120)
    scheduled_for: dt.datetime | None = _when(nullable=True)
    started_at: dt.datetime = _when()
    finished_at: dt.datetime | None = _when(nullable=True)
    outcome: str | None = None


class Target(SQLModel, table=True):
    """A measurable target (chỉ tiêu) of a cascade, from its template's `targets:` list."""

    __tablename__ = "target"
    __table_args__ = (sa.UniqueConstraint("cascade_id", "key"),)

    id: int | None = Field(default=None, primary_key=True)
    cascade_id: int = Field(foreign_key="cascade.id")
    key: str = Field(max_length=40)  # the template's id, e.g. "T1"
    position: int
    text: str
    unit: str = Field(max_length=80)
    value: float  # the value aimed at
    year: int | None = None
    combine: str = Field(max_length=10)  # sum | mean | min | share (models/targets.py)


class AssignmentTarget(SQLModel, table=True):
    """The targets an assignment's bodies report figures on."""

    __tablename__ = "assignment_target"

    assignment_id: int = Field(foreign_key="assignment.id", primary_key=True)
    target_id: int = Field(foreign_key="target.id", primary_key=True)


class TaskReport(SQLModel, table=True):
    """A report sent for a task (the lead's result, or a co-operating body's contribution): its
    summary, files and figures, and the coordinator's review of it (outcome)."""

    __tablename__ = "task_report"
    __table_args__ = (sa.Index("ix_task_report_task", "task_id", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    task_id: int = Field(foreign_key="task.id")
    event_id: int = Field(foreign_key="task_event.id", unique=True)  # the 'report' event
    actor: str = Field(max_length=80)
    channel: str = Field(max_length=20)
    at: dt.datetime = _when()
    summary: str | None = None
    outcome: str | None = Field(default=None, max_length=20)  # accepted | returned
    reviewed_at: dt.datetime | None = _when(nullable=True)
    reviewed_by: str | None = Field(default=None, max_length=80)
    review_note: str | None = None
    review_event_id: int | None = Field(default=None, foreign_key="task_event.id")


class ReportFile(SQLModel, table=True):
    """A file attached to a report: its content is in the file store under `sha256` (stored
    once, whoever sends it again); the original name, size and type are kept here."""

    __tablename__ = "report_file"
    __table_args__ = (sa.UniqueConstraint("report_id", "position"),)

    id: int | None = Field(default=None, primary_key=True)
    report_id: int = Field(foreign_key="task_report.id")
    position: int
    sha256: str = Field(max_length=64, index=True)
    name: str = Field(max_length=255)
    size: int
    content_type: str = Field(max_length=120)


class ReportFigure(SQLModel, table=True):
    """A figure a report gives for one of the cascade's targets."""

    __tablename__ = "report_figure"

    report_id: int = Field(foreign_key="task_report.id", primary_key=True)
    target_id: int = Field(foreign_key="target.id", primary_key=True)
    value: float
    text: str = Field(max_length=80)  # as the body wrote it ("13,5 triệu")


# APScheduler's job store (created by migration 0004 so it lives under Alembic too).
apscheduler_jobs = sa.Table(
    "apscheduler_jobs", SQLModel.metadata,
    sa.Column("id", sa.Unicode(191), primary_key=True),
    sa.Column("next_run_time", sa.Float(25), index=True),
    sa.Column("job_state", sa.LargeBinary(), nullable=False),
)

metadata = SQLModel.metadata
# The console's tables (models/console_tables.py) join `metadata` when that module is imported,
# as migrations/env.py and the schema test do.


def table_of(model: type[SQLModel]) -> sa.Table:
    """`model.__table__`, typed: SQLModel's stubs do not declare the attribute."""
    return cast(sa.Table, cast(Any, model).__table__)


def select_columns(*columns: Any) -> Select[*tuple[Any, ...]]:
    """`sqlmodel.select(*columns)`, typed for any number of columns (its overloads stop at four)."""
    return cast("Select[*tuple[Any, ...]]", select(*columns))
