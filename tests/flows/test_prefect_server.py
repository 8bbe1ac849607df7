"""End to end against a real Prefect server: deploy the sweep flow from prefect.yaml to a
process work pool, start a worker, trigger a run, see it complete and its effect in the database."""

import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from sqlmodel import select

from models.db import unit_of_work
from models.tables import FollowUp, JobRun
from tests.conftest import ROOT, TEMPLATE_45, at, launch_template

pytestmark = pytest.mark.slow


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def prefect(*args, env, timeout=120):
    exe = Path(sys.executable).with_name("prefect")
    result = subprocess.run([str(exe), *args], env=env, cwd=ROOT, capture_output=True, text=True,
                            timeout=timeout)
    assert result.returncode == 0, f"prefect {' '.join(args)}:\n{result.stdout}\n{result.stderr}"
    return result.stdout


def test_sweep_deployment_runs_on_a_process_worker(engine, registry, calendar, database_url,
                                                   tmp_path):
    """The deployed sweep flow, picked up by a worker, records the reminders in our database."""
    if engine.dialect.name != "sqlite":
        pytest.skip("one end-to-end run against a Prefect server is enough (it runs on SQLite)")
    launch_template(engine, registry, calendar, TEMPLATE_45, when=at("2023-06-01 09:00"))
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    env.update({
        "PREFECT_HOME": str(tmp_path / "prefect"),
        "PREFECT_API_URL": f"http://127.0.0.1:{port}/api",
        "PREFECT_SERVER_DATABASE_CONNECTION_URL": f"sqlite+aiosqlite:///{tmp_path}/prefect.db",
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "PREFECT_SERVER_SERVICES_SCHEDULER_ENABLED": "false",  # we trigger the run ourselves
        "PREFECT_SERVER_UI_ENABLED": "false",
        "CASCADE_DATABASE_URL": database_url,
        "CASCADE_HOME": str(tmp_path / "cascade"),
        "CASCADE_PROJECT_DIR": str(ROOT),
    })
    exe = Path(sys.executable).with_name("prefect")
    server = subprocess.Popen([str(exe), "server", "start", "--host", "127.0.0.1", "--port", str(port)],
                              env=env, cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/health", timeout=2):
                    break
            except OSError:
                assert time.monotonic() < deadline, "the Prefect server did not start"
                time.sleep(0.5)
        prefect("work-pool", "create", "cascade", "--type", "process", env=env)
        prefect("--no-prompt", "deploy", "--name", "sweep", "--prefect-file",
                str(ROOT / "prefect.yaml"), env=env)
        out = prefect("deployment", "run", "cascade-sweep/sweep", "--param",
                      "at=2023-11-27T09:00+07:00", env=env)
        run_id = re.search(r"UUID: ([0-9a-f-]{36})", out).group(1)
        prefect("worker", "start", "--pool", "cascade", "--type", "process", "--run-once",
                env=env, timeout=180)
        state = prefect("flow-run", "inspect", run_id, env=env)
        assert re.search(r"type=StateType\.COMPLETED|'type': 'COMPLETED'|COMPLETED", state), state
    finally:
        server.terminate()
        server.wait(timeout=30)
    with unit_of_work(engine, write=False) as session:
        reminders = session.exec(select(FollowUp).where(FollowUp.kind == "reminder")).all()
        jobs = set(session.exec(select(JobRun.job)).all())
    assert len(reminders) == 52  # every provincial/sector/corporation union, 3 working days before
    assert {"sweep", "dispatch"} <= jobs
