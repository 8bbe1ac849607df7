"""Launching a cascade: fan-out, roles, due dates, one transaction, idempotence, child cascades."""

import datetime as dt
import threading

import pytest
import sqlalchemy as sa
from sqlmodel import select

from models.db import unit_of_work
from models.tables import Assignment, Cascade, Directive, Task, TaskEvent
from models.template import load_template, parse_template
from services.actions import record_action
from services.launch import LaunchError, launch_cascade, plan_launch
from services.status import list_tasks
from tests.conftest import CHILD_TEMPLATE, TEMPLATE_45, TEMPLATE_48, VN, at, launch_template


def count(engine, model, *where):
    with unit_of_work(engine, write=False) as session:
        return session.scalar(select(sa.func.count()).select_from(model).where(*where))


def test_48kh_fans_out_to_one_task_per_body_and_role(engine, registry, calendar):
    """48-KH: 2 + 1 + 1 + 1 + 1 + 1 + 12 + 52 + (1 + 11) tasks, each with its role."""
    result = launch_template(engine, registry, calendar, TEMPLATE_48)
    assert result.created and result.tasks == 83
    with unit_of_work(engine, write=False) as session:
        rows = session.execute(select(Assignment.ref, Task.body_id, Task.role, Task.due_on)
                               .join(Assignment, Assignment.id == Task.assignment_id)).all()
    by_ref = {}
    for ref, body, role, due in rows:
        by_ref.setdefault(ref, []).append((body, role, due))
    assert len(by_ref["III.7"]) == 52
    assert all(role == "lead" for _, role, _ in by_ref["III.7"])
    assert {due.isoformat() for _, _, due in by_ref["III.7"]} == {"2023-11-30"}
    assert sorted(b for b, _, _ in by_ref["III.1"]) == ["tld_bch", "tld_dct"]
    iii6 = by_ref["III.6"]
    assert len(iii6) == 12 and {r for _, r, _ in iii6} == {"cooperating"}
    iii8 = sorted((r, b) for b, r, _ in by_ref["III.8"])
    assert iii8[0] == ("cooperating", "tld_ban_chinh_sach_phap_luat") and len(iii8) == 12
    assert ("lead", "tld_van_phong_dang_doan") in iii8
    assert count(engine, TaskEvent) == 83  # one creation event per task


def test_45kh_counts_and_the_cooperating_body_of_iii5(engine, registry, calendar):
    """45-KH: III.5 gives the Ban QLDA the lead and Ban Tài chính a co-operating task."""
    result = launch_template(engine, registry, calendar, TEMPLATE_45, when=at("2023-06-01 09:00"))
    assert result.tasks == 2 + 1 + 1 + 1 + 2 + 12 + 52 + 12
    with unit_of_work(engine, write=False) as session:
        iii5 = session.execute(select(Task.body_id, Task.role)
                               .join(Assignment, Assignment.id == Task.assignment_id)
                               .where(Assignment.ref == "III.5")).all()
    assert sorted(iii5) == [("tld_ban_tai_chinh", "cooperating"), ("tld_bqlda_thiet_che", "lead")]


def test_launching_twice_creates_nothing_new(engine, registry, calendar):
    """The same directive launched twice keeps one cascade and says created=false."""
    first = launch_template(engine, registry, calendar)
    second = launch_template(engine, registry, calendar, when=at("2023-08-01 09:00"))
    assert second.created is False
    assert (second.cascade_id, second.tasks) == (first.cascade_id, 83)
    assert count(engine, Task) == 83 and count(engine, Cascade) == 1


