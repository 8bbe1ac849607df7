"""The embedded scheduler: one holder per database, coalesced runs after a SIGKILL."""

import datetime as dt
import os
import signal
import subprocess
import sys
import time

import pytest
import sqlalchemy as sa
from apscheduler.triggers.interval import IntervalTrigger

from cascade.bootstrap import build_app
from cascade.scheduler import EmbeddedScheduler, JobSpec
from models.tables import JobRun
from services import lease
from tests.conftest import ROOT

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


def _app(url, **extra):
    env = {"CASCADE_DATABASE_URL": url, "CASCADE_SCHEDULER_LEASE_SECONDS": "2", **extra}
    return build_app(environ=env)


TICK = [JobSpec("tick", "tests.scheduler_jobs:tick", IntervalTrigger(seconds=1))]


@pytest.mark.slow
def test_two_schedulers_on_one_database_do_not_double_fire(engine, database_url, monkeypatch):
    """Two `cascade serve` schedulers on one database: every run comes from one holder."""
    monkeypatch.setenv("CASCADE_DATABASE_URL", database_url)
    first = EmbeddedScheduler(_app(database_url), jobs=TICK)
    second = EmbeddedScheduler(_app(database_url), jobs=TICK)
    first.start()
    second.start()
    time.sleep(4.5)
    both_running = first.running and second.running
    first.stop()
    second.stop()
    ticks = runs(engine)
    assert not both_running
    assert 2 <= len(ticks) <= 6  # about one a second, not two
    starts = sorted(t.started_at for t in ticks)
    assert all((b - a).total_seconds() > 0.5 for a, b in zip(starts, starts[1:], strict=False))


SERVE = """
import signal, sys, time
from cascade.bootstrap import build_app
from cascade.scheduler import EmbeddedScheduler, JobSpec
from models.tables import JobRun
from apscheduler.triggers.interval import IntervalTrigger
s = EmbeddedScheduler(build_app(), jobs=[JobSpec("tick", "tests.scheduler_jobs:tick",
                                                 IntervalTrigger(seconds=1))])
s.start()
print("started", flush=True)
while True:
    time.sleep(1)
"""


@pytest.mark.slow
def test_sigkill_then_restart_coalesces_missed_runs(engine, database_url):
    """Killed with SIGKILL, restarted after 6 s: the missed runs collapse into one."""
    env = {**os.environ, "CASCADE_DATABASE_URL": database_url,
           "CASCADE_SCHEDULER_LEASE_SECONDS": "1", "CASCADE_MISFIRE_GRACE_SECONDS": "60"}
    first = subprocess.Popen([sys.executable, "-c", SERVE], cwd=ROOT, env=env,
                             stdout=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 20
        while len(runs(engine)) < 3 and time.monotonic() < deadline:
            time.sleep(0.2)
        assert len(runs(engine)) >= 3
    finally:
        first.send_signal(signal.SIGKILL)
        first.wait()
    before = len(runs(engine))
    killed_at = dt.datetime.now(dt.UTC)
    time.sleep(6)
    second = subprocess.Popen([sys.executable, "-c", SERVE], cwd=ROOT, env=env,
                              stdout=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 20
        while len(runs(engine)) == before and time.monotonic() < deadline:
            time.sleep(0.1)
        time.sleep(0.6)  # a run for each missed second would all start now
        after_restart = [r for r in runs(engine) if r.started_at > killed_at]
    finally:
        second.send_signal(signal.SIGTERM)
        second.wait()
    assert len(runs(engine)) > before  # the new process took over the lease and runs
    assert len(after_restart) <= 2  # one coalesced run (plus perhaps the next regular one)
    assert {r.holder for r in after_restart} == {str(second.pid)}
