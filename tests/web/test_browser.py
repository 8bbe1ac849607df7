"""A real browser (Debian's Chromium, headless, via Playwright) opens a link and presses the button."""

from __future__ import annotations

import os
import shutil

import pytest

from tests.web.conftest import issue, link_events, snapshot, task_id

CHROMIUM = os.environ.get("CASCADE_TEST_CHROMIUM", "/usr/bin/chromium")
# Without the background-networking flags Chromium's connections are refused on a closed network.
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]
PHONE = {"width": 390, "height": 844}

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not shutil.which(CHROMIUM), reason=f"{CHROMIUM} missing: apt-get install chromium"),
]


@pytest.fixture
def phone(tmp_path):
    """A phone-sized page in a fresh Chromium profile."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        context = pw.chromium.launch_persistent_context(
            str(tmp_path / "profile"), executable_path=CHROMIUM, headless=True, args=FLAGS,
            viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True, locale="vi-VN")
        try:
            yield context.pages[0] if context.pages else context.new_page()
        finally:
            context.close()


def test_open_link_press_button_see_result(launched, server, phone, tmp_path):
    """Open the link, see the confirmation, press the button, see the result; one transition."""
    tid = task_id(launched, "III.1", "tld_bch")
    token = issue(launched, tid, "report")
    before = snapshot(launched, tid, token)

    response = phone.goto(f"{server}/l/{token}")
    assert response.status == 200
    assert phone.locator("h1").inner_text() == "Báo cáo kết quả thực hiện"
    assert "sang «đã báo cáo»" in phone.locator("form .notice").inner_text()
    assert snapshot(launched, tid, token) == before  # the browser's GET changed nothing
    # The page fits a phone: nothing wider than the viewport.
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    phone.screenshot(path=str(tmp_path / "confirm.png"), full_page=True)

    phone.fill("textarea[name=note]", "Đã tổ chức quán triệt; báo cáo số 12/BC gửi kèm.")
    with phone.expect_navigation():
        phone.get_by_role("button", name="Báo cáo kết quả").click()
    assert phone.locator("h1").inner_text() == "Đã ghi nhận: báo cáo kết quả thực hiện"
    assert "sang «đã báo cáo»" in phone.locator(".notice").inner_text()
    phone.screenshot(path=str(tmp_path / "done.png"), full_page=True)

    status, version, *_, used = snapshot(launched, tid, token)
    assert (status, version) == ("reported", 2) and used is not None
    [event] = link_events(launched, tid)
    assert (event.action, event.note) == ("report", "Đã tổ chức quán triệt; báo cáo số 12/BC gửi kèm.")

    phone.reload()  # reloading the result page: told it is already done, nothing more changes
    assert "Việc này đã được thực hiện" in phone.locator("h1").inner_text()
    assert len(link_events(launched, tid)) == 1


def test_link_taken_from_a_mail_received_over_smtp(launched, site, server, phone, tmp_path):
    """Launch, dispatch to a real SMTP server, open the report link of the mail the lead body
    received, confirm, press the button: the task and its audit trail change once."""
    import re
    from concurrent.futures import ThreadPoolExecutor

    from config.settings import load_settings
    from models.contacts import load_contacts
    from models.db import unit_of_work
    from notifications.mailer import SmtpMailer
    from services.registry import sync_contacts
    from tests.mail.conftest import SmtpServer, dispatch
    from tests.web.conftest import NOW, SECRET

    smtp = SmtpServer()
    smtp.start()
    try:
        settings = load_settings({
            "CASCADE_DATABASE_URL": site.settings.database_url, "CASCADE_SECRET_KEY": SECRET,
            "CASCADE_BASE_URL": server, "CASCADE_HOME": str(tmp_path / "home"),
            "CASCADE_SMTP_HOST": "127.0.0.1", "CASCADE_SMTP_PORT": str(smtp.port),
            "CASCADE_MAIL_FROM": "Văn phòng Đảng đoàn <giaoviec@congdoan.vn>",
            "CASCADE_CONTACTS": str(tmp_path / "none.yaml")})
        with unit_of_work(launched) as session:
            sync_contacts(session=session, contacts=load_contacts(
                settings.contacts_path, settings.example_contacts_path, site.registry))
        # in a thread of its own: Playwright's sync API already runs an event loop here
        with ThreadPoolExecutor(1) as pool:
            report = pool.submit(dispatch, engine=launched, mailer=SmtpMailer(settings.smtp),
                                 settings=settings, clock=lambda: NOW).result(timeout=60)
    finally:
        smtp.stop()
    assert report.sent == 83
    tid = task_id(launched, "III.1", "tld_bch")
    [mail] = [m for m in smtp.inbox.messages if m["X-Cascade-Task"] == str(tid)]
    assert mail["To"].addresses[0].addr_spec == "tld-bch@example.org"
    text = mail.get_body(preferencelist=("plain",)).get_content()
    link = re.search(r"Báo cáo kết quả: (\S+)", text).group(1)
    assert link.startswith(f"{server}/l/")
    before = snapshot(launched, tid)

    assert phone.goto(link).status == 200
    assert phone.locator("h1").inner_text() == "Báo cáo kết quả thực hiện"
    assert snapshot(launched, tid) == before  # opening the mail's link changed nothing
    with phone.expect_navigation():
        phone.get_by_role("button", name="Báo cáo kết quả").click()
    assert phone.locator("h1").inner_text() == "Đã ghi nhận: báo cáo kết quả thực hiện"
    status, version, *_ = snapshot(launched, tid)
    assert (status, version) == ("reported", before[1] + 1)
    [event] = link_events(launched, tid)
    assert (event.actor, event.channel, event.action) == ("tld_bch", "email-link", "report")
