"""Reports with files and figures through the service; accept and return by the coordinator
(a body, or a console user acting for it); what each refusal leaves unchanged."""

from __future__ import annotations

import datetime as dt
import hashlib
import io

import pytest
import sqlalchemy as sa
from sqlmodel import select

from models.db import unit_of_work
from models.files import UploadLimits
from models.report_views import latest_report
from models.tables import Outbox, ReportFigure, ReportFile, Task, TaskEvent, TaskReport
from services.actions import ActionRefused
from services.file_store import MemoryFileStore
from services.results import (
    ReportInput,
    ReportRefused,
    accept_report,
    awaiting_review,
    return_report,
    submit_report,
)
from tests.conftest import VN, at
from tests.results.conftest import COORDINATOR, task_of, upload
from tests.results.samples import PDF, PNG, docx_bytes

LIMITS = UploadLimits(max_bytes=200_000, max_files=2)


def report(engine, store, tid, body, *, when="2023-11-20 10:00", **fields):
    with unit_of_work(engine) as session:
        return submit_report(session=session, store=store, limits=LIMITS, task_id=tid,
                             report=ReportInput(**fields), at=at(when), tz=VN, actor=body,
                             channel="cli")


def state(engine):
    """Everything a report may change: statuses, events, report rows, files, figures, mails."""
    with unit_of_work(engine, write=False) as session:
        count = lambda model: session.scalar(select(sa.func.count()).select_from(model))  # noqa: E731
        statuses = session.exec(select(Task.id, Task.status, Task.version).order_by(Task.id)).all()
        return (tuple(statuses), count(TaskEvent), count(TaskReport), count(ReportFile),
                count(ReportFigure), count(Outbox))


def test_a_report_with_files_and_figures_is_recorded(plan):
    """The lead reports a summary, a .docx and a PDF, and both figures: the task is reported,
    the files are stored by hash with their names, the figures read the Vietnamese way."""
    store = MemoryFileStore()
    tid = task_of(plan, "ldld_ha_noi")
    result = report(plan, store, tid, "ldld_ha_noi", summary="Đã kết nạp 2.500 đoàn viên",
                    files=[upload("Báo cáo.docx", docx_bytes()), upload("phu-luc.pdf", PDF)],
                    figures={"T1": "2.500", "T2": "82,5"})
    assert result.action.to_status == "reported"
    with unit_of_work(plan, write=False) as session:
        view = latest_report(session, tid)
    assert view.summary == "Đã kết nạp 2.500 đoàn viên" and view.outcome is None
    assert [(f.name, f.size, f.sha256) for f in view.files] == [
        ("Báo cáo.docx", len(docx_bytes()), hashlib.sha256(docx_bytes()).hexdigest()),
        ("phu-luc.pdf", len(PDF), hashlib.sha256(PDF).hexdigest())]
    assert view.figures_by_key == {"T1": 2500.0, "T2": 82.5}
    assert [f.value_text for f in view.figures] == ["2.500 đoàn viên", "82,5%"]
    assert store.data[view.files[0].sha256] == docx_bytes()


def test_two_bodies_sending_the_same_file_store_it_once(plan):
    """Hà Nội and Hải Phòng attach the same PDF: one content in the store, two rows naming it."""
    store = MemoryFileStore()
    for body in ("ldld_ha_noi", "ldld_hai_phong"):
        report(plan, store, task_of(plan, body), body, files=[upload(f"{body}.pdf", PDF)])
    assert list(store.data) == [hashlib.sha256(PDF).hexdigest()]
    with unit_of_work(plan, write=False) as session:
        assert session.exec(select(ReportFile.name).order_by(ReportFile.id)).all() == [
            "ldld_ha_noi.pdf", "ldld_hai_phong.pdf"]


@pytest.mark.parametrize("fields, where, words", [
    ({"files": [upload("a.pdf", PDF)] * 3}, "files", "chọn 3 tệp, mỗi báo cáo tối đa 2 tệp"),
    ({"files": [upload("big.pdf", PDF + b"0" * 200_000)]}, "files", "vượt giới hạn"),
    ({"files": [upload("bao-cao.docx", PNG)]}, "files", "nội dung là ảnh PNG"),
    ({"files": [upload("../../bao-cao.pdf", PDF)]}, "files", "đường dẫn thư mục"),
    ({"files": [upload("bao\x07cao.pdf", PDF)]}, "files", "ký tự điều khiển"),
    ({"files": [upload("rong.pdf", b"")]}, "files", "rỗng"),
    ({"figures": {"T1": "hai nghìn"}}, "figure:T1", "«hai nghìn» không phải số"),
    ({"figures": {"T9": "12"}}, "figure:T9", "không báo cáo chỉ tiêu 'T9'"),
    ({"summary": "x" * 4001}, "summary", "tối đa 4000"),
])
def test_each_refusal_names_the_problem_and_changes_nothing(plan, fields, where, words):
    """Limits, wrong content, unsafe names, an empty file, a figure that is not a number:
    refused with what and where; no status, row, mail or file changes."""
    store = MemoryFileStore()
    tid = task_of(plan, "ldld_ha_noi")
    before = state(plan)
    with pytest.raises(ReportRefused) as info:
        report(plan, store, tid, "ldld_ha_noi", **fields)
    [problem] = info.value.problems
    assert problem.field == where and words in problem.message
    assert state(plan) == before and store.data == {}


