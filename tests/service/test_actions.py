"""record_action: the transition table applied through the database, with its audit trail."""

import datetime as dt
import itertools
import multiprocessing
import threading

import pytest
import sqlalchemy as sa
from sqlmodel import select

from models.db import make_engine, unit_of_work
from models.status import ACTIONS, Role, TaskStatus, find_transition
from models.tables import Assignment, Task, TaskEvent
from services.actions import ActionRefused, TaskNotFound, record_action
from services.history import task_history
from tests.conftest import VN, at, launch_template

T0 = at("2023-08-01 09:00")


@pytest.fixture
def launched(engine, registry, calendar):
    launch_template(engine, registry, calendar)
    return engine


def task_id(engine, ref, body, occurrence=1):
    with unit_of_work(engine, write=False) as session:
        return session.execute(select(Task.id).join(Assignment, Assignment.id == Task.assignment_id)
                               .where(Assignment.ref == ref, Task.body_id == body,
                                      Task.occurrence == occurrence)).scalar_one()


def snapshot(engine, tid):
    with unit_of_work(engine, write=False) as session:
        task = session.get(Task, tid)
        events = session.scalar(select(sa.func.count()).select_from(TaskEvent)
                                .where(TaskEvent.task_id == tid))
        return task.status, task.version, task.due_on, events


def act(engine, tid, action, *, by=None, when=T0, **kw):
    with unit_of_work(engine) as session:
        return record_action(session=session, tz=VN, task_id=tid, action=action, actor=by, at=when, **kw)


def force_status(engine, tid, status):
    with unit_of_work(engine) as session:
        session.execute(sa.update(Task).where(Task.id == tid).values(
            status=status.value, requested_due_on=dt.date(2024, 1, 31)))


def test_every_pair_through_the_service(launched):
    """Every (action, role, status): applied as the table says, or refused with nothing changed."""
    lead = task_id(launched, "III.7", "ldld_ha_noi")
    coop = task_id(launched, "III.6", "tld_van_phong")
    extra = {"request-extension": {"until": dt.date(2024, 1, 31)},
             "extend": {"until": dt.date(2024, 2, 28)}, "return": {"note": "Bổ sung số liệu"}}
    for (tid, role), status, action in itertools.product(
            [(lead, Role.LEAD), (coop, Role.COOPERATING)], TaskStatus, ACTIONS):
        force_status(launched, tid, status)
        before = snapshot(launched, tid)
        row = find_transition(action, role, status)
        if role is Role.COOPERATING and action in ("request-extension", "extend"):
            continue  # the co-operating task has no deadline to extend (checked below)
        if row is None:
            with pytest.raises(ActionRefused) as info:
                act(launched, tid, action, **extra.get(action, {}))
            assert status.label in str(info.value)
            assert snapshot(launched, tid) == before, (action, role, status)
        else:
            result = act(launched, tid, action, **extra.get(action, {}))
            after = snapshot(launched, tid)
            assert (result.from_status, result.to_status) == (status, row.target)
            assert after[0] == row.target.value and after[1] == before[1] + 1
            if action == "extend":
                force_status(launched, tid, status)  # keep the due date in 2023 for the next pairs
                with unit_of_work(launched) as session:
                    session.execute(sa.update(Task).where(Task.id == tid).values(
                        due_on=dt.date(2023, 11, 30)))
            assert after[3] == before[3] + 1  # one audit event


def test_refusal_names_status_and_allowed_actions(launched):
    """An illegal transition says the current status and what is allowed, and changes nothing."""
    tid = task_id(launched, "III.7", "ldld_ha_noi")
    before = snapshot(launched, tid)
    with pytest.raises(ActionRefused) as info:
        act(launched, tid, "return")
    message = str(info.value)
    assert "'đã giao'" in message and "acknowledge (xác nhận đã nhận), start (" in message
    assert snapshot(launched, tid) == before


def test_only_the_lead_closes(launched):
    """A co-operating body cannot close; it reports its contribution, which completes its part."""
    tid = task_id(launched, "III.6", "tld_van_phong")
    with pytest.raises(ActionRefused, match="chỉ đơn vị chủ trì"):
        act(launched, tid, "close", by="tld_van_phong")
    result = act(launched, tid, "report", by="tld_van_phong", note="Đã phối hợp")
    assert result.to_status is TaskStatus.DONE


