"""The sweep: once per key whoever sweeps, overrides, dry runs, roll-over, the CLI."""

from __future__ import annotations

import datetime as dt
import json
import multiprocessing

import sqlalchemy as sa
from sqlmodel import select

from models.db import make_engine, unit_of_work
from models.links import LinkSigner
from models.policy import Policy
from models.tables import Assignment, Cascade, FollowUp, Outbox, Task
from services.actions import ActionRefused
from services.links import issue_link, use_link
from services.sweep import CachedCalendar, rollover_due
from tests.conftest import VN, at
from tests.follow.conftest import POLICY, run_digest, run_sweep, task_id

NOV_21 = at("2023-11-21 08:00")
DEC_7 = at("2023-12-07 08:00")


def signer_of(settings):
    return LinkSigner(settings.secret_key)


def counts(engine):
    with unit_of_work(engine, write=False) as session:
        followups = session.scalar(select(sa.func.count()).select_from(FollowUp))
        keys = session.scalar(select(sa.func.count(sa.distinct(FollowUp.key))))
        mails = session.scalar(select(sa.func.count()).select_from(Outbox).where(
            Outbox.key.like("followup:%")))
        tasks = session.scalar(select(sa.func.count()).select_from(Task))
    return followups, keys, mails, tasks


def test_sweeping_twice_records_nothing_new(launched45, calendar):
    """A second sweep at the same or a later moment of the same step adds no row and no mail."""
    first = run_sweep(launched45, calendar, DEC_7)
    before = counts(launched45)
    second = run_sweep(launched45, calendar, at("2023-12-07 17:00"))
    assert len(first.created) == 54 and second.created == [] and second.already == 54
    assert counts(launched45) == before


def test_missed_sweeps_coalesce_into_the_newest_item_owed(launched45, calendar):
    """Sweeping first on 7/12 records level 2 only: earlier reminders are not sent late."""
    report = run_sweep(launched45, calendar, DEC_7)
    assert {f.kind for f in report.created if f.due_on == dt.date(2023, 11, 30)} == {"escalation"}
    assert report.counts == {"escalation:2": 52, "reminder:7": 2}


def _sweep_in_process(url, when, start, queue):
    from models.calendar import WorkingCalendar
    from services.sweep import sweep
    from tests.conftest import VN
    from tests.follow.conftest import POLICY as policy

    engine = make_engine(url)
    try:
        start.wait(30)
        with unit_of_work(engine) as session:
            report = sweep(session=session, at=when, tz=VN, calendar=WorkingCalendar(), policy=policy)
        queue.put(len(report.created))
    finally:
        engine.dispose()


def test_two_processes_sweeping_at_once_record_each_key_once(launched45, database_url):
    """Two sweeps started together: each reminder and escalation recorded and mailed once."""
    ctx = multiprocessing.get_context("spawn")
    start, queue = ctx.Event(), ctx.Queue()
    procs = [ctx.Process(target=_sweep_in_process, args=(database_url, DEC_7, start, queue))
             for _ in range(2)]
    for p in procs:
        p.start()
    start.set()
    for p in procs:
        p.join(timeout=120)
    created = sorted(queue.get(timeout=5) for _ in procs)
    assert sum(created) == 54
    followups, keys, mails, _ = counts(launched45)
    assert followups == keys == mails == 54


def test_template_and_item_overrides_change_what_is_owed(launched45, calendar):
    """A cascade's levels and an item's reminders replace the defaults for their tasks."""
    with unit_of_work(launched45) as session:
        session.execute(sa.update(Cascade).values(policy={"levels": [
            {"after": 2, "to": "tld_ban_to_chuc"}]}))
        session.execute(sa.update(Assignment).where(Assignment.ref == "III.1").values(
            policy={"reminders_before": [12]}))
    report = run_sweep(launched45, calendar, at("2023-12-05 08:00"))
    # III.7 (due 30/11) is 3 working days late: the cascade's only level, to Ban Tổ chức
    # III.1 (due 15/12) has 8 working days left: the item's 12-day reminder
    assert report.counts == {"escalation:1": 52, "reminder:12": 2}
    assert {f.recipient_id for f in report.created if f.kind == "escalation"} == {"tld_ban_to_chuc"}


def test_a_level_naming_an_unknown_body_goes_to_the_follow_up_office(launched45, calendar):
    """A policy typo does not lose the escalation: the coordinator gets it, the report says so."""
    policy = Policy((), POLICY.levels[:1] + (POLICY.levels[1].__class__(2, 5, "tld_khong_co"),))
    report = run_sweep(launched45, calendar, DEC_7, policy=policy)
    assert {f.recipient_id for f in report.created} == {"tld_van_phong_dang_doan"}
    assert "tld_khong_co" in report.problems[0]


def test_dry_run_reports_but_writes_nothing(launched45, calendar):
    """--dry-run: the same counts as a real run, and no row written."""
    before = counts(launched45)
    dry = run_sweep(launched45, calendar, at("2024-01-02 08:00"), dry_run=True)
    assert dry.dry_run and len(dry.created) == 54 and len(dry.rollovers) == 54
    assert counts(launched45) == before
    real = run_sweep(launched45, calendar, at("2024-01-02 08:00"))
    assert real.counts == dry.counts and len(real.rollovers) == len(dry.rollovers)


