"""In Chromium (Debian's, headless, via Playwright): a body opens the report link of the mail
it received, attaches a .docx and types its figures; the coordinator, told by mail, opens the
report in the console, downloads the file and accepts it there."""

from __future__ import annotations

import contextlib
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from models.db import unit_of_work
from models.report_views import latest_report
from models.tables import Task
from services.accounts import create_user
from tests.conftest import FixedClock, at
from tests.console.conftest import NAMES, PASSWORD, USERS
from tests.results.conftest import links_of, mailed, task_of
from tests.results.samples import docx_bytes
from tests.web.conftest import SECRET, free_port
from tests.web.test_browser import CHROMIUM, PHONE, phone  # noqa: F401  (the fixture)

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

pytestmark = [pytest.mark.slow, pytest.mark.skipif(
    not __import__("shutil").which(CHROMIUM), reason=f"{CHROMIUM} missing")]


@contextlib.contextmanager
def serving(app, port):
    import uvicorn

    from web.app import create_app

    server = uvicorn.Server(uvicorn.Config(create_app(app), host="127.0.0.1", port=port,
                                           log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.02)
    try:
        yield
    finally:
        server.should_exit = True
        thread.join(15)


def dispatched(app):
    """Send the outbox (in a thread: Playwright's sync API holds this thread's event loop)."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(mailed, app).result(timeout=60)


def test_report_with_a_docx_and_a_figure_then_accept_in_the_console(
        make_app, plan, phone, tmp_path):  # noqa: F811
    """The whole loop in a browser, each step from the link of a mail actually rendered."""
    port = free_port()
    app = make_app(clock=FixedClock(at("2023-11-20 10:00")), CASCADE_SECRET_KEY=SECRET,
                   CASCADE_BASE_URL=f"http://127.0.0.1:{port}")
    tid = task_of(plan, "ldld_ha_noi")
    with unit_of_work(plan) as session:
        create_user(session=session, email=USERS["coordinator"], name=NAMES["coordinator"],
                    role="coordinator", password=PASSWORD, at=app.clock())
    with serving(app, port):
        [assigned] = [m for m in dispatched(app) if m["X-Cascade-Task"] == str(tid)]
        assert phone.goto(links_of(assigned)["Báo cáo kết quả"]).status == 200
        assert phone.locator("h1").inner_text() == "Báo cáo kết quả thực hiện"
        phone.fill("#note", "Đã kết nạp 2.500 đoàn viên; báo cáo số 45/BC-LĐLĐ gửi kèm.")
        phone.set_input_files("#files", files=[{"name": "Báo cáo kết quả.docx", "mimeType": DOCX,
                                                "buffer": docx_bytes()}])
        phone.fill("#figure-T1", "2.500")
        phone.fill("#figure-T2", "12,5")
        assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        with phone.expect_navigation():
            phone.get_by_role("button", name="Báo cáo kết quả").click()
        assert phone.locator("h1").inner_text() == "Đã ghi nhận: báo cáo kết quả thực hiện"
        assert "Báo cáo kết quả.docx" in phone.locator("main").inner_text()
        phone.screenshot(path=str(tmp_path / "reported.png"), full_page=True)

        [received] = dispatched(app)
        assert received["X-Cascade-Kind"] == "task_reported"
        app.clock.set(at("2023-12-04 08:30"))
        console = phone.context.browser.new_context(viewport={"width": 1280, "height": 900},
                                                    accept_downloads=True).new_page()
        console.goto(f"http://127.0.0.1:{port}/login")
        console.fill("#email", USERS["coordinator"])
        console.fill("#password", PASSWORD)
        with console.expect_navigation():
            console.keyboard.press("Enter")
        console.goto(f"http://127.0.0.1:{port}/inbox")
        with console.expect_navigation():
            console.get_by_role("link", name="Xem báo cáo, tệp và số liệu").click()
        text = console.locator("main").inner_text()
        assert "2.500 đoàn viên" in text and "12,5%" in text and "chờ xem xét" in text
        with console.expect_download() as download:
            console.get_by_role("link", name="Báo cáo kết quả.docx").click()
        saved = tmp_path / "tai-ve.docx"
        download.value.save_as(saved)
        assert download.value.suggested_filename == "Báo cáo kết quả.docx"
        assert saved.read_bytes() == docx_bytes()
        with console.expect_navigation():
            console.get_by_role("link", name="Chấp nhận báo cáo").click()  # the confirm page
        with console.expect_navigation():
            console.get_by_role("button", name="Xác nhận: chấp nhận báo cáo kết quả").click()
        assert "đã chấp nhận" in console.locator("main").inner_text()
        console.screenshot(path=str(tmp_path / "accepted.png"), full_page=True)
        [told] = dispatched(app)

    assert (told["X-Cascade-Kind"], told["To"].addresses[0].addr_spec) == (
        "report_accepted", "ldld-ha-noi@example.org")
    with unit_of_work(plan, write=False) as session:
        task = session.get(Task, tid)
        report = latest_report(session, tid)
    assert (task.status, task.closed_at) == ("done", at("2023-11-20 10:00"))
    assert report.outcome == "accepted" and report.figures_by_key == {"T1": 2500, "T2": 12.5}
    assert [f.name for f in report.files] == ["Báo cáo kết quả.docx"]
