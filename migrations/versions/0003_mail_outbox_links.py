"""E-mail: body contacts, the outbox, one-click link tokens.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

from models.types import UTCDateTime

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "body_contact",
        sa.Column("body_id", sa.String(80), sa.ForeignKey("body.id"), primary_key=True),
        sa.Column("position", sa.Integer(), primary_key=True),
        sa.Column("address", sa.String(254), nullable=False),
    )
    op.create_table(
        "outbox",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("key", sa.String(120), nullable=False, unique=True),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("task_id", sa.Integer(), sa.ForeignKey("task.id"), index=True),
        sa.Column("event_id", sa.Integer(), sa.ForeignKey("task_event.id")),
        sa.Column("body_id", sa.String(80), sa.ForeignKey("body.id")),
        sa.Column("to_addresses", sa.JSON()),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", UTCDateTime(), nullable=False),
        sa.Column("claimed_at", UTCDateTime()),
        sa.Column("last_error", sa.String()),
        sa.Column("message_id", sa.String(250)),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("sent_at", UTCDateTime()),
    )
    op.create_index("ix_outbox_due", "outbox", ["status", "next_attempt_at"])
    op.create_table(
        "link_token",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("task_id", sa.Integer(), sa.ForeignKey("task.id"), nullable=False, index=True),
        sa.Column("action", sa.String(30), nullable=False),
        sa.Column("actor", sa.String(80), nullable=False),
        sa.Column("outbox_id", sa.Integer(), sa.ForeignKey("outbox.id")),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("expires_at", UTCDateTime(), nullable=False),
        sa.Column("used_at", UTCDateTime()),
    )


def downgrade() -> None:
    op.drop_table("link_token")
    op.drop_index("ix_outbox_due", "outbox")
    op.drop_table("outbox")
    op.drop_table("body_contact")
