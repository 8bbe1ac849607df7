"""The review summary as HTML reads on a phone: at 375 px nothing sticks out of the page (wide
tables scroll inside themselves), in Debian's Chromium as the browser tests use it."""

from __future__ import annotations

from pathlib import Path

import pytest

from services.reporting import build_report
from tests.conftest import VN, at, launch_template
from tests.web.test_browser import CHROMIUM, FLAGS

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"{CHROMIUM} missing")]

WIDER = """w => [...document.querySelectorAll('body *')]
  .filter(e => e.getBoundingClientRect().right > w + 1 && !e.closest('.scroll, table.grid'))
  .slice(0, 5).map(e => e.tagName + '.' + e.className + ' ' + (e.textContent || '').slice(0, 40))"""


def test_the_summary_fits_a_phone(engine, registry, calendar):
    from playwright.sync_api import sync_playwright

    launch_template(engine, registry, calendar)
    html = build_report(engine=engine, number="48-KH/ĐĐTLĐ", at=at("2024-01-10 10:00"), tz=VN,
                        calendar=calendar, near_due_working_days=3, fmt="html").data
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
        try:
            page = browser.new_page(viewport={"width": 375, "height": 812})
            page.set_content(html.decode("utf-8") if isinstance(html, bytes) else html)
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= 375, page.evaluate(WIDER, 375)
            page.set_viewport_size({"width": 1280, "height": 900})
            assert page.evaluate("document.documentElement.scrollWidth") <= 1280
        finally:
            browser.close()
