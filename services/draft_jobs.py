"""A document uploaded to "Giao việc mới" (a PDF or a scan) is drafted in the background: the
upload answers at once with a progress page that refreshes itself, and the draft goes to the
review when it is read.

Everything about a job is in the database (models.console_tables.DraftJob): the file until it
is read, the pages read so far, the draft it gave or the reason it could not be drafted. Any
web worker answers the progress page.

The job is never read inside a web worker: `start` runs it in a child process
(`python -m cascade.draft_job`, cascade/draft_job.py) watched by a thread of the worker. The
child is niced and bounded (CPU time, address space, pages to OCR; limits in ingest/limits.py),
dies with the worker that started it (PR_SET_PDEATHSIG), and is killed when its job is
cancelled (`cancel`: the user discards it on the progress page) or runs past its wall-clock
deadline; a child that dies of a bound leaves the job failed with a Vietnamese reason. The
child marks the job (`claim`), writes each page read and a sign of life every BEAT_SECONDS; a
job silent for STALE (its worker was stopped or restarted) is taken over by the next worker
that shows its page, with a guarded UPDATE so only one does; the old reader, if it is still
alive, stops at its next page. Pages already read come from the OCR cache, so a takeover does
not read them again.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import re
import secrets
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from ingest.limits import JOB_CPU_SECONDS, JOB_MEMORY_BYTES, JOB_NICE, JOB_WALL_SECONDS, MAX_OCR_PAGES
from models.console_tables import DraftJob
from models.db import unit_of_work
from models.registry import Registry
from models.tables import table_of
from models.vocabulary import sentence, vi_number
from services import documents, drafts

READING, DONE, FAILED, CANCELLED = "reading", "done", "failed", "cancelled"
BEAT_SECONDS = 30  # a reader marks its job alive this often, page read or not
STALE = dt.timedelta(minutes=2)  # no sign of life for this long: the reader is gone
POLL_SECONDS = 1.0  # the worker looks at its child and at the job (cancelled?) this often
JOB_SUFFIXES = (".pdf", ".png", ".jpg")  # drafted in the background, never in a web worker
ROOT = Path(__file__).resolve().parent.parent  # the project, for the child's imports

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Bounds:
    """What one background draft may spend."""

    cpu_seconds: int = JOB_CPU_SECONDS  # its process and its Tesseracts together
    memory_bytes: int = JOB_MEMORY_BYTES  # address space of its process (and of each Tesseract)
    wall_seconds: float = JOB_WALL_SECONDS
    max_pages: int = MAX_OCR_PAGES  # pages read by OCR
    nice: int = JOB_NICE


@dataclass(frozen=True)
class Spec:
    """What the child needs to read a job, passed on its standard input (not its command line:
    the database URL may hold a password)."""

    job_id: int
    claim: str
    database_url: str
    busy_seconds: int
    registry_paths: tuple[str, ...]
    max_bytes: int
    cache_dir: str | None
    at: str  # the caller's clock when the child starts (ISO); the child's clock runs from it
    parent: int  # the pid that starts the child: it exits if that one is gone already
    bounds: Bounds = field(default_factory=Bounds)
    workers: int | None = None


class JobNotFound(LookupError):
    pass


class JobBound(Exception):
    """The job reached one of its bounds; the message (Vietnamese) says which."""


class _TakenOver(Exception):
    """Another worker reads this job now, or it was cancelled: stop."""


def cpu_exceeded(seconds: float) -> str:
    return (f"Việc đọc văn bản vượt giới hạn {vi_number(round(seconds))} giây CPU, đã dừng; tách "
            "văn bản hoặc bỏ bớt trang quét rồi tải lên lại.")


def wall_exceeded(seconds: float) -> str:
    span = f"{round(seconds / 60)} phút" if seconds >= 120 else f"{round(seconds)} giây"
    return (f"Việc đọc văn bản quá {span}, đã dừng; tách văn bản hoặc bỏ bớt trang quét rồi "
            "tải lên lại.")


def ocr_cache_dir(data_dir: Path) -> Path:
    """Where the OCR's per-page cache lives under the app's data directory."""
    from ingest.ocr_cache import OCR_CACHE

    return data_dir / OCR_CACHE


def job_suffix(data: bytes, max_bytes: int) -> str | None:
    """The upload's suffix when it is a PDF or a scan, drafted in the background (by its content:
    nothing of it is opened here); None for anything else, which is drafted at once."""
    if len(data) > max_bytes:
        return None  # refused by the ordinary path, with its message
    try:
        suffix = drafts.sniff(data)
    except drafts.UploadRefused:
        return None
    return suffix if suffix in JOB_SUFFIXES else None


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


def cancel(engine: Engine, *, user_id: int, job_id: int, at: dt.datetime) -> bool:
    """Discard the user's job still being read: marked cancelled in the database (its reader
    stops at its next page, and the worker watching it kills it); False when it had already
    finished. JobNotFound for anyone else's."""
    table = table_of(DraftJob)
    with unit_of_work(engine) as session:
        get_job(session, user_id, job_id)
        return bool(session.connection().execute(sa.update(table).where(
            table.c.id == job_id, table.c.status == READING).values(
            status=CANCELLED, data=None, error="Đã huỷ.", updated_at=at)).rowcount)


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
            clock: Callable[[], dt.datetime], workers: int | None = None,
            max_pages: int = MAX_OCR_PAGES, check: Callable[[], None] | None = None) -> None:
    """Read the job's document and draft it: the pages read as they go, then the draft for the
    review (or the reason it cannot be drafted). Does nothing once another worker holds it or
    it is cancelled. `check()`, called between pages, raises JobBound when a bound is reached."""
    from ingest.ocr import OcrRun

    table = table_of(DraftJob)
    mine = _mine(job_id, claim)

    def progress(done: int, total: int) -> None:
        if check is not None:
            check()
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
                                               workers=workers, max_pages=max_pages))
    except _TakenOver:
        return
    except JobBound as exc:
        _finish(engine, mine, clock(), error=str(exc))
        return
    except MemoryError:
        _finish(engine, mine, clock(), error=f"Không đủ bộ nhớ để đọc «{name}»; tách văn bản "
                                             "hoặc quét lại ở 300 dpi.")
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


