"""`cascade serve` runs the web app and the embedded scheduler in one process; a second serve
on the same database serves pages but does not schedule."""

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from sqlmodel import select

from models.db import unit_of_work
from models.tables import JobRun, Outbox
from tests.conftest import ROOT, TEMPLATE_48, launch_template

pytestmark = pytest.mark.slow


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve(port: int, env: dict) -> subprocess.Popen:
    exe = Path(sys.executable).with_name("cascade")
    proc = subprocess.Popen([str(exe), "serve", "--port", str(port)], env=env, cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 30
    while True:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as r:
                assert r.status == 200
                return proc
        except OSError:
            assert proc.poll() is None and time.monotonic() < deadline, "serve did not start"
            time.sleep(0.2)


def wait_for(condition, failure: str, timeout: float = 30) -> None:
    """Poll a real process's effect (these tests drive `cascade serve` processes)."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, failure
        time.sleep(0.1)


def dispatch_runs(engine) -> int:
    with unit_of_work(engine, write=False) as session:
        return len(session.exec(select(JobRun.id).where(JobRun.job == "dispatch")).all())


def test_serve_dispatches_on_schedule_and_a_second_serve_does_not(engine, registry, calendar,
                                                                   database_url, tmp_path):
    """Mails queued by a launch go out from the scheduler process `cascade serve` starts beside
    its web workers, from one process only however many serve; the pages keep answering."""
    launch_template(engine, registry, calendar, TEMPLATE_48)
    env = {**os.environ, "CASCADE_DATABASE_URL": database_url, "CASCADE_HOME": str(tmp_path),
           "CASCADE_DISPATCH_EVERY_SECONDS": "1",
           # long enough that a niced scheduler on a loaded machine keeps it (no takeover here)
           "CASCADE_SCHEDULER_LEASE_SECONDS": "15"}
    ports = (free_port(), free_port())
    first, second = serve(ports[0], env), serve(ports[1], env)
    try:
        wait_for(lambda: len(list((tmp_path / "outbox").glob("*.eml"))) >= 83,
                 "the scheduled dispatch did not send the mails")
        after = dispatch_runs(engine) + 3
        wait_for(lambda: dispatch_runs(engine) >= after, "no further dispatch ticks")
        for port in ports:  # both serves answer while the scheduler works
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as r:
                assert r.status == 200
    finally:
        for proc in (first, second):
            proc.send_signal(signal.SIGTERM)
        for proc in (first, second):
            proc.wait(timeout=30)
    with unit_of_work(engine, write=False) as session:
        holders = {h.split(":")[1] for h in session.exec(
            select(JobRun.holder).where(JobRun.job == "dispatch")).all()}
        statuses = set(session.exec(select(Outbox.status)).all())
    # one scheduler process (a child of one of the two serves) did every dispatch
    assert len(holders) == 1 and holders.isdisjoint({str(first.pid), str(second.pid)})
    assert statuses == {"sent"}
    assert len(list((tmp_path / "outbox").glob("*.eml"))) == 83
