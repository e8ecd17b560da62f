"""A visitor sends an inquiry from a phone; a coordinator signs in with password and TOTP, finds
it, logs a call and books the consult. Screenshots go to test-artifacts/."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.browser.conftest import DemoServer

pytestmark = pytest.mark.browser

COORDINATOR = "coordinator@demo.ketaclinic.test"
DEMO_PASSWORD = "demo-clinic-password"


def phone(browser: Browser) -> BrowserContext:
    """A phone-sized touch screen (390 x 844 CSS pixels)."""
    return browser.new_context(
        viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
    )


def send_inquiry(page: Page, server: DemoServer, name: str, message: str) -> None:
    page.goto(f"{server.base_url}/c/demo/learn-more/")
    page.get_by_label("Your name").fill(name)
    page.get_by_label("Email").fill("river.browser@example.com")
    page.get_by_label("Message").fill(message)
    page.get_by_label(re.compile(r"^I agree to be contacted")).check()
    page.get_by_role("button", name="Send").click()


def test_a_visitor_sends_an_inquiry_on_a_phone(
    browser: Browser, demo_server: DemoServer, artifacts: Path
) -> None:
    context = phone(browser)
    page = context.new_page()
    page.goto(f"{demo_server.base_url}/c/demo/")
    expect(page.get_by_text("988").first).to_be_visible()
    page.screenshot(path=str(artifacts / "public-page-phone.png"), full_page=True)

    # A mistake first: no consent. The message appears at the field and the text stays.
    page.goto(f"{demo_server.base_url}/c/demo/learn-more/")
    page.get_by_label("Your name").fill("River Browser (demo)")
    page.get_by_label("Email").fill("river.browser@example.com")
    page.get_by_label("Message").fill("I would like to know whether this could help my depression.")
    page.get_by_role("button", name="Send").click()
    consent = page.get_by_label(re.compile(r"^I agree to be contacted"))
    expect(consent).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_label("Your name")).to_have_value("River Browser (demo)")
    page.screenshot(path=str(artifacts / "inquiry-error-phone.png"), full_page=True)
    consent.check()
    page.get_by_role("button", name="Send").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(re.compile("thank", re.I))
    expect(page.get_by_text(re.compile("what happens next", re.I)).first).to_be_visible()
    page.screenshot(path=str(artifacts / "inquiry-thanks-phone.png"), full_page=True)
    context.close()


def test_an_inquiry_mentioning_suicide_shows_crisis_resources_at_once(
    browser: Browser, demo_server: DemoServer, artifacts: Path
) -> None:
    context = phone(browser)
    page = context.new_page()
    send_inquiry(page, demo_server, "Sky Urgent (demo)", "Some nights I think about suicide.")
    crisis = page.locator(".crisis").first
    expect(crisis).to_be_visible()
    expect(crisis).to_contain_text("988")
    page.screenshot(path=str(artifacts / "inquiry-urgent-thanks-phone.png"), full_page=True)
    context.close()


def test_a_coordinator_signs_in_with_totp_logs_a_call_and_books_the_consult(
    browser: Browser, demo_server: DemoServer, artifacts: Path
) -> None:
    visitor = phone(browser)
    send_inquiry(
        visitor.new_page(), demo_server, "Morgan Flow (demo)", "Interested in PTSD treatment."
    )
    visitor.close()

    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(f"{demo_server.base_url}/inquiries/")
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    page.get_by_label("Email").fill(COORDINATOR)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_label("Authentication code").fill(demo_server.totp_code(COORDINATOR))
    page.get_by_role("button", name="Verify").click()
    expect(page).to_have_url(re.compile(r"/inquiries/$"))

    page.get_by_label("Search name, email or phone").fill("Morgan Flow")
    page.get_by_label("Search name, email or phone").press("Enter")
    page.get_by_role("link", name=re.compile("Morgan Flow")).first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Morgan Flow (demo)")

    log_form = page.locator("form", has=page.get_by_role("button", name="Add to log"))
    log_form.get_by_label("How").select_option("call")
    log_form.get_by_label("Outcome").select_option("reached")
    log_form.get_by_label("Note (optional)").fill("Talked through the consult; booked for Tuesday.")
    log_form.get_by_role("button", name="Add to log").click()
    contact_log = page.locator("section", has=page.get_by_role("heading", name="Contact log"))
    expect(contact_log).to_contain_text("booked for Tuesday")
    expect(contact_log).to_contain_text("Call")

    status_form = page.locator("form", has=page.get_by_role("button", name="Change status"))
    status_form.get_by_label("New status").select_option("consult_booked")
    status_form.get_by_role("button", name="Change status").click()
    expect(page.locator(".badge.status")).to_have_text("Consult booked")
    page.screenshot(path=str(artifacts / "coordinator-inquiry-detail.png"), full_page=True)
    context.close()
