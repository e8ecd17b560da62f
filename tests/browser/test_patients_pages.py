"""The patient list and chart in a real browser: axe-core finds no violations on a tablet and
a phone, and the chart's tabs are reachable from its tab bar."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page

from tests.browser.conftest import ROOT, DemoServer

pytestmark = pytest.mark.browser

AXE = Axe()
TABS = ("Overview", "Weight", "Medications and allergies", "Diagnoses", "History")


def violations(page: Page) -> list[str]:
    found = AXE.run(page).response["violations"]
    return [f"{v['impact']} {v['id']}: {[n['target'] for n in v['nodes']][:3]}" for v in found]


@pytest.mark.parametrize(
    "viewport", [{"width": 1024, "height": 768}, {"width": 390, "height": 844}]
)
def test_patient_pages_have_no_violations(
    browser: Browser, demo_server: DemoServer, viewport: dict[str, int]
) -> None:
    context = browser.new_context(viewport=viewport)  # type: ignore[arg-type]
    page = context.new_page()
    demo_server.sign_in(page, "nurse@demo.ketaclinic.test")
    checked = {}
    page.goto(f"{demo_server.base_url}/patients/")
    checked["patient list"] = violations(page)
    page.get_by_label("Search name, date of birth or record number").fill("Okonkwo")
    page.get_by_role("button", name="Search").click()
    assert "Okonkwo" not in page.url  # the search text never travels in the URL
    page.get_by_role("link", name="Okonkwo (demo), Grace").click()
    if viewport["width"] == 1024:
        page.screenshot(path=str(ROOT / "docs" / "screenshot-chart.png"), full_page=True)
    for tab in TABS:
        page.get_by_role("navigation", name="Chart sections").get_by_role("link", name=tab).click()
        page.get_by_role("heading", name=tab, level=2).wait_for()
        checked[tab] = violations(page)
    page.get_by_role("button", name="Record", exact=True).first.click()  # empty: errors
    checked["history with errors"] = violations(page)
    page.goto(f"{demo_server.base_url}/patients/new/")
    checked["new patient"] = violations(page)
    context.close()
    assert checked == {name: [] for name in checked}
