"""Fixtures of the scheduling tests: a clinic open Monday to Friday 08:00–17:00 with three
chairs, a patient, and the clinic zone (America/New_York, so the times are not UTC)."""

from __future__ import annotations

import datetime as dt
import itertools
import zoneinfo
from typing import Any

from ketaclinic.accounts.models import Membership, Role
from ketaclinic.clinics.models import Clinic
from ketaclinic.patients.models import Patient, PatientStatus
from ketaclinic.scheduling.models import Chair, OpeningHours
from ketaclinic.testing import BaseTestCase, member

ZONE = zoneinfo.ZoneInfo("America/New_York")
MONDAY = dt.date(2030, 3, 4)  # far ahead, so the no-show rules' "not in the future" holds
_serial = itertools.count(1)


def at(day: dt.date, hhmm: str) -> dt.datetime:
    h, m = (int(x) for x in hhmm.split(":"))
    return dt.datetime.combine(day, dt.time(h, m), ZONE)


def set_up_clinic(clinic: Clinic, chairs: int = 3) -> list[Chair]:
    Clinic.objects.filter(pk=clinic.pk).update(time_zone="America/New_York")
    clinic.time_zone = "America/New_York"
    OpeningHours.objects.bulk_create(
        OpeningHours(clinic=clinic, weekday=d, opens_at=dt.time(8), closes_at=dt.time(17))
        for d in range(5)
    )
    return [
        Chair.objects.create(clinic=clinic, name=f"Chair {i}", position=i)
        for i in range(1, chairs + 1)
    ]


def add_patient(clinic: Clinic, **values: Any) -> Patient:
    """A patient written straight to the table (no audit entry: the TransactionTestCase can
    empty it)."""
    i = next(_serial)
    defaults: dict[str, Any] = {
        "clinic": clinic,
        "mrn": f"KC-S{i:05d}",
        "legal_given_name": f"Sched{i}",
        "legal_family_name": "Patient",
        "date_of_birth": dt.date(1980, 1, 1),
        "sex_at_birth": "female",
        "status": PatientStatus.ACTIVE,
        "email": f"sched{i}@example.org",
        "phone_mobile": "+14155550123",
    }
    return Patient.objects.create(**{**defaults, **values})


class SchedulingCase(BaseTestCase):
    chairs: list[Chair]
    patient: Patient
    nurse: Membership
    coordinator: Membership
    admin: Membership

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.chairs = set_up_clinic(cls.clinic)
        cls.patient = add_patient(cls.clinic, legal_given_name="Rosa", legal_family_name="Booker")
        cls.nurse = member(cls.users[Role.NURSE], cls.clinic)
        cls.coordinator = member(cls.users[Role.COORDINATOR], cls.clinic)
        cls.admin = member(cls.users[Role.CLINIC_ADMIN], cls.clinic)