def test_a_body_acts_only_on_its_own_task(launched):
    """Another body's task is refused; the body cannot take the coordinator's actions."""
    tid = task_id(launched, "III.7", "ldld_ha_noi")
    with pytest.raises(ActionRefused, match="không phụ trách"):
        act(launched, tid, "acknowledge", by="ldld_hue")
    act(launched, tid, "report", by="ldld_ha_noi")
    with pytest.raises(ActionRefused, match="chỉ điều phối viên"):
        act(launched, tid, "return", by="ldld_ha_noi")
    assert act(launched, tid, "return", by="tld_van_phong_dang_doan",
               note="Thiếu phụ lục").to_status == "returned"


def test_unknown_action_and_task(launched):
    """An unknown action lists the actions; an unknown task is reported as such."""
    with pytest.raises(ActionRefused, match="acknowledge, start"):
        act(launched, 1, "finish")
    with pytest.raises(TaskNotFound):
        act(launched, 999999, "acknowledge")


def test_audit_event_records_who_channel_when_from_to_note(launched):
    """Each transition appends who, channel, when, from, to and the note."""
    tid = task_id(launched, "III.7", "ldld_hue")
    when = at("2023-08-02 10:30")
    with unit_of_work(launched) as session:
        record_action(session=session, tz=VN, task_id=tid, action="acknowledge", actor="ldld_hue",
                      channel="email-link", at=when, note="Đã nhận kế hoạch")
    with unit_of_work(launched, write=False) as session:
        events = task_history(session, tid)
    assert [e.action for e in events] == ["assign", "acknowledge"]
    last = events[-1]
    assert (last.actor, last.channel, last.from_status, last.to_status, last.note) == (
        "ldld_hue", "email-link", "assigned", "acknowledged", "Đã nhận kế hoạch")
    assert last.at == when


def test_audit_trail_is_append_only(launched):
    """The database refuses to rewrite or delete an audit event."""
    for statement in ("UPDATE task_event SET note = 'x'", "DELETE FROM task_event"):
        with pytest.raises(sa.exc.DatabaseError, match="append-only"):
            with launched.begin() as conn:
                conn.exec_driver_sql(statement)


def test_extension_request_grant_moves_the_due_date(launched):
    """Request with a date, grant: the due date moves to it and both steps are audited."""
    tid = task_id(launched, "III.7", "ldld_ca_mau")
    with pytest.raises(ActionRefused, match="cần ngày đề nghị gia hạn"):
        act(launched, tid, "request-extension", by="ldld_ca_mau")
    with pytest.raises(ActionRefused, match="phải sau hạn hiện tại"):
        act(launched, tid, "request-extension", by="ldld_ca_mau", until=dt.date(2023, 11, 1))
    act(launched, tid, "request-extension", by="ldld_ca_mau", until=dt.date(2023, 12, 15),
        note="Chờ số liệu quý IV")
    act(launched, tid, "grant-extension")
    status, _, due, _ = snapshot(launched, tid)
    assert (status, due) == ("in_progress", dt.date(2023, 12, 15))


def test_extension_refused_keeps_the_due_date(launched):
    """A refused extension leaves the original due date."""
    tid = task_id(launched, "III.7", "ldld_an_giang")
    act(launched, tid, "request-extension", by="ldld_an_giang", until=dt.date(2023, 12, 31))
    act(launched, tid, "refuse-extension", note="Không đủ lý do")
    assert snapshot(launched, tid)[:3:2] == ("in_progress", dt.date(2023, 11, 30))


def test_closing_a_yearly_task_creates_the_next_occurrence(launched):
    """annual:11-30 closed for 2023 opens the 2024 occurrence, once."""
    tid = task_id(launched, "III.7", "ldld_lai_chau")
    result = act(launched, tid, "close", by="ldld_lai_chau", when=at("2023-11-20 09:00"))
    assert any("kỳ 2" in f for f in result.follow_ups)
    nxt = task_id(launched, "III.7", "ldld_lai_chau", occurrence=2)
    assert snapshot(launched, nxt)[0::2] == ("assigned", dt.date(2024, 11, 30))


