"""Fixtures for the treatment tests: a patient ready for a plan (weight, eligible decision,
live off-label consent) and the clinic's copy of a protocol."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from ketaclinic.accounts.models import Role
from ketaclinic.clinics.models import Clinic
from ketaclinic.consents import actions as consent_actions
from ketaclinic.consents.models import Kind
from ketaclinic.eligibility.actions import sign_decision
from ketaclinic.eligibility.tests.base import complete_record, make_patient
from ketaclinic.patients.models import BodyMeasurement, Patient
from ketaclinic.testing import BaseTestCase, member
from ketaclinic.treatment import actions
from ketaclinic.treatment.models import Protocol, ProtocolVersion


def weigh(patient: Patient, weight_kg: str, height_cm: str | None = "175.0", days_ago: int = 3):
    return BodyMeasurement.objects.create(
        patient=patient,
        measured_on=dt.date.today() - dt.timedelta(days=days_ago),
        weight_kg=Decimal(weight_kg),
        height_cm=Decimal(height_cm) if height_cm else None,
        method="measured",
    )


class PlanCase(BaseTestCase):
    patient: Patient
    weight: BodyMeasurement
    protocol: Protocol
    version: ProtocolVersion

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.patient = make_patient(cls.clinic, given="Plan", family="Patient")
        cls.weight = weigh(cls.patient, "80.0")
        cls.protocol = actions.copy_protocol(cls.by(Role.PHYSICIAN), cls.clinic, "depression")
        cls.version = cls.protocol.versions.get()

    @classmethod
    def by(cls, role: str):
        return member(cls.users[role], cls.clinic)

    def ready(self, patient: Patient | None = None, *, consent: bool = True) -> Patient:
        """Eligible (a signed decision on a complete record) and, unless told, consented."""
        patient = patient or self.patient
        complete_record(patient)
        sign_decision(self.by(Role.PHYSICIAN), patient, decision="eligible", reason="Fit.")
        if consent:
            physician = self.by(Role.PHYSICIAN)
            draft = consent_actions.create_consent(
                physician, patient, Kind.OFF_LABEL, indications=["Depression"]
            )
            consent_actions.sign_consent(physician, draft, typed_name=patient.legal_name)
        return patient

    def draft(self, **values):
        values = {
            "protocol_version": self.version,
            "dose_mg_per_kg": 0.5,
            "measurement": self.weight,
            "product_key": "syringe_1mg_ml",
            **values,
        }
        return actions.draft_plan(self.by(Role.PHYSICIAN), self.patient, **values)


def other_clinic_patient(clinic: Clinic) -> Patient:
    return make_patient(clinic, given="Elsewhere", family="Patient")
