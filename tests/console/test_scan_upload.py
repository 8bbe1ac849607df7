"""A scan uploaded to "Giao việc mới" is read in the background (services/draft_jobs.py): the
upload answers with a progress page that refreshes itself, kept in the database (any worker
answers it, a job whose reader died is taken over), then the review; a scan that cannot be
drafted says why and leaves no draft. Real Tesseract on a printed scan of 141/KH-UBND; the
last test drives it in Debian's Chromium on a real uvicorn."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import sqlalchemy as sa

from models.console_tables import DraftJob, DraftReview
from models.db import unit_of_work
from services import draft_jobs
from tests.console.conftest import csrf_of
from tests.console.test_browser import (  # noqa: F401  (the fixtures)
    PHONE,
    _login,
    _page,
    server,
    site,
)
from tests.console.test_pages import SHARED, _user_id
from tests.ingest.scans import BOLD, FONT, HEADERS, scan_pages, scan_pdf
from tests.ingest.test_pdf_ocr import needs_ocr
from tests.web.test_browser import CHROMIUM

NAME = "141-KH-UBND-2025-bac-ninh.txt"
WAIT = 180  # seconds a job may take on a loaded 2-core machine

pytestmark = [
    needs_ocr,
    pytest.mark.skipif(not (FONT.exists() and BOLD.exists()), reason="fonts-dejavu-core missing"),
    pytest.mark.skipif(not (SHARED / NAME).exists(), reason="../shared/directives not present"),
]


@pytest.fixture(scope="module")
def scan(tmp_path_factory) -> bytes:
    """The first two pages of 141/KH-UBND as an image-only PDF, its header in two columns."""
    text = (SHARED / NAME).read_text(encoding="utf-8")
    path = tmp_path_factory.mktemp("scan") / "ke-hoach-141.pdf"
    return scan_pdf(scan_pages(text, HEADERS[NAME], max_pages=2), path).read_bytes()


def _upload(client, data: bytes, name: str = "ke-hoach-141.pdf"):
    page = client.get("/directives/new")
    return client.post("/directives/new", data={"csrf_token": csrf_of(page.text)},
                       files={"document": (name, data)}, follow_redirects=False)


def _drafts(app) -> int:
    with unit_of_work(app.engine, write=False) as session:
        return session.execute(sa.select(sa.func.count()).select_from(DraftReview)).scalar_one()


def _run(app, job_id: int, claim: str) -> None:
    s = app.settings
    draft_jobs.run_job(engine=app.engine, job_id=job_id, claim=claim, registry=app.registry,
                       aliases=dict, max_bytes=s.upload_max_bytes, cache_dir=None,
                       clock=app.clock)


@pytest.mark.slow
def test_an_uploaded_scan_shows_its_progress_then_the_review(console_app, web, scan):
    """The upload answers at once with the progress page; the job is read in a thread of the
    worker; when it is read, the progress page leads to the review of the drafted plan."""
    client = web("coordinator")
    created = _upload(client, scan)
    assert created.status_code == 303
    job_url = created.headers["location"]
    assert re.fullmatch(r"/drafts/jobs/\d+", job_url)
    assert draft_jobs.wait(int(job_url.rsplit("/", 1)[1]), timeout=WAIT)
    done = client.get(job_url, follow_redirects=False)
    assert done.status_code == 303 and re.fullmatch(r"/drafts/\d+", done.headers["location"])
    review = client.get(done.headers["location"])
    assert "141/KH-UBND" in review.text and "Bắc Ninh" in review.text
    with unit_of_work(console_app.engine, write=False) as session:
        job = session.exec(sa.select(DraftJob)).scalar_one()
    assert (job.status, job.pages_done, job.pages_total, job.data) == ("done", 2, 2, None)


@pytest.mark.slow
def test_the_progress_page_counts_the_pages_from_the_database(console_app, web, scan):
    """The job's state is in the database: the page before any page is read, after one, and
    when the job is done, whoever reads it; a supervisor cannot open it."""
    client = web("coordinator")
    user = _user_id(console_app, "coordinator")
    with unit_of_work(console_app.engine) as session:
        job = draft_jobs.submit(session, user_id=user, name="ke-hoach-141.pdf", data=scan,
                                suffix=".pdf", at=console_app.clock())
        job_id, claim = job.id, job.claim
    url = f"/drafts/jobs/{job_id}"
    waiting = client.get(url)
    assert waiting.status_code == 200
    assert '<meta http-equiv="refresh" content="2">' in waiting.text
    assert "Đang chuẩn bị đọc bằng OCR" in waiting.text and "ke-hoach-141.pdf" in waiting.text
    assert f'href="{url}"' in client.get("/directives/new").text  # listed while it is read

    seen = []
    with unit_of_work(console_app.engine) as session:
        session.execute(sa.update(DraftJob).where(DraftJob.id == job_id)
                        .values(pages_done=1, pages_total=2))
    seen.append(client.get(url).text)
    assert "Đã đọc 1/2 trang" in seen[0] and 'value="1"' in seen[0]

    _run(console_app, job_id, claim)  # the reader, here in the test's thread
    done = client.get(url, follow_redirects=False)
    assert done.status_code == 303
    assert "141/KH-UBND" in client.get(done.headers["location"]).text
    other = web("supervisor")
    assert other.get(url).status_code == 403  # a coordinator's page


@pytest.mark.slow
def test_a_job_whose_reader_died_is_taken_over(console_app, web, scan, clock):
    """A job claimed by a worker that stopped (no page read for longer than STALE): the next
    view of its page takes it over and reads it; before that it is left alone."""
    client = web("coordinator")
    user = _user_id(console_app, "coordinator")
    with unit_of_work(console_app.engine) as session:
        job = draft_jobs.submit(session, user_id=user, name="ke-hoach-141.pdf", data=scan,
                                suffix=".pdf", at=clock())
        job_id, dead = job.id, job.claim
    url = f"/drafts/jobs/{job_id}"
    assert client.get(url).status_code == 200
    assert draft_jobs.wait(job_id, timeout=1)  # nothing started: its reader is alive
    clock.advance(minutes=draft_jobs.STALE.total_seconds() / 60 + 1)
    assert client.get(url).status_code == 200  # taken over here
    assert draft_jobs.wait(job_id, timeout=WAIT)
    with unit_of_work(console_app.engine, write=False) as session:
        job = session.get(DraftJob, job_id)
    assert job.claim != dead and job.status == "done"
    _run(console_app, job_id, dead)  # the old reader, were it alive: its claim is gone
    assert _drafts(console_app) == 1
    assert client.get(url, follow_redirects=False).status_code == 303


def test_a_scan_without_text_says_why_and_leaves_no_draft(console_app, web):
    """A blank page: the progress page turns into the reason (Vietnamese, naming the file) and
    no draft is stored; the scan is not kept."""
    import io

    from PIL import Image

    blank = io.BytesIO()
    Image.new("L", (1240, 1754), 255).save(blank, "PNG")
    client = web("coordinator")
    created = _upload(client, blank.getvalue(), "trang-trang.png")
    url = created.headers["location"]
    assert draft_jobs.wait(int(url.rsplit("/", 1)[1]), timeout=WAIT)
    failed = client.get(url)
    assert failed.status_code == 400
    assert "Không soạn được bản nháp" in failed.text and "«trang-trang.png»" in failed.text
    assert "Chưa lưu bản nháp nào" in failed.text and "http-equiv" not in failed.text
    assert _drafts(console_app) == 0
    with unit_of_work(console_app.engine, write=False) as session:
        assert session.exec(sa.select(DraftJob.data)).scalar_one() is None


def test_a_pdf_with_text_is_drafted_at_once(console_app, web, tmp_path):
    """A PDF with a text layer needs no OCR: straight to the review, as before."""
    from tests.ingest.printing import FONT as SANS
    from tests.ingest.printing import text_pdf

    if not SANS.exists():
        pytest.skip("fonts-dejavu-core missing")
    path = text_pdf((SHARED / NAME).read_text(encoding="utf-8"),
                    tmp_path / "text.pdf")
    created = _upload(web("coordinator"), path.read_bytes(), "ke-hoach.pdf")
    assert created.status_code == 303 and re.fullmatch(r"/drafts/\d+", created.headers["location"])



@pytest.mark.slow
@pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"{CHROMIUM} missing")
def test_a_scan_in_the_browser_shows_its_progress_then_the_review(
        site, server, browser, shots, scan, tmp_path):  # noqa: F811
    """In Chromium: choose the scan, send it; the progress page says what is read and
    refreshes itself (no script) until the review of the drafted plan; it fits a phone."""
    file = tmp_path / "ke-hoach-141.pdf"
    file.write_bytes(scan)
    page = _page(browser, PHONE)
    _login(page, server, "coordinator")
    page.goto(f"{server}/directives/new")
    page.get_by_label("Văn bản chỉ đạo").set_input_files(str(file))
    with page.expect_navigation():
        page.get_by_role("button", name="Soạn bản nháp").first.click()
    assert re.search(r"/drafts/jobs/\d+$", page.url), page.url
    assert page.locator("h1").inner_text() == "Đang đọc văn bản quét"
    assert "ke-hoach-141.pdf" in page.locator("main").inner_text()
    page.screenshot(path=str(shots / "scan-progress-375.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.wait_for_url(re.compile(r"/drafts/\d+$"), timeout=WAIT * 1000)
    main = page.locator("main").inner_text()
    assert "141/KH-UBND" in main and "Bắc Ninh" in main
    page.context.close()