def _mine(job_id: int, claim: str) -> Any:
    table = table_of(DraftJob)
    return sa.and_(table.c.id == job_id, table.c.claim == claim, table.c.status == READING)


def fail(engine: Engine, job_id: int, claim: str, at: dt.datetime, error: str) -> bool:
    """The job fails with `error` if it is still read under `claim`; True when it did."""
    return _finish(engine, _mine(job_id, claim), at, error=error)


def _finish(engine: Engine, mine: Any, at: dt.datetime, *, error: str) -> bool:
    table = table_of(DraftJob)
    with unit_of_work(engine) as session:
        return bool(session.connection().execute(sa.update(table).where(mine).values(
            status=FAILED, error=error, data=None, updated_at=at)).rowcount)


@dataclass
class _Reader:
    thread: threading.Thread
    process: subprocess.Popen[bytes] | None = None
    started: threading.Event = field(default_factory=threading.Event)


_readers: dict[int, _Reader] = {}  # this process's children, to watch them and wait in tests
_lock = threading.Lock()


def start(spec: Spec, *, engine: Engine, clock: Callable[[], dt.datetime]) -> threading.Thread:
    """Read the job in a child process, watched by a thread of this one: the thread lives as
    long as the child (PR_SET_PDEATHSIG fires when the thread that started a child ends)."""
    def run() -> None:
        try:
            _watch(spec, engine=engine, clock=clock, reader=reader)
        except Exception:
            log.exception("draft job %s: its reader could not be watched", spec.job_id)
        finally:
            with _lock:
                if _readers.get(spec.job_id) is reader:
                    del _readers[spec.job_id]

    thread = threading.Thread(target=run, name=f"draft-job-{spec.job_id}", daemon=True)
    reader = _Reader(thread)
    with _lock:
        _readers[spec.job_id] = reader
    thread.start()
    return thread


def _watch(spec: Spec, *, engine: Engine, clock: Callable[[], dt.datetime],
           reader: _Reader) -> None:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        p for p in (str(ROOT), os.environ.get("PYTHONPATH", "")) if p)}
    child = subprocess.Popen([sys.executable, "-m", "cascade.draft_job"], stdin=subprocess.PIPE,
                             stdout=subprocess.DEVNULL, env=env, start_new_session=True)
    reader.process = child
    deadline = time.monotonic() + spec.bounds.wall_seconds
    reason: str | None = None
    try:
        assert child.stdin is not None
        child.stdin.write(json.dumps(asdict(spec)).encode())
        child.stdin.close()
    except OSError:
        pass  # it died at once: its exit code tells
    reader.started.set()
    while True:
        try:
            code = child.wait(timeout=POLL_SECONDS)
            break
        except subprocess.TimeoutExpired:
            pass
        if time.monotonic() > deadline:
            reason = wall_exceeded(spec.bounds.wall_seconds)
        elif not _still_reading(engine, spec.job_id, spec.claim):
            reason = ""  # cancelled or taken over: nothing to record
        if reason is not None:
            code = _kill(child)
            break
    if reason == "" or code == 0:
        return
    if reason is None:
        reason = _exit_reason(code, spec)
    fail(engine, spec.job_id, spec.claim, clock(), reason)


def _still_reading(engine: Engine, job_id: int, claim: str) -> bool:
    try:
        with unit_of_work(engine, write=False) as session:
            return session.execute(select(DraftJob.id).where(_mine(job_id, claim))).first() \
                is not None
    except Exception:  # a busy database: look again at the next poll
        return True


def _kill(child: subprocess.Popen[bytes]) -> int:
    """Kill the child and its Tesseracts (its own process group); its exit code."""
    try:
        os.killpg(child.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    return child.wait(timeout=30)


def _exit_reason(code: int, spec: Spec) -> str:
    if code in (-signal.SIGXCPU, -signal.SIGKILL):
        return cpu_exceeded(spec.bounds.cpu_seconds)
    return (f"Việc đọc văn bản dừng bất thường (mã {code}); thử tải lên lại. Nếu lỗi lặp lại, "
            "báo người quản trị.")


def reader_pid(job_id: int, timeout: float = 0) -> int | None:
    """The pid of the child reading the job, if this process started one that still runs
    (waiting at most `timeout` seconds for it to start)."""
    with _lock:
        reader = _readers.get(job_id)
    if reader is not None:
        reader.started.wait(timeout)
    process = reader.process if reader else None
    return process.pid if process is not None and process.poll() is None else None


def wait(job_id: int, timeout: float) -> bool:
    """Wait (at most `timeout` seconds) for this process's reader of the job; True when it has
    finished (or none runs here)."""
    with _lock:
        reader = _readers.get(job_id)
    if reader is None:
        return True
    reader.thread.join(timeout)
    return not reader.thread.is_alive()
