"""Prefect flows: thin glue over the same services as the CLI and the embedded scheduler.

Each flow has a few coarse tasks (never one Prefect task per domain task or per mail: a task
run costs milliseconds and the API records a few dozen a second); tasks that talk to the
network or the database retry. `prefect.yaml` deploys them with their schedules to a process
work pool, for installations that outgrow one machine (CASCADE_SCHEDULER=prefect turns the
embedded scheduler of `cascade serve` off).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from prefect import flow, task

from cascade import jobs
from cascade.bootstrap import App, build_app


def _app(at: str | None) -> App:
    """The real dependencies; `at` (ISO 8601) pins the clock for a run about another moment."""
    if at is None:
        return build_app()
    moment = dt.datetime.fromisoformat(at)
    app = build_app()
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=app.settings.timezone)
    app.clock = lambda: moment
    return app


@task(retries=3, retry_delay_seconds=[10, 60, 300])
def dispatch_outbox() -> str:
    return jobs.run_logged("dispatch", jobs.run_dispatch)


@task(retries=2, retry_delay_seconds=[10, 60])
def sweep_deadlines(at: str | None = None) -> str:
    return jobs.run_logged("sweep", jobs.run_sweep_job, _app(at))


@task(retries=2, retry_delay_seconds=[10, 60])
def queue_digests(at: str | None = None) -> str:
    return jobs.run_logged("digest", jobs.run_digest_job, _app(at))


@task(retries=2, retry_delay_seconds=[10, 60])
def write_report(directive: str, fmt: str, output: str, at: str | None = None) -> str:
    from models.db import unit_of_work
    from services.report import summarise_directive

    app = _app(at)
    with unit_of_work(app.ready_engine(), write=False) as session:
        summary = summarise_directive(session=session, number=directive, at=app.clock(),
                                      tz=app.settings.timezone, calendar=app.calendar,
                                      near_due_working_days=app.settings.near_due_working_days)
    if fmt == "docx":
        from services.report_docx import render_docx

        data = render_docx(summary)
    elif fmt == "html":
        from services.report_html import render_html

        data = render_html(summary).encode("utf-8")
    else:
        import json

        data = json.dumps(summary.as_json(), ensure_ascii=False, indent=2).encode("utf-8")
    Path(output).write_bytes(data)
    return output


@task
def launch_template(template: str, annual_days: dict[str, str] | None = None,
                    at: str | None = None) -> dict:
    from models.db import unit_of_work
    from models.template import load_template
    from services.launch import launch_cascade
    from services.registry import sync_contacts, sync_registry

    app = _app(at)
    spec = load_template(template, app.registry)
    when = app.clock()
    with unit_of_work(app.ready_engine()) as session:
        sync_registry(session=session, registry=app.registry)
        sync_contacts(session=session, contacts=app.contacts)
        result = launch_cascade(
            session=session, spec=spec, template_text=Path(template).read_text(encoding="utf-8"),
            registry=app.registry, calendar=app.calendar, at=when,
            coordinator=app.settings.follow_up_office, annual_days=annual_days,
            launched_on=when.astimezone(app.settings.timezone).date())
    return result.as_json()


@flow(name="cascade-dispatch")
def dispatch_flow() -> str:
    """Send what the outbox holds."""
    return dispatch_outbox()


@flow(name="cascade-sweep")
def sweep_flow(at: str | None = None) -> dict:
    """Record the reminders and escalations owed, then send them."""
    swept = sweep_deadlines(at)
    return {"sweep": swept, "dispatch": dispatch_outbox()}


@flow(name="cascade-digest")
def digest_flow(at: str | None = None) -> dict:
    """Queue each supervisor's digest (working days only), then send."""
    queued = queue_digests(at)
    return {"digest": queued, "dispatch": dispatch_outbox()}


@flow(name="cascade-report")
def report_flow(directive: str, output: str, fmt: str = "docx", at: str | None = None) -> str:
    """Write the review summary of a directive to `output`."""
    return write_report(directive, fmt, output, at)


@flow(name="cascade-launch")
def launch_flow(template: str, annual_days: dict[str, str] | None = None,
                at: str | None = None) -> dict:
    """Launch a reviewed template, then send its assignment mails."""
    launched = launch_template(template, annual_days, at)
    dispatch_outbox()
    return launched
