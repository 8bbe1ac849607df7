"""Migrations: from an empty database, and from the previous revision with data in it."""

import datetime as dt

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

import models.console_tables  # noqa: F401 (its tables join the metadata)
import models.review_tables  # noqa: F401 (remembered name decisions)
from models.db import current_revision, head_revision, upgrade
from models.tables import metadata


def test_head_revision_matches_alembic():
    """The cheap head lookup used at CLI start-up agrees with Alembic's own."""
    from alembic.script import ScriptDirectory

    from models.db import MIGRATIONS_DIR

    assert head_revision() == ScriptDirectory(str(MIGRATIONS_DIR)).get_current_head()


def test_empty_database_upgrades_to_head_matching_the_models(empty_engine):
    """An empty database migrates to the head, and the schema equals the SQLModel tables."""
    assert current_revision(empty_engine) is None
    upgrade(empty_engine)
    assert current_revision(empty_engine) == head_revision()
    with empty_engine.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn), metadata) == []


def _revisions() -> list[str]:
    from alembic.script import ScriptDirectory

    from models.db import MIGRATIONS_DIR

    script = ScriptDirectory(str(MIGRATIONS_DIR))
    return [r.revision for r in reversed(list(script.walk_revisions()))][:-1]


@pytest.mark.parametrize("start", _revisions())
def test_upgrade_from_an_earlier_revision_keeps_the_data(empty_engine, start):
    """A database at each earlier revision (the previous one included), with tasks and events,
    upgrades to head and loses nothing."""
    upgrade(empty_engine, start)
    now = dt.datetime(2024, 1, 2, 3, 4, tzinfo=dt.UTC).replace(tzinfo=None)
    with empty_engine.begin() as conn:
        conn.execute(sa.text(
            "INSERT INTO body (id, name, kind, aliases, abbreviations) "
            "VALUES ('b', 'Ban B', 'department', '[]', '[]')"))
        conn.execute(sa.text(
            "INSERT INTO directive (id, number, kind, issuer_id, issued_on, title, implements, "
            "created_at) VALUES (1, '1-KH/X', 'Kế hoạch', 'b', '2024-01-01', 'T', '[]', :now)"),
            {"now": now})
        conn.execute(sa.text(
            "INSERT INTO cascade (id, directive_id, coordinator_id, template_sha256, launched_at) "
            "VALUES (1, 1, 'b', 'x', :now)"), {"now": now})
        conn.execute(sa.text(
            "INSERT INTO assignment (id, cascade_id, position, ref, task_text, lead_refs, "
            "cooperating_refs) VALUES (1, 1, 0, '1', 'Việc', '[]', '[]')"))
        conn.execute(sa.text(
            "INSERT INTO task (id, cascade_id, assignment_id, body_id, role, occurrence, status, "
            "created_at, updated_at, version) VALUES (1, 1, 1, 'b', 'lead', 1, 'assigned', :now, "
            ":now, 1)"), {"now": now})
        conn.execute(sa.text(
            "INSERT INTO task_event (task_id, at, actor, channel, action, to_status) "
            "VALUES (1, :now, 'b', 'cli', 'assign', 'assigned')"), {"now": now})
        if start == "0001":  # before 0002 the audit trail could still be rewritten
            conn.execute(sa.text("UPDATE task_event SET note = 'sửa được' WHERE task_id = 1"))
    upgrade(empty_engine)
    assert current_revision(empty_engine) == head_revision() != start
    with empty_engine.connect() as conn:
        assert conn.execute(sa.text("SELECT status FROM task WHERE id = 1")).scalar() == "assigned"
        assert conn.execute(sa.text("SELECT count(*) FROM task_event")).scalar() == 1
    with pytest.raises(sa.exc.DatabaseError, match="append-only"):
        with empty_engine.begin() as conn:
            conn.execute(sa.text("UPDATE task_event SET note = 'không sửa được nữa'"))
