"""Fixtures for the patients tests: a patient made through the action, as a coordinator."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ketaclinic.accounts.models import Role
from ketaclinic.clinics.models import Clinic
from ketaclinic.patients import actions
from ketaclinic.patients.models import Patient
from ketaclinic.testing import BaseTestCase, member


def make_patient(clinic: Clinic, by_user: Any, **values: Any) -> Patient:
    defaults: dict[str, Any] = {
        "legal_given_name": "Ada",
        "legal_family_name": "Testperson",
        "date_of_birth": dt.date(1980, 5, 17),
        "sex_at_birth": "female",
    }
    return actions.create_patient(member(by_user, clinic), clinic, values={**defaults, **values})


class PatientCase(BaseTestCase):
    patient: Patient

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.patient = make_patient(cls.clinic, cls.users[Role.COORDINATOR])

    def by(self, role: str) -> Any:
        return member(self.users[role], self.clinic)
