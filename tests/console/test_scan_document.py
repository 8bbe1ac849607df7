"""A scan uploaded to "Giao việc mới" is kept as the directive's document too: stored when it
is uploaded, claimed by the draft its reading gives (services/draft_jobs.py)."""

from __future__ import annotations

import re

import pytest
from sqlmodel import select

from models.console_tables import DirectiveDocument
from models.db import unit_of_work
from services import draft_jobs
from tests.console.test_scan_upload import WAIT, _upload, scan  # noqa: F401
from tests.console.test_scan_upload import pytestmark as scan_marks

pytestmark = [*scan_marks, pytest.mark.slow]


def test_a_scan_is_kept_and_its_draft_claims_it(console_app, web, scan):  # noqa: F811
    client = web("coordinator")
    created = _upload(client, scan, "Kế hoạch 141 (bản quét).pdf")
    job_id = int(created.headers["location"].rsplit("/", 1)[1])
    with unit_of_work(console_app.engine, write=False) as session:
        [kept] = session.exec(select(DirectiveDocument)).all()
    assert kept.draft_id is None and kept.content_type == "application/pdf"
    assert len(list(console_app.files.contents())) == 1
    assert draft_jobs.wait(job_id, timeout=WAIT)
    done = client.get(f"/drafts/jobs/{job_id}", follow_redirects=False)
    draft_id = int(re.fullmatch(r"/drafts/(\d+)", done.headers["location"])[1])
    with unit_of_work(console_app.engine, write=False) as session:
        [kept] = session.exec(select(DirectiveDocument)).all()
    assert kept.draft_id == draft_id and kept.name == "Kế hoạch 141 (bản quét).pdf"
