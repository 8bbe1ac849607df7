"""The Bắc Ninh plan from upload to launch in Chromium, with its names settled on the one
review form (one body typed, the rest by one bulk decision) and one save: every user action
counted, no task for a body the user did not choose, and the next province's «Sở Tư pháp»
offered as a suggestion, never resolved by itself. Screenshots of the review and of «Quyết định
đã nhớ» at 1280 and 375 px (CASCADE_SCREENSHOTS)."""

from __future__ import annotations

import sqlalchemy as sa

from models.db import unit_of_work
from models.tables import Body, Task
from tests.console.test_browser import (  # noqa: F401 (fixtures)
    PHONE,
    WIDE,
    _login,
    _page,
    _shoot,
    pytestmark,
    server,
    site,
)
from tests.console.test_pages import SHARED, docx_of

BAC_NINH = SHARED / "141-KH-UBND-2025-bac-ninh.txt"
LAI_CHAU = SHARED / "7360-KH-UBND-2025-lai-chau.txt"
BAC_NINH_FEDERATION = "Liên đoàn Lao động tỉnh Bắc Ninh (ldld_bac_ninh)"
MAX_ACTIONS = 12


class Actions:
    """Counts what the user does: each click, fill, check, select, file chosen is one."""

    def __init__(self, page):
        self.page, self.count = page, 0

    def __call__(self, locator, how: str, *args):
        self.count += 1
        if how == "click_nav":
            with self.page.expect_navigation():
                locator.click()
        else:
            getattr(locator, how)(*args)


def _name(page, phrase):
    return page.locator("fieldset.name", has=page.locator(f"input[value='{phrase}']"))


def test_bac_ninh_upload_to_launch(site, server, browser, shots, tmp_path):  # noqa: F811
    app, base, chromium, folder = site, server, browser, shots
    page = _page(chromium)
    _login(page, base, "coordinator")
    act = Actions(page)
    document = tmp_path / "141-KH-UBND-2025-bac-ninh.docx"
    document.write_bytes(docx_of(BAC_NINH))

    act(page.get_by_role("navigation").get_by_role("link", name="Giao việc mới"), "click_nav")
    act(page.get_by_label("Văn bản chỉ đạo", exact=False), "set_input_files", str(document))
    act(page.get_by_role("button", name="Soạn bản nháp").first, "click_nav")
    assert page.locator("h1").inner_text().startswith("Rà soát bản nháp: 141/KH-UBND")
    names = page.locator("fieldset.name").count()
    assert names >= 16
    # nothing decided for the user: every name's checked choice is «Chưa quyết định»
    assert page.locator("fieldset.name input[type=radio][value='']:checked").count() == names
    assert page.locator("fieldset.name input[type=radio]:not([value='']):checked").count() == 0
    review_url = page.url

    act(_name(page, "Sở Tư pháp").get_by_label("Hoặc gõ đơn vị, nhóm trong sổ"), "fill",
        BAC_NINH_FEDERATION)
    act(page.get_by_label("Quyết định", exact=True), "select_option", "external")
    assert page.get_by_label("Áp dụng cho").input_value() == "undecided"
    act(page.get_by_label("Ngày hạn hằng năm", exact=False), "fill", "15/12")
    act(page.get_by_role("button", name="Lưu và xem trước"), "click_nav")
    assert "Xem trước" in page.locator("h1").inner_text(), page.locator("main").inner_text()[:800]
    act(page.get_by_label("Tôi đã rà soát", exact=False), "check")
    act(page.get_by_role("button", name="Khởi chạy"), "click_nav")
    assert "Đã khởi chạy 141/KH-UBND" in page.locator(".notice.ok").inner_text()
    assert act.count <= MAX_ACTIONS, act.count
    print(f"Bắc Ninh, from upload to launch: {act.count} user actions")

    with unit_of_work(app.engine, write=False) as session:
        tasks = session.execute(sa.select(Task.body_id, Body.kind, Body.name)
                                .join(Body, Body.id == Task.body_id)).all()
    assert tasks
    chosen_outside = {b.kind for b in tasks if b.body_id != "ldld_bac_ninh"}
    assert chosen_outside == {"outside_system"}, chosen_outside  # the bulk «ngoài hệ thống»
    assert sum(1 for b in tasks if b.body_id == "ldld_bac_ninh") == 17  # Sở Tư pháp's 17 places
    assert not [b for b in tasks if b.body_id.startswith(("tld_", "cdn_", "cdtct_"))
                or (b.body_id.startswith("ldld_") and b.body_id != "ldld_bac_ninh")]

    # the next province: its «Sở Tư pháp» is offered, not resolved
    page.goto(f"{base}/directives/new")
    page.get_by_label("Nội dung văn bản").fill(LAI_CHAU.read_text(encoding="utf-8"))
    with page.expect_navigation():
        page.get_by_role("button", name="Soạn bản nháp").nth(1).click()
    assert page.url != review_url
    so_tu_phap = _name(page, "Sở Tư pháp")
    assert so_tu_phap.count() == 1
    assert so_tu_phap.locator("input[type=radio][value='']").is_checked()
    suggestion = so_tu_phap.locator(".suggestion")
    assert "Liên đoàn Lao động tỉnh Bắc Ninh" in suggestion.inner_text()
    assert "cơ quan khác đã chọn: ỦY BAN NHÂN DÂN TỈNH BẮC NINH" in suggestion.inner_text()
    assert not so_tu_phap.locator("input[value=s]").is_checked()
    lai_chau = page.url.removeprefix(base)

    for name, path in (("review-names", lai_chau), ("decisions", "/decisions")):
        assert _shoot(chromium, base, folder, name, path) == [], f"{name} is wider than a phone"
