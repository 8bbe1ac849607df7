"""The scheduled jobs: dispatch, sweep, digest.

Module-level functions, so APScheduler's job store can keep them by reference
(`cascade.jobs:sweep_job`); each builds the real dependencies from the environment, records a
JobRun (when, by whom, what it did) and calls the same services as the CLI and the Prefect
flows. Every job is idempotent in the database: a double run sends nothing twice.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
from collections.abc import Callable

from cascade.bootstrap import App, build_app

log = logging.getLogger("cascade.jobs")


class JobError(RuntimeError):
    """A job cannot run as configured; the message says what to fix."""


def _holder() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def run_logged(name: str, work: Callable[[App], str], app: App | None = None) -> str:
    """Run `work` with a JobRun record around it; the outcome text is returned and stored."""
    from services import lease

    app = app or build_app()
    run_id = lease.start_run(app.engine, job=name, holder=_holder(), at=app.clock(),
                             scheduled_for=None)
    try:
        outcome = work(app)
    except Exception as exc:
        lease.finish_run(app.engine, run_id=run_id, at=app.clock(), outcome=f"lỗi: {exc}")
        log.exception("job %s failed", name)
        raise
    lease.finish_run(app.engine, run_id=run_id, at=app.clock(), outcome=outcome)
    return outcome


def prepare_dispatch(app: App):  # type: ignore[no-untyped-def]
    """The ready engine, after re-reading the contacts file and waking the mails that waited
    for an address the file now has."""
    from models.db import unit_of_work
    from notifications.dispatch import release_waiting
    from notifications.render import BadAddress, mail_domain
    from services.registry import sync_contacts, sync_registry

    try:
        mail_domain(app.settings.mail_from)
    except BadAddress as exc:
        raise JobError(f"{exc}; ví dụ CASCADE_MAIL_FROM='Văn phòng <giaoviec@congdoan.vn>'") from None
    engine = app.ready_engine()
    with unit_of_work(engine) as session:
        sync_registry(session=session, registry=app.registry)
        sync_contacts(session=session, contacts=app.contacts)
        release_waiting(session=session, at=app.clock())
    return engine


def run_dispatch(app: App) -> str:
    from notifications.dispatch import dispatch_outbox
    from notifications.mailer import make_mailer

    engine = prepare_dispatch(app)
    report = dispatch_outbox(engine=engine, mailer=make_mailer(app.settings), settings=app.settings,
                             clock=app.clock)
    return (f"gửi {report.sent}, thử lại {report.retried}, thất bại {report.failed}, "
            f"chờ địa chỉ {report.waiting}" + (f"; dừng: {report.stopped}" if report.stopped else ""))


def business_day(app: App, at: dt.datetime | None = None) -> dt.date:
    return (at or app.clock()).astimezone(app.settings.timezone).date()


def dispatch_job() -> None:
    run_logged("dispatch", run_dispatch)


def run_sweep_job(app: App) -> str:
    from services.sweep import run_sweep

    report = run_sweep(engine=app.ready_engine(), settings=app.settings, calendar=app.calendar,
                       at=app.clock())
    return _describe(report)


def run_digest_job(app: App) -> str:
    """Digests go out on working days only (the cron fires on weekdays; Tết is skipped here)."""
    from services.digest import run_digests

    result = run_digests(engine=app.ready_engine(), settings=app.settings, calendar=app.calendar,
                         at=app.clock(), working_days_only=True)
    return _describe(result)


def _describe(result: object) -> str:
    as_json = getattr(result, "as_json", None)
    return str(as_json() if callable(as_json) else result)[:500]


def sweep_job() -> None:
    run_logged("sweep", run_sweep_job)


def digest_job() -> None:
    run_logged("digest", run_digest_job)
