"""The console's pages and actions through Starlette's TestClient: what each role sees, the
"Giao việc mới" flow from an upload to a launched cascade, actions recorded with the user as
actor through channel 'web', the inbox, contacts, exports, the outbox."""

from __future__ import annotations

import csv
import io
import re
from urllib.parse import urlencode

import sqlalchemy as sa

from models.console_tables import UserAccount
from models.db import unit_of_work
from models.tables import BodyContact, Outbox, Task, TaskEvent
from services.actions import record_action
from services.setup import initialise
from tests.conftest import VN, at
from tests.console.conftest import USERS, csrf_of, login
from tests.web.conftest import task_id

SHARED = __import__("pathlib").Path(__file__).resolve().parents[3] / "shared" / "directives"
DOC_45 = SHARED / "45-KH-DDTLD-2023-nghi-quyet-29.txt"
NUMBER = "48-KH/ĐĐTLĐ"


def docx_of(path) -> bytes:
    """A Word document with the lines of a shared directive's text."""
    from docx import Document

    doc = Document()
    for line in path.read_text(encoding="utf-8").splitlines():
        doc.add_paragraph(line)
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


def _user_id(app, role):
    with unit_of_work(app.engine, write=False) as session:
        return session.exec(sa.select(UserAccount.id).where(
            UserAccount.email == USERS[role])).scalar_one()


def test_every_page_reads_in_vietnamese_for_a_viewer(launched_app, web):
    client = web("viewer")
    tid = task_id(launched_app.engine, "III.1", "tld_bch")
    expect = {"/": ["Tổng quan", "trong hạn", "sắp đến hạn", "quá hạn", "Theo văn bản"],
              "/directives": ["Văn bản (1)", NUMBER],
              f"/directives/{NUMBER}": ["Bảng theo dõi", "83 nhiệm vụ", "Báo cáo sơ kết"],
              f"/tasks/{tid}": ["Diễn biến", "giao nhiệm vụ", "Thư đã gửi", "chủ trì"],
              "/inbox": ["Xin gia hạn (0)", "Báo cáo chờ chấp nhận"],
              "/bodies": ["Đơn vị", "LĐLĐ tỉnh, thành phố"], "/outbox": ["chờ gửi"]}
    for path, texts in expect.items():
        page = client.get(path)
        assert page.status_code == 200, path
        for text in texts:
            assert text in page.text, (path, text)
    assert client.get("/directives/new").status_code == 403  # a coordinator's page
    assert client.get("/directives/99-KH/X").status_code == 404


def test_giao_viec_moi_from_a_docx_to_a_launched_cascade(console_app, web):
    """Upload the .docx of 45-KH (recognised by content), settle the unspecified bodies, choose
    the yearly day, preview, launch: the board lists the tasks, launched by the user via web."""
    client = web("coordinator")
    new = client.get("/directives/new")
    created = client.post("/directives/new", data={"csrf_token": csrf_of(new.text)},
                          files={"document": ("tai-lieu.bin", docx_of(DOC_45))},
                          follow_redirects=False)
    assert created.status_code == 303
    review_url = created.headers["location"]
    review = client.get(review_url)
    assert "45-KH/ĐĐTLĐ" in review.text and "chưa xác định" in review.text
    assert review.text.count('class="item flagged"') >= 4  # the items naming "các ban liên quan"
    # keep every body but the unspecified set: send the form as the page has it, unchecked
    box = r'<input type="checkbox" name="(i-\d+-(?:lead|cooperating))" value="([^"]+)" checked>'
    fields = re.findall(box, review.text)
    data = [(k, v) for k, v in fields if v != "group:cac_ban_lien_quan"]
    for n in range(len(re.findall(r'name="i-(\d+)-task"', review.text))):
        text = re.search(rf'name="i-{n}-task" rows="3">(.*?)</textarea>', review.text, re.S)[1]
        data += [(f"i-{n}-task", text), (f"i-{n}-dk", "keep"), (f"i-{n}-dv", "")]
    data += [("csrf_token", csrf_of(review.text)), ("go", "preview")]
    saved = client.post(review_url, content=urlencode(data), follow_redirects=False,
                        headers={"content-type": "application/x-www-form-urlencoded"})
    assert saved.status_code == 303 and saved.headers["location"].endswith("/preview")
    preview = client.get(saved.headers["location"])
    assert "Chọn ngày cho các việc hằng năm" in preview.text
    client.post(f"{review_url}/days", data={"csrf_token": csrf_of(preview.text), "day-III.1": "15/12"})
    preview = client.get(f"{review_url}/preview")
    assert "Sẽ tạo" in preview.text
    planned = int(re.search(r"Sẽ tạo <strong>(\d+) nhiệm vụ", preview.text)[1])
    refused = client.post(f"{review_url}/launch", data={"csrf_token": csrf_of(preview.text)})
    assert refused.status_code == 400  # not confirmed
    launched = client.post(f"{review_url}/launch", data={"csrf_token": csrf_of(preview.text),
                                                         "confirm": "yes"}, follow_redirects=False)
    assert launched.status_code == 303
    board = client.get(launched.headers["location"])
    assert "Đã khởi chạy 45-KH/ĐĐTLĐ" in board.text and f"{planned} nhiệm vụ" in board.text
    with unit_of_work(console_app.engine, write=False) as session:
        actors = set(session.exec(sa.select(TaskEvent.actor, TaskEvent.channel)).all())
    assert actors == {(f"user:{_user_id(console_app, 'coordinator')}", "web")}
    assert client.get(review_url).status_code == 404  # the draft is closed once launched


