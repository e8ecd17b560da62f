"""The clinic admin edits the public page in Markdown on Clinic settings, watches the live
preview, publishes, and sees the result on the public page; script typed into a section stays
text. axe-core checks every settings page. Screenshots go to test-artifacts/ and docs/."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Dialog, Page, expect

from tests.browser.conftest import ROOT, DemoServer
from tests.browser.test_accessibility import violations
from tests.browser.test_style_guide import CSP_LISTENER

pytestmark = pytest.mark.browser

ADMIN = "admin@demo.ketaclinic.test"
SETTINGS_PAGES = ["public-page", "contact", "time-zone", "security", "clinical-defaults"]


def sign_in_admin(page: Page, server: DemoServer) -> None:
    """Sign the demo clinic admin in. A TOTP code is accepted once (replay protection), so when
    an earlier test used this step's code, wait for the next 30-second step and try again."""
    server.sign_in(page, ADMIN)
    if page.get_by_text("already used").count():
        time.sleep(30 - time.time() % 30 + 1)
        page.get_by_label("Authentication code").fill(server.totp_code(ADMIN))
        page.get_by_role("button", name="Verify").click()
    expect(page).to_have_url(re.compile(r"/home/$"))


@pytest.fixture(scope="module")
def admin(browser: Browser, demo_server: DemoServer) -> Iterator[BrowserContext]:
    """One signed-in desktop browser for the clinic admin, shared by this module's tests."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.add_init_script(CSP_LISTENER)
    sign_in_admin(context.new_page(), demo_server)
    yield context
    context.close()


def open_public_page_settings(page: Page, server: DemoServer) -> None:
    page.goto(f"{server.base_url}/home/")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Clinic settings").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Clinic settings")
    page.get_by_role("navigation", name="Clinic settings pages").get_by_role(
        "link", name="Public page"
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Public page")


def test_the_clinic_admin_writes_markdown_previews_it_and_publishes(
    admin: BrowserContext, demo_server: DemoServer, artifacts: Path
) -> None:
    page = admin.new_page()
    open_public_page_settings(page, demo_server)

    intro = page.get_by_label("Introduction", exact=True)
    typed = (
        intro.input_value() + "\n\n**Same-week consultations**\n\n- Depression\n- Anxiety\n- PTSD"
    )
    intro.fill(typed)
    # The live preview (htmx, after a short pause in typing) shows the Markdown rendered.
    preview = page.locator("#preview-public_intro")
    expect(preview.locator("strong", has_text="Same-week consultations")).to_be_visible()
    expect(preview.locator("ul").last.locator("li")).to_have_text(["Depression", "Anxiety", "PTSD"])
    # The live preview runs under the strict CSP: no inline script or style was needed.
    assert page.evaluate("window.__cspViolations") == []
    page.screenshot(path=str(artifacts / "settings-public-page-desktop.png"), full_page=True)
    page.screenshot(path=str(ROOT / "docs" / "screenshot-settings.png"))

    page.get_by_role("button", name="Save and publish").click()
    expect(page.get_by_role("status").filter(has_text="Saved public page")).to_contain_text(
        "Introduction"
    )
    expect(page.get_by_label("Introduction", exact=True)).to_have_value(typed)

    page.goto(f"{demo_server.base_url}/c/demo/")
    expect(page.locator("strong", has_text="Same-week consultations")).to_be_visible()
    expect(page.locator("li", has_text="Anxiety").first).to_be_visible()
    page.screenshot(path=str(artifacts / "public-page-after-settings.png"), full_page=True)
    page.close()


def test_script_typed_into_a_section_is_shown_as_text(
    admin: BrowserContext, demo_server: DemoServer
) -> None:
    page = admin.new_page()
    dialogs: list[str] = []

    def on_dialog(dialog: Dialog) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    open_public_page_settings(page, demo_server)
    section = page.get_by_label("What it feels like", exact=True)
    original = section.input_value()
    attack = "<script>window.kcPwned = 1; alert('pwned')</script>"
    section.fill(original + "\n\n" + attack + ' <img src="x" onerror="alert(2)">')
    expect(page.locator("#preview-public_what_it_feels_like")).to_contain_text(attack)
    page.get_by_role("button", name="Save and publish").click()
    expect(page.get_by_role("status").filter(has_text="Saved public page")).to_be_visible()

    page.goto(f"{demo_server.base_url}/c/demo/")
    expect(page.get_by_text(attack)).to_be_visible()
    assert page.evaluate("window.kcPwned") is None
    assert page.locator("main script").count() == 0
    assert page.locator("main img[onerror]").count() == 0
    assert dialogs == []

    # Put the demo text back for the tests that follow.
    page.goto(f"{demo_server.base_url}/clinic/settings/public-page/")
    page.get_by_label("What it feels like", exact=True).fill(original)
    page.get_by_role("button", name="Save and publish").click()
    expect(page.get_by_role("status").filter(has_text="Saved public page")).to_be_visible()
    page.close()


def test_bad_input_stays_at_the_field_and_nothing_changed_is_said(
    admin: BrowserContext, demo_server: DemoServer, artifacts: Path
) -> None:
    page = admin.new_page()
    page.goto(f"{demo_server.base_url}/clinic/settings/time-zone/")
    zone = page.get_by_label(re.compile(r"^Time zone"))
    expect(zone).to_have_attribute("list", "time-zones")
    zone.fill("Mars/Olympus")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(zone).to_have_value("Mars/Olympus")
    expect(zone).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#id_time_zone_error")).to_contain_text("is not a known time zone")
    page.screenshot(path=str(artifacts / "settings-time-zone-error.png"), full_page=True)
    page.goto(f"{demo_server.base_url}/clinic/settings/security/")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_role("status").filter(has_text="Nothing changed.")).to_be_visible()
    page.close()


def test_every_settings_page_has_no_accessibility_violations(
    admin: BrowserContext, demo_server: DemoServer
) -> None:
    page = admin.new_page()
    checked = {}
    page.goto(f"{demo_server.base_url}/clinic/settings/")
    checked["overview"] = violations(page)
    for slug in SETTINGS_PAGES:
        page.goto(f"{demo_server.base_url}/clinic/settings/{slug}/")
        checked[slug] = violations(page)
    # Headings the clinic writes sit under the preview's own heading (axe: heading order).
    page.goto(f"{demo_server.base_url}/clinic/settings/public-page/")
    page.get_by_label("Frequently asked questions", exact=True).fill(
        "# About\n\n### Is it safe?\n\nOur physician watches you throughout."
    )
    expect(page.locator("#preview-public_faq h4")).to_have_text("Is it safe?")
    checked["public-page with a live preview"] = violations(page)
    page.goto(f"{demo_server.base_url}/clinic/settings/contact/")
    page.get_by_label("Websites that may embed the form").fill("http://not-https.example/path")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator("#id_embed_origins_error")).to_be_visible()
    checked["contact with an error"] = violations(page)
    page.close()
    assert checked == {name: [] for name in checked}
