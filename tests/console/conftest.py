"""Fixtures for the console: an initialised App on the test database with three accounts, and
TestClients logged in as each."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from models.db import unit_of_work
from services.accounts import create_user
from services.setup import initialise
from tests.conftest import FixedClock, at, launch_template

PASSWORD = "mật-khẩu-đủ-dài-2026"
USERS = {"coordinator": "dieuphoi@congdoan.vn", "supervisor": "lanhdao@congdoan.vn",
         "viewer": "xem@congdoan.vn"}
NAMES = {"coordinator": "Nguyễn Văn An", "supervisor": "Trần Thị Bình", "viewer": "Lê Văn Cường"}


def csrf_of(html: str) -> str:
    """The first CSRF token of a page."""
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


@pytest.fixture
def clock():
    return FixedClock(at("2023-08-01 10:00"))


@pytest.fixture
def console_app(make_app, clock):
    """An App with the schema, the registry, contacts and one account per role."""
    app = make_app(clock=clock)
    initialise(engine=app.engine, registry=app.registry, contacts=app.contacts, at=clock())
    with unit_of_work(app.engine) as session:
        for role, email in USERS.items():
            create_user(session=session, email=email, name=NAMES[role], role=role,
                        password=PASSWORD, at=clock())
    return app


@pytest.fixture
def launched_app(console_app):
    launch_template(console_app.engine, console_app.registry, console_app.calendar)
    return console_app


def login(client, role: str, password: str = PASSWORD):
    page = client.get("/login")
    return client.post("/login", data={"email": USERS[role], "password": password,
                                       "csrf_token": csrf_of(page.text), "next": "/"},
                       follow_redirects=False)


@pytest.fixture
def web(console_app):
    """`web(role)`: a TestClient on the console, logged in as that role (None: anonymous)."""
    from starlette.testclient import TestClient

    from web.app import create_app

    clients = []

    def make(role: str | None = None):
        client = TestClient(create_app(console_app), raise_server_exceptions=True)
        client.__enter__()
        clients.append(client)
        if role is not None:
            assert login(client, role).status_code == 303
        return client

    yield make
    for client in clients:
        client.__exit__(None, None, None)


@pytest.fixture
def browser():
    """Debian's Chromium, headless, through Playwright (the browser tests skip without it)."""
    from playwright.sync_api import sync_playwright

    from tests.web.test_browser import CHROMIUM, FLAGS

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def shots(tmp_path):
    """Where screenshots go: CASCADE_SCREENSHOTS, else the test's temporary directory."""
    folder = Path(os.environ.get("CASCADE_SCREENSHOTS") or tmp_path / "shots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder
