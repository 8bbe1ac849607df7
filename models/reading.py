"""The tables as light SQLAlchemy Core clauses, for the read path of the command line.

`cascade status`, `history` and `outbox` answer in the time it takes Python to import
SQLAlchemy: they read through these clauses, which need neither SQLModel nor Pydantic nor the
ORM's class building (models/tables.py stays the schema; tests/unit/test_reading.py checks
that every column named here exists there with the same type).
"""

from __future__ import annotations

import sqlalchemy as sa

from models.types import UTCDateTime

task = sa.table(
    "task", sa.column("id", sa.Integer), sa.column("cascade_id", sa.Integer),
    sa.column("assignment_id", sa.Integer), sa.column("body_id", sa.String),
    sa.column("role", sa.String), sa.column("occurrence", sa.Integer),
    sa.column("status", sa.String), sa.column("due_on", sa.Date),
    sa.column("closed_at", UTCDateTime()), sa.column("version", sa.Integer),
    sa.column("unchased", sa.Boolean))
assignment = sa.table(
    "assignment", sa.column("id", sa.Integer), sa.column("cascade_id", sa.Integer),
    sa.column("position", sa.Integer), sa.column("ref", sa.String),
    sa.column("deadline_rule", sa.String))
cascade = sa.table(
    "cascade", sa.column("id", sa.Integer), sa.column("directive_id", sa.Integer),
    sa.column("parent_task_id", sa.Integer), sa.column("coordinator_id", sa.String))
directive = sa.table(
    "directive", sa.column("id", sa.Integer), sa.column("number", sa.String),
    sa.column("issuer_id", sa.String))
body = sa.table("body", sa.column("id", sa.String), sa.column("name", sa.String),
                sa.column("kind", sa.String))
user_account = sa.table("user_account", sa.column("id", sa.Integer),
                        sa.column("name", sa.String), sa.column("role", sa.String))
body_contact = sa.table("body_contact", sa.column("body_id", sa.String),
                        sa.column("position", sa.Integer), sa.column("address", sa.String))
task_event = sa.table(
    "task_event", sa.column("id", sa.Integer), sa.column("task_id", sa.Integer),
    sa.column("at", UTCDateTime()), sa.column("actor", sa.String), sa.column("channel", sa.String),
    sa.column("action", sa.String), sa.column("from_status", sa.String),
    sa.column("to_status", sa.String), sa.column("note", sa.String), sa.column("data", sa.JSON))
outbox = sa.table(
    "outbox", sa.column("id", sa.Integer), sa.column("kind", sa.String),
    sa.column("task_id", sa.Integer), sa.column("body_id", sa.String),
    sa.column("to_addresses", sa.JSON), sa.column("status", sa.String),
    sa.column("attempts", sa.Integer), sa.column("next_attempt_at", UTCDateTime()),
    sa.column("last_error", sa.String), sa.column("message_id", sa.String),
    sa.column("sent_at", UTCDateTime()))

TABLES = (task, assignment, cascade, directive, body, body_contact, task_event, outbox)