def test_a_draft_survives_a_reload_and_a_logout(console_app, web):
    client = web("coordinator")
    new = client.get("/directives/new")
    created = client.post("/directives/new", data={"csrf_token": csrf_of(new.text),
                                                   "text": DOC_45.read_text(encoding="utf-8")},
                          follow_redirects=False)
    url = created.headers["location"]
    client.post("/logout", data={"csrf_token": csrf_of(client.get(url).text)})
    again = web("coordinator")
    assert url in again.get("/directives/new").text
    assert "45-KH/ĐĐTLĐ" in again.get(url).text
    other = web("coordinator")  # the same person elsewhere: fine; another user cannot see it
    assert other.get(url).status_code == 200


def test_uploads_are_checked_by_content_and_size(make_app, clock):
    from starlette.testclient import TestClient

    from services.accounts import create_user
    from web.app import create_app

    app = make_app(clock=clock, CASCADE_UPLOAD_MAX_MB="1")
    initialise(engine=app.engine, registry=app.registry, contacts=app.contacts, at=clock())
    with unit_of_work(app.engine) as session:
        create_user(session=session, email=USERS["coordinator"], name="A", role="coordinator",
                    password="mật-khẩu-đủ-dài-2026", at=clock())
    with TestClient(create_app(app)) as client:
        login(client, "coordinator")
        for name, data, message in (
                ("ke-hoach.docx", b"MZ\x90\x00\x03binary", "không phải văn bản Word"),
                ("ke-hoach.docx", b"PK\x03\x04not a zip at all", "không phải văn bản Word (.docx)"),
                ("ke-hoach.txt", "Kế hoạch ".encode() * 150_000, "quá giới hạn")):
            page = client.get("/directives/new")
            response = client.post("/directives/new", data={"csrf_token": csrf_of(page.text)},
                                   files={"document": (name, data)})
            assert response.status_code == 400 and message in response.text, name
        assert "Chưa có bản nháp nào" in client.get("/directives/new").text


def test_a_web_action_names_the_user_and_acts_for_the_coordinator(launched_app, web):
    """Extend from the task page: the event's actor is the user, channel 'web', on behalf of
    the cascade's coordinator; the timeline shows the user's name; no mail to the coordinator."""
    client = web("coordinator")
    tid = task_id(launched_app.engine, "III.1", "tld_bch")
    confirm = client.get(f"/tasks/{tid}/confirm?action=extend")
    assert confirm.status_code == 200 and 'name="until"' in confirm.text
    done = client.post(f"/tasks/{tid}/act", data={"csrf_token": csrf_of(confirm.text),
                                                  "action": "extend", "until": "2024-01-31",
                                                  "note": "Theo chỉ đạo"}, follow_redirects=False)
    assert done.status_code == 303
    with unit_of_work(launched_app.engine, write=False) as session:
        event = session.exec(sa.select(TaskEvent).where(TaskEvent.task_id == tid)
                             .order_by(TaskEvent.id.desc())).scalars().first()
        mails = session.exec(sa.select(Outbox.body_id).where(Outbox.event_id == event.id)).all()
    uid = _user_id(launched_app, "coordinator")
    assert (event.actor, event.channel, event.action) == (f"user:{uid}", "web", "extend")
    assert event.data["on_behalf_of"] == "tld_van_phong_dang_doan"
    assert mails == [("tld_bch",)]  # the body is told; the coordinator acted itself
    page = client.get(done.headers["location"])
    assert "Đã ghi nhận: gia hạn" in page.text and "Nguyễn Văn An (điều phối viên)" in page.text
    assert "trang quản trị" in page.text and "31/01/2024" in page.text


