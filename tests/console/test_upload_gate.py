"""Giao việc mới copies the uploaded document into the file store before its write transaction
begins: while the copy is slow, a body's click is recorded at once."""

from __future__ import annotations

import threading
import time

import pytest
from starlette.testclient import TestClient

from models.db import unit_of_work
from services.accounts import create_user
from services.setup import initialise
from tests.conftest import ROOT, FixedClock, at, launch_template
from tests.console.conftest import NAMES, PASSWORD, USERS, csrf_of, login
from tests.web.conftest import SECRET, issue, task_id
from tests.web.test_upload_gate import WAIT, Held

TEMPLATE = ROOT / "templates" / "directives" / "48-KH-DDTLD-2023.yaml"


@pytest.fixture
def slow_app(make_app):
    """A console whose writers wait at most 2 s for the database (then 503), launched."""
    clock = FixedClock(at("2023-08-01 10:00"))
    app = make_app(clock=clock, CASCADE_SECRET_KEY=SECRET, CASCADE_DB_BUSY_SECONDS="2")
    initialise(engine=app.engine, registry=app.registry, contacts=app.contacts, at=clock())
    with unit_of_work(app.engine) as session:
        create_user(session=session, email=USERS["coordinator"], name=NAMES["coordinator"],
                    role="coordinator", password=PASSWORD, at=clock())
    launch_template(app.engine, app.registry, app.calendar)
    return app


def test_a_click_goes_through_while_an_uploaded_document_is_copied(slow_app, monkeypatch):
    """The coordinator's upload is held in its copy into the store; a body's click on its link
    answers 200 at once; the upload then gives its draft, its document stored."""
    from web.app import create_app

    held = Held(slow_app.files.stage)
    monkeypatch.setattr(slow_app.files, "stage", held)
    token = issue(slow_app.engine, task_id(slow_app.engine, "III.1", "tld_bch"), "acknowledge")
    answers: dict[str, int] = {}

    def upload() -> None:
        with TestClient(create_app(slow_app)) as client:
            assert login(client, "coordinator").status_code == 303
            page = client.get("/directives/new")
            answers["upload"] = client.post(
                "/directives/new", data={"csrf_token": csrf_of(page.text)},
                files={"document": ("48-KH.yaml", TEMPLATE.read_bytes(), "text/plain")},
                follow_redirects=False).status_code

    worker = threading.Thread(target=upload, daemon=True)
    worker.start()
    try:
        assert held.entered.wait(WAIT), "the upload never reached the store"
        with TestClient(create_app(slow_app)) as client:
            started = time.monotonic()
            click = client.post(f"/l/{token}", data={"note": ""})
            elapsed = time.monotonic() - started
        assert click.status_code == 200, click.text
        assert elapsed < 2.0
    finally:
        held.release.set()
        worker.join(WAIT)
    assert not worker.is_alive()
    assert answers["upload"] == 303
    assert [p for p in slow_app.settings.files_dir.rglob("*") if p.is_file()] != []
