"""A visitor reads the clinic's page and sends an inquiry from a phone; the embeddable form works
in a frame on a listed website only (the coordinator's side is in test_pipeline.py).
Screenshots go to test-artifacts/."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from ketaclinic.lib.child import run_ketaclinic
from tests.browser.conftest import DemoServer

pytestmark = pytest.mark.browser

COORDINATOR = "coordinator@demo.ketaclinic.test"
DEMO_PASSWORD = "demo-clinic-password"


def phone(browser: Browser) -> BrowserContext:
    """A phone-sized touch screen (390 x 844 CSS pixels)."""
    return browser.new_context(
        viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
    )


def fill_call_back(page: Page, name: str, message: str = "") -> None:
    """The required part of the form, plus a message if given."""
    page.get_by_label("Your name").fill(name)
    page.get_by_label("Email").fill("river.browser@example.com")
    page.get_by_label("Write to me").check()
    if message:
        page.get_by_label("Message").fill(message)
    page.get_by_label(re.compile(r"^I agree to be contacted")).check()


def send_inquiry(page: Page, server: DemoServer, name: str, message: str) -> None:
    page.goto(f"{server.base_url}/c/demo/learn-more/")
    fill_call_back(page, name, message)
    page.get_by_role("button", name="Send").click()


def test_the_public_page_looks_like_the_clinic_on_a_phone_and_a_desktop(
    browser: Browser, demo_server: DemoServer, artifacts: Path
) -> None:
    context = phone(browser)
    page = context.new_page()
    page.goto(f"{demo_server.base_url}/c/demo/")
    crisis = page.locator(".crisis")
    expect(crisis).to_have_count(1)
    for name, href in (("Call 988", "tel:988"), ("Text 988", "sms:988"), ("Call 911", "tel:911")):
        link = crisis.get_by_role("link", name=re.compile(name))
        expect(link).to_have_attribute("href", href)
        box = link.bounding_box()
        assert box is not None and box["height"] >= 44, (name, box)
    cta = page.get_by_role("link", name="Ask about ketamine treatment").first
    expect(cta).to_be_visible()
    box = cta.bounding_box()
    assert box is not None and box["height"] >= 44 and box["y"] < 844, box  # above the fold
    # The clinic's colours, from its own stylesheet (no inline style).
    header_bg = page.locator(".clinic-header").evaluate("e => getComputedStyle(e).backgroundColor")
    assert header_bg == "rgb(31, 95, 168)", header_bg  # the demo's brand colour, #1f5fa8
    expect(page.get_by_role("heading", name="Frequently asked questions")).to_be_visible()
    expect(page.get_by_role("heading", name="Do I need my own therapist?")).to_be_visible()
    page.screenshot(path=str(artifacts / "public-page-phone.png"), full_page=True)
    context.close()

    desktop = browser.new_context(viewport={"width": 1280, "height": 900})
    page = desktop.new_page()
    page.goto(f"{demo_server.base_url}/c/demo/")
    expect(page.get_by_role("link", name="Ask about ketamine treatment").first).to_be_visible()
    page.screenshot(path=str(artifacts / "public-page-desktop.png"), full_page=True)
    desktop.close()


def test_a_visitor_sends_an_inquiry_on_a_phone(
    browser: Browser, demo_server: DemoServer, artifacts: Path
) -> None:
    context = phone(browser)
    page = context.new_page()
    page.goto(f"{demo_server.base_url}/c/demo/")
    page.get_by_role("link", name="Ask about ketamine treatment").first.click()
    expect(page).to_have_url(re.compile(r"/c/demo/learn-more/$"))

    # A mistake first: no consent and no way to contact chosen. The messages appear at the
    # fields and what was typed stays.
    page.get_by_label("Your name").fill("River Browser (demo)")
    page.get_by_label("Email").fill("river.browser@example.com")
    page.get_by_label("Message").fill("I would like to know whether this could help my depression.")
    page.get_by_role("button", name="Send").click()
    consent = page.get_by_label(re.compile(r"^I agree to be contacted"))
    expect(consent).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#id_preferred_contact_error")).to_contain_text("how we should contact")
    expect(page.get_by_label("Your name")).to_have_value("River Browser (demo)")
    expect(page.get_by_label("Message")).to_have_value(
        "I would like to know whether this could help my depression."
    )
    page.screenshot(path=str(artifacts / "inquiry-error-phone.png"), full_page=True)
    page.get_by_label("Call me").check()
    page.get_by_label("Phone").fill("(555) 010-0177")
    consent.check()
    page.get_by_role("button", name="Send").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(re.compile("thank", re.I))
    expect(page.get_by_text("We aim to get back to you within one working day.")).to_be_visible()
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
    expect(crisis).to_have_attribute("role", "alert")
    expect(crisis.get_by_role("link", name=re.compile("Call 988"))).to_have_attribute(
        "href", "tel:988"
    )
    page.screenshot(path=str(artifacts / "inquiry-urgent-thanks-phone.png"), full_page=True)
    context.close()


# --- The embeddable form in a frame on another website -------------------------------------------


def _set_embed_origins(server: DemoServer, origins: str) -> None:
    """What the clinic admin types on the settings page, written straight to the demo database."""
    assert server.data_dir is not None
    code = (
        "from ketaclinic.clinics.models import Clinic; "
        f"Clinic.objects.filter(slug='demo').update(embed_origins={origins!r})"
    )
    result = run_ketaclinic(
        server.data_dir, "manage", "shell", "-c", code, settings={"KETACLINIC_MODE": "demo"}
    )
    assert result.returncode == 0, result.stderr


@pytest.fixture
def clinic_website(demo_server: DemoServer) -> Iterator[str]:
    """A tiny page on another site (localhost, not 127.0.0.1) that frames the embed form."""
    page = (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'><title>Our clinic</title>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        "</head><body><h1>Sturges Family Practice (demo website)</h1>"
        f"<iframe src='{demo_server.base_url}/c/demo/embed/' title='Ask about ketamine "
        "treatment' width='370' height='1500'></iframe></body></html>"
    ).encode()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - the http.server hook name
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(page)))
            self.end_headers()
            self.wfile.write(page)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://localhost:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        _set_embed_origins(demo_server, "")


def test_the_embedded_form_works_only_on_a_listed_website(
    browser: Browser, demo_server: DemoServer, clinic_website: str, artifacts: Path
) -> None:
    context = phone(browser)
    page = context.new_page()

    # Not listed: the browser refuses to show the form in the frame.
    _set_embed_origins(demo_server, "https://www.example.org")
    page.goto(clinic_website, wait_until="load")
    framed = page.frame_locator("iframe")
    # Chromium puts its own error page in a frame that frame-ancestors refuses.
    page.frames[1].wait_for_url("chrome-error://chromewebdata/", timeout=10_000)
    expect(framed.get_by_label("Your name")).to_have_count(0)

    # Listed: the form shows, and a visitor on the clinic's site can send it (no cookies cross
    # into this frame: localhost and 127.0.0.1 are different sites).
    _set_embed_origins(demo_server, f"https://www.example.org\n{clinic_website}")
    page.goto(clinic_website, wait_until="load")
    expect(framed.get_by_label("Your name")).to_be_visible()
    assert page.frames[1].url == f"{demo_server.base_url}/c/demo/embed/", page.frames[1].url
    expect(framed.get_by_role("link", name=re.compile("Call 988"))).to_be_visible()
    # Viewport shots: Chromium paints only the visible part of a frame in a full-page one.
    page.screenshot(path=str(artifacts / "embed-in-clinic-site-phone.png"))
    framed.get_by_label("Your name").fill("Jamie Embed (demo)")
    framed.get_by_label("Phone").fill("(555) 010-0188")
    framed.get_by_label("Send me a text").check()
    framed.get_by_label(re.compile(r"^I agree to be contacted")).check()
    framed.get_by_role("button", name="Send").click()
    expect(framed.get_by_role("heading", level=1)).to_contain_text("Thank you")
    expect(framed.get_by_text("We aim to get back to you within one working day.")).to_be_visible()
    expect(framed.get_by_text("by text message")).to_be_visible()
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=str(artifacts / "embed-thanks-phone.png"))
    context.close()
