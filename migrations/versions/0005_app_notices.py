"""Notices shown once per registry version (a group that may be incomplete, ...).

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

from models.types import UTCDateTime

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "app_notice",
        sa.Column("key", sa.String(160), primary_key=True),
        sa.Column("digest", sa.String(64), nullable=False),
        sa.Column("shown_at", UTCDateTime(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("app_notice")
