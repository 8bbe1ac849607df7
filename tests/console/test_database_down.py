"""A database that does not answer is a 503 "đang bận, thử lại sau" with Retry-After, on link
pages and console pages alike, never a 500 (models.db.DatabaseUnreachable): PostgreSQL refusing
connections (its port closed, the shared server left running), and SQLite whose file cannot be
opened. Once the database answers again, so do the pages."""

from __future__ import annotations

import contextlib
import os
import socket
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy import event

from tests.console.conftest import USERS, csrf_of
from tests.web.conftest import task_id


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def _postgresql_down(engine: sa.Engine):
    """New connections go to a port nobody listens on; the pooled ones are dropped."""
    port = _closed_port()

    def refuse(dialect, record, cargs, cparams):  # type: ignore[no-untyped-def]
        cparams.update(host="127.0.0.1", port=port)

    event.listen(engine, "do_connect", refuse)
    engine.dispose()
    try:
        yield
    finally:
        event.remove(engine, "do_connect", refuse)
        engine.dispose()


@contextlib.contextmanager
def _sqlite_down(engine: sa.Engine):
    """The database file is moved away and a folder put in its place: it cannot be opened."""
    path = Path(engine.url.database)
    engine.dispose()
    kept = [p for p in (path, Path(f"{path}-wal"), Path(f"{path}-shm")) if p.exists()]
    for p in kept:
        os.replace(p, f"{p}.away")
    path.mkdir()
    try:
        yield
    finally:
        engine.dispose()
        path.rmdir()
        for p in kept:
            os.replace(f"{p}.away", p)


def _down(engine: sa.Engine):
    return _postgresql_down(engine) if engine.dialect.name == "postgresql" else _sqlite_down(engine)


def _busy(response) -> None:
    assert response.status_code == 503, (response.status_code, response.text[:1500])
    assert response.headers["retry-after"].isdigit()
    assert '<html lang="vi">' in response.text
    assert "đang bận" in response.text and "thử lại sau" in response.text
    assert "Traceback" not in response.text


@pytest.fixture
def clients(launched_app, web):
    from starlette.testclient import TestClient

    from web.app import create_app

    viewer, coordinator = web("viewer"), web("coordinator")
    anonymous = TestClient(create_app(launched_app), raise_server_exceptions=False)
    with anonymous:
        yield viewer, coordinator, anonymous


def _token(app, action: str) -> tuple[int, str]:
    from models.db import unit_of_work
    from models.tables import Task
    from services.links import issue_link
    from tests.conftest import at

    tid = task_id(app.engine, "III.7", "ldld_hue")
    with unit_of_work(app.engine) as session:
        body = session.get(Task, tid).body_id
        token = issue_link(session=session, signer=app.signer, task_id=tid, action=action,
                           actor=body, at=at("2023-07-25 09:00"), ttl_days=60)
    return tid, token


def test_an_unreachable_database_is_a_503_on_every_kind_of_page(launched_app, clients):
    viewer, coordinator, anonymous = clients
    tid, token = _token(launched_app, "start")
    form = csrf_of(coordinator.get(f"/tasks/{tid}/confirm?action=start").text)
    login_form = csrf_of(anonymous.get("/login").text)
    with _down(launched_app.engine):
        _busy(anonymous.get(f"/l/{token}"))
        _busy(anonymous.post(f"/l/{token}", data={"note": "đã bắt đầu"}))
        _busy(anonymous.get(f"/l/{token}/files/1"))
        _busy(viewer.get("/"))
        _busy(viewer.get("/directives/48-KH/ĐĐTLĐ?q=hội"))
        _busy(viewer.get(f"/tasks/{tid}"))
        _busy(coordinator.post(f"/tasks/{tid}/act", data={"csrf_token": form, "action": "start"}))
        _busy(anonymous.post("/login", data={"email": USERS["viewer"], "password": "x",
                                             "csrf_token": login_form}))
    # the database answers again: so do the pages, and nothing was done while it was away
    assert viewer.get(f"/tasks/{tid}").status_code == 200
    page = anonymous.get(f"/l/{token}")
    assert page.status_code == 200 and "Đã được dùng" not in page.text
    assert anonymous.post(f"/l/{token}", data={"note": "đã bắt đầu"}).status_code == 200
