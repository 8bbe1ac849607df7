"""The Prefect flows run the same services: launch, dispatch, sweep, report."""

import pytest
import sqlalchemy as sa
from sqlmodel import select

from models.db import unit_of_work
from models.tables import FollowUp, JobRun, Outbox
from tests.conftest import TEMPLATE_45

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
