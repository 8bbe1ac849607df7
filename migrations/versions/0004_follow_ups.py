"""Follow-up: the reminder/escalation ledger, a payload column on the outbox (digests), and
the embedded scheduler's lease, job runs and APScheduler job store.

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

from models.types import UTCDateTime

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        batch.add_column(sa.Column("payload", sa.JSON()))
    op.create_table(
        "follow_up",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("key", sa.String(120), nullable=False, unique=True),
        sa.Column("task_id", sa.Integer(), sa.ForeignKey("task.id"), nullable=False, index=True),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("occurrence", sa.Integer(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("working_days", sa.Integer(), nullable=False),
        sa.Column("recipient_id", sa.String(80), sa.ForeignKey("body.id"), nullable=False),
        sa.Column("outbox_id", sa.Integer(), sa.ForeignKey("outbox.id")),
        sa.Column("at", UTCDateTime(), nullable=False),
    )


    op.create_table(
        "scheduler_lease",
        sa.Column("name", sa.String(40), primary_key=True),
        sa.Column("holder", sa.String(120), nullable=False),
        sa.Column("expires_at", UTCDateTime(), nullable=False),
    )
    op.create_table(
        "job_run",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("job", sa.String(40), nullable=False),
        sa.Column("holder", sa.String(120), nullable=False),
        sa.Column("scheduled_for", UTCDateTime()),
        sa.Column("started_at", UTCDateTime(), nullable=False),
        sa.Column("finished_at", UTCDateTime()),
        sa.Column("outcome", sa.String()),
    )
    op.create_index("ix_job_run_job", "job_run", ["job", "id"])
    op.create_table(
        "apscheduler_jobs",
        sa.Column("id", sa.Unicode(191), primary_key=True),
        sa.Column("next_run_time", sa.Float(25), index=True),
        sa.Column("job_state", sa.LargeBinary(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("apscheduler_jobs")
    op.drop_index("ix_job_run_job", "job_run")
    op.drop_table("job_run")
    op.drop_table("scheduler_lease")
    op.drop_table("follow_up")
    with op.batch_alter_table("outbox") as batch:
        batch.drop_column("payload")
