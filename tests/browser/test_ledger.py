"""The controlled-substance ledger at the chair, on a tablet (768x1024): issue 12's browser
test. A nurse draws for a session, the session delivers less than was drawn, the nurse wastes
the rest with a colleague as witness, and the session can then be signed.

The demo's Leah Brennan (58 kg, a signed 0.5 mg/kg plan: 29 mg over 40 min) is checked in
with identity, consents and vitals checked. The nurse records the other checks (her last
clear liquid an hour ago fails the clinic's 2 h limit, §2.5 [C]: the physician overrides it
from another device), prepares 50 mg in 50 mL, draws those 50 mg from the vial the ledger
suggests (the first-expiring lot), starts, charts a reading and ends the infusion a minute
later: a mg or so delivered. She records that as administered; recovery, scores, and the
physician's discharge (the minimum observation cannot pass in a test: overridden with a
reason). The note panel then names the ledger's blocker and signing is refused; the nurse
wastes the rest with the physician typing their own email, password and code on her screen
(her own email and a wrong code refused first), and the physician signs.

The custodian then sees Leah reconciled among today's sessions, the vial's history, the
stock, the discrepancies and the inventory page. axe-core checks every screen; screenshots go
to test-artifacts/.
"""

from __future__ import annotations

import base64
import datetime as dt
import re
import zoneinfo
from decimal import Decimal
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from django_otp.oath import totp
from playwright.sync_api import Browser, Locator, Page, expect

from tests.browser import ledger_steps
from tests.browser.conftest import DEMO_PASSWORD, DemoServer

pytestmark = pytest.mark.browser

AXE = Axe()
TABLET = {"width": 768, "height": 1024}
DEMO_ZONE = zoneinfo.ZoneInfo("America/Detroit")  # the demo clinic's
NURSE = "nurse@demo.ketaclinic.test"
PHYSICIAN = "physician@demo.ketaclinic.test"
CUSTODIAN = "custodian@demo.ketaclinic.test"
PATIENT = "Leah Brennan (demo)"
PREPARED_MG = Decimal("50")


def violations(page: Page) -> list[str]:
    found = AXE.run(page).response["violations"]
    return [f"{v['impact']} {v['id']}: {[n['target'] for n in v['nodes']][:3]}" for v in found]


def local(delta: dt.timedelta) -> str:
    """A datetime-local value in the clinic's zone, ``delta`` from now."""
    return (dt.datetime.now(DEMO_ZONE) + delta).strftime("%Y-%m-%dT%H:%M")


def panel(page: Page, slug: str) -> Locator:
    return page.locator(f"section#{slug}")


def step(page: Page, label: str) -> None:
    """Press one of the Next steps buttons and wait for the page it lands on."""
    panel(page, "actions").get_by_role("button", name=label, exact=True).click()
    expect(page.locator(".toast").first).to_contain_text(f"{label}: done")


def chart_reading(page: Page, systolic: int, diastolic: int) -> None:
    form = panel(page, "vitals")
    form.get_by_label("Systolic (mmHg)").fill(str(systolic))
    form.get_by_label("Diastolic (mmHg)").fill(str(diastolic))
    form.get_by_label("Heart rate (bpm)").fill("74")
    form.get_by_label("SpO2 (%)").fill("98")
    form.get_by_label("Respiratory rate (/min)").fill("14")
    form.get_by_role("button", name="Chart the reading").click()
    expect(panel(page, "vitals").locator(".table")).to_contain_text(f"{systolic}/{diastolic}")


def save_check(page: Page, item: str) -> None:
    card = panel(page, "prechecks").locator(f"#check-{item}")
    card.locator("form").first.get_by_role("button").click()
    expect(panel(page, "prechecks").locator(f"#check-{item} .badge").first).not_to_have_text(
        "Not recorded"
    )


def record_remaining_prechecks(page: Page) -> None:
    """The items the demo left open (identity, consents and vitals are done); fasting fails:
    a clear liquid one hour ago is inside the clinic's 2 h."""
    checks = panel(page, "prechecks")
    for item in ("eligibility", "questionnaires"):
        save_check(page, item)
    card = checks.locator("#check-medications")
    card.get_by_label("No", exact=True).check()
    card.get_by_label("No alcohol recently").check()
    save_check(page, "medications")
    checks.locator("#check-pregnancy").get_by_label("Negative pregnancy test").check()
    save_check(page, "pregnancy")
    card = checks.locator("#check-fasting")
    card.get_by_label("Last solid food").fill(local(-dt.timedelta(hours=8)))
    card.get_by_label("Last clear liquid").fill(local(-dt.timedelta(hours=1)))
    save_check(page, "fasting")
    save_check(page, "escort")  # prefilled from the record: Noah Brennan, husband
    card = checks.locator("#check-equipment")
    for box in card.locator("input[type=checkbox]").all():
        box.check()
    save_check(page, "equipment")


def wrong_code(secret: str) -> str:
    """A six-digit code that is none of the account's codes accepted now (django-otp allows
    one step of drift either way)."""
    key = base64.b32decode(secret)
    near = {f"{totp(key, drift=d):06d}" for d in (-1, 0, 1)}
    return next(c for c in ("000000", "111111", "222222", "333333") if c not in near)