def test_a_refused_action_says_why_and_changes_nothing(launched_app, web):
    client = web("coordinator")
    tid = task_id(launched_app.engine, "III.1", "tld_bch")
    page = client.get(f"/tasks/{tid}")
    response = client.post(f"/tasks/{tid}/act", data={"csrf_token": csrf_of(page.text),
                                                      "action": "grant-extension"})
    assert response.status_code == 409 and "Chưa có gì thay đổi" in response.text
    bad = client.post(f"/tasks/{tid}/act", data={"csrf_token": csrf_of(page.text),
                                                 "action": "extend", "until": "31/02/2024"})
    assert bad.status_code == 400 and "không có thật" in bad.text
    accept = client.post(f"/tasks/{tid}/act", data={"csrf_token": csrf_of(page.text),
                                                    "action": "accept"})  # nothing reported yet
    assert accept.status_code == 409 and "không có báo cáo chờ chấp nhận" in accept.text
    with unit_of_work(launched_app.engine, write=False) as session:
        assert session.get(Task, tid).status == "assigned"


def test_a_supervisor_extends_and_reminds_but_cannot_cancel(launched_app, web):
    client = web("supervisor")
    tid = task_id(launched_app.engine, "III.1", "tld_bch")
    page = client.get(f"/tasks/{tid}")
    assert "/confirm?action=extend" in page.text and "/confirm?action=cancel" not in page.text
    token = csrf_of(page.text)
    assert client.post(f"/tasks/{tid}/act", data={"csrf_token": token, "action": "remind"},
                       follow_redirects=False).status_code == 303
    assert client.get(f"/tasks/{tid}/confirm?action=cancel").status_code == 403
    refused = client.post(f"/tasks/{tid}/act", data={"csrf_token": token, "action": "cancel"})
    assert refused.status_code == 403
    with unit_of_work(launched_app.engine, write=False) as session:
        assert session.get(Task, tid).status == "assigned"
        kinds = session.exec(sa.select(Outbox.kind).where(Outbox.task_id == tid)).scalars().all()
    assert "manual_reminder" in kinds


def test_the_inbox_grants_an_extension_and_accepts_a_report(launched_app, web):
    e = launched_app.engine
    ext, rep = task_id(e, "III.7", "ldld_ha_noi"), task_id(e, "III.1", "tld_bch")
    import datetime as dt

    with unit_of_work(e) as session:
        record_action(session=session, task_id=ext, action="request-extension", actor="ldld_ha_noi",
                      channel="email-link", at=at("2023-08-01 08:00"), tz=VN,
                      until=dt.date(2024, 2, 1), note="Chờ số liệu")
        record_action(session=session, task_id=rep, action="report", actor="tld_bch",
                      channel="email-link", at=at("2023-08-01 08:30"), tz=VN, note="Báo cáo 12/BC")
    client = web("coordinator")
    inbox = client.get("/inbox")
    assert "Chờ số liệu" in inbox.text and "Báo cáo 12/BC" in inbox.text
    token = csrf_of(inbox.text)
    client.post(f"/tasks/{ext}/act", data={"csrf_token": token, "action": "grant-extension",
                                           "until": "2024-02-01", "next": "/inbox"})
    after = client.post(f"/tasks/{rep}/act", data={"csrf_token": token, "action": "accept",
                                                   "next": "/inbox"})
    assert "chấp nhận báo cáo" in after.text and "Không có báo cáo nào đang chờ" in after.text
    from reports.summarise import summarise_directive

    with unit_of_work(e, write=False) as session:  # a month after the new date: overdue
        summary = summarise_directive(session=session, number=NUMBER, at=at("2024-03-01 09:00"),
                                      tz=VN, calendar=launched_app.calendar, near_due_working_days=3)
    [late] = [o for o in summary.overdue if o.task.id == ext]
    assert "Nguyễn Văn An" in {ev.actor_name for ev in late.history}  # the grant, by name
    with unit_of_work(e, write=False) as session:
        assert session.get(Task, rep).status == "done"
        assert (session.get(Task, ext).status, str(session.get(Task, ext).due_on)) == (
            "in_progress", "2024-02-01")


