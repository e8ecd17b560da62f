"""The Outcomes tab in a real browser with the demo data: the physician opens a demo patient's
outcomes, the trajectory plot loads as an image, and axe-core finds no violations."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, expect

from tests.browser.conftest import ROOT, DemoServer

pytestmark = pytest.mark.browser


def test_the_physician_sees_a_lost_response_and_its_plot(
    browser: Browser, demo_server: DemoServer
) -> None:
    context = browser.new_context()
    page = context.new_page()
    demo_server.sign_in(page, "physician@demo.ketaclinic.test")
    page.goto(f"{demo_server.base_url}/patients/")
    page.get_by_role("link", name="Sorensen (demo), Elena").click()
    page.get_by_role("navigation", name="Chart sections").get_by_role(
        "link", name="Outcomes"
    ).click()
    expect(page.get_by_role("heading", name="Summary by questionnaire")).to_be_visible()
    row = page.get_by_role("row", name="Patient Health Questionnaire-9 (PHQ-9)")
    expect(row.get_by_text("Response lost")).to_be_visible()
    plot = page.locator('img[src$="/outcomes/phq9.svg"]')
    expect(plot).to_be_visible()
    # The SVG was served and decoded (a broken image has no natural width).
    src = plot.get_attribute("src")
    served = page.request.get(f"{demo_server.base_url}{src}")
    assert served.status == 200 and served.headers["content-type"] == "image/svg+xml"
    page.wait_for_function(
        "img => img.complete && img.naturalWidth > 0", arg=plot.element_handle(), timeout=10000
    )
    page.screenshot(path=str(ROOT / "docs" / "screenshot-outcomes.png"), full_page=True)
    found = Axe().run(page).response["violations"]
    context.close()
    assert [f"{v['impact']} {v['id']}" for v in found] == []
