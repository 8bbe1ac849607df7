"""A scan uploaded to "Giao việc mới" is read in the background: the upload answers at once
with a progress page that refreshes itself, and the draft goes to the review when it is read.

Everything about a job is in the database (models.console_tables.DraftJob): the file until it
is read, the pages read so far, the draft it gave or the reason it could not be drafted. Any
web worker answers the progress page. The worker reading a job marks it (`claim`), writes each
page read and a sign of life every BEAT_SECONDS; a job silent for STALE (its worker was stopped
or restarted) is taken over by the next worker that shows its page, with a guarded UPDATE so
only one does; the old reader, if it is still alive, stops at its next page. Pages already
read come from the OCR cache, so a takeover does not read them again.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import secrets
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from models.console_tables import DraftJob
from models.db import unit_of_work
from models.registry import Registry
from models.tables import table_of
from models.vocabulary import sentence
from services import documents, drafts

READING, DONE, FAILED = "reading", "done", "failed"
BEAT_SECONDS = 30  # a reader marks its job alive this often, page read or not
STALE = dt.timedelta(minutes=2)  # no sign of life for this long: the reader is gone
SCAN_SUFFIXES = (".pdf", ".png", ".jpg")

log = logging.getLogger(__name__)
_threads: dict[int, threading.Thread] = {}  # this process's readers, to wait for them in tests
_lock = threading.Lock()


class JobNotFound(LookupError):
    pass


class _TakenOver(Exception):
    """Another worker reads this job now: stop."""


def ocr_cache_dir(data_dir: Path) -> Path:
    """Where the OCR's per-page cache lives under the app's data directory."""
    from ingest.ocr_cache import OCR_CACHE

    return data_dir / OCR_CACHE


def scan_suffix(data: bytes, max_bytes: int) -> str | None:
    """The upload's suffix when it is a scan that OCR must read (an image, or a PDF with pages
    without a text layer); None for anything else, which is drafted at once."""
    if len(data) > max_bytes:
        return None  # refused by the ordinary path, with its message
    try:
        suffix = drafts.sniff(data)
    except drafts.UploadRefused:
        return None
    if suffix not in SCAN_SUFFIXES:
        return None
    if suffix != ".pdf":
        return suffix
    from ingest.errors import DraftError
    from ingest.reading import pages_to_ocr

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "van-ban.pdf"
        path.write_bytes(data)
        try:
            return suffix if pages_to_ocr(path) else None
        except DraftError:
            return None


def submit(session: Session, *, user_id: int, name: str, data: bytes, suffix: str,
           at: dt.datetime) -> DraftJob:
    """A new job, claimed by the caller (who starts reading it)."""
    job = DraftJob(user_id=user_id, source_name=(name or "văn bản quét")[:255], suffix=suffix,
                   data=data, status=READING, claim=secrets.token_hex(16), created_at=at,
                   updated_at=at)
    session.add(job)
    session.flush()
    return job


def get_job(session: Session, user_id: int, job_id: int) -> DraftJob:
    """The user's own job; JobNotFound for anyone else's."""
    job = session.get(DraftJob, job_id)
    if job is None or job.user_id != user_id:
        raise JobNotFound(f"không có văn bản đang đọc #{job_id} của bạn")
    return job


def open_jobs(session: Session, user_id: int) -> list[DraftJob]:
    """The user's scans still being read, newest first."""
    return list(session.exec(select(DraftJob).where(
        DraftJob.user_id == user_id, DraftJob.status == READING)
        .order_by(col(DraftJob.id).desc())).all())


def take_over(engine: Engine, job: DraftJob, at: dt.datetime) -> str | None:
    """The new claim when `job` is still being read but its reader has been silent for STALE;
    None when it is alive, finished, or another worker took it first."""
    if job.status != READING or job.updated_at > at - STALE:
        return None
    claim = secrets.token_hex(16)
    table = table_of(DraftJob)
    with unit_of_work(engine) as session:
        taken = session.connection().execute(sa.update(table).where(
            table.c.id == job.id, table.c.claim == job.claim, table.c.status == READING)
            .values(claim=claim, updated_at=at)).rowcount
    return claim if taken else None


