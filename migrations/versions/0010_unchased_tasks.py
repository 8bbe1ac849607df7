"""Items launched already past due: the coordinator may launch them without reminders or
escalations (task.unchased, honoured by the sweep); the console's draft keeps that choice per
item until launch (draft_review.unchased_refs).

Revision ID: 0010
Revises: 0009
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # plain ADD COLUMN (a constant default): SQLite keeps the table and its references
    op.add_column("task", sa.Column("unchased", sa.Boolean(), nullable=False,
                                    server_default=sa.false()))
    op.add_column("draft_review", sa.Column("unchased_refs", sa.JSON()))


def downgrade() -> None:
    op.drop_column("draft_review", "unchased_refs")
    op.drop_column("task", "unchased")
