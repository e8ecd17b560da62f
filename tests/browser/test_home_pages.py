"""Every demo role signs in and lands on its own home page, with its work, on a phone, a tablet
and a desktop; axe-core finds no violations on any of them. Screenshots go to test-artifacts/,
and the desktop one of each role to docs/screenshots/home-<role>.png (kept in the repository
as the picture of each page)."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Locator, Page, ViewportSize, expect

from tests.browser.conftest import ROOT, DemoServer

pytestmark = pytest.mark.browser

AXE = Axe()
DOCS = ROOT / "docs" / "screenshots"
VIEWPORTS: dict[str, ViewportSize] = {
    "phone": {"width": 390, "height": 844},
    "tablet": {"width": 820, "height": 1180},
    "desktop": {"width": 1440, "height": 900},
}
# role: (demo account, headings of its sections, headings it must not have)
PAGES: dict[str, tuple[str, list[str], list[str]]] = {
    "coordinator": (
        "coordinator@demo.ketaclinic.test",
        [
            "Urgent inquiries",
            "Follow-ups overdue",
            "Follow-ups due today",
            "Intakes to chase",
            "New inquiries",
            "Assigned to you",
        ],
        [
            "Emergency accesses to review",
            "Counts due",
            "Safety alerts",
            "Patients in screening with missing information",
        ],
    ),
    "physician": (
        "physician@demo.ketaclinic.test",
        [
            "Safety alerts",
            "Today\u2019s chairs",
            "New and urgent leads",
            "Eligibility decisions to review",
            "Treatment plans to sign",
            "Questionnaires due",
            "Tomorrow\u2019s chairs",
            "Clinic rules",
        ],
        ["Urgent inquiries", "Counts due", "Intakes to chase"],
    ),
    "nurse": (
        "nurse@demo.ketaclinic.test",
        [
            "Safety alerts",
            "Today\u2019s chairs",
            "New and urgent leads",
            "Patients in screening with missing information",
            "Questionnaires due",
            "Tomorrow\u2019s chairs",
        ],
        ["Eligibility decisions to review", "Treatment plans to sign", "Clinic rules"],
    ),
    "custodian": (
        "custodian@demo.ketaclinic.test",
        ["Counts due", "Discrepancies", "Questions about your role"],
        ["Urgent inquiries", "New and urgent leads", "Safety alerts"],
    ),
    "outside-professional": (
        "therapist@demo.ketaclinic.test",
        ["Patients shared with me", "Whom to contact"],
        ["Urgent inquiries", "New and urgent leads", "Counts due"],
    ),
    "clinic-admin": (
        "admin@demo.ketaclinic.test",
        [
            "Emergency accesses to review",
            "Security events, last 7 days",
            "Invitations not taken up",
            "Your clinic",
        ],
        ["Urgent inquiries", "Counts due"],
    ),
}


# Every standalone link and control a finger has to hit on these pages (the style guide's list
# plus the home pages' own: task lists, card headers, contact details).
TARGETS = """
() => {
  const selector = [
    "button", "a.button", "select", ".tap-call", ".nav-list a", ".task-list a",
    ".card__header a", ".summary-list a",
  ].join(",");
  return [...document.querySelectorAll(selector)]
    .filter((el) => el.getClientRects().length && getComputedStyle(el).visibility !== "hidden")
    .map((el) => ({
      what: el.tagName.toLowerCase() + " " + (el.textContent || el.name || "").trim().slice(0, 40),
      height: el.getBoundingClientRect().height,
    }));
}
"""
# A count card is one target: its link covers the whole card.
CARDS = """
() => [...document.querySelectorAll(".card--link")].map((el) => el.getBoundingClientRect().height)
"""


def small_targets(page: Page) -> list[str]:
    small = [t["what"] for t in page.evaluate(TARGETS) if t["height"] < 44]
    small += [f"count card {h}px" for h in page.evaluate(CARDS) if h < 44]
    return small


def violations(page: Page) -> list[str]:
    found = AXE.run(page).response["violations"]
    return [f"{v['impact']} {v['id']}: {[n['target'] for n in v['nodes']][:3]}" for v in found]


def sign_in(page: Page, server: DemoServer, email: str) -> None:
    """The demo sign-in; if another test used this account's code in the same 30-second step
    (a code passes once only), wait for the next code."""
    server.sign_in(page, email)
    if "/accounts/two-factor/" in page.url:
        time.sleep(31 - time.time() % 30)
        page.get_by_label("Authentication code").fill(server.totp_code(email))
        page.get_by_role("button", name="Verify").click()
    expect(page).to_have_url(re.compile(r"/home/$"))


def heading(page: Page, text: str) -> Locator:
    return page.get_by_role("heading", name=re.compile("^" + re.escape(text)))


def check_work(role: str, page: Page) -> None:
    """The role's real work is on its page, not only empty states."""
    if role == "coordinator":
        urgent = page.locator("#urgent")
        expect(urgent.get_by_role("link", name="Riley Chen (demo)")).to_be_visible()
        expect(
            page.locator("#overdue").get_by_role("link", name="Morgan Ellis (demo)")
        ).to_be_visible()
        expect(page.get_by_role("link", name="Urgent, still open")).to_have_attribute(
            "href", "/inquiries/?urgent=yes"
        )
    elif role in ("physician", "nurse"):
        leads = page.locator("#leads")
        expect(leads.get_by_role("link", name="Riley Chen (demo)")).to_be_visible()
    elif role == "custodian":
        expect(page.get_by_role("link", name="Record a blind count")).to_be_visible()
        expect(page.get_by_role("link", name="Inquiries")).to_have_count(0)
    elif role == "outside-professional":
        expect(page.locator("#contact").get_by_text("Dana Admin (demo)")).to_be_visible()
        expect(page.locator("#contact").get_by_role("link", name="(555) 010-0100")).to_be_visible()
    elif role == "clinic-admin":
        security = page.locator("#security")
        expect(security.get_by_text("Carl Stone (demo)").first).to_be_visible()
        expect(security.get_by_text("Failed the second sign-in step").first).to_be_visible()
        invitations = page.locator("#invitations")
        expect(invitations.get_by_role("link", name="Ivy Invited (demo)")).to_be_visible()