def test_a_coordinator_edits_an_address_and_init_keeps_it(launched_app, web):
    client = web("coordinator")
    token = csrf_of(client.get("/bodies").text)
    bad = client.post("/bodies/tld_bch/contacts", data={"csrf_token": token, "addresses": "khong-hop-le"})
    assert bad.status_code == 400 and "không hợp lệ" in bad.text
    client.post("/bodies/tld_bch/contacts",
                data={"csrf_token": token, "addresses": "bch@congdoan.vn; vp.bch@congdoan.vn"})
    initialise(engine=launched_app.engine, registry=launched_app.registry,
               contacts=launched_app.contacts, at=at("2023-08-02 08:00"))  # the file is the seed
    with unit_of_work(launched_app.engine, write=False) as session:
        kept = session.exec(sa.select(BodyContact.address).where(BodyContact.body_id == "tld_bch")
                            .order_by(BodyContact.position)).scalars().all()
    assert kept == ["bch@congdoan.vn", "vp.bch@congdoan.vn"]
    assert "sửa trên trang quản trị" in client.get("/bodies").text


def test_exports_follow_the_filters(launched_app, web):
    from openpyxl import load_workbook

    client = web("viewer")
    query = f"directive={NUMBER}&kind=provincial_federation"
    data = client.get(f"/exports/tasks.csv?{query}")
    assert data.headers["content-disposition"].startswith("attachment;")
    rows = list(csv.reader(io.StringIO(data.content.decode("utf-8-sig"))))
    assert rows[0][0] == "Số nhiệm vụ" and len(rows) - 1 >= 34
    assert {r[7] for r in rows[1:]} == {"LĐLĐ tỉnh, thành phố"}
    book = load_workbook(io.BytesIO(client.get(f"/exports/tasks.xlsx?{query}").content))
    assert book.active.max_row == len(rows) + 1  # a title row, then the same rows
    docx = client.get(f"/reports/summary.docx?directive={NUMBER}")
    assert docx.content.startswith(b"PK") and "attachment" in docx.headers["content-disposition"]
    assert client.get(f"/reports/summary.json?directive={NUMBER}").json()


def test_a_failed_mail_is_put_back_in_the_queue(launched_app, web):
    with unit_of_work(launched_app.engine) as session:
        row = session.exec(sa.select(Outbox)).scalars().first()
        row.status, row.last_error = "failed", "550 hộp thư không tồn tại"
        session.add(row)
        mail_id = row.id
    client = web("coordinator")
    failed = client.get("/outbox?failed=1")
    assert "550 hộp thư không tồn tại" in failed.text
    client.post(f"/outbox/{mail_id}/retry", data={"csrf_token": csrf_of(failed.text)})
    with unit_of_work(launched_app.engine, write=False) as session:
        assert session.get(Outbox, mail_id).status == "pending"


def test_the_review_says_on_the_row_what_the_drafter_was_unsure_of(console_app, web):
    """Pasted text whose sub-items take their lead from the item above: the row says where the
    lead came from and its lines, beside the fields to correct."""
    client = web("coordinator")
    new = client.get("/directives/new")
    text = ("ỦY BAN NHÂN DÂN TỈNH BẮC NINH\nSố: 12/KH-UBND\nBắc Ninh, ngày 20 tháng 11 năm 2025\n"
            "KẾ HOẠCH\nIV. TỔ CHỨC THỰC HIỆN\n"
            "1. Đề nghị Liên đoàn Lao động tỉnh thực hiện các nội dung sau:\n"
            "- Tuyên truyền Luật Công đoàn đến đoàn viên, người lao động.\n")
    created = client.post("/directives/new", data={"csrf_token": csrf_of(new.text), "text": text},
                          follow_redirects=False)
    review = client.get(created.headers["location"])
    assert review.status_code == 200
    assert "? đơn vị lấy từ câu dẫn hoặc đề mục phía trên, kiểm tra lại" in review.text
    assert re.search(r'class="doubt">.*\(dòng \d+–\d+\)', review.text)
