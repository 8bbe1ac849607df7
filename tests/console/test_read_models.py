"""The pages' data, through the services: the colours counted in SQL agree with
models.status.colour, the board filters, sorts, searches and pages, the dashboard and the inbox
count what they say."""

from __future__ import annotations

import datetime as dt
import itertools
from collections import Counter
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from models.db import unit_of_work
from models.tables import Task
from services import board, console
from services.actions import record_action
from services.status import list_tasks
from tests.conftest import VN, at, launch_template
from tests.web.conftest import task_id

NUMBER = "48-KH/ĐĐTLĐ"


@pytest.fixture
def launched(engine, registry, calendar):
    launch_template(engine, registry, calendar)
    return engine


def _act(engine, tid, action, when, **kwargs):
    with unit_of_work(engine) as session:
        return record_action(session=session, task_id=tid, action=action, at=when, tz=VN, **kwargs)


def _args(calendar, tz=VN):
    return {"tz": tz, "calendar": calendar, "near_due_working_days": 3}


def test_sql_colours_agree_with_the_python_colour(launched, calendar):
    """Over every colour (done on time, done late across midnight in Vietnam, cancelled, overdue,
    near due, in term, no deadline) the board's SQL colour is models.status.colour's."""
    e = launched
    lead = task_id(e, "III.1", "tld_bch")  # due 15/12/2023
    _act(e, lead, "close", at("2023-12-15 23:30"))  # 16:30 UTC: still the 15th in Vietnam
    late = task_id(e, "III.1", "tld_dct")
    _act(e, late, "close", at("2023-12-16 00:30"))  # 17:30 UTC on the 15th, the 16th in Vietnam
    _act(e, task_id(e, "III.7", "ldld_ha_noi"), "cancel", at("2023-08-01 09:00"))
    zones = (VN, ZoneInfo("Asia/Ho_Chi_Minh"))  # a fixed offset, and a named zone
    for moment, tz in itertools.product((at("2023-08-01 10:00"), at("2023-12-13 10:00"),
                                         at("2024-01-10 10:00")), zones):
        with unit_of_work(e, write=False) as session:
            python = {v.id: v.colour for v in list_tasks(session=session, at=moment,
                                                         **_args(calendar, tz))}
            rows = board.export_rows(session=session, number=NUMBER, filters=board.BoardFilters(),
                                     at=moment, **_args(calendar, tz))[1]
        assert {r.id: r.colour for r in rows} == python
    assert python[lead] == "done_on_time" and python[late] == "done_late"


def test_board_filters_counts_search_sort_and_pages(launched, calendar):
    e = launched
    when = at("2023-08-01 10:00")

    def page(size=10, **kw):
        with unit_of_work(e, write=False) as session:
            return board.board(session=session, number=NUMBER, filters=board.BoardFilters(**kw),
                               at=when, page_size=size, **_args(calendar))

    everything = page()
    assert everything.total == 83 and everything.pages == 9 and len(everything.rows) == 10
    assert sum(everything.counts.values()) == 83
    one = page(body="ldld_ha_noi")
    assert {r.body_id for r in one.rows} == {"ldld_ha_noi"} and one.total == len(one.rows) >= 1
    kind = page(kind="provincial_federation", size=1000)
    assert kind.total >= 34 and {r.body_kind for r in kind.rows} == {"provincial_federation"}
    assert page(role="cooperating").total + page(role="lead").total == 83
    assert page(assignment="III.1").total == 2
    assert page(q="Hà Nội").rows[0].body_id == "ldld_ha_noi"
    assert page(q=f"#{everything.rows[0].id}").total == 1
    dues = [r.due_on for r in page(sort="due", size=1000).rows]
    assert dues == sorted(dues, key=lambda d: (d is None, d))
    last = page(page=99)
    assert last.page == 9 and len(last.rows) == 3
    coloured = page(colour="in_term")
    assert coloured.counts == everything.counts  # the chips keep every colour's count
    assert coloured.total == everything.counts["in_term"]
    assert all(r.colour == "in_term" for r in coloured.rows)
    with pytest.raises(board.NotFound):
        page_ = board.BoardFilters()
        with unit_of_work(e, write=False) as session:
            board.board(session=session, number="99-KH/X", filters=page_, at=when, **_args(calendar))


def test_child_plans_show_on_their_parent_task(launched, registry, calendar):
    from tests.conftest import CHILD_TEMPLATE

    parent = task_id(launched, "III.7", "ldld_ha_noi")
    launch_template(launched, registry, calendar, CHILD_TEMPLATE, parent_task_id=parent)
    with unit_of_work(launched, write=False) as session:
        rows = board.board(session=session, number=NUMBER, at=at("2023-08-01 10:00"),
                           filters=board.BoardFilters(body="ldld_ha_noi"), **_args(calendar)).rows
        child = board.find_head(session, "07/KH-LĐLĐ")
    [row] = [r for r in rows if r.id == parent]
    assert row.child_number == child.number and row.child_progress.startswith("0/")
    assert child.parent_task_id == parent and child.parent_number == NUMBER


