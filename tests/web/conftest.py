"""Fixtures for the web app: an App on the test database, links, and a real uvicorn server."""

from __future__ import annotations

import contextlib
import datetime as dt
import socket
import threading
import time

import pytest
import sqlalchemy as sa
from sqlmodel import select

from cascade.bootstrap import build_app
from models.db import unit_of_work
from models.links import LinkSigner
from models.tables import Assignment, LinkToken, Task, TaskEvent
from services.links import issue_link, token_hash
from tests.conftest import at, launch_template

SECRET = "test-secret-for-links-0123456789abcdef"
SIGNER = LinkSigner(SECRET)
NOW = at("2023-08-01 10:00")
COORDINATOR = "tld_van_phong_dang_doan"


@pytest.fixture
def site(database_url, tmp_path):
    """The App the web app serves: the test database, a fixed clock, the test secret."""
    app = build_app(environ={"CASCADE_DATABASE_URL": database_url, "CASCADE_SECRET_KEY": SECRET,
                             "CASCADE_HOME": str(tmp_path)}, clock=lambda: NOW)
    yield app
    if "engine" in app.__dict__:
        app.engine.dispose()


@pytest.fixture
def launched(engine, registry, calendar):
    launch_template(engine, registry, calendar)
    return engine


@pytest.fixture
def client(site):
    from starlette.testclient import TestClient

    from web.app import create_app

    with TestClient(create_app(site), raise_server_exceptions=True) as test_client:
        yield test_client


def task_id(engine, ref, body):
    with unit_of_work(engine, write=False) as session:
        return session.execute(select(Task.id).join(Assignment, Assignment.id == Task.assignment_id)
                               .where(Assignment.ref == ref, Task.body_id == body,
                                      Task.occurrence == 1)).scalar_one()


def issue(engine, tid, action, *, actor=None, when=None, ttl_days=60):
    """A link for `action` on task `tid`, by the task's body unless `actor` is given."""
    with unit_of_work(engine) as session:
        body = session.get(Task, tid).body_id
        return issue_link(session=session, signer=SIGNER, task_id=tid, action=action,
                          actor=actor or body, at=when or at("2023-07-20 09:00"),
                          ttl_days=ttl_days)


def snapshot(engine, tid, token=None):
    """What a request may change: status, version, due dates, audit trail, the link's use."""
    with unit_of_work(engine, write=False) as session:
        task = session.get(Task, tid)
        events = session.scalar(select(sa.func.count()).select_from(TaskEvent)
                                .where(TaskEvent.task_id == tid))
        used = None
        if token is not None:
            used = session.exec(select(LinkToken.used_at)
                                .where(LinkToken.token_hash == token_hash(token))).first()
        return task.status, task.version, task.due_on, task.requested_due_on, events, used


def link_events(engine, tid):
    with unit_of_work(engine, write=False) as session:
        return list(session.exec(select(TaskEvent).where(TaskEvent.task_id == tid,
                                                         TaskEvent.channel == "email-link")).all())


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def uvicorn_server(asgi_app, **options):
    """A real uvicorn on 127.0.0.1 and a free port, in a background thread; yields its URL.
    `options` go to uvicorn's Config (e.g. the proxy options of `cascade serve`)."""
    import uvicorn

    port = free_port()
    server = uvicorn.Server(uvicorn.Config(asgi_app, host="127.0.0.1", port=port,
                                           log_level="warning", backlog=256, **options))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(15)


@pytest.fixture
def server(site):
    from web.app import create_app

    with uvicorn_server(create_app(site)) as url:
        yield url


def today() -> dt.date:
    return NOW.date()