def run_job(*, engine: Engine, job_id: int, claim: str, registry: Registry,
            aliases: Callable[[], dict[str, str]], max_bytes: int, cache_dir: Path | None,
            clock: Callable[[], dt.datetime], workers: int | None = None) -> None:
    """Read the job's scan and draft it: the pages read as they go, then the draft for the
    review (or the reason it cannot be drafted). Does nothing once another worker holds it."""
    from ingest.ocr import OcrRun

    table = table_of(DraftJob)
    mine = sa.and_(table.c.id == job_id, table.c.claim == claim, table.c.status == READING)

    def progress(done: int, total: int) -> None:
        with unit_of_work(engine) as session:
            if not session.connection().execute(sa.update(table).where(mine).values(
                    pages_done=done, pages_total=total, updated_at=clock())).rowcount:
                raise _TakenOver()

    with unit_of_work(engine, write=False) as session:
        job = session.get(DraftJob, job_id)
        if job is None or job.claim != claim or job.status != READING or job.data is None:
            return
        name, data, user_id = job.source_name, job.data, job.user_id

    def alive() -> None:
        with unit_of_work(engine) as session:
            session.connection().execute(sa.update(table).where(mine).values(updated_at=clock()))

    stop = threading.Event()
    beat = threading.Thread(target=_beat, args=(stop, alive), name=f"draft-job-{job_id}-beat",
                            daemon=True)
    beat.start()
    try:
        drafted = drafts.draft_from(data, None, name, registry, aliases(), max_bytes,
                                    ocr=OcrRun(progress=progress, cache_dir=cache_dir,
                                               workers=workers))
    except _TakenOver:
        return
    except (drafts.UploadRefused, ValueError) as exc:  # the document, or the alias file
        said = re.sub(r"\S*van-ban\.(?:pdf|png|jpg)", f"«{name}»", str(exc))
        _finish(engine, mine, clock(), error=sentence(said))
        return
    except Exception as exc:
        log.exception("draft job %s failed", job_id)
        _finish(engine, mine, clock(), error=f"Lỗi khi đọc «{name}» ({type(exc).__name__}); "
                                             "thử tải lên lại.")
        return
    finally:
        stop.set()
        beat.join(timeout=60)
    with unit_of_work(engine) as session:
        if session.execute(select(DraftJob.id).where(mine)).first() is None:
            return  # taken over meanwhile: the other reader records its own draft
        at = clock()
        row = drafts.start_draft(session=session, user_id=user_id, draft=drafted, name=name, at=at)
        documents.claim_for_draft(session=session, data=data, user_id=user_id,
                                  draft_id=int(row.id or 0))
        session.connection().execute(sa.update(table).where(mine).values(
            status=DONE, draft_id=row.id, data=None, updated_at=at))


def _beat(stop: threading.Event, alive: Callable[[], None]) -> None:
    while not stop.wait(BEAT_SECONDS):
        try:
            alive()
        except Exception:  # a busy database: the next beat, or the next page, tells
            log.warning("draft job heartbeat failed", exc_info=True)


def _finish(engine: Engine, mine: Any, at: dt.datetime, *, error: str) -> None:
    table = table_of(DraftJob)
    with unit_of_work(engine) as session:
        session.connection().execute(sa.update(table).where(mine).values(
            status=FAILED, error=error, data=None, updated_at=at))


def start(job_id: int, work: Callable[[], None]) -> threading.Thread:
    """Run `work` (a `run_job` call) in a thread of this process."""
    def run() -> None:
        try:
            work()
        finally:
            with _lock:
                if _threads.get(job_id) is thread:
                    del _threads[job_id]

    thread = threading.Thread(target=run, name=f"draft-job-{job_id}", daemon=True)
    with _lock:
        _threads[job_id] = thread
    thread.start()
    return thread


def wait(job_id: int, timeout: float) -> bool:
    """Wait (at most `timeout` seconds) for this process's reader of the job; True when it has
    finished (or none runs here)."""
    with _lock:
        thread = _threads.get(job_id)
    if thread is None:
        return True
    thread.join(timeout)
    return not thread.is_alive()