def test_dashboard_counts_upcoming_overdue_and_events(launched, calendar):
    e = launched
    when = at("2023-12-13 10:00")  # 15/12 is within 7 working days
    _act(e, task_id(e, "III.7", "ldld_ha_noi"), "acknowledge", at("2023-08-02 08:00"),
         actor="ldld_ha_noi", channel="email-link")
    with unit_of_work(e, write=False) as session:
        data = console.dashboard(session=session, at=when, **_args(calendar))
        views = list_tasks(session=session, at=when, **_args(calendar))
    assert data.overall.by_colour == dict(Counter(v.colour for v in views))
    [line] = data.directives
    assert line.number == NUMBER and line.counts.total == 83
    due = [v for v in views if v.due_on and when.date() <= v.due_on <= data.upcoming_until
           and v.status not in ("done", "cancelled")]
    assert data.upcoming_total == len(due) and len(data.upcoming) == min(20, len(due))
    assert data.events[0].action == "acknowledge" and data.events[0].channel == "email-link"
    later = at("2024-02-01 10:00")
    with unit_of_work(e, write=False) as session:
        data = console.dashboard(session=session, at=later, **_args(calendar))
    assert data.overdue_bodies and all(n >= 1 for _, _, n in data.overdue_bodies)


def test_inbox_lists_extension_requests_reports_and_failed_mails(launched, calendar):
    e = launched
    ext = task_id(e, "III.7", "ldld_ha_noi")
    _act(e, ext, "request-extension", at("2023-08-02 08:00"), actor="ldld_ha_noi",
         until=dt.date(2024, 1, 15), note="Chờ số liệu")
    rep = task_id(e, "III.1", "tld_bch")
    _act(e, rep, "report", at("2023-08-02 09:00"), actor="tld_bch", note="Báo cáo số 12/BC")
    with unit_of_work(e, write=False) as session:
        data = console.inbox(session=session)
    assert [t.id for t in data.extensions] == [ext] and data.extensions[0].note == "Chờ số liệu"
    assert data.extensions[0].requested_due_on == dt.date(2024, 1, 15)
    assert [t.id for t in data.reports] == [rep] and data.reports[0].note == "Báo cáo số 12/BC"
    assert data.failed_total == 0 and data.extensions_total == data.reports_total == 1


def test_task_detail_has_the_timeline_and_the_mails(launched, calendar):
    e = launched
    tid = task_id(e, "III.1", "tld_bch")
    _act(e, tid, "acknowledge", at("2023-08-02 08:00"), actor="tld_bch", channel="email-link")
    with unit_of_work(e, write=False) as session:
        detail = console.task_detail(session=session, task_id=tid, at=at("2023-08-03 10:00"),
                                     **_args(calendar))
    assert (detail.number, detail.ref, detail.body_id, detail.status) == (NUMBER, "III.1",
                                                                         "tld_bch", "acknowledged")
    assert [ev.action for ev in detail.timeline] == ["assign", "acknowledge"]
    assert detail.timeline[1].channel == "email-link" and detail.body_name in detail.timeline[1].actor_name
    assert [m.kind for m in detail.mails] == ["task_assigned"]


def test_the_counts_cache_recounts_only_the_cascades_that_changed(launched, calendar):
    """The dashboard's counts are reused until a task changes (an audit event, a new task),
    then counted again for that task's cascade only, and equal a full count; a new day counts
    every cascade again."""
    e = launched
    cache, when = console.CountsCache(), at("2023-08-01 10:00")

    def counted(session, use_cache=True):
        return console.dashboard(session=session, at=when, cache=cache if use_cache else None,
                                 **_args(calendar))

    with unit_of_work(e, write=False) as session:
        first = counted(session)
        counted(session)
        cascade_id = session.execute(sa.select(Task.cascade_id).limit(1)).scalar_one()
    assert cache.recounts == 1 and cache.last_recount is None and first.overall.get("cancelled") == 0
    _act(e, task_id(e, "III.7", "ldld_ha_noi"), "cancel", at("2023-08-01 10:00"))
    with unit_of_work(e, write=False) as session:
        cached, full = counted(session), counted(session, use_cache=False)
    assert cache.recounts == 2 and cache.last_recount == {cascade_id}
    assert cached.overall.get("cancelled") == 1 and cached.overall == full.overall
    assert cached.overdue_bodies == full.overdue_bodies
    assert [d.counts for d in cached.directives] == [d.counts for d in full.directives]
    when = at("2023-12-20 10:00")  # weeks later: colours move, overdue bodies appear
    with unit_of_work(e, write=False) as session:
        cached, full = counted(session), counted(session, use_cache=False)
    assert cache.recounts == 3 and cache.last_recount is None
    assert cached.overdue_bodies == full.overdue_bodies and cached.overall == full.overall