def test_yearly_occurrences_roll_over_when_their_year_ends():
    """annual:11-30 due 30/11/2023 rolls on 1/1/2024, not before; a date rule never does."""
    due = dt.date(2023, 11, 30)
    assert rollover_due("annual:11-30", due, dt.date(2023, 12, 31)) is None
    assert rollover_due("annual:11-30", due, dt.date(2024, 1, 1)) == dt.date(2024, 11, 30)
    assert rollover_due("quarterly", dt.date(2024, 3, 31), dt.date(2024, 4, 1)) == dt.date(2024, 6, 30)
    assert rollover_due("2023-11-30", due, dt.date(2024, 1, 1)) is None


def test_cached_calendar_counts_like_the_calendar(calendar):
    """The sweep's memo gives the calendar's own answers (Tết included)."""
    cached = CachedCalendar(calendar)
    for start, end in [(dt.date(2024, 1, 31), dt.date(2024, 2, 14)), (dt.date(2023, 11, 30),
                                                                       dt.date(2023, 12, 7))]:
        assert cached.working_days_between(start, end) == calendar.working_days_between(start, end)
        assert cached.working_days_between(start, end) == calendar.working_days_between(start, end)


def test_remind_link_is_single_use_and_refused_on_a_closed_task(launched45, settings):
    """'Nhắc lại' queues one mail per link; on a finished task it is refused, nothing queued."""
    tid = task_id(launched45, "III.7", "ldld_hue")
    with unit_of_work(launched45) as session:
        tokens = [issue_link(session=session, signer=signer_of(settings), task_id=tid,
                             action="remind", actor="tld_van_phong_dang_doan", at=DEC_7,
                             ttl_days=30) for _ in range(2)]
    with unit_of_work(launched45) as session:
        use_link(session=session, signer=signer_of(settings), tz=VN,
                 token=tokens[0], at=DEC_7)
    with unit_of_work(launched45) as session:
        session.execute(sa.update(Task).where(Task.id == tid).values(status="done"))
    try:
        with unit_of_work(launched45) as session:
            use_link(session=session, signer=signer_of(settings), tz=VN,
                 token=tokens[1], at=DEC_7)
        raise AssertionError("remind on a closed task was accepted")
    except ActionRefused as exc:
        assert "không cần nhắc" in str(exc)
    with unit_of_work(launched45, write=False) as session:
        n = session.scalar(select(sa.func.count()).select_from(Outbox).where(
            Outbox.kind == "manual_reminder"))
    assert n == 1


def test_digest_once_a_day_and_only_for_the_named_body(launched45, calendar):
    """Re-running the digest the same day queues nothing; --to limits it to one supervisor."""
    run_sweep(launched45, calendar, DEC_7)
    only = run_digest(launched45, calendar, at("2023-12-07 16:00"), to="tld_dct")
    assert [d.supervisor_id for d in only.digests] == ["tld_dct"] and len(only.queued) == 1
    run = run_digest(launched45, calendar, at("2023-12-07 17:00"))
    assert run.already == ["digest:tld_dct:2023-12-07"]
    assert run.queued == ["digest:tld_van_phong_dang_doan:2023-12-07"]
    assert run_digest(launched45, calendar, at("2023-12-07 18:00")).queued == []
    assert len(run_digest(launched45, calendar, at("2023-12-08 07:30")).queued) == 2


def test_scheduled_digest_skips_weekends_and_holidays(launched45, calendar):
    """With working_days_only (the job), nothing is built on Saturday or during Tết."""
    for when in (at("2023-12-09 07:30"), at("2024-02-12 07:30")):
        run = run_digest(launched45, calendar, when, working_days_only=True)
        assert run.digests == [] and run.skipped


def test_cli_sweep_and_digest(launched45, cli):
    """`cascade sweep --dry-run` writes nothing; `cascade sweep` and `cascade digest` do, once."""
    dry = cli("sweep", "--at", "2023-12-07T08:00", "--dry-run", "--format", "json")
    assert json.loads(dry.output)["counts"] == {"escalation:2": 52, "reminder:7": 2}
    assert counts(launched45)[0] == 0
    real = cli("sweep", "--at", "07/12/2023 08:00")
    assert "54 lần nhắc/đôn đốc mới" in real.output
    again = cli("sweep", "--at", "2023-12-07T09:00")
    assert "0 lần nhắc/đôn đốc mới" in again.output and "54 đã ghi từ trước" in again.output
    digest = cli("digest", "--at", "2023-12-07T16:00", "--to", "tld_van_phong_dang_doan")
    assert "1 thư tổng hợp mới" in digest.output
    bad = cli("digest", "--to", "tld_khong_co", code=1)
    assert "tld_khong_co" in bad.stderr


def test_a_reported_task_is_not_chased_until_its_report_is_returned(launched45, calendar):
    """The body answered before the deadline; the coordinator had not reviewed by 7/12: no
    reminder and no escalation for it. Returned, it is the body's again and is chased."""
    from services.actions import record_action

    tid = task_id(launched45, "III.7", "ldld_ha_noi")
    with unit_of_work(launched45) as session:
        due = session.get(Task, tid).due_on
        record_action(session=session, task_id=tid, action="report", actor="ldld_ha_noi",
                      channel="email-link", at=at("2023-11-20 09:00"), tz=VN, note="Báo cáo")
    report = run_sweep(launched45, calendar, DEC_7)
    assert due < DEC_7.date() and tid not in {f.task_id for f in report.created}
    with unit_of_work(launched45) as session:
        record_action(session=session, task_id=tid, action="return", at=at("2023-12-08 09:00"),
                      tz=VN, note="Thiếu số liệu")
    later = run_sweep(launched45, calendar, at("2023-12-11 08:00"))
    assert tid in {f.task_id for f in later.created}
