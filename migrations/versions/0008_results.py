"""Results: a cascade's targets and the assignments reporting on them; reports with their
files (stored by content hash) and figures, and the coordinator's review of each report.

Revision ID: 0008
Revises: 0007
"""

import sqlalchemy as sa
from alembic import op

from models.tables import UTCDateTime

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "target",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("cascade_id", sa.Integer(), sa.ForeignKey("cascade.id"), nullable=False),
        sa.Column("key", sa.String(40), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("text", sa.String(), nullable=False),
        sa.Column("unit", sa.String(80), nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        sa.Column("year", sa.Integer()),
        sa.Column("combine", sa.String(10), nullable=False),
        sa.UniqueConstraint("cascade_id", "key"),
    )
    op.create_table(
        "assignment_target",
        sa.Column("assignment_id", sa.Integer(), sa.ForeignKey("assignment.id"), primary_key=True),
        sa.Column("target_id", sa.Integer(), sa.ForeignKey("target.id"), primary_key=True),
    )
    op.create_table(
        "task_report",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("task_id", sa.Integer(), sa.ForeignKey("task.id"), nullable=False),
        sa.Column("event_id", sa.Integer(), sa.ForeignKey("task_event.id"), nullable=False,
                  unique=True),
        sa.Column("actor", sa.String(80), nullable=False),
        sa.Column("channel", sa.String(20), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("summary", sa.String()),
        sa.Column("outcome", sa.String(20)),
        sa.Column("reviewed_at", UTCDateTime()),
        sa.Column("reviewed_by", sa.String(80)),
        sa.Column("review_note", sa.String()),
        sa.Column("review_event_id", sa.Integer(), sa.ForeignKey("task_event.id")),
    )
    op.create_index("ix_task_report_task", "task_report", ["task_id", "id"])
    op.create_table(
        "report_file",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("report_id", sa.Integer(), sa.ForeignKey("task_report.id"), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False, index=True),
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("content_type", sa.String(120), nullable=False),
        sa.UniqueConstraint("report_id", "position"),
    )
    op.create_table(
        "report_figure",
        sa.Column("report_id", sa.Integer(), sa.ForeignKey("task_report.id"), primary_key=True),
        sa.Column("target_id", sa.Integer(), sa.ForeignKey("target.id"), primary_key=True),
        sa.Column("value", sa.Float(), nullable=False),
        sa.Column("text", sa.String(80), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("report_figure")
    op.drop_table("report_file")
    op.drop_index("ix_task_report_task", "task_report")
    op.drop_table("task_report")
    op.drop_table("assignment_target")
    op.drop_table("target")
