"""Giao việc mới with a reviewed template (.yaml): it becomes a draft the coordinator reviews,
previews and can discard; a template that is not sound is refused in Vietnamese and nothing
is stored."""

from __future__ import annotations

from sqlmodel import select

from models.console_tables import DraftReview
from models.db import unit_of_work
from tests.conftest import ROOT
from tests.console.conftest import csrf_of

TEMPLATE = ROOT / "templates" / "directives" / "48-KH-DDTLD-2023.yaml"


def _upload(client, name: str, data: bytes):
    page = client.get("/directives/new")
    return client.post("/directives/new", data={"csrf_token": csrf_of(page.text)},
                       files={"document": (name, data, "application/octet-stream")},
                       follow_redirects=False)


def _drafts(app) -> list[DraftReview]:
    with unit_of_work(app.engine, write=False) as session:
        return list(session.exec(select(DraftReview)).all())


def test_a_reviewed_template_becomes_a_draft_that_can_be_discarded(web, console_app):
    client = web("coordinator")
    answer = _upload(client, "48-KH-DDTLD-2023.yaml", TEMPLATE.read_bytes())
    assert answer.status_code == 303
    review = client.get(answer.headers["location"])
    assert review.status_code == 200
    assert "Mục III.1" in review.text and "48-KH/ĐĐTLĐ" in review.text
    assert client.get(answer.headers["location"] + "/preview").status_code == 200
    [row] = _drafts(console_app)
    gone = client.post(f"/drafts/{row.id}/discard", data={"csrf_token": csrf_of(review.text),
                                                          "confirm": "yes"},
                       follow_redirects=False)
    assert gone.status_code == 303
    assert client.get(f"/drafts/{row.id}").status_code == 404
    assert "48-KH-DDTLD-2023.yaml" not in client.get("/directives/new").text


def test_a_template_with_a_bad_field_is_refused_and_nothing_is_kept(web, console_app):
    client = web("coordinator")
    bad = TEMPLATE.read_text(encoding="utf-8").replace("issued_on: 2023-07-11",
                                                       "issued_on: ngày mai", 1)
    answer = _upload(client, "mau.yaml", bad.encode("utf-8"))
    assert answer.status_code == 400
    assert "mẫu giao việc không hợp lệ" in answer.text.lower() and "Chưa lưu gì" in answer.text
    assert "issued_on" in answer.text
    assert _drafts(console_app) == []


def test_a_broken_yaml_template_is_refused_and_nothing_is_kept(web, console_app):
    client = web("coordinator")
    bad = TEMPLATE.read_text(encoding="utf-8").replace("  - ref: III.2", "  - ref: [III.2", 1)
    answer = _upload(client, "mau.yaml", bad.encode("utf-8"))
    assert answer.status_code == 400
    assert "Chưa lưu gì" in answer.text
    assert _drafts(console_app) == []
