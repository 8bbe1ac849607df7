"""axe-core (the engine axe-playwright-python ships, run inside Chromium) on every console page
and the link pages a body opens from its mail: no serious or critical violation.

Each page is checked at the phone's width and at a desktop's, logged in as a coordinator (the
role that sees the most), the link pages with no account.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from models.db import unit_of_work
from models.tables import Directive, Task
from tests.console.conftest import PASSWORD, USERS
from tests.web.conftest import issue, uvicorn_server
from tests.web.test_browser import CHROMIUM

DOC = Path(__file__).resolve().parents[3] / "shared" / "directives" / "160-KH-UBND-2025-can-tho.txt"
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"{CHROMIUM} missing"),
    pytest.mark.skipif(not DOC.exists(), reason="../shared/directives is not beside the checkout"),
]
axe_module = pytest.importorskip("axe_playwright_python.sync_playwright")
VIEWPORTS = ({"width": 1280, "height": 900}, {"width": 375, "height": 812})
BLOCKING = ("serious", "critical")


@pytest.fixture
def server(launched_app):
    from web.app import create_app

    with uvicorn_server(create_app(launched_app)) as url:
        yield url


def _console_paths(app) -> list[str]:
    with unit_of_work(app.engine, write=False) as session:
        number = session.exec(sa.select(Directive.number)).scalars().first()
        task = session.exec(sa.select(Task.id).order_by(Task.id)).scalars().first()
    return ["/", "/directives", f"/directives/{number}", f"/tasks/{task}", "/inbox",
            "/evaluation", "/bodies", "/outbox", "/directives/new", "/decisions"]


def _violations(page) -> list[str]:
    results = axe_module.Axe().run(page)
    found = results.response.get("violations", [])
    return [f"{v['id']} ({v['impact']}): {v['help']} — {len(v['nodes'])} chỗ, ví dụ "
            f"{v['nodes'][0]['target']}" for v in found if v.get("impact") in BLOCKING]


def _login(page, server):
    page.goto(f"{server}/login")
    page.fill("#email", USERS["coordinator"])
    page.fill("#password", PASSWORD)
    with page.expect_navigation():
        page.keyboard.press("Enter")


def test_no_serious_violation_on_any_page(launched_app, server, browser):
    with unit_of_work(launched_app.engine, write=False) as session:
        tid = session.exec(sa.select(Task.id).order_by(Task.id)).scalars().first()
    links = [f"/l/{issue(launched_app.engine, tid, action, when=launched_app.clock())}"
             for action in ("acknowledge", "report", "request-extension")]
    problems: dict[str, list[str]] = {}
    for viewport in VIEWPORTS:
        context = browser.new_context(viewport=viewport, locale="vi-VN")
        try:
            page = context.new_page()
            page.goto(f"{server}/login")
            problems[f"/login @{viewport['width']}"] = _violations(page)
            for link in links:
                page.goto(f"{server}{link}")
                problems[f"{link[:12]}… @{viewport['width']}"] = _violations(page)
            _login(page, server)
            for path in _console_paths(launched_app):
                page.goto(f"{server}{path}")
                problems[f"{path} @{viewport['width']}"] = _violations(page)
            page.goto(f"{server}/directives/new")  # a draft: its review and its preview
            page.locator("textarea").first.fill(DOC.read_text(encoding="utf-8"))
            with page.expect_navigation():
                page.get_by_role("button", name="Soạn bản nháp").last.click()
            assert page.locator("h1").inner_text().startswith("Rà soát"), page.url
            problems[f"review @{viewport['width']}"] = _violations(page)
            page.goto(page.url.split("?")[0] + "/preview")
            problems[f"preview @{viewport['width']}"] = _violations(page)
        finally:
            context.close()
    bad = [f"{where}: {problem}" for where, found in problems.items() for problem in found]
    assert not bad, "\n".join(bad)
