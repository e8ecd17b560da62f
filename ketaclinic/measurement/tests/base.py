"""Fixtures for the measurement tests: a patient of the clinic, answers that do and do not
trigger a safety alert, and a questionnaire link made through the send action."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from ketaclinic.accounts.models import Role
from ketaclinic.lib.messaging import sms
from ketaclinic.measurement import questionnaires
from ketaclinic.patients.models import Patient
from ketaclinic.patients.tests.base import make_patient
from ketaclinic.testing import BaseTestCase, member

# PHQ-9 answers in item order (clinical.md 6.1): item 9 is the last scored one.
PHQ9_ITEM9_ZERO = [1, 1, 1, 1, 1, 1, 1, 1, 0]  # total 8, no flag
PHQ9_ITEM9_ONE = [1, 1, 1, 1, 1, 1, 1, 1, 1]  # total 9, "several days" on item 9
# C-SSRS screener (question 1..6) under the default triage table (instruments.settings).
CSSRS_LOW = ["yes", "no", None, None, None, "no"]  # wish to be dead only: low
CSSRS_MODERATE = ["yes", "yes", "yes", "no", "no", "no"]  # thoughts with method: moderate
CSSRS_HIGH = ["yes", "yes", "yes", "yes", "no", "no"]  # with intent: high


def when(hours_ago: int = 1) -> dt.datetime:
    return timezone.now() - dt.timedelta(hours=hours_ago)


class MeasurementCase(BaseTestCase):
    patient: Patient

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.patient = make_patient(
            cls.clinic,
            cls.users[Role.COORDINATOR],
            email="ada@example.com",
            phone_mobile="+14155550123",
        )

    def setUp(self) -> None:
        sms.outbox.clear()

    def by(self, role: str) -> Any:
        return member(self.users[role], self.clinic)

    def send(self, instruments: list[str] | None = None, patient: Patient | None = None) -> Any:
        """Send a questionnaire link by email; returns (Sent, token)."""
        tokens: list[str] = []

        def url(token: str) -> str:
            tokens.append(token)
            return f"http://testserver/q/{token}/"

        sent = questionnaires.send_questionnaire(
            self.by(Role.COORDINATOR),
            patient or self.patient,
            instruments or ["phq9"],
            via=["email"],
            message="Please answer.",
            link_url=url,
        )
        return sent, tokens[0]
