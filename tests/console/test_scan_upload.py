"""A PDF or a scan uploaded to "Giao việc mới" is read in the background (services/draft_jobs.py)
by a child process, never in the web worker: the upload answers with a progress page that
refreshes itself, kept in the database (any worker answers it, a job whose reader died is taken
over), then the review; a document that cannot be drafted says why and leaves no draft; a
discarded job's process is killed; a bound reached (CPU, pages) is a Vietnamese reason on the
progress page. Real Tesseract on a printed scan of 141/KH-UBND; the last test drives it in
Debian's Chromium on a real uvicorn."""

from __future__ import annotations

import os
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


def _parent_of(pid: int) -> int:
    stat = Path(f"/proc/{pid}/stat").read_text()
    return int(stat.rsplit(")", 1)[1].split()[1])


def _run(app, job_id: int, claim: str) -> None:
    s = app.settings
    draft_jobs.run_job(engine=app.engine, job_id=job_id, claim=claim, registry=app.registry,
                       aliases=dict, max_bytes=s.upload_max_bytes, cache_dir=None,
                       clock=app.clock)


@pytest.mark.slow
def test_an_uploaded_scan_shows_its_progress_then_the_review(console_app, web, scan):
    """The upload answers at once with the progress page; the job is read by a child process of
    the worker (not the worker itself); when it is read, the progress page leads to the review
    of the drafted plan."""
    client = web("coordinator")
    created = _upload(client, scan)
    assert created.status_code == 303
    job_url = created.headers["location"]
    assert re.fullmatch(r"/drafts/jobs/\d+", job_url)
    job_id = int(job_url.rsplit("/", 1)[1])
    pid = draft_jobs.reader_pid(job_id, timeout=WAIT)
    assert pid is not None and pid != os.getpid()
    assert _parent_of(pid) == os.getpid()
    assert draft_jobs.wait(job_id, timeout=WAIT)
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
    assert "Đang mở văn bản" in waiting.text and "ke-hoach-141.pdf" in waiting.text
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


