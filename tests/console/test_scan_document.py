"""A scan uploaded to "Giao việc mới" is kept as the directive's document too: stored when it
is uploaded, claimed by the draft its reading gives (services/draft_jobs.py). A hostile PDF (a
418-byte file declaring a 14,400 pt page) is refused by the job with its reason, and the web
worker that took the upload lives on, in-process and as a real uvicorn process."""

from __future__ import annotations

import os
import re
import select as io_select
import subprocess
import sys
import time

import httpx
import pytest
from sqlmodel import select

from models.console_tables import DirectiveDocument
from models.db import unit_of_work
from services import draft_jobs
from tests.console.conftest import PASSWORD, USERS, csrf_of
from tests.console.test_scan_upload import WAIT, _drafts, _upload, scan  # noqa: F401
from tests.console.test_scan_upload import pytestmark as scan_marks
from tests.ingest.test_pdf_limits import HUGE
from tests.web.conftest import free_port

pytestmark = scan_marks
REFUSED = "«to-qua-lon.pdf» (trang 1): trang khổ quá lớn, 14.400 x 14.400 điểm (pt)"


@pytest.mark.slow
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


def test_the_418_byte_pdf_is_refused_and_the_worker_lives(console_app, web):
    """Uploaded on Giao việc mới: the job's child refuses it before rendering; the progress page
    names the file and the page; no draft; this process (the web worker) is untouched."""
    client = web("coordinator")
    url = _upload(client, HUGE, "to-qua-lon.pdf").headers["location"]
    assert draft_jobs.wait(int(url.rsplit("/", 1)[1]), timeout=WAIT)
    failed = client.get(url)
    assert failed.status_code == 400 and REFUSED in failed.text
    assert _drafts(console_app) == 0
    assert client.get("/healthz").status_code in (200, 503)  # answers (503: no scheduler here)


def _wait_until(condition, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.1)


def _answers(url: str) -> bool:
    try:
        return httpx.get(url, timeout=2).status_code in (200, 503)
    except httpx.HTTPError:
        return False


def test_the_418_byte_pdf_leaves_a_real_uvicorn_worker_alive(console_app, database_url,
                                                              tmp_path):
    """A real uvicorn worker process (web.asgi:app): after the upload the same pid still serves,
    /healthz answers, and the job's page gives the reason."""
    port = free_port()
    env = {**os.environ, "CASCADE_DATABASE_URL": database_url,
           "CASCADE_HOME": str(console_app.settings.data_dir),
           "CASCADE_CONTACTS": str(tmp_path / "no-contacts.yaml")}
    env.pop("CASCADE_SERVE_PID", None)
    worker = subprocess.Popen([sys.executable, "-m", "uvicorn", "web.asgi:app", "--factory",
                               "--host", "127.0.0.1", "--port", str(port), "--log-level",
                               "warning"], env=env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_until(lambda: _answers(f"{base}/healthz"), 60)
        with httpx.Client(base_url=base, timeout=30) as client:
            page = client.get("/login")
            assert client.post("/login", data={
                "email": USERS["coordinator"], "password": PASSWORD, "next": "/",
                "csrf_token": csrf_of(page.text)}).status_code == 303
            token = csrf_of(client.get("/directives/new").text)
            created = client.post("/directives/new", data={"csrf_token": token},
                                  files={"document": ("to-qua-lon.pdf", HUGE)})
            assert created.status_code == 303, created.text
            url = created.headers["location"]
            _wait_until(lambda: client.get(url).status_code == 400, WAIT)
            assert REFUSED in client.get(url).text
            assert worker.poll() is None  # the same process, alive
            assert _answers(f"{base}/healthz")
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait(timeout=20)


WATCHER = """
import sys
from cascade.bootstrap import build_app
from models.console_tables import DraftJob
from models.db import unit_of_work
from services import draft_jobs
from web.console.drafts import job_spec
app = build_app()
job_id, claim = int(sys.argv[1]), sys.argv[2]
draft_jobs.start(job_spec(app, job_id, claim), engine=app.engine, clock=app.clock)
pid = draft_jobs.reader_pid(job_id, timeout=60)
while draft_jobs.wait(job_id, 0.05) is False:  # until the child has opened the file
    with unit_of_work(app.engine, write=False) as session:
        if session.get(DraftJob, job_id).pages_total is not None:
            break
print(pid, flush=True)
sys.stdin.read()
"""


def _dead(pid: int) -> bool:
    try:
        stat = open(f"/proc/{pid}/stat").read()
    except FileNotFoundError:
        return True
    return stat.rsplit(")", 1)[1].split()[0] in ("Z", "X")  # a zombie nobody reaped yet


def test_the_reader_dies_with_the_worker_that_started_it(console_app, database_url, scan,  # noqa: F811
                                                         tmp_path):
    """`kill -9` of the worker reading a scan: its child process (PR_SET_PDEATHSIG) is gone
    within seconds, and the job is left to be taken over."""
    from tests.console.test_scan_upload import _job, _submit

    job_id, claim = _submit(console_app, scan)
    env = {**os.environ, "CASCADE_DATABASE_URL": database_url,
           "CASCADE_HOME": str(console_app.settings.data_dir),
           "CASCADE_CONTACTS": str(tmp_path / "no-contacts.yaml")}
    worker = subprocess.Popen([sys.executable, "-c", WATCHER, str(job_id), claim], env=env,
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    try:
        ready, _, _ = io_select.select([worker.stdout], [], [], WAIT)
        assert ready, "the worker did not start its reader"
        pid = int(worker.stdout.readline())
        assert not _dead(pid)
        worker.kill()
        worker.wait(timeout=20)
        _wait_until(lambda: _dead(pid), 10)
        assert _job(console_app, job_id).status == "reading"  # for the next worker to take over
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait(timeout=20)
