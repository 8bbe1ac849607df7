"""The audit trail is append-only: the database refuses UPDATE and DELETE on task_event.

Revision ID: 0002
Revises: 0001
"""

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

MESSAGE = "task_event is append-only"


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for verb in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER task_event_no_{verb.lower()} BEFORE {verb} ON task_event "
                f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END"
            )
        return
    op.execute(
        "CREATE FUNCTION task_event_append_only() RETURNS trigger LANGUAGE plpgsql AS "
        f"$$ BEGIN RAISE EXCEPTION '{MESSAGE}'; END $$"
    )
    op.execute(
        "CREATE TRIGGER task_event_append_only BEFORE UPDATE OR DELETE ON task_event "
        "FOR EACH ROW EXECUTE FUNCTION task_event_append_only()"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TRIGGER task_event_no_update")
        op.execute("DROP TRIGGER task_event_no_delete")
        return
    op.execute("DROP TRIGGER task_event_append_only ON task_event")
    op.execute("DROP FUNCTION task_event_append_only()")
