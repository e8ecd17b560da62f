"""Eligibility and sharing in a real browser, on the demo clinic.

* The physician opens a patient whose screening needs review, reads every reason with its
  source, gets a wrong password refused at the field (the reason typed is kept), and signs
  "eligible with conditions"; the decision is in the history and the chart header says so.
* The demo therapist signs in and sees only what the patients' consents share: two patients
  in the list, only the consented tabs, 404 for a tab not shared, and on the Part 2 patient's
  diagnoses the redisclosure notice of 42 CFR 2.32.

axe-core finds no violations on these screens.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import DEMO_PASSWORD, ROOT, DemoServer

pytestmark = pytest.mark.browser


def no_violations(page: Page) -> list[str]:
    found = Axe().run(page).response["violations"]
    return [f"{page.url}: {v['impact']} {v['id']}" for v in found]


def open_chart(page: Page, base_url: str, list_name: str) -> None:
    page.goto(f"{base_url}/patients/")
    page.get_by_role("link", name=list_name).click()


def chart_tabs(page: Page) -> list[str]:
    nav = page.get_by_role("navigation", name="Chart sections")
    return [t.strip() for t in nav.get_by_role("link").all_inner_texts()]


def test_the_physician_reviews_the_screening_and_signs(
    browser: Browser, demo_server: DemoServer, artifacts: Path
) -> None:
    context = browser.new_context(viewport={"width": 1024, "height": 768})
    page = context.new_page()
    demo_server.sign_in(page, "physician@demo.ketaclinic.test")
    open_chart(page, demo_server.base_url, "Menon (demo), Ravi")
    page.get_by_role("navigation", name="Chart sections").get_by_role(
        "link", name="Eligibility"
    ).click()
    expect(page.get_by_text("Relative").first).to_be_visible()
    expect(page.get_by_text(re.compile(r"Source: ")).first).to_be_visible()
    violations = no_violations(page)

    page.get_by_label("Eligible with conditions", exact=True).check()
    page.get_by_role("textbox", name=re.compile(r"^Reason")).fill(
        "Reviewed the relative reasons with the patient today."
    )
    page.get_by_role("textbox", name=re.compile(r"^Conditions")).fill(
        "Blood pressure under 160/95 on the day."
    )
    page.get_by_label(re.compile(r"^Your password")).fill("not-the-password")
    page.get_by_role("button", name="Sign the decision").click()
    expect(page.locator(".field__error, .error-summary").first).to_be_visible()
    expect(page.get_by_role("textbox", name=re.compile(r"^Reason"))).to_have_value(
        "Reviewed the relative reasons with the patient today."
    )

    page.get_by_label("Eligible with conditions", exact=True).check()
    page.get_by_label(re.compile(r"^Your password")).fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign the decision").click()
    history = page.get_by_role("table")
    expect(history.get_by_text("Eligible with conditions").first).to_be_visible()
    expect(history.get_by_text("Blood pressure under 160/95 on the day.")).to_be_visible()
    page.screenshot(path=str(artifacts / "eligibility-signed.png"), full_page=True)
    context.close()
    assert violations == []


def test_the_therapist_sees_only_what_the_consents_share(
    browser: Browser, demo_server: DemoServer, artifacts: Path
) -> None:
    context = browser.new_context(viewport={"width": 1024, "height": 768})
    page = context.new_page()
    demo_server.sign_in(page, "therapist@demo.ketaclinic.test")
    expect(page.get_by_role("heading", name=re.compile("Patients shared with me"))).to_be_visible()

    page.goto(f"{demo_server.base_url}/patients/")
    names = page.get_by_role("link", name=re.compile(r"\(demo\), ")).all_inner_texts()
    assert sorted(n.strip() for n in names) == ["Alvarez (demo), Maya", "Bell (demo), Marcus"]
    violations = no_violations(page)

    # Maya's sharing consent names the summary, diagnoses, medications and outcomes.
    page.get_by_role("link", name="Alvarez (demo), Maya").click()
    expect(page.get_by_text("Shared with you")).to_be_visible()
    tabs = chart_tabs(page)
    assert {"Overview", "Diagnoses", "Medications and allergies", "Outcomes"} <= set(tabs)
    assert not {"Weight", "History", "Eligibility", "Consents"} & set(tabs), tabs
    violations += no_violations(page)
    found = re.search(r"/patients/(\d+)/", page.url)
    assert found is not None, page.url
    weight_url = f"{demo_server.base_url}/patients/{found.group(1)}/weight/"
    assert page.request.get(weight_url).status == 404

    # Marcus's 42 CFR Part 2 consent names the therapist: his alcohol-use diagnosis is shown
    # with the redisclosure notice.
    open_chart(page, demo_server.base_url, "Bell (demo), Marcus")
    page.get_by_role("navigation", name="Chart sections").get_by_role(
        "link", name="Diagnoses"
    ).click()
    expect(page.get_by_text("F10.20")).to_be_visible()
    expect(page.get_by_text(re.compile("redisclosure", re.I)).first).to_be_visible()
    violations += no_violations(page)
    page.screenshot(path=str(ROOT / "docs" / "screenshot-shared-chart.png"), full_page=True)
    context.close()
    assert violations == []
