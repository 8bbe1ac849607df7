"""What people read, in words they use: mails name the console user who acted, not 'user:1';
the console's forms agree with themselves; exports and pages as people open them."""

from __future__ import annotations

from models.db import unit_of_work
from notifications.mailer import RecordingMailer
from services.actions import record_action
from tests.conftest import VN, FixedClock, at
from tests.console.conftest import NAMES, csrf_of
from tests.mail.conftest import dispatch
from tests.web.conftest import task_id


def _body_text(message) -> str:
    part = message.get_body(preferencelist=("plain",))
    return part.get_content()


def test_a_department_mail_names_the_user_who_acted(launched_app, web):
    app = launched_app
    client = web("coordinator")
    tid = task_id(app.engine, "III.3", "tld_ban_tuyen_giao")
    page = client.get(f"/tasks/{tid}/confirm", params={"action": "cancel"})
    done = client.post(f"/tasks/{tid}/act", data={"csrf_token": csrf_of(page.text),
                                                  "action": "cancel", "note": "Đã gộp vào mục khác"},
                       follow_redirects=False)
    assert done.status_code == 303
    mailer = RecordingMailer()
    dispatch(engine=app.engine, mailer=mailer, settings=app.settings,
             clock=FixedClock(at("2023-08-01 10:05")))
    cancelled = [m for m in mailer.sent if "Nguyễn Văn An" in _body_text(m)]
    assert cancelled, [m["Subject"] for m in mailer.sent]
    assert all("user:" not in _body_text(m) for m in mailer.sent)
    assert NAMES["coordinator"] in _body_text(cancelled[0])


def test_returning_a_report_asks_for_the_reason_it_needs(launched_app, web):
    """The return form says the reason is required (the service refuses a return without one),
    where other actions keep an optional note."""
    client = web("coordinator")
    tid = task_id(launched_app.engine, "III.3", "tld_ban_tuyen_giao")
    with unit_of_work(launched_app.engine) as session:
        record_action(session=session, task_id=tid, action="report", actor="tld_ban_tuyen_giao",
                      at=at("2023-08-01 09:00"), tz=VN, note="Đã xong")
    page = client.get(f"/tasks/{tid}/confirm", params={"action": "return"})
    assert "Lý do trả lại (bắt buộc)" in page.text and "không bắt buộc" not in page.text
    refused = client.post(f"/tasks/{tid}/act", data={"csrf_token": csrf_of(page.text),
                                                     "action": "return", "note": ""})
    assert refused.status_code == 400 and "cần lý do" in refused.text
    assert "Lý do trả lại (bắt buộc)" in refused.text
    other = client.get(f"/tasks/{tid}/confirm", params={"action": "accept"})
    assert "Ghi chú (không bắt buộc)" in other.text


def test_the_xlsx_export_holds_real_dates_shown_day_month_year(launched_app, web):
    import datetime as dt
    import io

    from openpyxl import load_workbook

    client = web("viewer")
    data = client.get("/exports/tasks.xlsx", params={"directive": "48-KH/ĐĐTLĐ",
                                                     "assignment": "III.1"}).content
    sheet = load_workbook(io.BytesIO(data)).active
    rows = list(sheet.iter_rows(min_row=3))
    assert rows
    due = rows[0][10]  # Hạn
    assert due.is_date and due.value.date() == dt.date(2023, 12, 15)
    assert due.number_format == "DD/MM/YYYY"
    csv_text = client.get("/exports/tasks.csv", params={"directive": "48-KH/ĐĐTLĐ",
                                                        "assignment": "III.1"}).content
    assert "15/12/2023" in csv_text.decode("utf-8-sig")


def test_pages_speak_to_people_not_to_the_command_line(launched_app, web):
    login = web().get("/login").text
    assert "cascade users" not in login and "liên hệ người quản trị hệ thống" in login
    ranking = web("coordinator").get("/evaluation").text
    assert "evaluation.yaml" not in ranking and ".yaml" not in ranking
    assert "thang chấm điểm chung do quản trị hệ thống thiết lập" in ranking


def test_standing_tasks_read_thuong_xuyen_on_the_board_and_in_exports(launched_app, web):
    client = web("viewer")
    board = client.get("/directives/48-KH/ĐĐTLĐ", params={"assignment": "III.3"}).text
    row = board[board.index("<tbody"):board.index("</tbody>")]
    assert "thường xuyên" in row and "không thời hạn" not in board
    text = client.get("/exports/tasks.csv", params={"directive": "48-KH/ĐĐTLĐ",
                                                    "assignment": "III.3"}).content.decode("utf-8-sig")
    assert "thường xuyên" in text and "không thời hạn" not in text


def test_a_standing_tasks_link_page_says_thuong_xuyen(launched_app, web):
    from services.links import issue_link

    tid = task_id(launched_app.engine, "III.3", "tld_ban_tuyen_giao")
    with unit_of_work(launched_app.engine) as session:
        token = issue_link(session=session, signer=launched_app.signer, task_id=tid,
                           action="acknowledge", actor="tld_ban_tuyen_giao",
                           at=at("2023-08-01 10:00"), ttl_days=60)
    body = web()
    page = body.get(f"/l/{token}").text
    assert "<dt>Thời hạn</dt><dd>thường xuyên</dd>" in page
    done = body.post(f"/l/{token}")  # the page after the click reads the task the same way
    assert done.status_code == 200 and "không thời hạn" not in done.text
