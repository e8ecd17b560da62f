"""The demo clinic admin invites a nurse on a desktop; the nurse opens the mailed link on a
phone, chooses a password, sets up the authenticator and arrives home; the admin then sees
the nurse as Active. axe-core checks the staff pages and the enrolment page on the way.
Screenshots go to test-artifacts/."""

from __future__ import annotations

import base64
import re
import time
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from django_otp.oath import totp
from playwright.sync_api import Browser, Locator, Page, expect

from tests.browser.conftest import DemoServer
from tests.browser.test_clinic_settings import sign_in_admin

pytestmark = pytest.mark.browser

NURSE_EMAIL = "nia.browser@demo.ketaclinic.test"
NURSE_NAME = "Nia Browser RN (demo)"
NURSE_PASSWORD = "a phone-typed pass phrase"  # noqa: S105 - test fixture
AXE = Axe()


def violations(page: Page) -> list[str]:
    found = AXE.run(page).response["violations"]
    return [f"{v['impact']} {v['id']}: {[n['target'] for n in v['nodes']][:3]}" for v in found]


def invitation_link(server: DemoServer, email: str) -> str:
    """The set-password link of the newest mail to ``email`` in the server's outbox."""
    outbox = server.data_dir / "outbox"
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        mails = (
            # One folder a day (outbox/YYYY-MM-DD/), so the search goes into them.
            sorted(outbox.rglob("*.log"), key=lambda p: p.stat().st_mtime)
            if outbox.exists()
            else []
        )
        for path in reversed(mails):
            text = path.read_text()
            if f"To: {email}" in text:
                match = re.search(r"https?://\S+/accounts/password-reset/\S+/", text)
                assert match, text
                return match.group(0)
        time.sleep(0.2)
    raise AssertionError(f"no invitation mail to {email} in {outbox}")


def row_of(page: Page, name: str) -> Locator:
    return page.get_by_role("row").filter(has_text=name)


def test_an_invited_nurse_joins_from_a_phone(
    browser: Browser, demo_server: DemoServer, artifacts: Path
) -> None:
    checked: dict[str, list[str]] = {}
    desk = browser.new_context(viewport={"width": 1280, "height": 900})
    admin = desk.new_page()
    sign_in_admin(admin, demo_server)  # waits out a code an earlier test used
    admin.get_by_role("link", name="Staff", exact=True).click()
    expect(admin.get_by_role("heading", level=1)).to_have_text("Staff")
    # The demo's own unused invitation shows as pending, not as a failure.
    expect(row_of(admin, "Ivy Invited (demo)").get_by_text("Invitation pending")).to_be_visible()
    checked["staff list"] = violations(admin)
    admin.screenshot(path=str(artifacts / "staff-list.png"), full_page=True)

    admin.get_by_role("link", name="Invite someone").click()
    expect(admin.get_by_role("heading", name="What each role can do")).to_be_visible()
    checked["invite"] = violations(admin)
    admin.get_by_label("Full name").fill(NURSE_NAME)
    admin.get_by_label("Email").fill(NURSE_EMAIL)
    admin.get_by_label("Nurse", exact=True).check()
    admin.screenshot(path=str(artifacts / "staff-invite.png"), full_page=True)
    admin.get_by_role("button", name="Send invitation").click()
    expect(admin.get_by_text(f"Invitation sent to {NURSE_EMAIL}")).to_be_visible()
    expect(row_of(admin, NURSE_NAME).get_by_text("Invitation pending")).to_be_visible()

    admin.get_by_role("link", name=NURSE_NAME).click()
    expect(admin.get_by_role("button", name="Revoke invitation")).to_be_visible()
    checked["staff detail"] = violations(admin)
    admin.screenshot(path=str(artifacts / "staff-detail-pending.png"), full_page=True)

    link = invitation_link(demo_server, NURSE_EMAIL)
    assert link.startswith(demo_server.base_url), link

    phone = browser.new_context(
        viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
    )
    nurse = phone.new_page()
    nurse.goto(link)
    expect(nurse.get_by_role("heading", level=1)).to_have_text("Choose your password")
    nurse.screenshot(path=str(artifacts / "invite-choose-password-phone.png"), full_page=True)
    nurse.get_by_label("New password", exact=True).fill(NURSE_PASSWORD)
    nurse.get_by_label("New password confirmation").fill(NURSE_PASSWORD)
    nurse.get_by_role("button", name="Choose password and continue").click()

    expect(nurse).to_have_url(re.compile(r"/accounts/two-factor/setup/$"))
    qr = nurse.locator("#enrol-qr svg")
    secret = nurse.locator("#enrol-secret")
    app_link = nurse.get_by_role("link", name="Open in your authenticator app")
    expect(qr).to_be_visible()
    expect(app_link).to_have_attribute("href", re.compile(r"^otpauth://totp/"))
    qr_box, link_box, secret_box = qr.bounding_box(), app_link.bounding_box(), secret.bounding_box()
    assert qr_box and link_box and secret_box
    # On the phone: the QR code first, then the app link, then the secret to type.
    assert qr_box["y"] < link_box["y"] < secret_box["y"], (qr_box, link_box, secret_box)
    assert qr_box["x"] >= 0 and qr_box["x"] + qr_box["width"] <= 390, qr_box
    checked["enrolment (phone)"] = violations(nurse)
    nurse.screenshot(path=str(artifacts / "invite-two-factor-phone.png"), full_page=True)

    typed = secret.inner_text().replace(" ", "")
    key = base64.b32decode(typed + "=" * (-len(typed) % 8))
    nurse.get_by_label("Authentication code").fill(f"{totp(key):06d}")
    nurse.get_by_role("button", name="Verify").click()
    expect(nurse.get_by_role("heading", name="Your recovery codes")).to_be_visible()
    nurse.get_by_role("link", name="I have saved my codes").click()
    expect(nurse).to_have_url(re.compile(r"/home/$"))
    nurse.screenshot(path=str(artifacts / "invite-home-phone.png"), full_page=True)
    phone.close()

    admin.goto(f"{demo_server.base_url}/accounts/staff/")
    expect(row_of(admin, NURSE_NAME).get_by_text("Active", exact=True)).to_be_visible()
    admin.screenshot(path=str(artifacts / "staff-list-after.png"), full_page=True)
    admin.get_by_role("link", name=NURSE_NAME).click()
    expect(admin.get_by_role("button", name="Sign out of this clinic")).to_be_visible()
    checked["staff detail (active)"] = violations(admin)
    admin.screenshot(path=str(artifacts / "staff-detail-active.png"), full_page=True)
    admin.goto(f"{demo_server.base_url}/accounts/staff/")
    admin.get_by_role("link", name="Shared access").click()
    expect(admin.get_by_role("heading", level=1)).to_have_text("Shared access")
    checked["shared access"] = violations(admin)
    admin.screenshot(path=str(artifacts / "shared-access.png"), full_page=True)
    desk.close()
    assert checked == {name: [] for name in checked}
