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
    page.goto(f"{demo_server.base_url}/accounts/login/")
    checked["sign-in"] = violations(page)
    context.close()
    assert checked == {name: [] for name in checked}


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
