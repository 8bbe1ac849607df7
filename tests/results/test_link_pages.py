"""The 'Báo cáo kết quả' link page with files and figures, the review pages (accept, return)
and the file downloads, through Starlette's TestClient. Every refusal: 400, what and where in
Vietnamese, the form kept, the link unused, nothing stored."""

from __future__ import annotations

import hashlib
import re

import pytest
import sqlalchemy as sa
from sqlmodel import select
from starlette.testclient import TestClient

from models.db import unit_of_work
from models.tables import LinkToken, ReportFigure, ReportFile, Task, TaskEvent, TaskReport
from services.links import token_hash
from tests.conftest import FixedClock, at
from tests.results.conftest import COORDINATOR, task_of
from tests.results.samples import PDF, PNG, docx_bytes
from tests.web.conftest import SECRET
from tests.web.conftest import issue as issue_at

MB = 1024 * 1024


def issue(engine, tid, action, **kw):
    """A link issued the morning of the test's clock (20/11/2023)."""
    return issue_at(engine, tid, action, when=at("2023-11-20 08:00"), **kw)


@pytest.fixture
def app(make_app, plan):
    return make_app(clock=FixedClock(at("2023-11-20 10:00")), CASCADE_SECRET_KEY=SECRET,
                    CASCADE_UPLOAD_MAX_MB="1", CASCADE_UPLOAD_MAX_FILES="2")


@pytest.fixture
def client(app):
    from web.app import create_app

    with TestClient(create_app(app)) as test_client:
        yield test_client


def stored_files(app):
    return sorted(p.name for p in app.settings.files_dir.rglob("*") if p.is_file()) \
        if app.settings.files_dir.exists() else []


def state(engine, token):
    with unit_of_work(engine, write=False) as session:
        count = lambda model: session.scalar(select(sa.func.count()).select_from(model))  # noqa: E731
        tasks = session.exec(select(Task.id, Task.status, Task.version).order_by(Task.id)).all()
        used = session.exec(select(LinkToken.used_at)
                            .where(LinkToken.token_hash == token_hash(token))).one()
        return (tuple(tasks), count(TaskEvent), count(TaskReport), count(ReportFile),
                count(ReportFigure), used)


def post(client, token, *, note="Đã hoàn thành", files=(), **figures):
    data = {"note": note, **{f"figure-{k}": v for k, v in figures.items()}}
    return client.post(f"/l/{token}", data=data,
                       files=[("files", (name, body, "application/octet-stream"))
                              for name, body in files] or None)


def test_the_report_page_has_files_and_one_field_per_target(plan, client):
    """GET: a multipart form, a file input with the limits, a field per target with its unit."""
    token = issue(plan, task_of(plan, "ldld_ha_noi"), "report")
    html = client.get(f"/l/{token}").text
    assert 'enctype="multipart/form-data"' in html
    assert 'type="file" id="files" name="files" multiple accept=".docx,.pdf,.xlsx,.jpg,.jpeg,.png"' \
        in html
    assert "Tối đa 2 tệp .docx, .pdf, .xlsx, .jpg, .jpeg, .png, mỗi tệp không quá 1 MB" in html
    assert 'name="figure-T1"' in html and "Đơn vị tính: đoàn viên; chỉ tiêu 10.000 đoàn viên" in html
    assert 'name="figure-T2"' in html and "Đơn vị tính: %; chỉ tiêu 80% năm 2023" in html


@pytest.mark.parametrize("typed", ["12,5", "12.5"])
def test_a_report_with_a_file_and_figures_is_recorded(plan, app, client, typed):
    """POST a .docx and figures ('12,5' and '12.5' are the same): the result page lists them;
    the file is on disk under its hash, the figures in the database."""
    tid = task_of(plan, "ldld_ha_noi")
    token = issue(plan, tid, "report")
    page = post(client, token, files=[("Báo cáo quý 3.docx", docx_bytes())], T1="2.500", T2=typed)
    assert page.status_code == 200, page.text
    assert "Đã ghi nhận: báo cáo kết quả thực hiện" in page.text
    assert "Báo cáo quý 3.docx" in page.text and "12,5%" in page.text and "2.500 đoàn viên" in page.text
    assert stored_files(app) == [hashlib.sha256(docx_bytes()).hexdigest()]
    with unit_of_work(plan, write=False) as session:
        assert session.get(Task, tid).status == "reported"
        assert sorted(session.exec(select(ReportFigure.value)).all()) == [12.5, 2500.0]
        assert session.exec(select(TaskReport.channel)).one() == "email-link"


