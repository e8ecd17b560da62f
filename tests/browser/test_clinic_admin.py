"""The clinic admin edits the public page and the crisis text; visitors see the change."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from tests.browser.conftest import DemoServer

pytestmark = pytest.mark.browser

ADMIN = "admin@demo.ketaclinic.test"


def test_the_clinic_admin_edits_the_public_page(
    browser: Browser, demo_server: DemoServer, artifacts: Path
) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    demo_server.sign_in(page, ADMIN)
    expect(page).to_have_url(re.compile(r"/home/$"))
    page.get_by_role("link", name="Clinic admin").first.click()
    page.get_by_role("link", name="Clinics", exact=True).last.click()
    page.screenshot(path=str(artifacts / "clinic-admin-clinics.png"), full_page=True)
    page.get_by_role("link", name=re.compile("Demo Ketamine Clinic")).first.click()
    intro = page.get_by_label("Public intro")
    intro.fill("Our physicians give low-dose ketamine by vein, with your own therapist alongside.")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".messagelist")).to_contain_text("changed successfully")
    page.screenshot(path=str(artifacts / "clinic-admin-saved.png"), full_page=True)

    visitor = browser.new_context()
    public = visitor.new_page()
    public.goto(f"{demo_server.base_url}/c/demo/")
    expect(public.get_by_text("with your own therapist alongside")).to_be_visible()
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
