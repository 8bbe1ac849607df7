"""The mails of a report and its review: the coordinator's with the files, figures and the
accept / return links; the body's when accepted; the body's when returned, with the reason and
a new report link."""

from __future__ import annotations

from models.db import unit_of_work
from services.file_store import MemoryFileStore
from services.links import use_link
from services.results import ReportInput, submit_report
from tests.conftest import VN, FixedClock, at
from tests.results.conftest import links_of, mailed, task_of, text_of, upload
from tests.results.samples import PDF, docx_bytes


def setup(make_app, plan):
    app = make_app(clock=FixedClock(at("2023-11-20 10:00")), files=MemoryFileStore(),
                   CASCADE_BASE_URL="https://giaoviec.congdoan.test")
    mailed(app)  # the assignment mails
    tid = task_of(plan, "ldld_ha_noi")
    with unit_of_work(app.engine) as session:
        submit_report(session=session, store=app.files, limits=app.upload_limits, task_id=tid,
                      report=ReportInput(summary="Đã kết nạp 2.500 đoàn viên mới.",
                                         files=[upload("Báo cáo kết quả.docx", docx_bytes()),
                                                upload("Phụ lục.pdf", PDF)],
                                         figures={"T1": "2.500"}),
                      at=app.now(), tz=VN, actor="ldld_ha_noi", channel="email-link")
    [received] = mailed(app)
    return app, tid, received


def test_the_coordinator_mail_lists_files_and_figures_with_accept_and_return_links(make_app, plan):
    """'Report received': to the coordinator, naming the files (not attached), the figure given,
    the target not reported, and the accept / return buttons."""
    app, tid, mail = setup(make_app, plan)
    assert mail["X-Cascade-Kind"] == "task_reported" and mail["X-Cascade-Task"] == str(tid)
    assert mail["To"].addresses[0].addr_spec == "tld-van-phong-dang-doan@example.org"
    text = text_of(mail)
    assert "kèm 2 tệp" in text and "Đã kết nạp 2.500 đoàn viên mới." in text
    assert "- Báo cáo kết quả.docx (Word (.docx), " in text and "- Phụ lục.pdf (PDF, " in text
    assert "T1: Kết nạp mới đoàn viên công đoàn: 2.500 đoàn viên" in text
    assert "T2: Doanh nghiệp có tổ chức công đoàn ký kết thỏa ước lao động tập thể: chưa báo cáo" \
        in text.replace("\n      ", " ")
    assert list(links_of(mail)) == ["Chấp nhận báo cáo, hoàn thành nhiệm vụ", "Trả lại báo cáo"]
    assert not [p for p in mail.iter_attachments() if p.get_filename() != "han-nhiem-vu.ics"]
    html = mail.get_body(("html",)).get_content()
    assert "Phụ lục.pdf" in html and "chưa báo cáo" in html


def test_accepting_by_the_mail_link_mails_the_body(make_app, plan):
    """The coordinator presses accept in the mail: the task is done; the body is told it was
    accepted, dated by its report."""
    app, tid, mail = setup(make_app, plan)
    token = links_of(mail)["Chấp nhận báo cáo, hoàn thành nhiệm vụ"].rsplit("/", 1)[1]
    app.clock.set(at("2023-12-04 08:30"))
    with unit_of_work(app.engine) as session:
        outcome = use_link(session=session, signer=app.signer, token=token, at=app.now(), tz=VN)
    assert outcome.result.to_status == "done"
    [told] = mailed(app)
    assert told["X-Cascade-Kind"] == "report_accepted"
    assert told["To"].addresses[0].addr_spec == "ldld-ha-noi@example.org"
    text = " ".join(text_of(told).split())
    assert "đã được chấp nhận" in told["Subject"]
    assert "tính theo ngày báo cáo 10:00 ngày 20 tháng 11 năm 2023" in text
    assert links_of(told) == {}


def test_returning_by_the_mail_link_mails_the_reason_and_a_new_report_link(make_app, plan):
    """Return with a reason: the body's mail gives the reason, says the deadline is unchanged,
    and carries a new report link that works."""
    app, tid, mail = setup(make_app, plan)
    token = links_of(mail)["Trả lại báo cáo"].rsplit("/", 1)[1]
    with unit_of_work(app.engine) as session:
        use_link(session=session, signer=app.signer, token=token, at=app.now(), tz=VN,
                 note="Thiếu số liệu chỉ tiêu T2")
    [returned] = mailed(app)
    assert returned["X-Cascade-Kind"] == "report_returned"
    text = " ".join(text_of(returned).split())
    assert "Lý do: Thiếu số liệu chỉ tiêu T2" in text
    assert "Thời hạn không thay đổi: ngày 30 tháng 11 năm 2023" in text
    again = links_of(returned)["Báo cáo kết quả"].rsplit("/", 1)[1]
    with unit_of_work(app.engine) as session:
        submit = use_link(session=session, signer=app.signer, token=again, at=app.now(), tz=VN)
    assert submit.result.to_status == "reported"