def test_all_problems_are_told_at_once(plan):
    """A wrong file and a wrong figure: both problems, in one refusal."""
    with pytest.raises(ReportRefused) as info:
        report(plan, MemoryFileStore(), task_of(plan, "ldld_ha_noi"), "ldld_ha_noi",
               files=[upload("a.docx", PDF)], figures={"T1": "12,5,3", "T2": "80"})
    assert [p.field for p in info.value.problems] == ["files", "figure:T1"]


def test_a_store_failing_mid_report_records_nothing(plan):
    """The second file cannot be stored (disk full): no status change, no report row, no file
    row, no mail; the first file, copied in under a temporary name, is dropped too."""
    store = MemoryFileStore(fail_on_put=2)
    tid = task_of(plan, "ldld_ha_noi")
    before = state(plan)
    with pytest.raises(OSError):
        report(plan, store, tid, "ldld_ha_noi",
               files=[upload("a.pdf", PDF), upload("b.docx", docx_bytes())])
    assert state(plan) == before
    assert store.data == {} and store.staged == {}


def test_a_crash_after_storing_before_commit_leaves_no_row_pointing_at_a_missing_file(plan):
    """The process dies after the files are stored but before the transaction commits: the
    rows roll back, the files stay (orphans); every file row names a stored content."""
    store = MemoryFileStore()
    tid = task_of(plan, "ldld_ha_noi")
    before = state(plan)

    class Crash(Exception):
        pass

    with pytest.raises(Crash), unit_of_work(plan) as session:
        submit_report(session=session, store=store, limits=LIMITS, task_id=tid,
                      report=ReportInput(files=[upload("a.pdf", PDF)]), at=at("2023-11-20 10:00"),
                      tz=VN, actor="ldld_ha_noi", channel="cli")
        raise Crash
    assert state(plan) == before and len(store.data) == 1
    report(plan, store, tid, "ldld_ha_noi", files=[upload("a.pdf", PDF)])
    with unit_of_work(plan, write=False) as session:
        assert all(store.exists(sha) for sha in session.exec(select(ReportFile.sha256)).all())


def test_accept_closes_the_task_dated_by_the_report_and_mails_the_body(plan):
    """Reported on 20/11 (due 30/11), accepted on 05/12: done on time, closed at the report's
    time; the report is marked accepted; the body is told."""
    tid = task_of(plan, "ldld_ha_noi")
    report(plan, MemoryFileStore(), tid, "ldld_ha_noi", figures={"T1": "10"})
    with unit_of_work(plan) as session:
        assert awaiting_review(session, coordinator=COORDINATOR) == [tid]
        result = accept_report(session=session, task_id=tid, at=at("2023-12-05 09:00"), tz=VN)
    assert result.to_status == "done"
    with unit_of_work(plan, write=False) as session:
        task = session.get(Task, tid)
        view = latest_report(session, tid)
        kinds = session.exec(select(Outbox.kind, Outbox.body_id).where(Outbox.task_id == tid)
                             .order_by(Outbox.id)).all()
        assert awaiting_review(session) == []
    assert task.closed_at == at("2023-11-20 10:00")
    assert (view.outcome, view.reviewed_at) == ("accepted", at("2023-12-05 09:00"))
    assert kinds[-2:] == [("task_reported", COORDINATOR), ("report_accepted", "ldld_ha_noi")]


def test_return_needs_a_reason_and_keeps_the_deadline_unless_extended(plan):
    """No reason: refused, nothing changes. With a reason: returned, deadline unchanged, the
    body gets the mail; a second return may move the deadline."""
    tid = task_of(plan, "ldld_ha_noi")
    report(plan, MemoryFileStore(), tid, "ldld_ha_noi")
    before = state(plan)
    with pytest.raises(ActionRefused, match="cần lý do"), unit_of_work(plan) as session:
        return_report(session=session, task_id=tid, reason="  ", at=at("2023-11-21 09:00"), tz=VN)
    assert state(plan) == before
    with unit_of_work(plan) as session:
        return_report(session=session, task_id=tid, reason="Thiếu phụ lục số liệu",
                      at=at("2023-11-21 09:00"), tz=VN)
    with unit_of_work(plan, write=False) as session:
        task = session.get(Task, tid)
        view = latest_report(session, tid)
        mail = session.exec(select(Outbox.kind, Outbox.body_id).order_by(Outbox.id.desc())).first()
    assert (task.status, str(task.due_on)) == ("returned", "2023-11-30")
    assert (view.outcome, view.review_note) == ("returned", "Thiếu phụ lục số liệu")
    assert mail == ("report_returned", "ldld_ha_noi")
    import datetime as dt

    report(plan, MemoryFileStore(), tid, "ldld_ha_noi", when="2023-11-25 09:00")
    with unit_of_work(plan) as session:
        return_report(session=session, task_id=tid, reason="Sửa số liệu quý III",
                      until=dt.date(2023, 12, 20), at=at("2023-11-26 09:00"), tz=VN)
        assert str(session.get(Task, tid).due_on) == "2023-12-20"


