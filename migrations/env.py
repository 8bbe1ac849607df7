"""Alembic environment: runs on the connection models.db.upgrade hands it, or on the URL."""

from alembic import context
from sqlalchemy import create_engine

import models.console_tables  # noqa: F401 (its tables join the metadata)
import models.review_tables  # noqa: F401 (remembered name decisions)
from models.tables import metadata

config = context.config


def run() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _migrate(connection)
        return
    engine = create_engine(config.get_main_option("sqlalchemy.url"))
    with engine.begin() as conn:
        _migrate(conn)


def _migrate(connection) -> None:  # type: ignore[no-untyped-def]
    context.configure(connection=connection, target_metadata=metadata,
                      render_as_batch=connection.dialect.name == "sqlite")
    with context.begin_transaction():
        context.run_migrations()


run()
