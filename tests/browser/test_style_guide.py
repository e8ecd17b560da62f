"""The style guide in a real browser: screenshots at phone, tablet and desktop size, no axe
violations, 44px touch targets on a phone, no content-security-policy violations (htmx adds no
inline style), and the confirm dialog works from the keyboard."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, Page, expect

from tests.browser.conftest import ROOT, DemoServer
from tests.browser.test_accessibility import violations

pytestmark = pytest.mark.browser

# Signed in once per module; no other browser test uses this account (a TOTP code works once).
USER = "physician@demo.ketaclinic.test"
SIZES = {"phone": (390, 844), "tablet": (820, 1180), "desktop": (1440, 900)}

# Records CSP violations as the browser reports them (init scripts are not page scripts).
CSP_LISTENER = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__cspViolations.push(e.violatedDirective + " " + (e.blockedURI || "inline"));
});
"""

# Things a finger has to hit, as drawn on the page (inline links in running text are exempt).
TARGETS = """
() => {
  const selector = [
    "button", "a.button", "select", "textarea", ".tap-call", ".nav-list a", ".sort-header",
    ".page-header__back a", ".pagination a", ".status-tabs a", ".choice label",
    ".summary-list__actions a",
    "input:not([type=hidden]):not([type=checkbox]):not([type=radio])",
  ].join(",");
  return [...document.querySelectorAll(selector)]
    .filter((el) => el.getClientRects().length && getComputedStyle(el).visibility !== "hidden")
    .filter((el) => !el.closest("dialog:not([open])"))
    .map((el) => ({
      what: el.tagName.toLowerCase() + " " + (el.textContent || el.name || "").trim().slice(0, 40),
      height: el.getBoundingClientRect().height,
    }));
}
"""


@pytest.fixture(scope="module")
def session_state(browser: Browser, demo_server: DemoServer) -> Any:
    """One sign-in for the module, reused by every context."""
    context = browser.new_context()
    page = context.new_page()
    demo_server.sign_in(page, USER)
    expect(page).to_have_url(f"{demo_server.base_url}/home/")
    state = context.storage_state()
    context.close()
    return state


def signed_in(browser: Browser, state: Any, size: str) -> tuple[BrowserContext, Page]:
    width, height = SIZES[size]
    context = browser.new_context(
        viewport={"width": width, "height": height},
        is_mobile=size == "phone",
        has_touch=size != "desktop",
        storage_state=state,
    )
    context.add_init_script(CSP_LISTENER)
    return context, context.new_page()


def test_the_style_guide_at_three_sizes(
    browser: Browser, demo_server: DemoServer, session_state: Any, artifacts: Path
) -> None:
    found: dict[str, list[str]] = {}
    for size in SIZES:
        context, page = signed_in(browser, session_state, size)
        console_errors: list[str] = []

        def on_console(message: ConsoleMessage, errors: list[str] = console_errors) -> None:
            if message.type == "error":
                errors.append(message.text)

        page.on("console", on_console)
        page.goto(f"{demo_server.base_url}/style-guide/")
        expect(page.get_by_role("heading", level=1)).to_have_text("Style guide")
        if size == "phone":
            # The menu is collapsed to a button on a phone and opens on demand.
            menu = page.get_by_role("button", name="Menu")
            expect(menu).to_have_attribute("aria-expanded", "false")
            expect(page.get_by_role("link", name="My account")).to_be_hidden()
            menu.click()
            expect(page.get_by_role("link", name="My account")).to_be_visible()
            small = [t for t in page.evaluate(TARGETS) if t["height"] < 44]
            found["targets under 44px on a phone"] = small
        shot = artifacts / f"style-guide-{size}.png"
        page.screenshot(path=str(shot), full_page=True)
        if size == "desktop":
            shutil.copyfile(shot, ROOT / "docs" / "screenshot-style-guide.png")
        found[f"axe at {size}"] = violations(page)
        found[f"console errors at {size}"] = console_errors
        found[f"CSP violations at {size}"] = page.evaluate("window.__cspViolations")
        # htmx is loaded, configured from the meta tag, and added no <style> element.
        assert page.evaluate("window.htmx.config.includeIndicatorStyles") is False
        assert page.evaluate("document.querySelectorAll('style').length") == 0
        context.close()
    assert found == {name: [] for name in found}


def test_the_confirm_dialog_opens_and_cancels_with_the_keyboard(
    browser: Browser, demo_server: DemoServer, session_state: Any, artifacts: Path
) -> None:
    context, page = signed_in(browser, session_state, "desktop")
    page.goto(f"{demo_server.base_url}/style-guide/")
    opener = page.get_by_role("button", name="Void this record")
    dialog = page.get_by_role("dialog", name="Void this record?")
    expect(dialog).to_be_hidden()

    opener.focus()
    page.keyboard.press("Enter")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("This cannot be undone.")
    # Focus starts on Cancel, so a second Enter does not void anything.
    expect(dialog.get_by_role("button", name="Cancel")).to_be_focused()
    page.screenshot(path=str(artifacts / "style-guide-confirm-dialog.png"))
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect(opener).to_be_focused()

    page.keyboard.press("Space")
    expect(dialog).to_be_visible()
    page.keyboard.press("Enter")  # on Cancel
    expect(dialog).to_be_hidden()
    expect(opener).to_be_focused()

    # Confirming sends the form with confirmed=1; the result comes back as a toast.
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    expect(dialog.get_by_role("button", name="Void record")).to_be_focused()
    page.keyboard.press("Enter")
    toast = page.get_by_role("status").filter(has_text="Confirmed.")
    expect(toast).to_be_visible()
    toast.get_by_role("button", name="Dismiss message").click()
    expect(toast).to_be_hidden()
    context.close()
