"""`cascade serve` cannot be half-killed (issue 18, item 2): `kill -9` of its process takes
its web workers and its scheduler with it, so the port is free and a new serve starts."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest

from tests.conftest import ROOT
from tests.web.conftest import SECRET, free_port


class Serve:
    """`cascade serve --workers 2` as a process; its output read by a thread as it comes."""

    def __init__(self, port: int, env: dict[str, str], cwd: Path) -> None:
        self.port = port
        self.proc = subprocess.Popen(
            [str(Path(sys.executable).parent / "cascade"), "serve", "--port", str(port),
             "--workers", "2"], env=env, cwd=cwd, stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT, text=True)
        self.lines: list[str] = []
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.append(line)

    @property
    def output(self) -> str:
        return "".join(self.lines)

    def wait_healthy(self, timeout: float = 60) -> httpx.Response:
        deadline = time.monotonic() + timeout
        while True:
            try:
                response = httpx.get(f"http://127.0.0.1:{self.port}/healthz", timeout=2)
                if response.status_code == 200:
                    return response
            except httpx.TransportError:
                pass
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"serve did not answer /healthz:\n{self.output}")
            time.sleep(0.1)

    def children(self, timeout: float = 30) -> list[int]:
        """The two web workers' and the scheduler's process ids, as the output names them."""
        deadline = time.monotonic() + timeout
        while True:
            text = " ".join(self.output.split())
            workers = {int(pid) for pid in re.findall(r"Started server process \[(\d+)\]", text)}
            scheduler = re.findall(r"Lịch chạy nội bộ \(tiến trình (\d+)\)", text)
            if len(workers) == 2 and scheduler:
                return [*sorted(workers), int(scheduler[0])]
            assert time.monotonic() < deadline, f"no worker/scheduler ids:\n{self.output}"
            time.sleep(0.1)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        self.reader.join(timeout=10)


def gone(pid: int) -> bool:
    """No such process, or only its zombie (nobody may reap an orphan in a container)."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] in ("Z", "X")
    except FileNotFoundError:
        return True


def refused(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return False
    except OSError:
        return True


@pytest.mark.slow
def test_kill_9_of_serve_takes_its_workers_and_scheduler(database_url, tmp_path):
    """After `kill -9` of the serve process, within 5 s its two web workers and its scheduler
    are gone and nothing listens on the port; a new `cascade serve` on it answers /healthz."""
    port = free_port()
    env = {**os.environ, "CASCADE_DATABASE_URL": database_url, "PYTHONPATH": str(ROOT),
           "CASCADE_HOME": str(tmp_path), "CASCADE_SECRET_KEY": SECRET,
           "CASCADE_SCHEDULER": "embedded", "PYTHONUNBUFFERED": "1", "COLUMNS": "400"}
    env.pop("CASCADE_ENV", None)
    first = Serve(port, env, tmp_path)
    second = None
    children: list[int] = []
    try:
        first.wait_healthy()
        children = first.children()
        assert first.proc.pid not in children
        os.kill(first.proc.pid, signal.SIGKILL)
        first.proc.wait(timeout=10)
        deadline = time.monotonic() + 5
        while not (all(gone(pid) for pid in children) and refused(port)):
            assert time.monotonic() < deadline, (
                f"still alive after 5 s: {[p for p in children if not gone(p)]}, port "
                f"{'free' if refused(port) else 'held'}\n{first.output}")
            time.sleep(0.05)
        second = Serve(port, env, tmp_path)
        body = second.wait_healthy().json()
        assert body["status"] == "ok" and body["scheduler"]["mode"] == "embedded"
        assert "Address already in use" not in second.output
    finally:
        for serve in (first, second):
            if serve is not None:
                serve.stop()
        for pid in children:  # what this test started and a failure left behind
            if not gone(pid):
                os.kill(pid, signal.SIGKILL)


def tied_child(setup: str) -> subprocess.CompletedProcess[str]:
    """A Python process that ties itself to a parent it does not have (as if its parent had died
    before it could arm the parent-death signal), after `setup`; it should not sleep 60 s."""
    code = ("import os, signal, time\n"
            "from cascade import lifeline\n"
            f"{setup}\n"
            "lifeline.tie_to_parent(os.getppid() + 10**6, grace=1.0, poll=0.05)\n"
            "time.sleep(60)\n")
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, timeout=30,
                          capture_output=True, text=True)


@pytest.mark.parametrize("setup", ["", "lifeline._death_signal = lambda sig: False"],
                         ids=["parent-death signal", "watcher only"])
def test_a_child_whose_parent_is_gone_is_terminated(setup):
    """With the parent-death signal (Linux) or without it (the watcher thread sends SIGTERM)."""
    done = tied_child(setup)
    assert done.returncode == -signal.SIGTERM, done.stderr


def test_a_child_that_ignores_sigterm_ends_after_its_grace():
    """A shutdown that does not finish (a request stuck in a wait) is cut short: exit 70."""
    started = time.monotonic()
    done = tied_child("signal.signal(signal.SIGTERM, signal.SIG_IGN)")
    assert done.returncode == 70, done.stderr
    assert time.monotonic() - started < 20