def test_cancelled_yearly_task_does_not_roll_over(launched):
    """Cancelling is not closing: no next occurrence."""
    tid = task_id(launched, "III.7", "ldld_son_la")
    act(launched, tid, "cancel", note="Sai đối tượng")
    with unit_of_work(launched, write=False) as session:
        assert session.scalar(select(sa.func.count()).select_from(Task).where(
            Task.body_id == "ldld_son_la")) == 1


def test_a_stale_read_loses_to_the_guarded_update(launched):
    """If the task changed after it was read, the UPDATE matches nothing and is refused."""
    if launched.dialect.name == "sqlite":
        pytest.skip("SQLite serialises writers with BEGIN IMMEDIATE: a writer never reads stale")
    tid = task_id(launched, "III.7", "ldld_hai_phong")
    with unit_of_work(launched) as stale:
        stale.get(Task, tid)  # read 'assigned', version 1
        act(launched, tid, "close", by="ldld_hai_phong")  # another session closes it
        with pytest.raises(ActionRefused, match="đã hoàn thành"):
            record_action(session=stale, tz=VN, task_id=tid, action="acknowledge", at=T0)
    assert snapshot(launched, tid)[0] == "done"


def test_two_threads_close_one_task_exactly_one_wins(launched):
    """Two simultaneous closes: one transition, the other is told it is already done."""
    tid = task_id(launched, "III.7", "ldld_da_nang")
    barrier = threading.Barrier(2)
    outcomes = []

    def go():
        barrier.wait(timeout=60)  # BrokenBarrierError, not a hang, if the other never comes
        try:
            outcomes.append(act(launched, tid, "close", by="ldld_da_nang"))
        except ActionRefused as exc:
            outcomes.append(exc)

    threads = [threading.Thread(target=go) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
        assert not t.is_alive(), "a thread did not finish"
    wins = [o for o in outcomes if not isinstance(o, Exception)]
    losses = [o for o in outcomes if isinstance(o, ActionRefused)]
    assert len(wins) == 1 and len(losses) == 1
    assert "đã hoàn thành" in str(losses[0])
    assert snapshot(launched, tid)[3] == 2  # assign + one close


def _close_in_process(url, tid, start, queue):
    engine = make_engine(url)
    assert start.wait(timeout=60), "the start signal never came"
    try:
        with unit_of_work(engine) as session:
            record_action(session=session, tz=VN, task_id=tid, action="close", actor="ldld_hue", at=T0)
        queue.put("won")
    except ActionRefused as exc:
        queue.put(f"refused: {exc}")
    finally:
        engine.dispose()


def test_two_processes_close_one_task_exactly_one_wins(launched, database_url):
    """Across processes too, exactly one close applies and the other is refused."""
    tid = task_id(launched, "III.7", "ldld_hue")
    ctx = multiprocessing.get_context("spawn")
    start, queue = ctx.Event(), ctx.Queue()
    procs = [ctx.Process(target=_close_in_process, args=(database_url, tid, start, queue))
             for _ in range(2)]
    for p in procs:
        p.start()
    start.set()
    for p in procs:
        p.join(timeout=60)
    results = sorted(queue.get(timeout=5) for _ in procs)
    assert results[1] == "won" and results[0].startswith("refused: ")
    assert "đã hoàn thành" in results[0]
    assert snapshot(launched, tid)[3] == 2


def test_coordinator_extends_without_a_request(launched):
    """`extend` moves the deadline, keeps the status, is the coordinator's, and tells the body."""
    tid = task_id(launched, "III.7", "ldld_khanh_hoa")
    act(launched, tid, "acknowledge", by="ldld_khanh_hoa")
    with pytest.raises(ActionRefused, match="chỉ điều phối viên"):
        act(launched, tid, "extend", by="ldld_khanh_hoa", until=dt.date(2023, 12, 31))
    with pytest.raises(ActionRefused, match="phải sau hạn hiện tại"):
        act(launched, tid, "extend", until=dt.date(2023, 11, 15))
    result = act(launched, tid, "extend", until=dt.date(2023, 12, 31), note="Theo đề nghị miệng")
    assert (result.from_status, result.to_status) == ("acknowledged", "acknowledged")
    status, _, due, _ = snapshot(launched, tid)
    assert (status, due) == ("acknowledged", dt.date(2023, 12, 31))
    with unit_of_work(launched, write=False) as session:
        event = task_history(session, tid)[-1]
    assert event.data == {"due_on": "2023-12-31", "previous_due_on": "2023-11-30"}
