"""Scans read in the background for the console's "Giao việc mới": the file, the pages read,
the draft it gave or why not (models.console_tables.DraftJob).

Revision ID: 0009
Revises: 0008
"""

import sqlalchemy as sa
from alembic import op

from models.tables import UTCDateTime

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "draft_job",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("user_account.id"), nullable=False),
        sa.Column("source_name", sa.String(255), nullable=False),
        sa.Column("suffix", sa.String(10), nullable=False),
        sa.Column("data", sa.LargeBinary()),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("claim", sa.String(64), nullable=False),
        sa.Column("pages_done", sa.Integer(), nullable=False),
        sa.Column("pages_total", sa.Integer()),
        sa.Column("draft_id", sa.Integer(), sa.ForeignKey("draft_review.id")),
        sa.Column("error", sa.String()),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
    )
    op.create_index("ix_draft_job_user", "draft_job", ["user_id", "status"])


def downgrade() -> None:
    op.drop_index("ix_draft_job_user", "draft_job")
    op.drop_table("draft_job")
