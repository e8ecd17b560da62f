"""A coordinator works the pipeline in a real browser: signs in with password and TOTP, uses the
new filters (assigned to me, due today) and sees them in force with a one-click clear, sorts by
a column, finds a new inquiry, logs the first call (which moves it to Contacted), books the
consult, and finds that an unchanged status changes nothing. Screenshots of the pipeline at
phone, tablet and desktop sizes go to test-artifacts/ (the desktop one to the README)."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import ROOT, DemoServer
from tests.browser.test_inquiry_flow import phone, send_inquiry

pytestmark = pytest.mark.browser

COORDINATOR = "coordinator@demo.ketaclinic.test"
SIZES = {"phone": (390, 844), "tablet": (820, 1180), "desktop": (1440, 900)}


def violations(page: Page) -> list[str]:
    found = Axe().run(page).response["violations"]
    return [f"{v['impact']} {v['id']}: {[n['target'] for n in v['nodes']][:3]}" for v in found]


def test_a_coordinator_works_the_pipeline(
    browser: Browser, demo_server: DemoServer, artifacts: Path
) -> None:
    visitor = phone(browser)
    send_inquiry(visitor.new_page(), demo_server, "Morgan Flow (demo)", "Interested in PTSD.")
    visitor.close()

    context = browser.new_context(viewport={"width": 1440, "height": 900})
    page = context.new_page()
    demo_server.sign_in(page, COORDINATOR)
    page.goto(f"{demo_server.base_url}/inquiries/")
    checked = {"list": violations(page)}

    # The new filters, shown in force with a one-click clear.
    page.get_by_label("Assigned to me").check()
    page.get_by_label("Follow-up due today").check()
    page.get_by_role("button", name="Filter").click()
    in_force = page.get_by_role("form", name="Filters in use")
    expect(in_force).to_contain_text("Assigned to me")
    expect(in_force).to_contain_text("Follow-up due today")
    rows = page.locator("table tbody tr")
    expect(rows).not_to_have_count(0)  # the demo has a follow-up of the coordinator's due today
    checked["list, filtered"] = violations(page)
    in_force.get_by_role("button", name="Clear all filters").click()
    expect(page.get_by_role("form", name="Filters in use")).to_have_count(0)

    # A whitelisted sortable column.
    page.get_by_role("link", name=re.compile(r"^Name")).click()
    expect(page.locator("th[aria-sort=ascending]")).to_contain_text("Name")
    names = page.locator("table tbody tr td[data-label=Name] a").all_inner_texts()
    assert names == sorted(names, key=str.casefold), names

    for size, (width, height) in SIZES.items():
        page.set_viewport_size({"width": width, "height": height})
        page.goto(f"{demo_server.base_url}/inquiries/")
        shot = artifacts / f"pipeline-{size}.png"
        page.screenshot(path=str(shot), full_page=size != "desktop")
        if size == "desktop":
            shutil.copyfile(shot, ROOT / "docs" / "screenshot-pipeline.png")

    # The new inquiry: the first call moves it to Contacted, then the consult is booked.
    page.get_by_label("Search name, email or phone").fill("Morgan Flow")
    page.get_by_label("Search name, email or phone").press("Enter")
    expect(page.get_by_role("form", name="Filters in use")).to_contain_text("Morgan Flow")
    page.get_by_role("link", name=re.compile("Morgan Flow")).first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Morgan Flow (demo)")
    checked["detail"] = violations(page)

    log_form = page.locator("form", has=page.get_by_role("button", name="Add to log"))
    log_form.get_by_label("How").select_option("call")
    log_form.get_by_label("Outcome").select_option("reached")
    log_form.get_by_label("Note (optional)").fill("Talked through the consult; booked for Tuesday.")
    expect(log_form.get_by_label("Also move this inquiry to Contacted")).to_be_checked()
    log_form.get_by_role("button", name="Add to log").click()
    expect(page.get_by_role("status").first).to_contain_text("moved to Contacted")
    contact_log = page.locator("section", has=page.get_by_role("heading", name="Contact log"))
    expect(contact_log).to_contain_text("booked for Tuesday")

    status_form = page.locator("form", has=page.get_by_role("button", name="Change status"))
    expect(status_form.get_by_label("Status")).to_have_value("contacted")
    status_form.get_by_role("button", name="Change status").click()  # unchanged
    expect(page.get_by_text("Nothing changed: the inquiry is still Contacted.")).to_be_visible()

    status_form = page.locator("form", has=page.get_by_role("button", name="Change status"))
    status_form.get_by_label("Status").select_option("consult_booked")
    status_form.get_by_role("button", name="Change status").click()
    expect(page.locator("p.cluster .badge").first).to_have_text("Consult booked")
    history = page.locator("section", has=page.get_by_role("heading", name="Status history"))
    expect(history).to_contain_text("New → Contacted")
    expect(history).to_contain_text("Contacted → Consult booked")
    page.screenshot(path=str(artifacts / "coordinator-inquiry-detail.png"), full_page=True)
    context.close()
    assert checked == {name: [] for name in checked}
