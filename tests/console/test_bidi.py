"""Invisible direction marks (U+202A-U+202E, U+2066-U+2069, U+200E/U+200F) make a text read
differently on screen than it is stored: refused where a user types (naming the field), removed
from a drafted document's text."""

from __future__ import annotations

import json
import re

import pytest
import sqlalchemy as sa

from models.console_tables import DraftReview
from models.db import unit_of_work
from models.tables import Task, TaskEvent
from tests.console.conftest import csrf_of

PASTED = ("ỦY BAN NHÂN DÂN TỈNH BẮC NINH\nSố: 12/KH-UBND\nBắc Ninh, ngày 20 tháng 11 năm 2025\n"
          "KẾ HOẠCH\nTriển khai \u202eLuật Công đoàn\u202c năm 2025\nIV. TỔ CHỨC THỰC HIỆN\n"
          "1. Liên đoàn Lao động tỉnh tuyên truyền \u2067Luật Công đoàn\u2069 đến đoàn viên.\n")


def _drafts(app) -> list[dict]:
    with unit_of_work(app.engine, write=False) as session:
        return [r.draft for r in session.scalars(sa.select(DraftReview)).all()]


@pytest.mark.parametrize("kind", ["text", "template"])
def test_a_drafted_document_carries_no_direction_marks(console_app, web, kind):
    """A pasted text and a pasted template (read without ingest) alike."""
    from tests.conftest import TEMPLATE_48

    pasted = PASTED
    if kind == "template":
        yaml = TEMPLATE_48.read_text(encoding="utf-8")
        pasted = re.sub(r"(task: *\"?)", "\\1\u202e", yaml, count=1).replace(
            "title: ", "title: \u2067", 1)
        assert "\u202e" in pasted and "\u2067" in pasted
    client = web("coordinator")
    new = client.get("/directives/new")
    created = client.post("/directives/new", data={"csrf_token": csrf_of(new.text),
                                                   "text": pasted}, follow_redirects=False)
    assert created.status_code == 303, created.text[-600:]
    (draft,) = _drafts(console_app)
    text = json.dumps(draft, ensure_ascii=False)  # (repr would escape the marks)
    assert "Luật Công đoàn" in text or kind == "template"
    assert not re.search("[\u202a-\u202e\u2066-\u2069\u200e\u200f]", text)


@pytest.mark.parametrize("mark", ["\u202e", "\u2066", "\u200f", "\u202a"])
def test_a_direction_mark_typed_in_a_task_text_is_refused_and_nothing_saved(console_app, web,
                                                                            mark):
    client = web("coordinator")
    new = client.get("/directives/new")
    location = client.post("/directives/new", data={"csrf_token": csrf_of(new.text),
                                                    "text": PASTED},
                           follow_redirects=False).headers["location"]
    review = client.get(location)
    fields = dict(re.findall(r'name="(i-\d+-task)"[^>]*>([^<]*)<', review.text))
    assert fields, "the review has a task field"
    name = next(iter(fields))
    before = _drafts(console_app)
    response = client.post(location, data={"csrf_token": csrf_of(review.text),
                                           name: f"Tuyên truyền {mark}nạp đoàn viên"})
    assert response.status_code == 400
    assert "Nội dung nhiệm vụ" in response.text and f"U+{ord(mark):04X}" in response.text
    assert "đổi hướng chữ" in response.text
    assert _drafts(console_app) == before
    title = client.post(location, data={"csrf_token": csrf_of(review.text),
                                        "h-title": f"Kế hoạch {mark}2025"})
    assert title.status_code == 400 and "Tiêu đề" in title.text


def test_a_direction_mark_in_a_note_is_refused_and_changes_nothing(launched_app, web):
    client = web("coordinator")
    with unit_of_work(launched_app.engine, write=False) as session:
        tid = session.scalar(sa.select(Task.id).order_by(Task.id))
        events = session.scalar(sa.select(sa.func.count()).select_from(TaskEvent))
    page = client.get(f"/tasks/{tid}/confirm?action=remind")
    response = client.post(f"/tasks/{tid}/act", data={
        "csrf_token": csrf_of(page.text), "action": "remind", "note": "đã \u202egửi"})
    assert response.status_code == 400 and "Ghi chú" in response.text
    with unit_of_work(launched_app.engine, write=False) as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(TaskEvent)) == events
