"""A patient completes the intake from a link on a phone (375 x 812), leaving and coming back
midway: a coordinator sends the link from the staff page, the patient opens it from the
outbox, fills two steps, closes the page, reopens the link, sees their progress kept,
finishes and sends. axe-core finds no violations on the intake screens. Screenshots go to
test-artifacts/."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, BrowserContext, Page, expect

from ketaclinic.lib.child import run_ketaclinic
from tests.browser.conftest import ROOT, DemoServer

pytestmark = pytest.mark.browser

COORDINATOR = "coordinator@demo.ketaclinic.test"
AXE = Axe()
LINK = re.compile(r"https?://[^/\s]+(/i/[^/\s]+/)")


def violations(page: Page) -> list[str]:
    found = AXE.run(page).response["violations"]
    return [f"{v['impact']} {v['id']}: {[n['target'] for n in v['nodes']][:3]}" for v in found]


def phone(browser: Browser) -> BrowserContext:
    return browser.new_context(
        viewport={"width": 375, "height": 812}, is_mobile=True, has_touch=True
    )


def demo_patient_pk(server: DemoServer) -> int:
    """The patient the demo seed sent an intake link to (intake.demo)."""
    code = (
        "from ketaclinic.securelinks.models import SecureLink; "
        "print(SecureLink.objects.filter(purpose='intake').order_by('pk').first().patient_id)"
    )
    result = run_ketaclinic(
        server.data_dir, "manage", "shell", "-c", code, settings={"KETACLINIC_MODE": "demo"}
    )
    assert result.returncode == 0, result.stderr
    return int(result.stdout.strip().splitlines()[-1])


def newest_link(server: DemoServer, suffix: str, than: set[Path]) -> str:
    """The link path in the newest outbox file ending in ``suffix`` not in ``than``."""
    files = [p for p in (server.data_dir / "outbox").rglob(f"*{suffix}") if p not in than]
    assert files, "nothing new in the outbox"
    newest = max(files, key=lambda p: p.stat().st_mtime)
    match = LINK.search(newest.read_text())
    assert match, newest.read_text()
    return match.group(1)


def no_overflow(page: Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, width


def test_a_patient_completes_the_intake_on_a_phone_leaving_and_resuming(
    browser: Browser, demo_server: DemoServer, artifacts: Path
) -> None:
    checked: dict[str, list[str]] = {}
    # The coordinator sends a new link by text message (the demo seed sent one already).
    staff = browser.new_context()
    desk = staff.new_page()
    demo_server.sign_in(desk, COORDINATOR)
    pk = demo_patient_pk(demo_server)
    before = set((demo_server.data_dir / "outbox").rglob("*.sms"))
    desk.goto(f"{demo_server.base_url}/patients/{pk}/intake/")
    expect(desk.locator(".badge").get_by_text("Sent", exact=True)).to_be_visible()
    desk.get_by_label(re.compile("Text message to")).check()
    desk.get_by_role("button", name="Send intake link").click()
    expect(desk.get_by_text("Intake link sent by text message.")).to_be_visible()
    path = newest_link(demo_server, ".sms", before)
    url = demo_server.base_url + path

    context = phone(browser)
    page = context.new_page()
    page.goto(url)
    expect(page.get_by_role("heading", name="Before your first visit")).to_be_visible()
    checked["start"] = violations(page)
    no_overflow(page)
    page.get_by_role("link", name="Start").click()

    expect(page.get_by_role("heading", name="About you")).to_be_visible()
    expect(page.get_by_text("Step 1 of 10")).to_be_visible()
    checked["about"] = violations(page)
    page.get_by_label("The name you like to be called").fill("Mo")
    page.get_by_label("Your pronouns").fill("they/them")
    page.get_by_label("Non-binary").check()
    button = page.get_by_role("button", name="Save and continue")
    box = button.bounding_box()
    assert box is not None and box["height"] >= 44, box
    no_overflow(page)
    button.click()

    expect(
        page.get_by_role("heading", name="Contact, escort and emergency contact")
    ).to_be_visible()
    page.get_by_label("Mobile phone").fill("555-01")  # malformed: refused at the field
    page.get_by_label("Who will take you home after an infusion").fill("Sam Escort (demo)")
    page.get_by_role("button", name="Save and continue").click()
    expect(page.locator("#id_s-phone_mobile_error")).to_be_visible()
    expect(page.get_by_label("Who will take you home after an infusion")).to_have_value(
        "Sam Escort (demo)"
    )
    checked["contact with errors"] = violations(page)
    page.get_by_label("Mobile phone").fill("(313) 555-0142")
    page.get_by_label("Their phone").fill("313 555 0143")
    page.get_by_role("button", name="Save and continue").click()
    expect(page.get_by_role("heading", name="Your height and weight")).to_be_visible()
    page.screenshot(path=str(artifacts / "intake-phone-step3.png"), full_page=True)
    page.screenshot(path=str(ROOT / "docs" / "screenshot-intake-phone.png"), full_page=True)
    context.close()  # the patient leaves

    context = phone(browser)  # and comes back later, with nothing but the link
    page = context.new_page()
    page.goto(url)
    expect(page.get_by_role("heading", name="Welcome back")).to_be_visible()
    expect(page.get_by_text("You have done 2 of 9 steps")).to_be_visible()
    page.get_by_role("link", name="Continue").click()
    expect(page.get_by_role("heading", name="Your height and weight")).to_be_visible()
    page.get_by_role("link", name="Back").click()
    expect(page.get_by_label("Who will take you home after an infusion")).to_have_value(
        "Sam Escort (demo)"
    )
    page.get_by_role("button", name="Save and continue").click()

    page.get_by_label("Feet and inches").check()
    page.get_by_label("Height: feet").fill("5")
    page.get_by_label("Height: inches").fill("7")
    page.get_by_label("Weight", exact=True).fill("160")
    page.get_by_label("Pounds").check()
    checked["body"] = violations(page)
    page.get_by_role("button", name="Save and continue").click()

    expect(page.get_by_role("heading", name="Medicines you take")).to_be_visible()
    page.locator("#id_row-0-name").fill("Sertraline")
    page.locator("#id_row-0-dose_text").fill("50 mg once a day")
    checked["medicines"] = violations(page)
    page.get_by_role("button", name="Save and continue").click()

    page.get_by_label("I have no allergies I know of").check()
    page.get_by_role("button", name="Save and continue").click()

    expect(page.get_by_role("heading", name="Your health")).to_be_visible()
    for group in page.locator("fieldset.field--group").all():
        group.get_by_label("No", exact=True).check()
    checked["health"] = violations(page)
    page.get_by_role("button", name="Save and continue").click()

    page.get_by_label(re.compile("How many antidepressants")).fill("2")
    page.get_by_role("button", name="Save and continue").click()

    expect(page.get_by_role("heading", name="Alcohol and other substances")).to_be_visible()
    for group in page.locator("fieldset.field--group").all():
        group.get_by_label("Never", exact=True).check()
    page.get_by_role("button", name="Save and continue").click()

    expect(page.get_by_role("heading", name="Pregnancy and breastfeeding")).to_be_visible()
    for group in page.locator("fieldset.field--group").all():
        group.get_by_label("No", exact=True).check()
    page.get_by_role("button", name="Save and continue").click()

    expect(page.get_by_role("heading", name="Check your answers and send them")).to_be_visible()
    expect(page.get_by_text("Sertraline")).to_be_visible()
    expect(page.get_by_text("Sam Escort (demo)")).to_be_visible()
    checked["review"] = violations(page)
    no_overflow(page)
    page.get_by_label(re.compile("true to the best of my knowledge")).check()
    page.get_by_role("button", name="Send my answers").click()
    expect(page.get_by_role("heading", name="Thank you, we have your answers")).to_be_visible()
    checked["thanks"] = violations(page)
    page.screenshot(path=str(artifacts / "intake-phone-thanks.png"), full_page=True)

    page.goto(url)  # the link is used up now: the calm page, not an error
    expect(page.get_by_role("heading", name="You have already sent your answers")).to_be_visible()
    expect(page.get_by_role("link", name=re.compile("Call 988"))).to_be_visible()
    checked["used link"] = violations(page)
    context.close()

    desk.goto(f"{demo_server.base_url}/patients/{pk}/intake/")
    expect(desk.locator(".badge", has_text="Submitted")).to_be_visible()
    staff.close()
    assert checked == {name: [] for name in checked}, checked
