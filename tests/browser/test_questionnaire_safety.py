"""Questionnaire by secure link to a safety alert, on a phone (375 x 812): a coordinator sends
a PHQ-9 to a demo patient, the patient opens the link from the outbox and answers item 9 with
"several days", sees crisis resources at once; the physician sees the alert on the home page
and acknowledges it with the action taken; the alert closes and the audit report shows each
step. axe-core finds no violations on the questionnaire screens."""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page

from tests.browser.conftest import DemoServer

pytestmark = pytest.mark.browser

AXE = Axe()
PHONE: dict[str, Any] = {
    "viewport": {"width": 375, "height": 812},
    "is_mobile": True,
    "has_touch": True,
}
PATIENT_EMAIL = "drew.kim@example.com"


def violations(page: Page) -> list[str]:
    found = AXE.run(page).response["violations"]
    return [f"{v['impact']} {v['id']}: {[n['target'] for n in v['nodes']][:3]}" for v in found]


def newest_link(server: DemoServer, email: str, after: float) -> str:
    """The questionnaire link of the newest mail to ``email`` written after ``after``."""
    outbox = server.data_dir / "outbox"
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        mails = (
            sorted(outbox.rglob("*.log"), key=lambda p: p.stat().st_mtime)
            if outbox.exists()
            else []
        )
        for path in reversed(mails):
            if path.stat().st_mtime < after:
                continue
            text = path.read_text()
            if f"To: {email}" in text:
                match = re.search(r"https?://\S+/q/\S+/", text)
                if match:
                    return match.group(0)
        time.sleep(0.2)
    raise AssertionError(f"no questionnaire mail to {email} in {outbox}")


def test_phq9_item9_by_link_reaches_a_physician(
    browser: Browser, demo_server: DemoServer, artifacts: Path
) -> None:
    base = demo_server.base_url
    checked: dict[str, list[str]] = {}

    # The coordinator sends a PHQ-9 from the patient's chart.
    staff = browser.new_context(**PHONE)
    page = staff.new_page()
    demo_server.sign_in(page, "coordinator@demo.ketaclinic.test")
    page.goto(f"{base}/patients/")
    page.get_by_role("link", name=re.compile(r"Kim \(demo\)")).first.click()
    chart_url = page.url.split("?")[0]
    patient_pk = re.search(r"/patients/(\d+)/", chart_url).group(1)  # type: ignore[union-attr]
    page.goto(chart_url.rstrip("/") + "/questionnaires/")
    page.get_by_role("link", name="Send a questionnaire").click()
    checked["send form"] = violations(page)
    page.get_by_label(re.compile(r"^Patient Health Questionnaire")).check()
    page.get_by_label(f"Email to {PATIENT_EMAIL}").check()
    started = time.time() - 1
    page.get_by_role("button", name="Send the link").click()
    page.get_by_text("Questionnaire link sent by email.").wait_for()
    staff.close()

    # The patient opens the link from the outbox, on a phone, one question at a time.
    link = newest_link(demo_server, PATIENT_EMAIL, started)
    patient = browser.new_context(**PHONE).new_page()
    patient.goto(link)
    patient.get_by_role("heading", name=re.compile("A few questions from")).wait_for()
    checked["start"] = violations(patient)
    patient.get_by_label("One question at a time").check()
    patient.get_by_role("button", name="Start").click()
    for number in range(1, 9):
        patient.get_by_role("heading", name=re.compile(f"question {number} of 10")).wait_for()
        if number == 1:
            checked["one question"] = violations(patient)
        patient.get_by_label("Not at all").check()
        patient.get_by_role("button", name="Save and continue").click()
    patient.get_by_role("heading", name=re.compile("question 9 of 10")).wait_for()
    patient.get_by_label("Several days").check()
    patient.get_by_role("button", name="Save and continue").click()
    # The very next screen: crisis resources first.
    patient.get_by_role("heading", name="Please reach out for help now").wait_for()
    assert patient.get_by_role("link", name=re.compile("Call 988")).is_visible()
    assert patient.get_by_role("link", name=re.compile("Text 988")).is_visible()
    assert patient.get_by_role("link", name=re.compile("Call 911")).is_visible()
    checked["crisis on the next question"] = violations(patient)
    patient.screenshot(path=str(artifacts / "questionnaire-crisis-phone.png"), full_page=True)
    patient.get_by_label("Somewhat difficult").check()
    patient.get_by_role("button", name="Save and continue").click()
    patient.get_by_role("heading", name="Check your answers and send them").wait_for()
    checked["review"] = violations(patient)
    patient.get_by_role("button", name="Send my answers").click()
    patient.get_by_role("heading", name="Thank you: your answers are sent").wait_for()
    assert patient.get_by_role("heading", name="Please reach out for help now").is_visible()
    checked["thanks"] = violations(patient)
    patient.goto(link)  # used up: the calm page
    patient.get_by_role("heading", name="You have already sent your answers").wait_for()
    patient.context.close()

    # The physician sees the alert on the home page and acknowledges it.
    doctor = browser.new_context(**PHONE)
    page = doctor.new_page()
    demo_server.sign_in(page, "physician@demo.ketaclinic.test")
    page.goto(f"{base}/home/")
    alerts = page.locator("#safety")
    assert "Safety alerts (1)" in alerts.inner_text()
    alerts.get_by_role("link", name=re.compile(r"Kim \(demo\)")).click()
    page.get_by_role("heading", name=re.compile("Safety alert")).wait_for()
    assert "PHQ-9 item 9" in page.content()
    checked["alert"] = violations(page)
    page.get_by_role("button", name="Acknowledge the alert").click()
    page.get_by_text("Say what was done.").first.wait_for()
    checked["alert with error"] = violations(page)
    page.get_by_label("Action taken").fill(
        "Called Drew at once: passive thoughts, no plan. Safety plan reviewed; seen tomorrow."
    )
    page.get_by_role("button", name="Acknowledge the alert").click()
    page.get_by_text("Safety alert acknowledged").wait_for()
    page.goto(f"{base}/home/")
    assert "No safety alerts" in page.locator("#safety").inner_text()
    doctor.close()

    # The audit report shows each step.
    admin = browser.new_context(viewport={"width": 1280, "height": 900})
    page = admin.new_page()
    demo_server.sign_in(page, "admin@demo.ketaclinic.test")
    page.goto(f"{base}/audit/")
    page.get_by_label("Patient reference").fill(patient_pk)
    page.get_by_role("button", name="Show entries").click()
    report = page.locator("table.audit").inner_text()
    for label in (
        "Sent questionnaires to a patient",
        "Opened a secure link",
        "Saved questionnaire answers",
        "Recorded a questionnaire response",
        "Opened a safety alert from a questionnaire",
        "Sent the questionnaire answers",
        "Acknowledged a safety alert, with the action taken",
        "Resolved a safety flag",
    ):
        assert label in report, label
    admin.close()
    assert checked == {name: [] for name in checked}
