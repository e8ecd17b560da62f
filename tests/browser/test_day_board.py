"""The day board in a real browser on a tablet (1024x768): the demo's bookings show, a booking
made elsewhere appears after the htmx refresh without a page reload, and axe-core finds no
violations."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import DemoServer

pytestmark = pytest.mark.browser

AXE = Axe()
TABLET = {"width": 1024, "height": 768}
DEMO_ZONE = zoneinfo.ZoneInfo("America/Detroit")  # the demo clinic's


def violations(page: Page) -> list[str]:
    found = AXE.run(page).response["violations"]
    return [f"{v['impact']} {v['id']}: {[n['target'] for n in v['nodes']][:3]}" for v in found]


def _busy_day(page: Page, base_url: str) -> dt.date:
    """The first weekday from tomorrow whose board has a booking (the demo books ahead)."""
    day = dt.datetime.now(DEMO_ZONE).date()
    for _ in range(10):
        day += dt.timedelta(days=1)
        if day.weekday() >= 5:
            continue
        page.goto(f"{base_url}/schedule/board/?day={day.isoformat()}")
        if page.locator(".slot-card").count():
            return day
    raise AssertionError("no demo bookings in the next ten days")


def test_the_day_board_on_a_tablet(browser: Browser, demo_server: DemoServer) -> None:
    wall = browser.new_context(viewport=TABLET)  # type: ignore[arg-type]
    board = wall.new_page()
    demo_server.sign_in(board, "nurse@demo.ketaclinic.test")
    day = _busy_day(board, demo_server.base_url)
    expect(board.get_by_role("heading", name="Day board", level=1)).to_be_visible()
    for chair in ("Chair 1", "Chair 2", "Chair 3"):
        expect(board.get_by_role("heading", name=chair, level=2)).to_be_visible()
    expect(board.locator(".slot-card").first).to_contain_text("(demo)")
    expect(board.get_by_role("list", name="Needed before start").first).to_be_visible()
    checked = {"board": violations(board)}
    board.evaluate("window.stillTheSamePage = true")

    # The coordinator books a chair on that day from another browser.
    desk = browser.new_context(viewport=TABLET)  # type: ignore[arg-type]
    form = desk.new_page()
    demo_server.sign_in(form, "coordinator@demo.ketaclinic.test")
    form.goto(f"{demo_server.base_url}/schedule/book/?day={day.isoformat()}")
    value = form.locator("#id_patient option", has_text="Marcus Bell").get_attribute("value")
    assert value
    form.get_by_label("Patient").select_option(value)
    form.get_by_label("Chair").select_option(label="Chair 1")
    form.get_by_label("Time").fill("15:15")
    form.get_by_role("button", name="Book", exact=True).click()
    expect(form.locator(".slot-card", has_text="Marcus Bell")).to_be_visible()
    desk.close()

    # The wall screen shows it after the refresh (the button; the 30-second poll does the
    # same), without reloading the page.
    board.get_by_role("button", name="Refresh").click()
    card = board.locator(".slot-card", has_text="Marcus Bell")
    expect(card).to_be_visible()
    expect(card).to_contain_text("15:15–16:55")
    expect(card).to_contain_text("Eligibility: No signed decision")
    assert board.evaluate("window.stillTheSamePage") is True
    checked["board after refresh"] = violations(board)

    # The booking's own page (its history and the forms to move or cancel it).
    card.get_by_role("link", name="Marcus Bell (demo)").click()
    expect(board.get_by_role("heading", name="History")).to_be_visible()
    checked["booking"] = violations(board)
    board.get_by_role("button", name="Cancel booking").click()  # no reason: the error
    expect(board.locator(".error-summary")).to_be_visible()
    checked["booking with an error"] = violations(board)
    board.goto(f"{demo_server.base_url}/schedule/")
    checked["chairs and hours"] = violations(board)
    board.goto(f"{demo_server.base_url}/schedule/board/?day={day.isoformat()}")

    # Day navigation by keyboard.
    board.get_by_role("link", name="Next day").focus()
    board.keyboard.press("Enter")
    expect(board).to_have_url(
        f"{demo_server.base_url}/schedule/board/?day={(day + dt.timedelta(days=1)).isoformat()}"
    )
    wall.close()
    assert checked == {name: [] for name in checked}