def test_concurrent_launches_create_one_cascade(engine, registry, calendar):
    """Two launches of one directive at the same moment: one cascade, one set of tasks."""
    results, errors = [], []
    barrier = threading.Barrier(2)

    def go():
        barrier.wait(timeout=60)
        try:
            results.append(launch_template(engine, registry, calendar))
        except Exception as exc:  # e.g. an IntegrityError leaking out
            errors.append(exc)

    threads = [threading.Thread(target=go) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
        assert not t.is_alive(), "a thread did not finish"
    assert errors == []
    assert sorted(r.created for r in results) == [False, True]
    assert count(engine, Task) == 83 and count(engine, Cascade) == 1


def test_a_failed_launch_leaves_nothing(engine, registry, calendar):
    """A launch that fails midway (yearly day missing) writes no directive, cascade or task."""
    with pytest.raises(LaunchError, match="III.1, III.2"):
        launch_template(engine, registry, calendar, annual_days={})
    assert count(engine, Directive) == 0 and count(engine, Task) == 0


def test_dayless_yearly_rule_takes_the_coordinators_day(engine, registry, calendar):
    """`--deadline III.1=06-30` sets the yearly day; the assignment stores the full rule."""
    launch_template(engine, registry, calendar,
                    annual_days={"III.1": "06-30", "III.2": "12-31"}, when=at("2023-07-20 09:00"))
    with unit_of_work(engine, write=False) as session:
        rule, due = session.execute(
            select(Assignment.deadline_rule, Task.due_on)
            .join(Assignment, Assignment.id == Task.assignment_id)
            .where(Assignment.ref == "III.1")).first()
    assert rule == "annual:06-30" and due.isoformat() == "2024-06-30"


def test_unknown_ref_in_deadline_option_is_refused(engine, registry, calendar):
    """--deadline for an item that is not in the template is refused, naming it."""
    with pytest.raises(LaunchError, match="IX.9"):
        launch_template(engine, registry, calendar,
                        annual_days={"III.1": "12-15", "III.2": "12-15", "IX.9": "01-01"})


def test_plan_is_pure_and_matches_the_launch(registry, calendar):
    """plan_launch (used by --dry-run) needs no database and plans the same 83 tasks."""
    spec = load_template(TEMPLATE_48, registry)
    plan = plan_launch(spec, registry=registry, calendar=calendar,
                       launched_on=at("2023-07-20 09:00").date(),
                       annual_days={"III.1": "12-15", "III.2": "12-15"})
    assert len(plan.tasks) == 83 and plan.number == "48-KH/ĐĐTLĐ"
    assert "group:cong_doan_cap_tinh_nganh_tw" in plan.open_groups  # open groups are pointed out


CHILD = CHILD_TEMPLATE.read_text(encoding="utf-8")


def _task_of(engine, ref, body):
    with unit_of_work(engine, write=False) as session:
        return session.execute(select(Task).join(Assignment, Assignment.id == Task.assignment_id)
                               .where(Assignment.ref == ref, Task.body_id == body)).scalar_one()


def test_child_cascade_fulfils_the_parent_task(engine, registry, calendar):
    """A provincial plan launched under its task starts it, shows progress, and closes it."""
    launch_template(engine, registry, calendar)
    parent = _task_of(engine, "III.7", "ldld_ha_noi")
    spec = parse_template(CHILD, registry)
    with unit_of_work(engine) as session:
        child = launch_cascade(session=session, spec=spec, template_text=CHILD, registry=registry,
                               calendar=calendar, at=at("2023-08-16 09:00"),
                               coordinator="tld_van_phong_dang_doan", parent_task_id=parent.id,
                               launched_on=dt.date(2023, 8, 16), tz=VN)
    assert child.created and child.tasks == 2
    assert _task_of(engine, "III.7", "ldld_ha_noi").status == "in_progress"

    def view():
        with unit_of_work(engine, write=False) as session:
            rows = list_tasks(session=session, at=at("2023-08-20 09:00"), tz=VN, calendar=calendar,
                              near_due_working_days=3, directive="48-KH/ĐĐTLĐ", body="ldld_ha_noi")
        return rows[0]

    assert view().child_progress == "0/2"
    with unit_of_work(engine) as session:
        child_ids = session.exec(select(Task.id).where(Task.cascade_id == child.cascade_id)).all()
    with unit_of_work(engine) as session:
        record_action(session=session, tz=VN, task_id=child_ids[0], action="close", actor="ldld_ha_noi",
                      at=at("2023-09-20 09:00"))
    assert view().child_progress == "1/2" and view().status == "in_progress"
    with unit_of_work(engine) as session:
        outcome = record_action(session=session, tz=VN, task_id=child_ids[1], action="close",
                                actor="ldld_ha_noi", at=at("2023-11-10 09:00"))
    assert any("nhiệm vụ cha" in f for f in outcome.follow_ups)
    final = view()
    assert final.status == "done" and final.colour == "done_on_time"


def test_parent_task_must_exist_and_be_open(engine, registry, calendar):
    """--parent-task of an unknown task is refused and nothing is written."""
    launch_template(engine, registry, calendar)
    spec = parse_template(CHILD, registry)
    with pytest.raises(LaunchError, match="không có nhiệm vụ"):
        with unit_of_work(engine) as session:
            launch_cascade(session=session, spec=spec, template_text=CHILD, registry=registry,
                           calendar=calendar, at=at("2023-08-16 09:00"),
                           coordinator="tld_van_phong_dang_doan", parent_task_id=99999,
                           launched_on=dt.date(2023, 8, 16), tz=VN)
    assert count(engine, Directive) == 1
