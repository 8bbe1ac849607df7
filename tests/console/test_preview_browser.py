"""The preview in Chromium at 1280 and 375 px: the coordinator chooses, with the mouse, to launch
a past-due item without reminders, sees the bodies that will get no mail with the field to add
an address, and nothing is wider than a phone. CASCADE_SCREENSHOTS=/dir keeps the screenshots
(preview-1280.png, preview-375.png)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.console.test_browser import PHONE, WIDE, _login, _page, _wider
from tests.console.test_launch_preview import _draft, app  # noqa: F401
from tests.web.conftest import uvicorn_server
from tests.web.test_browser import CHROMIUM

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"{CHROMIUM} missing")]


@pytest.fixture
def server(app):  # noqa: F811
    from web.app import create_app

    with uvicorn_server(create_app(app)) as url:
        yield url


def test_the_preview_at_both_widths(app, server, browser, shots):  # noqa: F811
    url = _draft(app)
    page = _page(browser, WIDE)
    _login(page, server, "coordinator")
    page.goto(f"{server}{url}/preview")
    item = page.locator("form.item", has=page.locator("input[name=ref][value='1']"))
    item.get_by_label("Khởi chạy không nhắc, không báo cáo vượt cấp").check()
    with page.expect_navigation():
        item.get_by_role("button", name="Lưu lựa chọn").click()
    main = page.locator("main").inner_text()
    assert "Đã chọn: khởi chạy không nhắc, không báo cáo vượt cấp." in main
    assert "Đơn vị sẽ không nhận được thư (1)" in main
    assert page.get_by_label("Liên đoàn Lao động thành phố Huế").is_visible()
    page.screenshot(path=str(shots / "preview-1280.png"), full_page=True)
    page.context.close()
    phone = _page(browser, PHONE)
    _login(phone, server, "coordinator")
    phone.goto(f"{server}{url}/preview")
    phone.screenshot(path=str(shots / "preview-375.png"), full_page=True)
    assert _wider(phone, PHONE["width"]) == []
    phone.context.close()
