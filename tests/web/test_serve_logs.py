"""A link's token is a bearer secret: no log of `cascade serve` (any of its processes) keeps it."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from cascade.cli.serve import RedactTokens
from tests.conftest import ROOT
from tests.web.conftest import SECRET, free_port, issue, task_id


def test_a_traceback_and_its_message_lose_the_token():
    """An error logged with a link's path in its message and its traceback keeps neither token."""
    try:
        raise ValueError("no such link: /l/abc.DEF_-1")
    except ValueError:
        record = logging.LogRecord("uvicorn.error", logging.ERROR, __file__, 1,
                                   "Exception in /l/xyz.Q9 for %s", ("/l/abc.DEF_-1",),
                                   sys.exc_info())
    assert RedactTokens().filter(record)
    text = logging.Formatter().format(record)
    assert "abc.DEF_-1" not in text and "xyz.Q9" not in text
    assert "Exception in /l/… for /l/…" in text and "no such link: /l/…" in text


@pytest.mark.slow
def test_two_workers_log_no_token(launched, database_url, tmp_path):
    """`cascade serve --workers 2`: links opened through both workers are logged redacted."""
    tid = task_id(launched, "III.1", "tld_bch")
    token = issue(launched, tid, "report")
    port = free_port()
    env = {**os.environ, "CASCADE_DATABASE_URL": database_url, "PYTHONPATH": str(ROOT),
           "CASCADE_HOME": str(tmp_path), "CASCADE_SECRET_KEY": SECRET,
           "CASCADE_SCHEDULER": "off", "PYTHONUNBUFFERED": "1"}
    env.pop("CASCADE_ENV", None)
    proc = subprocess.Popen([str(Path(sys.executable).parent / "cascade"), "serve", "--port",
                             str(port), "--workers", "2"], env=env, cwd=tmp_path,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    output = ""
    try:
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while True:
            try:
                httpx.get(f"{url}/healthz", timeout=2)
                break
            except httpx.TransportError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError(proc.communicate(timeout=20)[0]) from None
                time.sleep(0.1)
        # a new connection each: the workers share the listening socket. The test task's
        # deadline is long past on the real clock, so the page says the link has expired.
        codes = {httpx.get(f"{url}/l/{token}?from=mail", timeout=10).status_code
                 for _ in range(8)}
        assert codes == {410}
    finally:
        proc.terminate()
        try:
            output = proc.communicate(timeout=30)[0]
        except subprocess.TimeoutExpired:
            proc.kill()
            output = proc.communicate(timeout=10)[0]
    assert "Application shutdown complete" in output
    assert token not in output and token.split(".")[0] not in output
    assert output.count('"GET /l/…?from=mail HTTP/1.1" 410') == 8, output