REFUSALS = [
    ("three files", dict(files=[("a.pdf", PDF), ("b.pdf", PDF), ("c.pdf", PDF)]),
     "chọn 3 tệp, mỗi báo cáo tối đa 2 tệp"),
    ("a file over 1 MB", dict(files=[("lon.pdf", PDF + b"0" * MB)]), "vượt giới hạn 1 MB mỗi tệp"),
    ("a request over the cap", dict(files=[("rat-lon.pdf", PDF + b"0" * 3 * MB)]),
     "nội dung gửi lên vượt quá 3 MB"),
    ("content not matching the name", dict(files=[("bao-cao.docx", PNG)]),
     "tên là tệp Word (.docx) nhưng nội dung là ảnh PNG"),
    ("a path in the name", dict(files=[("../../bao-cao.pdf", PDF)]), "đường dẫn thư mục"),
    ("a control character", dict(files=[("bao\x1b[2Jcao.pdf", PDF)]), "ký tự điều khiển"),
    ("an empty file", dict(files=[("trong.pdf", b"")]), "rỗng (0 byte)"),
    ("a figure that is not a number", dict(T1="khoảng hai nghìn"),
     "chỉ tiêu T1 (đoàn viên): «khoảng hai nghìn» không phải số"),
]


@pytest.mark.parametrize("case, fields, words", REFUSALS, ids=[r[0] for r in REFUSALS])
def test_refusals_change_nothing_and_keep_the_form(plan, app, client, case, fields, words):
    """400 with the reason; the typed summary and figures are still in the form; the link is
    unused; no status, event, row or file changes."""
    token = issue(plan, task_of(plan, "ldld_ha_noi"), "report")
    before = state(plan, token)
    figures = {"T2": "75,5"} | {k: v for k, v in fields.items() if k.startswith("T")}
    page = post(client, token, note="Tóm tắt giữ lại", files=fields.get("files", ()), **figures)
    assert page.status_code == 400
    html = page.text.replace("&#34;", '"').replace("&#39;", "'")
    assert words.lower() in html.replace("\n", " ").lower()
    assert "Chưa có gì thay đổi, chưa lưu tệp nào." in html
    if case != "a request over the cap":  # that request is refused unread
        assert "Tóm tắt giữ lại" in html and 'value="75,5"' in html
    assert 'enctype="multipart/form-data"' in html
    assert state(plan, token) == before and stored_files(app) == []


def test_a_request_streamed_without_its_length_is_cut_at_the_cap(plan, app, client):
    """A chunked upload (no Content-Length) is counted as it arrives and refused past the cap."""
    token = issue(plan, task_of(plan, "ldld_ha_noi"), "report")
    before = state(plan, token)
    boundary = "xyz"
    head = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"files\"; "
            f"filename=\"lon.pdf\"\r\nContent-Type: application/pdf\r\n\r\n").encode()

    def body():
        yield head + PDF
        for _ in range(4):
            yield b"0" * MB
        yield f"\r\n--{boundary}--\r\n".encode()

    page = client.post(f"/l/{token}", content=body(),
                       headers={"content-type": f"multipart/form-data; boundary={boundary}"})
    assert page.status_code == 400 and "vượt quá 3 MB" in page.text
    assert state(plan, token) == before and stored_files(app) == []


def test_a_post_replayed_after_success_is_refused_and_stores_nothing_more(plan, app, client):
    """The same POST again: 'already done' (410), no second report, no second file."""
    token = issue(plan, task_of(plan, "ldld_ha_noi"), "report")
    assert post(client, token, files=[("a.pdf", PDF)], T1="10").status_code == 200
    after = state(plan, token)
    again = post(client, token, files=[("b.docx", docx_bytes())], T1="20")
    assert again.status_code == 410 and "Việc này đã được thực hiện" in again.text
    assert state(plan, token) == after and stored_files(app) == [hashlib.sha256(PDF).hexdigest()]


