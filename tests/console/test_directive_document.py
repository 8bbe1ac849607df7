"""The document a directive was drafted from is kept with it: uploaded on "Giao việc mới", stored
once per content in the file store, tied to the directive when the draft launches, downloaded
from the board (behind the session) and from a body's link page (behind the link's token)."""

from __future__ import annotations

import re

from sqlmodel import select

from models.console_tables import DirectiveDocument
from models.db import unit_of_work
from models.tables import Assignment, Task
from services import drafts
from services.file_store import clean_store
from services.links import issue_link
from tests.conftest import ROOT, at
from tests.console.conftest import csrf_of

TEMPLATE = ROOT / "templates" / "directives" / "48-KH-DDTLD-2023.yaml"
NAME = "Kế hoạch 48-KH.yaml"


def _upload(client, data: bytes, name: str = NAME) -> int:
    page = client.get("/directives/new")
    answer = client.post("/directives/new", data={"csrf_token": csrf_of(page.text)},
                         files={"document": (name, data, "application/octet-stream")},
                         follow_redirects=False)
    assert answer.status_code == 303
    return int(answer.headers["location"].rsplit("/", 1)[1])


def _launch(app, draft_id: int, user_id: int) -> None:
    drafts.launch_draft(engine=app.engine, draft_id=draft_id, user_id=user_id,
                        actor=f"user:{user_id}", registry=app.registry, contacts=app.contacts,
                        calendar=app.calendar, tz=app.tz, at=at("2023-08-01 10:00"),
                        coordinator="tld_van_phong_dang_doan",
                        annual_days={"III.1": "12-15", "III.2": "12-15"})


def _rows(app) -> list[DirectiveDocument]:
    with unit_of_work(app.engine, write=False) as session:
        return list(session.exec(select(DirectiveDocument).order_by(DirectiveDocument.id)).all())


def _task(app, ref: str, body: str) -> int:
    with unit_of_work(app.engine, write=False) as session:
        return session.exec(select(Task.id).join(Assignment, Assignment.id == Task.assignment_id)
                            .where(Assignment.ref == ref, Task.body_id == body)).first()


def test_the_document_goes_with_the_directive_to_the_board_and_the_link_page(console_app, web):
    client = web("coordinator")
    data = TEMPLATE.read_bytes()
    first = _upload(client, data)
    second = _upload(client, data, "ban-sao.yaml")  # the same content again: stored once
    assert len(list(console_app.files.contents())) == 1
    [row, copy] = _rows(console_app)
    assert (row.draft_id, copy.draft_id) == (first, second) and row.directive_id is None
    user_id = row.uploaded_by
    with unit_of_work(console_app.engine) as session:  # the second draft is dropped
        drafts.discard_draft(session, drafts.get_draft(session, user_id, second), at("2023-08-01 10:00"))
    _launch(console_app, first, user_id)
    [row, copy] = _rows(console_app)
    assert row.directive_id is not None and copy.directive_id is None

    board = web("viewer").get("/directives/48-KH/ĐĐTLĐ")
    assert f'<a href="/documents/{row.id}">{NAME}</a>' in board.text
    got = web("viewer").get(f"/documents/{row.id}")
    assert got.status_code == 200 and got.content == data
    assert "attachment" in got.headers["content-disposition"]
    assert web("viewer").get(f"/documents/{copy.id}").status_code == 404  # never launched
    anonymous = web().get(f"/documents/{row.id}", follow_redirects=False)
    assert anonymous.status_code == 303 and "/login" in anonymous.headers["location"]

    tid = _task(console_app, "III.3", "tld_ban_tuyen_giao")
    with unit_of_work(console_app.engine) as session:
        token = issue_link(session=session, signer=console_app.signer, task_id=tid,
                           action="acknowledge", actor="tld_ban_tuyen_giao",
                           at=at("2023-08-01 10:00"), ttl_days=60)
    body = web()
    page = body.get(f"/l/{token}")
    assert page.status_code == 200
    href = re.search(r'href="(/l/[^"]+/document/\d+)"', page.text)[1]
    assert body.get(href).content == data
    assert body.get(f"/l/{token}/document/{copy.id}").status_code == 404
    assert body.get(f"/l/not-a-token/document/{row.id}").status_code in (400, 403, 404)

    # the file store's cleaner keeps what a document names
    with unit_of_work(console_app.engine) as session:
        assert clean_store(session=session, store=console_app.files,
                           older_than=at("2030-01-01 00:00")) == []
    assert got.content == data and len(list(console_app.files.contents())) == 1


def test_a_refused_upload_keeps_no_document(console_app, web):
    client = web("coordinator")
    page = client.get("/directives/new")
    refused = client.post("/directives/new", data={"csrf_token": csrf_of(page.text)},
                          files={"document": ("x.bin", b"\x00\x01binary", "application/octet-stream")})
    assert refused.status_code == 400
    assert _rows(console_app) == [] and list(console_app.files.contents()) == []


def test_a_store_that_cannot_write_keeps_neither_draft_nor_document(make_app, clock):
    from starlette.testclient import TestClient

    from models.console_tables import DraftReview
    from services.accounts import create_user
    from services.file_store import MemoryFileStore
    from services.setup import initialise
    from tests.console.conftest import NAMES, PASSWORD, USERS, login
    from web.app import create_app

    app = make_app(clock=clock, files=MemoryFileStore(fail_on_put=1))
    initialise(engine=app.engine, registry=app.registry, contacts=app.contacts, at=clock())
    with unit_of_work(app.engine) as session:
        create_user(session=session, email=USERS["coordinator"], name=NAMES["coordinator"],
                    role="coordinator", password=PASSWORD, at=clock())
    with TestClient(create_app(app)) as client:
        assert login(client, "coordinator").status_code == 303
        page = client.get("/directives/new")
        answer = client.post("/directives/new", data={"csrf_token": csrf_of(page.text)},
                             files={"document": (NAME, TEMPLATE.read_bytes(), "text/plain")})
    assert answer.status_code == 503 and "chưa lưu gì" in answer.text
    assert _rows(app) == []
    with unit_of_work(app.engine, write=False) as session:
        assert session.exec(select(DraftReview)).all() == []
