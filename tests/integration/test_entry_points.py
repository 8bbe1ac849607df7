"""Every entry point works on the App it is given: a recording mailer and a fixed clock, no
environment variables, no frozen time, no sleeps. (The flow's test is in tests/flows.)"""

from __future__ import annotations

import email.utils

from sqlmodel import select

from cascade import jobs
from models.db import unit_of_work
from models.tables import Assignment, Task
from services.links import issue_link
from tests.conftest import TEMPLATE_48, FixedClock, at, cli_runner, launch_template

DAYS = ["--deadline", "III.1=12-15", "--deadline", "III.2=12-15"]
LAUNCH = at("2023-07-20 09:00")


def sent_dates(mailer):
    return {email.utils.parsedate_to_datetime(m["Date"]) for m in mailer.sent}


def test_cli_launch_and_dispatch_send_through_the_apps_mailer(make_app, tmp_path):
    """`cascade launch` then `cascade dispatch --once`: the 83 assignment mails reach the
    App's recording mailer, dated by its clock."""
    app = make_app(clock=FixedClock(LAUNCH))
    cli = cli_runner(app, tmp_path)
    cli("launch", TEMPLATE_48, *DAYS)
    assert "Đã gửi 83 thư" in cli("dispatch", "--once").stdout
    assert len(app.mailer.sent) == 83
    assert sent_dates(app.mailer) == {LAUNCH}
    assert {m["X-Cascade-Kind"] for m in app.mailer.sent} == {"task_assigned"}


def test_web_link_post_then_the_scheduled_job_mails_the_coordinator(make_app, engine, registry,
                                                                    calendar):
    """A body reports through its link (web app on the App); the dispatch job of the same App
    then mails the coordinator the report, with close/return links."""
    from starlette.testclient import TestClient

    from web.app import create_app

    clock = FixedClock(at("2023-08-01 10:00"))
    app = make_app(clock=clock, CASCADE_BASE_URL="https://giaoviec.congdoan.test")
    launch_template(engine, registry, calendar)
    with unit_of_work(engine) as session:
        tid = session.exec(select(Task.id).join(Assignment, Assignment.id == Task.assignment_id)
                           .where(Assignment.ref == "III.1", Task.body_id == "tld_bch")).one()
        token = issue_link(session=session, signer=app.signer, task_id=tid, action="report",
                           actor="tld_bch", at=LAUNCH, ttl_days=60)
    with TestClient(create_app(app)) as client:
        assert client.post(f"/l/{token}", data={"note": "Đã xong"}).status_code == 200
    jobs.install(app)
    try:
        jobs.dispatch_job()
    finally:
        jobs.install(None)
    reported = [m for m in app.mailer.sent if m["X-Cascade-Kind"] == "task_reported"]
    assert len(reported) == 1 and sent_dates(app.mailer) == {clock.now}
    text = reported[0].get_body(("plain",)).get_content()
    assert "Đã xong" in text and "https://giaoviec.congdoan.test/l/" in text


def test_scheduler_job_dispatches_on_the_installed_app(make_app, engine, registry, calendar):
    """`cascade.jobs.dispatch_job` (what APScheduler calls) sends through the App the
    scheduler installed, and records its run."""
    from models.tables import JobRun

    app = make_app(clock=FixedClock(at("2023-07-21 08:00")))
    launch_template(engine, registry, calendar)
    jobs.install(app)
    try:
        jobs.dispatch_job()
    finally:
        jobs.install(None)
    assert len(app.mailer.sent) == 83
    with unit_of_work(engine, write=False) as session:
        [run] = session.exec(select(JobRun).where(JobRun.job == "dispatch")).all()
    assert run.outcome.startswith("gửi 83") and run.started_at == at("2023-07-21 08:00")
