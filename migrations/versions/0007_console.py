"""The console: accounts, server-side sessions, login attempts (throttling), drafts under
review, contact addresses edited in the console, and the indexes its counts read.

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

from models.tables import UTCDateTime

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # indexes the console's counts read alone (services/console.py, services/board.py)
    op.drop_index("ix_task_status_due", "task")
    op.create_index("ix_task_status_due", "task", ["status", "due_on", "body_id"])
    op.create_index("ix_task_cascade_colour", "task", ["cascade_id", "status", "due_on", "closed_at"])
    op.create_index("ix_task_status_updated", "task", ["status", "updated_at", "id"])
    op.create_table(
        "user_account",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("email", sa.String(254), nullable=False, unique=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("role", sa.String(20), nullable=False),
        sa.Column("password_hash", sa.String(200), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("password_changed_at", UTCDateTime(), nullable=False),
    )
    op.create_table(
        "user_session",
        sa.Column("id_hash", sa.String(64), primary_key=True),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("user_account.id"), nullable=False,
                  index=True),
        sa.Column("csrf_secret", sa.String(64), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("last_seen_at", UTCDateTime(), nullable=False),
        sa.Column("address", sa.String(64)),
    )
    op.create_table(
        "login_attempt",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("email", sa.String(254), nullable=False),
        sa.Column("address", sa.String(64), nullable=False),
        sa.Column("succeeded", sa.Boolean(), nullable=False),
    )
    op.create_index("ix_login_attempt_email", "login_attempt", ["email", "at"])
    op.create_index("ix_login_attempt_address", "login_attempt", ["address", "at"])
    op.create_table(
        "draft_review",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("user_account.id"), nullable=False),
        sa.Column("source_name", sa.String(255), nullable=False),
        sa.Column("draft", sa.JSON(), nullable=False),
        sa.Column("annual_days", sa.JSON()),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("directive_number", sa.String(80)),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
    )
    op.create_index("ix_draft_review_user", "draft_review", ["user_id", "status"])
    op.create_table(
        "contact_edit",
        sa.Column("body_id", sa.String(80), sa.ForeignKey("body.id"), primary_key=True),
        sa.Column("addresses", sa.JSON(), nullable=False),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("user_account.id"), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
    )


def downgrade() -> None:
    op.drop_index("ix_task_status_updated", "task")
    op.drop_index("ix_task_cascade_colour", "task")
    op.drop_index("ix_task_status_due", "task")
    op.create_index("ix_task_status_due", "task", ["status", "due_on"])
    for table in ("contact_edit", "draft_review", "login_attempt", "user_session",
                  "user_account"):
        op.drop_table(table)
