"""A physician drafts a treatment plan in a real browser: opens a demo patient, drafts from the
depression protocol, sees the pump rate and the PK preview image, signs; axe finds nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import DEMO_PASSWORD, DemoServer

pytestmark = pytest.mark.browser

AXE = Axe()


def violations(page: Page) -> list[str]:
    found = AXE.run(page).response["violations"]
    return [f"{v['impact']} {v['id']}: {[n['target'] for n in v['nodes']][:3]}" for v in found]


def test_physician_drafts_previews_signs_and_books_a_plan(
    browser: Browser, demo_server: DemoServer
) -> None:
    context = browser.new_context(viewport={"width": 1024, "height": 768})
    page = context.new_page()
    demo_server.sign_in(page, "physician@demo.ketaclinic.test")
    checked: dict[str, list[str]] = {}
    page.goto(f"{demo_server.base_url}/patients/")
    page.get_by_role("link", name="Whitfield (demo), Jonah").click()
    page.get_by_role("navigation", name="Chart sections").get_by_role(
        "link", name="Treatment plan"
    ).click()
    page.get_by_role("heading", name="Draft a plan").wait_for()
    checked["empty tab"] = violations(page)
    page.get_by_label("Protocol").select_option(
        label="Depression: 0.5 mg/kg over 40 min, induction of 6 (version 2)"
    )
    page.get_by_label("Dose").select_option(label="0.5 mg/kg")
    page.get_by_label("Product").select_option(label="Syringe pump at 1 mg/mL (50 mL syringe)")
    page.get_by_role("textbox", name="Reason (required)").fill(
        "First plan from the depression protocol."
    )
    page.get_by_role("button", name="Draft the plan").click()
    page.get_by_role("heading", name="Plan, version 1").wait_for()
    # 91 kg x 0.5 mg/kg = 45.5 mg; at 1 mg/mL over 40 min: 68.25 mL/h (clinical.md 1.9).
    expect(page.get_by_text("68.25 mL/h", exact=True)).to_be_visible()
    image = page.get_by_role("img", name="Predicted ketamine plasma")
    expect(image).to_be_visible()
    svg = page.request.get(f"{demo_server.base_url}{image.get_attribute('src')}")
    assert svg.status == 200, svg.text()[:2000]
    assert svg.headers["content-type"] == "image/svg+xml"
    page.wait_for_function(
        "img => img.complete && img.naturalWidth > 0", arg=image.element_handle()
    )
    checked["drafted"] = violations(page)
    page.get_by_label("Your password").first.fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign the plan").click()
    expect(page.get_by_text("Plan version 1 signed.")).to_be_visible()
    expect(page.get_by_text("Signed", exact=True).first).to_be_visible()
    checked["signed"] = violations(page)
    page.get_by_role("heading", name="Book the series").wait_for()
    page.get_by_role("button", name="Book the series").click()
    booked = page.get_by_text("Series booked, 6 visits:")
    expect(booked).to_be_visible()
    checked["booked"] = violations(page)
    # "Series booked, 6 visits: Tue 03 Mar 09:00, ..." -> the first visit's day on the board.
    first = booked.inner_text().split(": ", 1)[1].split(", ")[0]
    day = dt.datetime.strptime(f"{first[4:10]} {dt.date.today().year}", "%d %b %Y").date()
    if day < dt.date.today() - dt.timedelta(days=1):
        day = day.replace(year=day.year + 1)
    page.goto(f"{demo_server.base_url}/schedule/board/?day={day.isoformat()}")
    expect(page.get_by_text("Whitfield").first).to_be_visible()
    context.close()
    assert checked == {name: [] for name in checked}
