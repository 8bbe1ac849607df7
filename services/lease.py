"""A lease in the database: at most one holder of a name at a time (the embedded scheduler).

APScheduler runs every job once per process sharing a job store, so a second `cascade serve`
on the same database must not schedule: it waits for the lease. A holder that dies (SIGKILL)
stops renewing; its lease expires and another process takes over.
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from models.db import unit_of_work
from models.tables import JobRun, SchedulerLease, table_of

LEASE = table_of(SchedulerLease)
RUNS = table_of(JobRun)
SCHEDULER = "embedded-scheduler"  # the embedded scheduler's lease (cascade.scheduler)


def acquire(engine: Engine, *, name: str, holder: str, at: dt.datetime, ttl: dt.timedelta) -> bool:
    """Take or renew the lease `name` for `holder`; False when someone else holds it."""
    expires = at + ttl
    with unit_of_work(engine) as session:
        conn = session.connection()
        renewed = conn.execute(
            sa.update(LEASE)
            .where(LEASE.c.name == name, sa.or_(LEASE.c.holder == holder, LEASE.c.expires_at < at))
            .values(holder=holder, expires_at=expires))
        if renewed.rowcount == 1:
            return True
        exists = conn.execute(sa.select(LEASE.c.holder).where(LEASE.c.name == name)).first()
        if exists is not None:
            return False
        try:
            with session.begin_nested():
                session.connection().execute(
                    sa.insert(LEASE).values(name=name, holder=holder, expires_at=expires))
        except sa.exc.IntegrityError:
            return False
        return True


def release(engine: Engine, *, name: str, holder: str) -> None:
    with unit_of_work(engine) as session:
        session.connection().execute(
            sa.delete(LEASE).where(LEASE.c.name == name, LEASE.c.holder == holder))


def read(engine: Engine, name: str) -> tuple[str, dt.datetime] | None:
    """The lease's holder and when it expires (expired or not); None when nobody took it."""
    with unit_of_work(engine, write=False) as session:
        row = session.connection().execute(
            sa.select(LEASE.c.holder, LEASE.c.expires_at).where(LEASE.c.name == name)).first()
    return None if row is None else (row.holder, row.expires_at)


def holder_of(engine: Engine, name: str, at: dt.datetime) -> str | None:
    with unit_of_work(engine, write=False) as session:
        row = session.connection().execute(
            sa.select(LEASE.c.holder, LEASE.c.expires_at).where(LEASE.c.name == name)).first()
    return row.holder if row is not None and row.expires_at >= at else None


def start_run(engine: Engine, *, job: str, holder: str, at: dt.datetime,
              scheduled_for: dt.datetime | None) -> int:
    with unit_of_work(engine) as session:
        result = session.connection().execute(
            sa.insert(RUNS).values(job=job, holder=holder, started_at=at, scheduled_for=scheduled_for)
            .returning(RUNS.c.id))
        return int(result.scalar_one())


def finish_run(engine: Engine, *, run_id: int, at: dt.datetime, outcome: str) -> None:
    with unit_of_work(engine) as session:
        session.connection().execute(
            sa.update(RUNS).where(RUNS.c.id == run_id).values(finished_at=at, outcome=outcome[:500]))
