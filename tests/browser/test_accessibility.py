"""axe-core finds no accessibility violations on the public pages (on a phone) and the staff
pages people use every day. Django's own admin pages are not ours and are not checked."""

from __future__ import annotations

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page

from tests.browser.conftest import DemoServer

pytestmark = pytest.mark.browser

AXE = Axe()


def violations(page: Page) -> list[str]:
    found = AXE.run(page).response["violations"]
    return [f"{v['impact']} {v['id']}: {[n['target'] for n in v['nodes']][:3]}" for v in found]


def test_public_pages_on_a_phone_have_no_violations(
    browser: Browser, demo_server: DemoServer
) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    page = context.new_page()
    checked = {}
    page.goto(f"{demo_server.base_url}/c/demo/")
    checked["public page"] = violations(page)
    page.goto(f"{demo_server.base_url}/c/demo/learn-more/")
    checked["form"] = violations(page)
    page.get_by_role("button", name="Send").click()  # empty: every required field in error
    checked["form with errors"] = violations(page)
    page.get_by_label("Your name").fill("Axe Checker (demo)")
    page.get_by_label("Email").fill("axe.checker@example.com")
    page.get_by_label("Write to me").check()
    page.get_by_label(re.compile(r"^I agree to be contacted")).check()
    page.get_by_role("button", name="Send").click()
    page.get_by_role("heading", name="Thank you, we have your message").wait_for()
    checked["thank-you page"] = violations(page)
    page.goto(f"{demo_server.base_url}/c/demo/embed/")
    checked["embed form"] = violations(page)
    page.get_by_role("button", name="Send").click()
    checked["embed form with errors"] = violations(page)
    page.get_by_label("Your name").fill("Axe Embed (demo)")
    page.get_by_label("Phone").fill("(555) 010-0166")
    page.get_by_label("Call me").check()
    page.get_by_label(re.compile(r"^I agree to be contacted")).check()
    page.get_by_role("button", name="Send").click()
    page.get_by_role("heading", name="Thank you, we have your message").wait_for()
    checked["embed thank-you page"] = violations(page)
    page.goto(f"{demo_server.base_url}/accounts/login/")
    checked["sign-in"] = violations(page)
    context.close()
    assert checked == {name: [] for name in checked}


def test_the_public_page_on_a_desktop_has_no_violations(
    browser: Browser, demo_server: DemoServer
) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(f"{demo_server.base_url}/c/demo/")
    found = violations(page)
    context.close()
    assert found == []


def test_staff_pages_have_no_violations(browser: Browser, demo_server: DemoServer) -> None:
    context = browser.new_context(viewport={"width": 1024, "height": 768})
    page = context.new_page()
    demo_server.sign_in(page, "nurse@demo.ketaclinic.test")
    checked = {}
    page.goto(f"{demo_server.base_url}/home/")
    checked["home"] = violations(page)
    page.goto(f"{demo_server.base_url}/inquiries/")
    checked["inquiry list"] = violations(page)
    page.get_by_role("link", name=re.compile(r"\(demo\)")).first.click()
    checked["inquiry detail"] = violations(page)
    page.goto(f"{demo_server.base_url}/accounts/security/")
    checked["my account"] = violations(page)
    page.goto(f"{demo_server.base_url}/accounts/sessions/")
    checked["my sessions"] = violations(page)
    context.close()
    assert checked == {name: [] for name in checked}
