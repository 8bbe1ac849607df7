"""The scheduled jobs: dispatch, sweep, digest, and the nightly clean-up of orphan report
files, over the App that `cascade serve` built.

The job functions are module-level so that APScheduler's job store can keep them by reference
(`cascade.jobs:sweep_job`); they act on the App installed by the scheduler (`install`). Each
records a JobRun (when, by whom, what it did) and calls the same services as the CLI and the
Prefect flows. Every job is idempotent in the database: a double run sends nothing twice.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
from collections.abc import Callable

from cascade.bootstrap import App

log = logging.getLogger("cascade.jobs")
_installed: App | None = None


class JobError(RuntimeError):
    """A job cannot run as configured; the message says what to fix."""


def install(app: App | None) -> None:
    """The App the module-level jobs act on (None: none)."""
    global _installed
    _installed = app


def installed() -> App:
    if _installed is None:
        raise JobError("chưa có App cho các việc theo lịch: cascade serve cài đặt nó khi khởi động")
    return _installed


def holder() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def run_logged(name: str, work: Callable[[App], str], app: App) -> str:
    """Run `work` with a JobRun record around it; the outcome text is returned and stored."""
    from services import lease

    run_id = lease.start_run(app.engine, job=name, holder=holder(), at=app.clock(),
                             scheduled_for=None)
    try:
        outcome = work(app)
    except Exception as exc:
        lease.finish_run(app.engine, run_id=run_id, at=app.clock(), outcome=f"lỗi: {exc}")
        log.exception("job %s failed", name)
        raise
    lease.finish_run(app.engine, run_id=run_id, at=app.clock(), outcome=outcome)
    return outcome


def run_dispatch(app: App) -> str:
    from services.dispatch import DispatchError, dispatch_outbox, prepare_dispatch

    app.require_safe()
    try:
        prepare_dispatch(engine=app.ready_engine(), registry=app.registry, contacts=app.contacts,
                         settings=app.settings, at=app.clock())
    except DispatchError as exc:
        raise JobError(str(exc)) from None
    report = dispatch_outbox(engine=app.engine, mailer=app.mailer, renderer=app.renderer,
                             signer=app.signer, settings=app.settings, clock=app.clock)
    return (f"gửi {report.sent}, thử lại {report.retried}, thất bại {report.failed}, "
            f"chờ địa chỉ {report.waiting}" + (f"; dừng: {report.stopped}" if report.stopped else ""))


def run_sweep_job(app: App) -> str:
    from services.sweep import run_sweep

    app.require_safe()
    report = run_sweep(engine=app.ready_engine(), policy=app.policy, calendar=app.calendar,
                       tz=app.tz, near_due_working_days=app.settings.near_due_working_days,
                       at=app.clock())
    return _describe(report)


def run_digest_job(app: App) -> str:
    """Digests go out on working days only (the cron fires on weekdays; Tết is skipped here)."""
    from services.digest import run_digests

    app.require_safe()
    result = run_digests(engine=app.ready_engine(), policy=app.policy, calendar=app.calendar,
                         tz=app.tz, near_due_working_days=app.settings.near_due_working_days,
                         at=app.clock(), working_days_only=True)
    return _describe(result)


FILES_GRACE = dt.timedelta(hours=24)  # an upload in flight has no report row yet


def run_clean_files(app: App) -> str:
    """Remove stored contents no report names (left by a report that failed after storing
    them), once they are a day old."""
    from models.db import unit_of_work
    from services.file_store import clean_store

    with unit_of_work(app.ready_engine(), write=False) as session:
        removed = clean_store(session=session, store=app.files,
                              older_than=app.clock() - FILES_GRACE)
    return f"xóa {len(removed)} tệp không báo cáo nào dùng"


def _describe(result: object) -> str:
    as_json = getattr(result, "as_json", None)
    return str(as_json() if callable(as_json) else result)[:500]


def dispatch_job() -> None:
    run_logged("dispatch", run_dispatch, installed())


def sweep_job() -> None:
    run_logged("sweep", run_sweep_job, installed())


def digest_job() -> None:
    run_logged("digest", run_digest_job, installed())


def clean_files_job() -> None:
    run_logged("clean_files", run_clean_files, installed())
