"""`cascade serve`: refusals in production mode, the schema check, and a real start."""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from cascade.cli import app
from tests.conftest import ROOT
from tests.web.conftest import SECRET, free_port


def _output(proc: subprocess.Popen[str]) -> str:
    """What a server that failed to start printed (stopped first if it still runs)."""
    if proc.poll() is None:
        proc.kill()
    return proc.communicate(timeout=30)[0]


@pytest.fixture
def served(monkeypatch):
    """uvicorn's Server.run replaced by a recorder, so a command that would serve returns."""
    import uvicorn

    calls = []
    monkeypatch.setattr(uvicorn.Server, "run", lambda self, sockets=None: calls.append(self.config))
    return calls


@pytest.fixture
def serve(tmp_path, make_app):
    """Run `cascade serve` in-process with an App of the given settings on the test database."""
    contacts = tmp_path / "contacts.yaml"
    contacts.write_text("tld_bch: [vanphong@congdoan.vn]\n", encoding="utf-8")

    def run(*args, real_contacts=False, **env):
        env.setdefault("CASCADE_CONTACTS", str(contacts if real_contacts else tmp_path / "none.yaml"))
        env.setdefault("CASCADE_SCHEDULER", "off")  # no scheduler process beside a test
        return CliRunner().invoke(app, ["serve", "--workers", "1", *args], catch_exceptions=False,
                                  obj=make_app(**env))

    return run


def test_production_refuses_the_default_secret(serve, served):
    """CASCADE_ENV=production without CASCADE_SECRET_KEY: exit 1, says which variable, serves nothing."""
    result = serve(real_contacts=True, CASCADE_ENV="production")
    assert result.exit_code == 1
    assert "CASCADE_SECRET_KEY" in result.output and "production" in result.output
    assert served == []


def test_production_refuses_the_example_contacts(serve, served):
    """Production mode with a real secret but the example contacts file: exit 1, names the file."""
    result = serve(CASCADE_ENV="production", CASCADE_SECRET_KEY=SECRET)
    assert result.exit_code == 1
    assert "contacts.example.yaml" in result.output and "CASCADE_CONTACTS" in result.output
    assert "CASCADE_SECRET_KEY" not in result.output
    assert served == []


def test_production_with_secret_and_contacts_serves(serve, served):
    """Production mode with a secret and real contacts starts uvicorn on --host/--port."""
    result = serve("--host", "127.0.0.1", "--port", "8765", real_contacts=True,
                   CASCADE_ENV="production", CASCADE_SECRET_KEY=SECRET,
                   CASCADE_BASE_URL="https://giaoviec.congdoan.vn")
    assert result.exit_code == 0, result.output
    [config] = served
    assert (config.host, config.port) == ("127.0.0.1", 8765)
    assert "http://127.0.0.1:8765" in result.output


def test_development_mode_serves_with_the_example_contacts(serve, served):
    """Outside production the default secret and example contacts are accepted."""
    result = serve()
    assert result.exit_code == 0, result.output
    assert len(served) == 1


def test_serve_refuses_an_uninitialised_database(serve, served, tmp_path):
    """A database `cascade init` has not prepared: exit 1, says to run it."""
    result = serve(CASCADE_DATABASE_URL=f"sqlite:///{tmp_path / 'empty.db'}")
    assert result.exit_code == 1
    assert "cascade init" in result.output
    assert served == []


def test_access_log_hides_the_token():
    """The access log keeps the path but replaces a link's token."""
    from cascade.cli.serve import RedactTokens

    record = logging.LogRecord("uvicorn.access", logging.INFO, __file__, 1, '%s - "%s %s HTTP/%s" %d',
                               ("127.0.0.1:5000", "POST", "/l/abc.DEF_-1?x=1", "1.1", 200), None)
    assert RedactTokens().filter(record)
    assert record.getMessage() == '127.0.0.1:5000 - "POST /l/…?x=1 HTTP/1.1" 200'


@pytest.mark.slow
def test_cascade_serve_runs_uvicorn(database_url, tmp_path):
    """`cascade serve --port P` as a process answers /healthz, and stops on SIGTERM."""
    port = free_port()
    # PYTHONPATH: the `web` package is importable from the checkout (see pyproject packages).
    env = {**os.environ, "CASCADE_DATABASE_URL": database_url, "PYTHONPATH": str(ROOT),
           "CASCADE_HOME": str(tmp_path)}
    env.pop("CASCADE_ENV", None)
    proc = subprocess.Popen([str(Path(sys.executable).parent / "cascade"), "serve", "--port", str(port)],
                            env=env, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True)
    try:
        deadline = time.monotonic() + 60  # two spawned workers start slowly on a loaded machine
        while True:
            try:
                response = httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2)
                break
            except httpx.TransportError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError(_output(proc)) from None
                time.sleep(0.1)
        assert response.status_code == 200 and response.json()["status"] == "ok"
        console = httpx.get(f"http://127.0.0.1:{port}/", timeout=5)
        assert console.status_code == 303 and console.headers["location"].startswith("/login")
    finally:
        proc.terminate()
        output = proc.communicate(timeout=20)[0]
    # uvicorn shuts down cleanly, then re-raises SIGTERM so the exit status says why it stopped.
    assert proc.returncode in (0, -signal.SIGTERM), output
    assert "Application shutdown complete" in output
    assert f"Mở http://127.0.0.1:{port}" in output and "cascade init --admin" in output


def test_pages_are_compiled_before_the_first_request(site, monkeypatch):
    """A worker compiles its templates when it starts (web.asgi.warm), so no request after a
    (re)start pays for it: with compiling made impossible, pages still render."""
    import jinja2
    from starlette.testclient import TestClient

    from web.app import create_app
    from web.asgi import warm

    web = warm(create_app(site))

    def no_compiling(*args, **kwargs):
        raise AssertionError("a template was compiled while serving")

    monkeypatch.setattr(jinja2.Environment, "compile", no_compiling)
    with TestClient(web) as client:
        for path in ("/login", "/l/nonsense", "/no-such-page"):
            response = client.get(path)
            assert response.status_code in (200, 400, 404) and "<html" in response.text
