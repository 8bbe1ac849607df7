"""The Prefect flows run the same services: launch, dispatch, sweep, report."""

import pytest
import sqlalchemy as sa
from sqlmodel import select

from models.db import unit_of_work
from models.tables import FollowUp, JobRun, Outbox
from tests.conftest import ROOT, TEMPLATE_45

pytestmark = pytest.mark.usefixtures("prefect_harness")


def test_launch_then_sweep_then_report(engine, cascade_env):
    """launch_flow creates and mails the tasks; sweep_flow records what is owed; report_flow writes."""
    from flows.cascade_flows import launch_flow, report_flow, sweep_flow

    launched = launch_flow(str(TEMPLATE_45), {"III.1": "12-15"}, "2023-06-01T09:00")
    assert launched["created"] and launched["tasks"] == 83
    eml = list((cascade_env / "home" / "outbox").glob("*.eml"))
    assert len(eml) == 83  # the embedded default writes .eml files

    result = sweep_flow("2023-11-27T09:00+07:00")  # 3 working days before 30/11/2023
    assert "sweep" in result and "dispatch" in result
    with unit_of_work(engine, write=False) as session:
        reminders = session.exec(select(FollowUp).where(FollowUp.kind == "reminder")).all()
        runs = session.exec(select(JobRun.job)).all()
        sent = session.scalar(select(sa.func.count()).select_from(Outbox)
                              .where(Outbox.status == "sent"))
    assert len(reminders) == 52 and {r.level for r in reminders} == {3}
    assert {"sweep", "dispatch"} <= set(runs)
    assert sent == 83 + 52

    out = cascade_env / "bao-cao.json"
    assert report_flow("45-KH/ĐĐTLĐ", str(out), "json", "2023-12-05T09:00") == str(out)
    assert out.read_text(encoding="utf-8").count("ldld_ha_noi") >= 1


def test_dispatch_retries_are_coarse(engine, cascade_env):
    """A dispatch flow is one Prefect task however many mails it sends."""
    import asyncio

    from prefect import get_client

    from flows.cascade_flows import dispatch_flow, launch_flow

    launch_flow(str(TEMPLATE_45), {"III.1": "12-15"}, "2023-06-01T09:00")
    state = dispatch_flow(return_state=True)
    assert state.is_completed()

    async def task_runs():
        async with get_client() as client:
            runs = await client.read_task_runs()
            return [r for r in runs if r.flow_run_id == state.state_details.flow_run_id]

    assert len(asyncio.run(task_runs())) == 1


def test_dispatch_flow_sends_through_the_installed_app(make_app, engine, registry, calendar):
    """A flow run on an App with a recording mailer and a fixed clock sends what was queued."""
    from flows.cascade_flows import dispatch_flow, use_app
    from tests.conftest import FixedClock, at, launch_template

    launch_template(engine, registry, calendar, TEMPLATE_45, when=at("2023-06-01 09:00"),
                    annual_days={"III.1": "12-15"})
    app = make_app(clock=FixedClock(at("2023-06-01 09:05")))
    with use_app(app):
        assert dispatch_flow().startswith("gửi 83")
    assert len(app.mailer.sent) == 83
    assert {m["X-Cascade-Kind"] for m in app.mailer.sent} == {"task_assigned"}


def test_prefect_schedules_every_job_of_the_embedded_scheduler(make_app):
    """With CASCADE_SCHEDULER=prefect, prefect.yaml must run what the embedded scheduler would:
    one scheduled deployment per job, and each entry point is a flow of flows/cascade_flows."""
    import yaml

    import flows.cascade_flows as module
    from cascade.scheduler import default_jobs

    deployments = yaml.safe_load((ROOT / "prefect.yaml").read_text(encoding="utf-8"))["deployments"]
    scheduled = {d["name"].replace("-", "_") for d in deployments if d.get("schedules")}
    assert scheduled == {job.id for job in default_jobs(make_app())}
    for d in deployments:
        path, name = d["entrypoint"].split(":")
        assert path == "flows/cascade_flows.py" and hasattr(getattr(module, name), "fn")


def test_clean_files_flow_runs_the_nightly_job(make_app):
    from flows.cascade_flows import clean_files_flow, use_app

    app = make_app()
    with use_app(app):
        assert clean_files_flow() == "xóa 0 tệp không báo cáo nào dùng"