def reported(plan, client, body="ldld_ha_noi"):
    tid = task_of(plan, body)
    assert post(client, issue(plan, tid, "report"), note="Xong",
                files=[("Báo cáo.docx", docx_bytes()), ("Phụ lục.pdf", PDF)],
                T1="2.500").status_code == 200
    return tid


def test_the_accept_page_shows_the_report_and_serves_its_files(plan, app, client):
    """The coordinator's accept page lists the files (downloadable through that link, as an
    attachment with the original name) and the figures, the missing one too."""
    tid = reported(plan, client)
    token = issue(plan, tid, "accept", actor=COORDINATOR)
    html = client.get(f"/l/{token}").text
    assert "Chấp nhận báo cáo kết quả" in html and "chờ xem xét" in html
    links = re.findall(r'href="(/l/[^"]+/files/\d+)">([^<]+)</a>', html)
    assert [name for _, name in links] == ["Báo cáo.docx", "Phụ lục.pdf"]
    assert "2.500 đoàn viên" in html and "chưa báo cáo" in html
    got = client.get(links[0][0])
    assert got.status_code == 200 and got.content == docx_bytes()
    assert got.headers["content-type"].startswith("application/vnd.openxmlformats-officedocument")
    assert got.headers["content-disposition"] == (
        "attachment; filename=\"B_o_c_o.docx\"; filename*=UTF-8''B%C3%A1o%20c%C3%A1o.docx")
    assert got.headers["x-content-type-options"] == "nosniff"


def test_files_are_served_only_through_a_valid_link_of_their_task(plan, app, client):
    """A link of another task: 404; a tampered token: 400; an unknown token: 404."""
    tid = reported(plan, client)
    token = issue(plan, tid, "accept", actor=COORDINATOR)
    file_id = int(re.search(r"/files/(\d+)", client.get(f"/l/{token}").text).group(1))
    other = issue(plan, task_of(plan, "ldld_hue"), "report")
    assert client.get(f"/l/{other}/files/{file_id}").status_code == 404
    tampered = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    assert client.get(f"/l/{tampered}/files/{file_id}").status_code == 400
    assert client.get(f"/l/{'x' * 43}.{'y' * 22}/files/{file_id}").status_code in (400, 404)
    assert client.get(f"/l/{token}/files/{file_id + 99}").status_code == 404


def test_accept_by_link_closes_the_task_dated_by_the_report(plan, app, client):
    """Pressing accept a week later: done, closed at the report's time."""
    tid = reported(plan, client)
    token = issue(plan, tid, "accept", actor=COORDINATOR)
    app.clock.set(at("2023-11-27 08:00"))
    page = client.post(f"/l/{token}", data={"note": ""})
    assert page.status_code == 200 and "sang «hoàn thành»" in page.text
    with unit_of_work(plan, write=False) as session:
        task = session.get(Task, tid)
        assert (task.status, task.closed_at) == ("done", at("2023-11-20 10:00"))


def test_return_by_link_needs_a_reason(plan, app, client):
    """Without a reason: 400, the form again, nothing changes; with one: returned."""
    tid = reported(plan, client)
    token = issue(plan, tid, "return", actor=COORDINATOR)
    assert 'name="note" required' in client.get(f"/l/{token}").text
    before = state(plan, token)
    page = client.post(f"/l/{token}", data={"note": " "})
    assert page.status_code == 400 and "Trả lại báo cáo cần lý do" in page.text
    assert state(plan, token) == before
    page = client.post(f"/l/{token}", data={"note": "Bổ sung phụ lục"})
    assert page.status_code == 200 and "sang «trả lại»" in page.text


def test_two_bodies_sending_the_same_file_by_link_store_it_once_on_disk(plan, app, client):
    """Hà Nội and Huế attach the same PDF under different names: one file in the folder."""
    for body in ("ldld_ha_noi", "ldld_hue"):
        token = issue(plan, task_of(plan, body), "report")
        assert post(client, token, files=[(f"bao-cao-{body}.pdf", PDF)]).status_code == 200
    assert stored_files(app) == [hashlib.sha256(PDF).hexdigest()]
    with unit_of_work(plan, write=False) as session:
        assert len(session.exec(select(ReportFile.id)).all()) == 2