def test_a_pdf_with_text_is_read_in_the_background_too(console_app, web, tmp_path):
    """A PDF with a text layer needs no OCR, but it is opened by the child process as well
    (nothing of a PDF is parsed in the web worker); then the review."""
    from tests.ingest.printing import FONT as SANS
    from tests.ingest.printing import text_pdf

    if not SANS.exists():
        pytest.skip("fonts-dejavu-core missing")
    path = text_pdf((SHARED / NAME).read_text(encoding="utf-8"),
                    tmp_path / "text.pdf")
    client = web("coordinator")
    created = _upload(client, path.read_bytes(), "ke-hoach.pdf")
    url = created.headers["location"]
    assert created.status_code == 303 and re.fullmatch(r"/drafts/jobs/\d+", url)
    assert draft_jobs.wait(int(url.rsplit("/", 1)[1]), timeout=WAIT)
    done = client.get(url, follow_redirects=False)
    assert done.status_code == 303 and re.fullmatch(r"/drafts/\d+", done.headers["location"])



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
    assert page.locator("h1").inner_text() == "Đang đọc văn bản"
    assert "ke-hoach-141.pdf" in page.locator("main").inner_text()
    page.screenshot(path=str(shots / "scan-progress-375.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.wait_for_url(re.compile(r"/drafts/\d+$"), timeout=WAIT * 1000)
    main = page.locator("main").inner_text()
    assert "141/KH-UBND" in main and "Bắc Ninh" in main
    page.context.close()


def _job(app, job_id: int) -> DraftJob:
    with unit_of_work(app.engine, write=False) as session:
        return session.get(DraftJob, job_id)


def _submit(app, data: bytes, name: str = "ke-hoach-141.pdf") -> tuple[int, str]:
    user = _user_id(app, "coordinator")
    with unit_of_work(app.engine) as session:
        job = draft_jobs.submit(session, user_id=user, name=name, data=data, suffix=".pdf",
                                at=app.clock())
        return int(job.id), job.claim


def _start(app, job_id: int, claim: str, **bounds) -> None:
    from web.console.drafts import job_spec

    draft_jobs.start(job_spec(app, job_id, claim, draft_jobs.Bounds(**bounds)),
                     engine=app.engine, clock=app.clock)


def test_discarding_a_job_kills_its_process(console_app, web, scan):
    """"Huỷ" on the progress page: the job is cancelled in the database, its child process is
    gone within a timeout, no draft is kept, and its page leads back to Giao việc mới."""
    client = web("coordinator")
    url = _upload(client, scan).headers["location"]
    job_id = int(url.rsplit("/", 1)[1])
    pid = draft_jobs.reader_pid(job_id, timeout=WAIT)
    assert pid is not None
    page = client.get(url)
    assert f'action="{url}/discard"' in page.text and "Huỷ, không đọc nữa" in page.text
    gone = client.post(f"{url}/discard", data={"csrf_token": csrf_of(page.text)},
                       follow_redirects=False)
    assert (gone.status_code, gone.headers["location"]) == (303, "/directives/new")
    assert draft_jobs.wait(job_id, timeout=30)
    assert not Path(f"/proc/{pid}").exists()  # killed and reaped
    job = _job(console_app, job_id)
    assert (job.status, job.data, job.draft_id) == ("cancelled", None, None)
    assert client.get(url, follow_redirects=False).headers["location"] == "/directives/new"
    assert f'href="{url}"' not in client.get("/directives/new").text
    assert _drafts(console_app) == 0


def test_another_coordinators_job_cannot_be_discarded(console_app, web, scan):
    """Only the uploader's own job: anyone else's is a 404 and it goes on."""
    job_id, _ = _submit(console_app, scan)
    with unit_of_work(console_app.engine) as session:
        other = _user_id(console_app, "supervisor")
        session.execute(sa.update(DraftJob).where(DraftJob.id == job_id).values(user_id=other))
    client = web("coordinator")
    token = csrf_of(client.get("/directives/new").text)
    refused = client.post(f"/drafts/jobs/{job_id}/discard", data={"csrf_token": token})
    assert refused.status_code == 404
    assert _job(console_app, job_id).status == "reading"


def test_a_job_over_its_cpu_bound_fails_with_a_reason(console_app, web, scan):
    """A child given one CPU second (RLIMIT_CPU, and the CPU its Tesseracts used between pages):
    the job fails, the progress page says why in Vietnamese; no draft."""
    job_id, claim = _submit(console_app, scan)
    _start(console_app, job_id, claim, cpu_seconds=1)
    assert draft_jobs.wait(job_id, timeout=WAIT)
    failed = web("coordinator").get(f"/drafts/jobs/{job_id}")
    assert failed.status_code == 400 and "Không soạn được bản nháp" in failed.text
    assert "CPU" in failed.text and "vượt giới hạn" in failed.text
    assert _drafts(console_app) == 0 and _job(console_app, job_id).data is None


def test_a_job_over_its_page_bound_fails_before_any_ocr(console_app, web, scan):
    """Two scanned pages for a bound of one: refused when the file is opened, named."""
    job_id, claim = _submit(console_app, scan)
    _start(console_app, job_id, claim, max_pages=1)
    assert draft_jobs.wait(job_id, timeout=WAIT)
    failed = web("coordinator").get(f"/drafts/jobs/{job_id}")
    assert failed.status_code == 400
    assert "«ke-hoach-141.pdf»: hơn 1 trang quét cần đọc bằng OCR, vượt giới hạn" in failed.text
    assert _job(console_app, job_id).pages_done == 0


def test_the_worker_answers_while_a_job_is_read(console_app, web, scan):
    """While the child reads the scan, the same worker serves other pages at once."""
    client = web("coordinator")
    url = _upload(client, scan).headers["location"]
    job_id = int(url.rsplit("/", 1)[1])
    assert draft_jobs.reader_pid(job_id, timeout=WAIT) is not None
    for _ in range(3):
        assert client.get("/directives/new").status_code == 200
        assert client.get(url).status_code in (200, 303)
    assert draft_jobs.wait(job_id, timeout=WAIT)


def test_a_job_past_its_wall_clock_deadline_is_stopped(console_app, web, scan):
    """The worker watching the child kills it at its deadline (here one second) and the job
    fails with the reason."""
    job_id, claim = _submit(console_app, scan)
    _start(console_app, job_id, claim, wall_seconds=1)
    assert draft_jobs.wait(job_id, timeout=WAIT)
    failed = web("coordinator").get(f"/drafts/jobs/{job_id}")
    assert failed.status_code == 400 and "Việc đọc văn bản quá 1 giây, đã dừng" in failed.text