def test_a_console_user_accepts_for_the_coordinator_and_is_named_in_the_audit(plan):
    """A coordinator with an account acts as the cascade's coordinator; the event names the user."""
    tid = task_of(plan, "ldld_hai_phong")
    report(plan, MemoryFileStore(), tid, "ldld_hai_phong")
    with unit_of_work(plan) as session:
        with pytest.raises(ActionRefused):
            accept_report(session=session, task_id=tid, at=at("2023-11-22 09:00"), tz=VN,
                          actor="user:lan", channel="web")  # no rights of its own
    with unit_of_work(plan) as session:
        accept_report(session=session, task_id=tid, at=at("2023-11-22 09:00"), tz=VN,
                      actor="user:lan", channel="web", on_behalf_of=COORDINATOR)
        event = session.exec(select(TaskEvent).where(TaskEvent.task_id == tid)
                             .order_by(TaskEvent.id.desc())).first()
    assert (event.action, event.actor, event.channel) == ("accept", "user:lan", "web")
    with unit_of_work(plan, write=False) as session:
        assert latest_report(session, tid).outcome == "accepted"


def test_a_body_cannot_accept_its_own_report(plan):
    """Accept and return are the coordinator's; the body is refused and nothing changes."""
    tid = task_of(plan, "ldld_da_nang")
    report(plan, MemoryFileStore(), tid, "ldld_da_nang")
    before = state(plan)
    with pytest.raises(ActionRefused, match="chỉ điều phối viên"), unit_of_work(plan) as session:
        accept_report(session=session, task_id=tid, at=at("2023-11-22 09:00"), tz=VN,
                      actor="ldld_da_nang")
    assert state(plan) == before


def test_a_cooperating_body_attaches_its_contribution_the_same_way(plan):
    """The co-operating body reports with a file: its part is done, the coordinator is told."""
    store = MemoryFileStore()
    tid = task_of(plan, "tld_ban_to_chuc")
    result = report(plan, store, tid, "tld_ban_to_chuc", summary="Đã hướng dẫn các LĐLĐ",
                    files=[upload("huong-dan.pdf", PDF)], figures={"T1": "0"})
    assert result.action.to_status == "done"
    with unit_of_work(plan, write=False) as session:
        assert [f.name for f in latest_report(session, tid).files] == ["huong-dan.pdf"]
        assert session.exec(select(Outbox.kind).order_by(Outbox.id.desc())).first() == \
            "contribution_reported"


def test_orphan_files_are_cleaned_after_the_grace_period(plan):
    """A file stored by a report that then failed is removed by clean_store once older than
    the grace period; a file a report names stays."""
    from services.file_store import clean_store

    store = MemoryFileStore()
    tid = task_of(plan, "ldld_ha_noi")
    with pytest.raises(RuntimeError), unit_of_work(plan) as session:
        submit_report(session=session, store=store, limits=LIMITS, task_id=tid,
                      report=ReportInput(files=[upload("mo-coi.pdf", PDF)]), at=at("2023-11-20 10:00"),
                      tz=VN, actor="ldld_ha_noi", channel="cli")
        raise RuntimeError("the process dies before the commit")
    report(plan, store, tid, "ldld_ha_noi", files=[upload("bao-cao.docx", docx_bytes())])
    with unit_of_work(plan, write=False) as session:
        assert clean_store(session=session, store=store, older_than=MemoryFileStore.STORED_AT) == []
        removed = clean_store(session=session, store=store, older_than=at("2023-11-21 00:00"))
    assert removed == [hashlib.sha256(PDF).hexdigest()]
    assert list(store.data) == [hashlib.sha256(docx_bytes()).hexdigest()]


def test_the_nightly_job_removes_orphans_a_day_old(make_app, plan):
    """The scheduler's clean_files job: an orphan stored 23 hours ago stays, one 25 hours old
    goes; the job's outcome says how many."""
    from cascade.jobs import run_clean_files
    from tests.conftest import FixedClock

    store = MemoryFileStore()
    store.put(io.BytesIO(PDF))
    app = make_app(files=store, clock=FixedClock(MemoryFileStore.STORED_AT
                                                 + dt.timedelta(hours=23)))
    assert run_clean_files(app) == "xóa 0 tệp không báo cáo nào dùng" and store.data
    app.clock.set(MemoryFileStore.STORED_AT + dt.timedelta(hours=25))
    assert run_clean_files(app) == "xóa 1 tệp không báo cáo nào dùng" and not store.data
