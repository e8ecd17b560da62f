"""Fixtures for the intake tests: a patient made through the patients action, a link sent
through the real send action (its token read back from the message, as the patient would),
and a valid POST for every step."""

from __future__ import annotations

import re
from typing import Any

from django.core import mail
from django.urls import reverse

from ketaclinic.accounts.models import Membership, Role
from ketaclinic.intake import actions
from ketaclinic.lib.messaging import sms
from ketaclinic.patients.conditions import ConditionCode
from ketaclinic.patients.models import Patient
from ketaclinic.patients.tests.base import make_patient
from ketaclinic.testing import BaseTestCase, member

TOKEN_IN_TEXT = re.compile(r"/i/([^/\s]+)/")


def token_from(text: str) -> str:
    match = TOKEN_IN_TEXT.search(text)
    assert match, text
    return match.group(1)


def rows(prefix: str, filled: list[dict[str, str]], total: int = 2) -> dict[str, str]:
    data = {f"{prefix}-TOTAL_FORMS": str(max(total, len(filled))), f"{prefix}-INITIAL_FORMS": "0"}
    for i, row in enumerate(filled):
        data.update({f"{prefix}-{i}-{k}": v for k, v in row.items()})
    return data


VALID: dict[str, dict[str, str]] = {
    "about": {
        "s-preferred_name": "Addie",
        "s-pronouns": "she/her",
        "s-gender_identity": "woman",
        "s-preferred_language": "English",
        "s-address": "1 Test Street, Springfield",
    },
    "contact": {
        "s-email": "ada.testperson@example.com",
        "s-phone_mobile": "(415) 555-0123",
        "s-emergency_contact_name": "Bo Testperson",
        "s-emergency_contact_relationship": "Brother",
        "s-emergency_contact_phone": "415 555 0124",
        "s-escort_name": "Bo Testperson",
        "s-escort_phone": "+1 415 555 0124",
    },
    "body": {
        "s-height_unit": "ft",
        "s-height_ft": "5",
        "s-height_in": "6",
        "s-weight_value": "150",
        "s-weight_unit": "lb",
    },
    "medications": rows(
        "row",
        [
            {"name": "Sertraline", "dose_text": "100 mg once a day", "flag": ""},
            {"name": "Clonazepam", "dose_text": "0.5 mg twice a day", "flag": "benzodiazepine"},
        ],
        total=3,
    ),
    "allergies": {"s-no_known_allergies": "on", **rows("row", [])},
    "medical": {
        **{f"s-{code}": "no" for code in ConditionCode.values},
        "s-arrhythmia": "unknown",
    },
    "psychiatric": {"s-adequate_antidepressant_trials": "3", "s-prior_tms": "on"},
    "substances": {
        "s-alcohol": "past",
        **{
            f"s-{key}": "never"
            for key in (
                "cannabis",
                "opioids",
                "stimulants",
                "sedatives",
                "ketamine_pcp",
                "hallucinogens",
                "tobacco",
            )
        },
    },
    "pregnancy": {"s-pregnant": "no", "s-breastfeeding": "no"},
}
STEP_KEYS = list(VALID)


class IntakeCase(BaseTestCase):
    patient: Patient

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.patient = make_patient(
            cls.clinic,
            cls.users[Role.COORDINATOR],
            email="ada@example.com",
            phone_mobile="+14155550100",
        )

    def setUp(self) -> None:
        super().setUp()
        sms.outbox.clear()

    def by(self, role: str) -> Membership:
        return member(self.users[role], self.clinic)

    def send_link(self, via: tuple[str, ...] = ("email",), role: str = Role.COORDINATOR) -> str:
        """Send the patient a link through the action; the token, read from the message."""
        before = len(mail.outbox)
        actions.send_intake_link(
            self.by(role),
            self.patient,
            via=list(via),
            message="Please fill this in.",
            link_url=lambda token: f"http://testserver/i/{token}/",
        )
        if "email" in via:
            return token_from(str(mail.outbox[before].body))
        return token_from(sms.outbox[-1].body)

    def step_url(self, token: str, step: str) -> str:
        return reverse("intake:step", args=[token, step])

    def post_step(self, token: str, step: str, data: dict[str, str] | None = None) -> Any:
        return self.client.post(self.step_url(token, step), data or VALID[step])

    def fill_all(self, token: str) -> None:
        for step in STEP_KEYS:
            response = self.post_step(token, step)
            assert response.status_code == 302, (step, response.content[:2000])
