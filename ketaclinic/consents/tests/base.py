"""Test rows for the consents app, made with the ORM (the patients actions land in parallel)."""

from __future__ import annotations

import base64
import datetime as dt
import io
from itertools import count

from PIL import Image

from ketaclinic.accounts.models import Membership, Role, User
from ketaclinic.careteam.models import OutsideProfessional
from ketaclinic.clinics.models import Clinic
from ketaclinic.consents import actions
from ketaclinic.consents.models import Consent, Kind
from ketaclinic.patients.models import Patient
from ketaclinic.testing import BaseTestCase, member

_serial = count(1)


def make_patient(
    clinic: Clinic, *, given: str = "Ada", family: str = "Lovelace", **kw: object
) -> Patient:
    return Patient.objects.create(
        clinic=clinic,
        mrn=f"C{next(_serial):05d}",
        legal_given_name=given,
        legal_family_name=family,
        date_of_birth=dt.date(1985, 12, 10),
        sex_at_birth="female",
        **kw,
    )


def make_professional(clinic: Clinic, user: User | None = None) -> OutsideProfessional:
    return OutsideProfessional.objects.create(
        clinic=clinic,
        name="Theo Marsh",
        credentials="LCSW",
        practice="Marsh Counselling",
        user=user,
    )


def png_data_url(width: int = 300, height: int = 100) -> str:
    canvas = io.BytesIO()
    image = Image.new("RGBA", (width, height), (255, 255, 255, 0))
    for x in range(20, width - 20):
        image.putpixel((x, height // 2), (0, 0, 0, 255))
    image.save(canvas, format="PNG")
    return "data:image/png;base64," + base64.b64encode(canvas.getvalue()).decode()


class ConsentCase(BaseTestCase):
    patient: Patient
    professional: OutsideProfessional

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.patient = make_patient(cls.clinic)
        cls.professional = make_professional(cls.clinic, cls.users[Role.OUTSIDE_PROFESSIONAL])

    def by(self, role: str = Role.PHYSICIAN) -> Membership:
        return member(self.users[role], self.clinic)

    def off_label(
        self,
        *,
        sign: bool = True,
        indications: tuple[str, ...] = ("Treatment-resistant depression",),
        role: str = Role.PHYSICIAN,
    ) -> Consent:
        consent = actions.create_consent(
            self.by(role), self.patient, Kind.OFF_LABEL, indications=indications
        )
        if sign:
            consent = actions.sign_consent(self.by(role), consent, typed_name="ada lovelace")
        return consent

    def sharing(
        self,
        kind: str = Kind.SHARE,
        *,
        sections: tuple[str, ...] = ("summary", "medications"),
        expires_on: dt.date | None = None,
        sign: bool = True,
        patient: Patient | None = None,
    ) -> Consent:
        patient = patient or self.patient
        consent = actions.create_consent(
            self.by(),
            patient,
            kind,
            professional=self.professional,
            sections=sections,
            purpose="To coordinate psychotherapy with treatment.",
            expires_on=expires_on,
            expiry_event="" if expires_on else "The end of my treatment at the clinic.",
        )
        if sign:
            consent = actions.sign_consent(
                self.by(), consent, typed_name=patient.legal_name, signature_data_url=png_data_url()
            )
        return consent