def fail_second_factor(browser: Browser, server: DemoServer, email: str) -> None:
    """A wrong authentication code: a security event for the clinic admin's home."""
    context = browser.new_context()
    page = context.new_page()
    page.goto(f"{server.base_url}/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill("demo-clinic-password")
    page.get_by_role("button", name="Sign in").click()
    page.get_by_label("Authentication code").fill("not-a-code")
    page.get_by_role("button", name="Verify").click()
    expect(page).to_have_url(re.compile(r"/accounts/two-factor/"))
    context.close()


@pytest.mark.parametrize("role", list(PAGES))
def test_each_role_lands_on_its_home_page_with_its_work(
    browser: Browser, demo_server: DemoServer, artifacts: Path, role: str
) -> None:
    email, sections, absent = PAGES[role]
    if role == "clinic-admin":
        fail_second_factor(browser, demo_server, "custodian@demo.ketaclinic.test")
    signed_in = browser.new_context(viewport=VIEWPORTS["desktop"])
    sign_in(signed_in.new_page(), demo_server, email)
    state = signed_in.storage_state()
    signed_in.close()
    DOCS.mkdir(parents=True, exist_ok=True)
    found: dict[str, list[str]] = {}
    for size, viewport in VIEWPORTS.items():
        # The same signed-in session in a context of each size (phones as touch screens).
        phone = size == "phone"
        context = browser.new_context(
            viewport=viewport, storage_state=state, is_mobile=phone, has_touch=phone
        )
        page = context.new_page()
        page.goto(f"{demo_server.base_url}/home/")
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        # The clinic and the clinic's today under the heading (on a phone the menu is folded).
        expect(page.locator(".page-header__subtitle")).to_contain_text(
            " at Demo Ketamine Clinic (synthetic data) · "
        )
        for text in sections:
            expect(heading(page, text)).to_be_visible()
        for text in absent:
            expect(heading(page, text)).to_have_count(0)
        check_work(role, page)
        page.screenshot(path=str(artifacts / f"home-{role}-{size}.png"), full_page=True)
        if size == "desktop":
            page.screenshot(path=str(DOCS / f"home-{role}.png"), full_page=True)
        found[size] = violations(page)
        if size != "desktop":
            found[f"{size}: targets under 44px"] = small_targets(page)
        context.close()
    assert found == {key: [] for key in found}
