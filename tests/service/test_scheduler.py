"""The embedded scheduler: one holder per database, take-over when the holder dies, missed
runs coalesced into one; driven by an injected clock, with no sleeps."""

import datetime as dt

import sqlalchemy as sa
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.interval import IntervalTrigger

from cascade.scheduler import EmbeddedScheduler, JobSpec
from models.tables import JobRun
from services import lease
from tests import scheduler_jobs
from tests.conftest import FixedClock

T0 = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
TTL = dt.timedelta(seconds=30)


def runs(engine):
    with engine.connect() as conn:
        return conn.execute(sa.select(JobRun.holder, JobRun.started_at)
                            .where(JobRun.job == "tick").order_by(JobRun.id)).all()


def test_lease_has_one_holder_until_it_expires(engine):
    """A second holder is refused while the lease is live, and takes over once it expires."""
    assert lease.acquire(engine, name="x", holder="a", at=T0, ttl=TTL)
    assert not lease.acquire(engine, name="x", holder="b", at=T0 + dt.timedelta(seconds=10), ttl=TTL)
    assert lease.acquire(engine, name="x", holder="a", at=T0 + dt.timedelta(seconds=20), ttl=TTL)
    assert not lease.acquire(engine, name="x", holder="b", at=T0 + dt.timedelta(seconds=49), ttl=TTL)
    assert lease.acquire(engine, name="x", holder="b", at=T0 + dt.timedelta(seconds=51), ttl=TTL)
    assert lease.holder_of(engine, "x", T0 + dt.timedelta(seconds=52)) == "b"


def test_release_lets_another_holder_in(engine):
    """A holder that stops cleanly releases the lease at once."""
    assert lease.acquire(engine, name="x", holder="a", at=T0, ttl=TTL)
    lease.release(engine, name="x", holder="a")
    assert lease.acquire(engine, name="x", holder="b", at=T0, ttl=TTL)


def test_two_serves_schedule_from_one_process_and_the_other_takes_over(make_app):
    """Two `cascade serve` on one database: only the lease holder schedules; when it stops
    renewing (killed), the other starts scheduling once the lease has expired."""
    clock = FixedClock(T0)
    first = EmbeddedScheduler(make_app(clock=clock, CASCADE_SCHEDULER_LEASE_SECONDS="30"), jobs=[])
    second = EmbeddedScheduler(make_app(clock=clock, CASCADE_SCHEDULER_LEASE_SECONDS="30"), jobs=[])
    try:
        assert first.tick() and first.running
        assert not second.tick() and not second.running
        clock.advance(seconds=20)
        assert first.tick() and not second.tick()  # renewed in time
        clock.advance(seconds=31)  # the first one was killed: no renewal for 31 s
        assert second.tick() and second.running
        assert not first.tick() and not first.running  # it stops scheduling if it comes back
    finally:
        first.stop()
        second.stop()


def test_missed_runs_coalesce_into_one(make_app):
    """A job whose stored next run is ten intervals in the past (the process was down) runs
    once when the scheduler starts again, on the App the scheduler installed."""
    app = make_app(CASCADE_MISFIRE_GRACE_SECONDS="3600")
    spec = JobSpec("tick", "tests.scheduler_jobs:tick", IntervalTrigger(seconds=60))
    before = EmbeddedScheduler(app, jobs=[spec])
    assert before.tick()  # stores the job, first run in a minute
    before.stop()
    store = SQLAlchemyJobStore(engine=app.engine)
    store.start(BackgroundScheduler(), "default")
    job = store.lookup_job("tick")
    job.next_run_time = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=10)  # down for 10 runs
    store.update_job(job)

    scheduler_jobs.RAN.clear()
    scheduler = EmbeddedScheduler(app, jobs=[spec])
    scheduler.start()
    try:
        assert scheduler_jobs.RAN.wait(timeout=20)
    finally:
        scheduler.stop()
    assert len(runs(app.engine)) == 1
