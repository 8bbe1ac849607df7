"""Decisions on names the registry lacks, remembered per issuer (models.review_tables).

Revision ID: 0011
Revises: 0010
"""

import sqlalchemy as sa
from alembic import op

from models.tables import UTCDateTime

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "name_decision",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("issuer_key", sa.String(255), nullable=False),
        sa.Column("issuer_label", sa.String(255), nullable=False),
        sa.Column("phrase_key", sa.String(255), nullable=False),
        sa.Column("phrase", sa.String(255), nullable=False),
        sa.Column("decision", sa.String(120), nullable=False),
        sa.Column("decided_by", sa.Integer(), sa.ForeignKey("user_account.id")),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.UniqueConstraint("issuer_key", "phrase_key", name="uq_name_decision"),
    )


def downgrade() -> None:
    op.drop_table("name_decision")
