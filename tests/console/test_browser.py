"""The console in a real browser (Debian's Chromium, headless, via Playwright) on a real uvicorn:
the coordinator's whole path, and a supervisor who sees the board but not a coordinator's action.

Set CASCADE_SCREENSHOTS=/some/dir to keep the screenshots (dashboard, review page, board at
1280 px and 375 px); by default they go to the test's temporary directory.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
import sqlalchemy as sa

from models.db import unit_of_work
from models.tables import Assignment, Task, TaskEvent
from services.accounts import create_user
from services.setup import initialise
from tests.conftest import FixedClock, at
from tests.console.conftest import NAMES, PASSWORD, USERS
from tests.console.test_pages import SHARED, docx_of
from tests.web.conftest import SECRET, issue, uvicorn_server
from tests.web.test_browser import CHROMIUM

DOC = SHARED / "160-KH-UBND-2025-can-tho.txt"
WIDE, PHONE = {"width": 1280, "height": 900}, {"width": 375, "height": 812}

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"{CHROMIUM} missing"),
    pytest.mark.skipif(not DOC.exists(), reason="../shared/directives is not beside the checkout"),
]


@pytest.fixture
def site(make_app, tmp_path):
    """An App whose clock stands a few days after 160/KH-UBND was issued, with the accounts."""
    clock = FixedClock(at("2025-11-25 09:00"))
    app = make_app(clock=clock, CASCADE_SECRET_KEY=SECRET)
    initialise(engine=app.engine, registry=app.registry, contacts=app.contacts, at=clock())
    with unit_of_work(app.engine) as session:
        for role in ("coordinator", "supervisor"):
            create_user(session=session, email=USERS[role], name=NAMES[role], role=role,
                        password=PASSWORD, at=clock())
    return app


@pytest.fixture
def server(site):
    from web.app import create_app

    with uvicorn_server(create_app(site)) as url:
        yield url


def _page(browser, viewport=WIDE):
    context = browser.new_context(viewport=viewport, locale="vi-VN", accept_downloads=True)
    return context.new_page()


def _login(page, server, role):
    """With the keyboard only: type the e-mail, Tab, the password, Enter."""
    from playwright.sync_api import expect

    page.goto(f"{server}/login")
    # the page's CSP forbids eval, so no wait_for_function polling: Playwright's own check
    expect(page.locator("#email")).to_be_focused(timeout=20_000)
    page.keyboard.type(USERS[role])  # the e-mail field has the focus
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.locator("h1").inner_text().startswith("Tổng quan"), page.locator("main").inner_text()


WIDER = """w => [...document.querySelectorAll('body *')]
  .filter(e => e.getBoundingClientRect().right > w + 1)
  .slice(0, 5).map(e => e.tagName + '.' + e.className + ' ' + (e.textContent || '').slice(0, 40))"""


def _wider(page, width):
    """What sticks out past `width` (nothing, when the page fits a phone)."""
    if page.evaluate("document.documentElement.scrollWidth") <= width:
        return []
    return page.evaluate(WIDER, width)


def _shoot(browser, server, shots, name, path, role="coordinator"):
    """The page at `path` at both widths; what is wider than the phone (nothing, we hope)."""
    wider = []
    for label, viewport in (("1280", WIDE), ("375", PHONE)):
        page = _page(browser, viewport)
        _login(page, server, role)
        page.goto(f"{server}{path}")
        page.screenshot(path=str(shots / f"{name}-{label}.png"), full_page=True)
        if label == "375":
            wider = _wider(page, PHONE["width"])
        page.context.close()
    return wider


def _decide(page, phrase, choice, target=None):
    """A name's decision on the review form (saved with the form's «Lưu»)."""
    box = page.locator("fieldset.name", has=page.locator(f"input[value='{phrase}']"))
    if target:
        box.get_by_label("Hoặc gõ đơn vị, nhóm trong sổ").fill(target)
    else:
        box.locator(f"input[type=radio][value='{choice}']").check()


def test_the_coordinators_whole_path(site, server, browser, shots, tmp_path):
    """Log in; upload the .docx of a shared directive; map an unresolved name and settle the
    others and a flagged item; launch; find the tasks on the board; filter to one body; approve
    an extension the body asked for through its mail link; accept a report; download the .docx
    summary."""
    page = _page(browser)
    _login(page, server, "coordinator")
    page.get_by_role("navigation").get_by_role("link", name="Giao việc mới").click()
    document = tmp_path / "ke-hoach-160.docx"
    document.write_bytes(docx_of(DOC))
    page.get_by_label("Văn bản chỉ đạo", exact=False).set_input_files(str(document))
    with page.expect_navigation():
        page.get_by_role("button", name="Soạn bản nháp").first.click()
    assert page.locator("h1").inner_text().startswith("Rà soát bản nháp: 160/KH-UBND")
    review_url = page.url
    assert page.locator("fieldset.name").count() == 5  # five distinct names to settle
    _decide(page, "Sở Nông nghiệp và Môi trường", "map", target="ldld_can_tho")
    _decide(page, "ỦY BAN NHÂN DÂN THÀNH PHỐ CẦN THƠ", "external")
    _decide(page, "Ủy ban Mặt trận Tổ quốc Việt Nam thành phố", "external")
    _decide(page, "Ủy ban nhân dân cấp xã", "external")
    _decide(page, "Các Sở, ngành", "drop")
    with page.expect_navigation():
        page.get_by_role("button", name="Lưu", exact=True).click()
    assert "Đã lưu bản nháp" in page.locator(".notice.ok").inner_text()
    page.goto(review_url)  # a reload keeps every decision: the draft is in the database
    assert page.locator("fieldset.name").count() == 0
    first = page.locator("#item-VI\\.1")
    assert "chưa xác định" in first.inner_text()  # the flagged "các ban liên quan"
    first.get_by_label("⚠ các ban liên quan").uncheck()
    first.get_by_label("Thời hạn", exact=False).select_option("date")
    first.get_by_label("Ngày, tháng hoặc quý").fill("31/12/2025")
    for ref in ("VI\\.2", "VI\\.2b"):  # their only body was dropped
        page.locator(f"#item-{ref}").get_by_label("Bỏ mục này").check()
    with page.expect_navigation():
        page.get_by_role("button", name="Lưu và xem trước").click()
    # one task per duty (domain.md): VI.1 a-c for the federation, VI.3 and VI.4 a-d outside
    assert "Sẽ tạo 8 nhiệm vụ" in page.locator("main").inner_text()
    page.get_by_label("Tôi đã rà soát", exact=False).check()
    with page.expect_navigation():
        page.get_by_role("button", name="Khởi chạy").click()
    assert "Đã khởi chạy 160/KH-UBND" in page.locator(".notice.ok").inner_text()
    assert "8 nhiệm vụ" in page.locator("main").inner_text()
    board_url = page.url

    can_tho = site.registry.label("ldld_can_tho")
    page.get_by_label("Đơn vị", exact=True).select_option(label=can_tho)
    with page.expect_navigation():
        page.get_by_role("button", name="Lọc").click()
    rows = page.locator("table.tasks tbody tr")
    assert rows.count() == 3 and all(can_tho in r.inner_text() for r in rows.all())

    with unit_of_work(site.engine, write=False) as session:
        tid = session.exec(sa.select(Task.id).join(Assignment, Assignment.id == Task.assignment_id)
                           .where(Task.body_id == "ldld_can_tho", Assignment.ref == "VI.1")
                           ).scalar_one()
    body = _page(browser, PHONE)  # the federation, from its mail, with no account
    body.goto(f"{server}/l/{issue(site.engine, tid, 'request-extension', when=site.clock())}")
    assert body.locator("input[name=until]").count() == 1, body.locator("main").inner_text()
    body.fill("input[name=until]", "2026-01-31")
    body.fill("textarea[name=note]", "Chờ số liệu của các xã")
    with body.expect_navigation():
        body.get_by_role("button", name="Xin gia hạn").click()
    assert "Đã ghi nhận" in body.locator("h1").inner_text()

    page.get_by_role("navigation").get_by_role("link", name="Việc chờ xử lý").click()
    assert "Chờ số liệu của các xã" in page.locator("main").inner_text()
    with page.expect_navigation():
        page.get_by_role("button", name="Đồng ý gia hạn").click()
    assert "đồng ý gia hạn" in page.locator(".notice.ok").inner_text()

    body.goto(f"{server}/l/{issue(site.engine, tid, 'report', when=site.clock())}")
    body.fill("textarea[name=note]", "Báo cáo số 45/BC-LĐLĐ")
    with body.expect_navigation():
        body.get_by_role("button", name="Báo cáo kết quả").click()
    page.reload()
    assert "Báo cáo số 45/BC-LĐLĐ" in page.locator("main").inner_text()
    with page.expect_navigation():
        page.get_by_role("button", name="Chấp nhận báo cáo").click()
    assert "Không có báo cáo nào đang chờ" in page.locator("main").inner_text()
    with unit_of_work(site.engine, write=False) as session:
        task = session.get(Task, tid)
        events = session.exec(sa.select(TaskEvent.action, TaskEvent.channel)
                              .where(TaskEvent.task_id == tid).order_by(TaskEvent.id)).all()
    assert (task.status, str(task.due_on)) == ("done", "2026-01-31")
    assert [tuple(e) for e in events] == [("assign", "web"), ("request-extension", "email-link"),
                                          ("grant-extension", "web"), ("report", "email-link"),
                                          ("accept", "web")]

    page.goto(board_url)
    with page.expect_download() as download:
        page.get_by_role("link", name="Word (.docx)").click()
    data = Path(download.value.path()).read_bytes()
    assert download.value.suggested_filename.endswith(".docx")
    assert "word/document.xml" in zipfile.ZipFile(io.BytesIO(data)).namelist()

    for name, path in (("dashboard", "/"), ("board", board_url.removeprefix(server))):
        assert _shoot(browser, server, shots, name, path) == [], f"{name} is wider than a phone"
    _review_shots(site, browser, server, shots)


def _review_shots(site, browser, server, shots):
    """A fresh review page (names still to settle) at both widths."""
    page = _page(browser)
    _login(page, server, "coordinator")
    page.goto(f"{server}/directives/new")
    page.get_by_label("Nội dung văn bản").fill(
        (SHARED / "141-KH-UBND-2025-bac-ninh.txt").read_text(encoding="utf-8"))
    with page.expect_navigation():
        page.get_by_role("button", name="Soạn bản nháp").nth(1).click()
    path = page.url.removeprefix(server)
    page.context.close()
    assert _shoot(browser, server, shots, "review", path) == [], "the review page is too wide"


def test_a_supervisor_sees_the_board_but_not_a_coordinators_action(site, server, browser):
    from tests.conftest import launch_template

    launch_template(site.engine, site.registry, site.calendar)
    page = _page(browser, PHONE)
    _login(page, server, "supervisor")
    page.goto(f"{server}/directives/48-KH/ĐĐTLĐ")
    assert "83 nhiệm vụ" in page.locator("main").inner_text()
    assert page.locator("table.tasks tbody tr").count() == 50
    page.locator("table.tasks tbody tr a").first.click()
    assert page.get_by_role("link", name="Gia hạn").count() == 1  # an escalation action
    assert page.get_by_role("link", name="Hủy nhiệm vụ").count() == 0
    task_url = page.url
    response = page.goto(f"{task_url}/confirm?action=cancel")
    assert response.status == 403 and "Không được phép" in page.locator("h1").inner_text()
    assert page.goto(f"{server}/directives/new").status == 403