def test_a_draw_is_administered_in_part_wasted_before_a_witness_and_signed(
    browser: Browser, demo_server: DemoServer, artifacts: Path
) -> None:
    base = demo_server.base_url
    checked: dict[str, list[str]] = {}
    chair = browser.new_context(viewport=TABLET)  # type: ignore[arg-type]
    page = chair.new_page()
    demo_server.sign_in(page, NURSE)
    page.goto(f"{base}/schedule/board/")
    page.locator(".slot-card", has_text=PATIENT).get_by_role("link", name="Session").click()
    expect(page.get_by_role("heading", name=PATIENT, level=1)).to_be_visible()
    session_url = page.url.split("#")[0]
    checks = panel(page, "prechecks")
    expect(checks).to_contain_text("3 of 10 items passed or overridden")
    checked["session, checks under way"] = violations(page)

    record_remaining_prechecks(page)
    expect(checks.locator("#check-fasting")).to_contain_text("limit 2 h")
    expect(panel(page, "prechecks")).to_contain_text("9 of 10 items passed or overridden")
    page.screenshot(path=str(artifacts / "ledger-1-prechecks.png"), full_page=True)

    # The physician overrides the failed fasting item from another device.
    office = browser.new_context(viewport=TABLET)  # type: ignore[arg-type]
    desk = office.new_page()
    demo_server.sign_in(desk, PHYSICIAN)
    desk.goto(session_url)
    fasting = panel(desk, "prechecks").locator("#check-fasting")
    fasting.get_by_text("Override (physician)").click()
    fasting.get_by_label("Reason to go on despite this").fill(
        "Sips of water with her morning tablets only; aspiration risk judged negligible."
    )
    fasting.get_by_role("button", name="Override and allow the start").click()
    expect(panel(desk, "prechecks")).to_contain_text("10 of 10 items passed or overridden")

    # The preparation: 29 mg from 50 mg in 50 mL (1 mg/mL) over 40 min is
    # 29 mg / 40 min x 60 min/h / 1 mg/mL = 43.5 mL/h; the syringe's lot is the vial the
    # ledger suggests (the first-expiring one).
    page.reload()
    hint = ledger_steps.ledger_panel(page).locator(".help", has_text="Suggested: vial")
    found = re.search(
        r"vial (\S+) \(lot (\S+), expires first, (\d{4}-\d\d-\d\d)\)", hint.inner_text()
    )
    assert found, hint.inner_text()
    vial, lot, expiry = found.groups()
    prep = panel(page, "prep")
    prep.get_by_label("Vial lot").fill(lot)
    prep.get_by_label("Vial expiry").fill(expiry)
    prep.get_by_label("Ketamine in the bag or syringe (mg)").fill(str(PREPARED_MG))
    prep.get_by_label("Total volume, drug and diluent (mL)").fill("50")
    prep.get_by_role("button", name="Save and compute the rate").click()
    expect(panel(page, "prep")).to_contain_text("43.5 mL/h")

    # The draw: the form offers the suggested vial and the prepared mg.
    page.reload()
    assert ledger_steps.suggested_vial(page) == vial
    expect(ledger_steps.ledger_panel(page).get_by_label("Drawn (mg)")).to_have_value(
        re.compile(r"^50(\.0+)?$")
    )
    checked["session, ready to draw"] = violations(page)
    ledger_steps.draw(page)
    ledger = ledger_steps.ledger_panel(page)
    expect(ledger.locator(".table")).to_contain_text(vial)
    expect(ledger).to_contain_text("Not reconciled yet")
    checked["session, drawn"] = violations(page)

    step(page, "Start the infusion")
    chart_reading(page, 112, 70)
    page.wait_for_timeout(20_000)  # a little ketamine runs in
    step(page, "End of infusion")
    expect(panel(page, "status")).to_contain_text("Recovery")

    # What was given: the delivered mg as charted, far less than drawn.
    administered = Decimal(ledger_steps.record_administered(page))
    assert Decimal(0) < administered < PREPARED_MG, administered
    rest = PREPARED_MG - administered
    expect(ledger_steps.ledger_panel(page)).to_contain_text(f"{rest} mg unaccounted for")
    page.screenshot(path=str(artifacts / "ledger-2-administered.png"), full_page=True)
    checked["session, administered"] = violations(page)

    # Recovery: a reading, the scores, and the physician's discharge before the minimum
    # observation has passed.
    chart_reading(page, 110, 68)
    page.reload()
    recovery = panel(page, "recovery")
    for group, choice in (
        ("Activity", "Moves 4 extremities"),
        ("Respiration", "Breathes deeply, coughs freely"),
        ("Consciousness", "Fully awake"),
        ("Pain, nausea or vomiting", "Minimal"),
    ):
        recovery.get_by_role("group", name=group).get_by_label(choice).check()
    for box in ("Oriented to person, place and time", "Steady gait", "Took fluids", "Voided"):
        recovery.get_by_label(box).check()
    recovery.get_by_role("button", name="Save scores").click()
    expect(panel(page, "recovery")).to_contain_text("10/10")
    checked["session, recovery"] = violations(page)

    desk.goto(session_url)
    discharge = panel(desk, "discharge")
    expect(discharge).to_contain_text("Not met")
    discharge.get_by_label("Discharge despite unmet criteria: your reason (physician)").fill(
        "Fully recovered, scores 10/10, escort present; observed by me at the chair."
    )
    discharge.get_by_role("button", name="Discharge").click()
    note = panel(desk, "note")
    expect(note.locator("li", has_text="Blocks signing")).to_contain_text("Not reconciled")
    expect(note).to_contain_text(f"{rest} mg unaccounted for")
    desk.screenshot(path=str(artifacts / "ledger-3-sign-blocked.png"), full_page=True)
    checked["note with the ledger's blocker"] = violations(desk)
    note.get_by_label("Your password").fill(DEMO_PASSWORD)
    note.get_by_role("button", name="Sign").click()
    expect(panel(desk, "note")).to_contain_text("unaccounted for")
    expect(desk.get_by_role("heading", name=PATIENT, level=1)).to_be_visible()

    # The waste, at the nurse's screen: not herself, not a wrong code, then the physician.
    page.reload()
    ledger_steps.submit_waste(
        page, str(rest), witness_email=NURSE, witness_password=DEMO_PASSWORD,
        witness_code="123456",
    )  # fmt: skip
    ledger_steps.waste_refused(page, "Witness: email", "The witness must be a different person.")
    checked["waste refused"] = violations(page)
    ledger_steps.submit_waste(
        page, str(rest), witness_email=PHYSICIAN, witness_password=DEMO_PASSWORD,
        witness_code=wrong_code(demo_server.totp_secret(PHYSICIAN)),
    )  # fmt: skip
    ledger_steps.waste_refused(
        page, "Witness: authenticator code", "password or authenticator code is not right"
    )
    page.wait_for_timeout(2_000)  # django-otp's throttle after one failure: 1 s
    ledger_steps.waste_with_witness(
        page, str(rest), witness_email=PHYSICIAN, witness_password=DEMO_PASSWORD,
        witness_code=demo_server.totp_code(PHYSICIAN),
    )  # fmt: skip
    ledger = ledger_steps.ledger_panel(page)
    expect(ledger.locator(".table")).to_contain_text("Dr. Paul Okafor (demo)")
    expect(ledger).to_contain_text(f"{PREPARED_MG:.3f} mg drawn, all accounted for")
    page.screenshot(path=str(artifacts / "ledger-4-wasted.png"), full_page=True)
    checked["session, reconciled"] = violations(page)

    # Now the physician can sign.
    desk.goto(session_url)
    note = panel(desk, "note")
    expect(note).not_to_contain_text("Blocks signing")
    note.get_by_label("Your password").fill(DEMO_PASSWORD)
    note.get_by_role("button", name="Sign").click()
    expect(desk.locator(".page-header__subtitle")).to_have_text("Note signed")
    checked["signed"] = violations(desk)
    office.close()
    chair.close()

    # The custodian's screens.
    vault = browser.new_context(viewport=TABLET)  # type: ignore[arg-type]
    keeper = vault.new_page()
    demo_server.sign_in(keeper, CUSTODIAN)
    keeper.goto(f"{base}/ledger/sessions/")
    row = keeper.locator("tr", has_text=PATIENT)
    expect(row).to_contain_text("Reconciled")
    expect(row).to_contain_text(f"{PREPARED_MG:.3f}")
    keeper.screenshot(path=str(artifacts / "ledger-5-sessions.png"), full_page=True)
    checked["custodian: today's sessions"] = violations(keeper)
    keeper.goto(f"{base}/ledger/")
    expect(keeper.get_by_role("heading", name="Controlled-substance stock")).to_be_visible()
    keeper.screenshot(path=str(artifacts / "ledger-6-stock.png"), full_page=True)
    checked["custodian: stock"] = violations(keeper)
    keeper.get_by_role("link", name=vial, exact=True).click()
    history = keeper.locator("main")
    expect(history).to_contain_text(PATIENT)
    expect(history).to_contain_text("Dr. Paul Okafor (demo)")
    keeper.screenshot(path=str(artifacts / "ledger-7-container.png"), full_page=True)
    checked["custodian: container history"] = violations(keeper)
    keeper.goto(f"{base}/ledger/discrepancies/")
    checked["custodian: discrepancies"] = violations(keeper)
    keeper.screenshot(path=str(artifacts / "ledger-8-discrepancies.png"), full_page=True)
    keeper.goto(f"{base}/ledger/inventory/")
    expect(keeper.locator("main")).to_contain_text("Biennial inventory due")
    pdf = keeper.get_by_role("link", name="PDF").first.get_attribute("href")
    assert pdf
    answer = keeper.request.get(f"{base}{pdf}")
    assert answer.status == 200 and answer.body().startswith(b"%PDF")
    keeper.screenshot(path=str(artifacts / "ledger-9-inventory.png"), full_page=True)
    checked["custodian: inventory"] = violations(keeper)
    vault.close()
    assert checked == {name: [] for name in checked}
