"""The clinic admin edits the public page text and the crisis text on Clinic settings (no
longer in the Django admin); visitors see the change and the audit report shows it."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from tests.browser.conftest import DemoServer
from tests.browser.test_clinic_settings import sign_in_admin

pytestmark = pytest.mark.browser


def test_the_clinic_admin_edits_the_public_page(
    browser: Browser, demo_server: DemoServer, artifacts: Path
) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    sign_in_admin(page, demo_server)
    page.get_by_role("link", name="Clinic settings").first.click()
    page.screenshot(path=str(artifacts / "clinic-settings-overview.png"), full_page=True)
    page.get_by_role("link", name="Public page").first.click()
    intro = page.get_by_label("Introduction", exact=True)
    intro.fill("Our physicians give low-dose ketamine by vein, with your own therapist alongside.")
    crisis = page.get_by_label("Crisis help text")
    crisis.fill(
        "In crisis? Call or text 988 (Suicide & Crisis Lifeline, US) or call 911 now. "
        "Demo Clinic front desk: (555) 010-0100 in opening hours."
    )
    page.get_by_role("button", name="Save and publish").click()
    expect(page.get_by_role("status").filter(has_text="Saved public page")).to_contain_text(
        "Introduction, Crisis help text"
    )
    page.screenshot(path=str(artifacts / "clinic-settings-saved.png"), full_page=True)

    visitor = browser.new_context()
    public = visitor.new_page()
    public.goto(f"{demo_server.base_url}/c/demo/")
    expect(public.get_by_text("with your own therapist alongside")).to_be_visible()
    expect(public.get_by_text("Demo Clinic front desk: (555) 010-0100").first).to_be_visible()
    visitor.close()

    # The change is in the audit report with its before and after values.
    page.goto(f"{demo_server.base_url}/audit/")
    # In people's words: the action's label and the field's name, not their codes.
    entries = page.locator("table.audit")
    expect(entries.get_by_text("Changed the clinic's settings").first).to_be_visible()
    expect(entries.get_by_text("Clinic: Demo Ketamine Clinic").first).to_be_visible()
    expect(entries.get_by_text("Public intro", exact=True).first).to_be_visible()
    page.screenshot(path=str(artifacts / "audit-report.png"), full_page=True)
    context.close()
