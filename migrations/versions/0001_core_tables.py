"""Core tables: registry, directives, cascades, assignments, tasks, audit events.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

from models.types import UTCDateTime

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "body",
        sa.Column("id", sa.String(80), primary_key=True),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("kind", sa.String(40), nullable=False, index=True),
        sa.Column("parent_id", sa.String(80)),
        sa.Column("status", sa.String()),
        sa.Column("aliases", sa.JSON(), nullable=False),
        sa.Column("abbreviations", sa.JSON(), nullable=False),
    )
    op.create_table(
        "body_group",
        sa.Column("id", sa.String(80), primary_key=True),
        sa.Column("surface_forms", sa.JSON(), nullable=False),
        sa.Column("members", sa.JSON(), nullable=False),
        sa.Column("closed", sa.Boolean(), nullable=False),
        sa.Column("placeholder", sa.Boolean(), nullable=False),
        sa.Column("notes", sa.String()),
    )
    op.create_table(
        "directive",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("number", sa.String(80), nullable=False),
        sa.Column("kind", sa.String(80), nullable=False),
        sa.Column("issuer_id", sa.String(80), sa.ForeignKey("body.id"), nullable=False),
        sa.Column("issued_on", sa.Date(), nullable=False),
        sa.Column("place", sa.String()),
        sa.Column("title", sa.String(), nullable=False),
        sa.Column("signer", sa.String()),
        sa.Column("implements", sa.JSON(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.UniqueConstraint("number", "issuer_id"),
    )
    op.create_table(
        "cascade",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("directive_id", sa.Integer(), sa.ForeignKey("directive.id"), nullable=False,
                  unique=True),
        # references task.id; the constraint is added once the task table exists
        sa.Column("parent_task_id", sa.Integer(), index=True),
        sa.Column("coordinator_id", sa.String(80), sa.ForeignKey("body.id"), nullable=False),
        sa.Column("template_sha256", sa.String(64), nullable=False),
        sa.Column("policy", sa.JSON()),
        sa.Column("launched_at", UTCDateTime(), nullable=False),
    )
    op.create_table(
        "assignment",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("cascade_id", sa.Integer(), sa.ForeignKey("cascade.id"), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("ref", sa.String(40), nullable=False),
        sa.Column("task_text", sa.String(), nullable=False),
        sa.Column("deadline_rule", sa.String(40)),
        sa.Column("deadline_text", sa.String()),
        sa.Column("report_to_id", sa.String(80), sa.ForeignKey("body.id")),
        sa.Column("lead_refs", sa.JSON(), nullable=False),
        sa.Column("cooperating_refs", sa.JSON(), nullable=False),
        sa.Column("policy", sa.JSON()),
        sa.UniqueConstraint("cascade_id", "ref"),
    )
    op.create_table(
        "task",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("cascade_id", sa.Integer(), sa.ForeignKey("cascade.id"), nullable=False),
        sa.Column("assignment_id", sa.Integer(), sa.ForeignKey("assignment.id"), nullable=False),
        sa.Column("body_id", sa.String(80), sa.ForeignKey("body.id"), nullable=False),
        sa.Column("role", sa.String(20), nullable=False),
        sa.Column("occurrence", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(30), nullable=False),
        sa.Column("due_on", sa.Date()),
        sa.Column("requested_due_on", sa.Date()),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("closed_at", UTCDateTime()),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.UniqueConstraint("assignment_id", "body_id", "role", "occurrence"),
    )
    op.create_index("ix_task_cascade", "task", ["cascade_id", "id"])
    op.create_index("ix_task_body_status", "task", ["body_id", "status"])
    op.create_index("ix_task_status_due", "task", ["status", "due_on"])
    op.create_table(
        "task_event",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("task_id", sa.Integer(), sa.ForeignKey("task.id"), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("actor", sa.String(80), nullable=False),
        sa.Column("channel", sa.String(20), nullable=False),
        sa.Column("action", sa.String(30), nullable=False),
        sa.Column("from_status", sa.String(30)),
        sa.Column("to_status", sa.String(30), nullable=False),
        sa.Column("note", sa.String()),
        sa.Column("data", sa.JSON()),
    )
    op.create_index("ix_task_event_task", "task_event", ["task_id", "id"])
    with op.batch_alter_table("cascade") as batch:
        batch.create_foreign_key("fk_cascade_parent_task", "task", ["parent_task_id"], ["id"])


def downgrade() -> None:
    with op.batch_alter_table("cascade") as batch:
        batch.drop_constraint("fk_cascade_parent_task", type_="foreignkey")
    for table in ("task_event", "task", "assignment", "cascade", "directive", "body_group", "body"):
        op.drop_table(table)
