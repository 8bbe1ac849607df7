"""A review form posted after its session expired, kept until its author logs in again
(models.review_tables.KeptForm).

Revision ID: 0013
Revises: 0012
"""

import sqlalchemy as sa
from alembic import op

from models.tables import UTCDateTime

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "kept_form",
        sa.Column("id_hash", sa.String(64), primary_key=True),
        sa.Column("path", sa.String(255), nullable=False),
        sa.Column("fields", sa.JSON(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("kept_form")
