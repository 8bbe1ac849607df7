"""Prefect flows: thin glue over the same services as the CLI and the embedded scheduler.

Each flow has a few coarse tasks (never one Prefect task per domain task or per mail: a task
run costs milliseconds and the API records a few dozen a second); tasks that talk to the
network or the database retry. Every task builds its App in `flow_app()` (from the worker's
environment, disposed at the end) unless one was installed with `use_app()` (tests).
`prefect.yaml` deploys the flows with their schedules to a process work pool.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from prefect import flow, task

from cascade import jobs
from cascade.bootstrap import App, app_scope

_given: App | None = None


@contextmanager
def use_app(app: App) -> Iterator[App]:
    """Run the flows on `app` (a test's App with fakes) instead of one built per task."""
    global _given
    previous, _given = _given, app
    try:
        yield app
    finally:
        _given = previous


@contextmanager
def flow_app(at: str | None = None) -> Iterator[App]:
    """The App of one task run; `at` (ISO 8601) pins its clock for a run about another moment."""
    with (_borrowed() if _given is not None else app_scope()) as app:
        if at is None:
            yield app
            return
        from models.vocabulary import parse_moment

        moment = parse_moment(at, app.tz)
        clock, app.clock = app.clock, (lambda: moment)
        try:
            yield app
        finally:
            app.clock = clock


@contextmanager
def _borrowed() -> Iterator[App]:
    assert _given is not None
    yield _given


@task(retries=3, retry_delay_seconds=[10, 60, 300])
def dispatch_outbox(at: str | None = None) -> str:
    with flow_app(at) as app:
        return jobs.run_logged("dispatch", jobs.run_dispatch, app)


@task(retries=2, retry_delay_seconds=[10, 60])
def sweep_deadlines(at: str | None = None) -> str:
    with flow_app(at) as app:
        return jobs.run_logged("sweep", jobs.run_sweep_job, app)


@task(retries=2, retry_delay_seconds=[10, 60])
def queue_digests(at: str | None = None) -> str:
    with flow_app(at) as app:
        return jobs.run_logged("digest", jobs.run_digest_job, app)


@task(retries=2, retry_delay_seconds=[10, 60])
def clean_files(at: str | None = None) -> str:
    with flow_app(at) as app:
        return jobs.run_logged("clean_files", jobs.run_clean_files, app)


@task(retries=2, retry_delay_seconds=[10, 60])
def write_report(directive: str, fmt: str, output: str, at: str | None = None) -> str:
    from services.reporting import build_report

    with flow_app(at) as app:
        written = build_report(engine=app.ready_engine(), number=directive, at=app.clock(),
                               tz=app.tz, calendar=app.calendar,
                               near_due_working_days=app.settings.near_due_working_days,
                               fmt=fmt, output=Path(output))
    return str(written.path)


@task
def launch_template(template: str, annual_days: dict[str, str] | None = None,
                    at: str | None = None) -> dict:
    from models.template import load_template
    from services.launch import launch_from_template

    with flow_app(at) as app:
        spec = load_template(template, app.registry)
        result = launch_from_template(
            engine=app.ready_engine(), spec=spec,
            template_text=Path(template).read_text(encoding="utf-8"), registry=app.registry,
            contacts=app.contacts, calendar=app.calendar, tz=app.tz, at=app.clock(),
            coordinator=app.settings.follow_up_office, annual_days=annual_days)
    return result.as_json()


@flow(name="cascade-dispatch")
def dispatch_flow() -> str:
    """Send what the outbox holds."""
    return dispatch_outbox()


@flow(name="cascade-sweep")
def sweep_flow(at: str | None = None) -> dict:
    """Record the reminders and escalations owed, then send them."""
    swept = sweep_deadlines(at)
    return {"sweep": swept, "dispatch": dispatch_outbox(at)}


@flow(name="cascade-digest")
def digest_flow(at: str | None = None) -> dict:
    """Queue each supervisor's digest (working days only), then send."""
    queued = queue_digests(at)
    return {"digest": queued, "dispatch": dispatch_outbox(at)}


@flow(name="cascade-clean-files")
def clean_files_flow(at: str | None = None) -> str:
    """Remove the report files no report names, a day after they were stored."""
    return clean_files(at)


@flow(name="cascade-report")
def report_flow(directive: str, output: str, fmt: str = "docx", at: str | None = None) -> str:
    """Write the review summary of a directive to `output`."""
    return write_report(directive, fmt, output, at)


@flow(name="cascade-launch")
def launch_flow(template: str, annual_days: dict[str, str] | None = None,
                at: str | None = None) -> dict:
    """Launch a reviewed template, then send its assignment mails."""
    launched = launch_template(template, annual_days, at)
    dispatch_outbox(at)
    return launched



