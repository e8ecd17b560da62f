"""Fixtures for the infusion tests: a patient with a signed plan (80 kg, 0.5 mg/kg = 40 mg
over 40 min from the 1 mg/mL syringe), a chair, a booking today and its session."""

from __future__ import annotations

import datetime as dt
import uuid

from django.utils import timezone

from ketaclinic.accounts.models import Membership, Role
from ketaclinic.infusions.models import InfusionSession
from ketaclinic.scheduling.models import Booking, Chair
from ketaclinic.testing import member
from ketaclinic.treatment import actions as treatment_actions
from ketaclinic.treatment.models import PlanVersion
from ketaclinic.treatment.tests.base import PlanCase


def key() -> str:
    """A fresh idempotency key, as each form carries."""
    return uuid.uuid4().hex


class SessionCase(PlanCase):
    plan_version: PlanVersion
    chair: Chair

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.chair = Chair.objects.create(clinic=cls.clinic, name="Chair 1")

    @classmethod
    def by(cls, role: str) -> Membership:
        return member(cls.users[role], cls.clinic)

    def signed_plan(self) -> PlanVersion:
        """Eligible, consented, and a signed 0.5 mg/kg plan (40 mg for 80 kg)."""
        self.ready()
        plan = self.draft()
        return treatment_actions.sign_plan(self.by(Role.PHYSICIAN), plan.latest)

    def make_session(
        self, *, starts_at: dt.datetime | None = None, plan: bool = True
    ) -> InfusionSession:
        """A booking (now, unless told) and its session in state ``scheduled``, with the
        patient's signed plan version pinned (made first unless ``plan=False``)."""
        version = self.signed_plan() if plan else None
        booking = Booking.objects.create(
            clinic=self.clinic,
            patient=self.patient,
            chair=self.chair,
            starts_at=starts_at or timezone.now(),
            infusion_minutes=40,
            recovery_minutes=60,
        )
        return InfusionSession.objects.create(
            clinic=self.clinic, patient=self.patient, booking=booking, plan_version=version
        )
