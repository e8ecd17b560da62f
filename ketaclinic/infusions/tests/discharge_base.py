"""Fixtures of the recovery, discharge and note tests: a session taken through the state
machine to recovery, with readings made directly (charting is another workflow's)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone

from ketaclinic.accounts.models import Role
from ketaclinic.infusions.actions import _base
from ketaclinic.infusions.actions import recovery as actions
from ketaclinic.infusions.models import InfusionSession, RecoveryAssessment, VitalsReading
from ketaclinic.infusions.tests.base import SessionCase, key
from ketaclinic.treatment import actions as treatment_actions
from ketaclinic.treatment.models import PlanVersion

ESCORT_PHONE = "+14155550123"


class RecoveryCase(SessionCase):
    """A session whose infusion started at ``self.t0`` (two hours ago), ended 40 min later,
    recovery beginning then (``self.recovery_at``)."""

    t0: dt.datetime
    recovery_at: dt.datetime

    def signed_plan(self) -> PlanVersion:
        """As ``SessionCase.signed_plan``, which passes the plan (``draft`` returns a
        ``TreatmentPlan``) where ``sign_plan`` wants its version."""
        self.ready()
        plan = self.draft()
        return treatment_actions.sign_plan(self.by(Role.PHYSICIAN), plan.latest)

    def reading(
        self,
        session: InfusionSession,
        phase: str,
        at: dt.datetime,
        *,
        systolic: int = 120,
        diastolic: int = 80,
        hr: int = 70,
        spo2: int = 98,
        on_oxygen: bool = False,
        **extra: Any,
    ) -> VitalsReading:
        return VitalsReading.objects.create(
            session=session,
            phase=phase,
            clinical_at=at,
            entered_at=extra.pop("entered_at", at),
            entered_by=self.users[Role.NURSE],
            idempotency_key=key(),
            systolic_mmhg=systolic,
            diastolic_mmhg=diastolic,
            heart_rate_bpm=hr,
            spo2_percent=spo2,
            resp_rate_per_min=14,
            on_oxygen=on_oxygen,
            **extra,
        )

    def move(self, session: InfusionSession, name: str, **kw: Any) -> InfusionSession:
        with transaction.atomic():
            return _base.transition(self.by(Role.NURSE), session, name, **kw)

    def recovering(self, *, stopped_early: bool = False) -> InfusionSession:
        """Baseline 120/80, 70 bpm, 98 %; started ``t0``; in recovery from ``t0`` + 40 min,
        with a recovery reading equal to the baseline (full marks possible)."""
        self.t0 = timezone.now() - dt.timedelta(hours=2)
        self.recovery_at = self.t0 + dt.timedelta(minutes=40)
        session = self.make_session(starts_at=self.t0 - dt.timedelta(minutes=30))
        session = self.move(session, "check_in")
        session = self.move(session, "begin_checks")
        self.reading(session, "baseline", self.t0 - dt.timedelta(minutes=5))
        session = self.move(session, "start", changes={"started_at": self.t0})
        if stopped_early:
            session = self.move(session, "stop_early", reason="Chest tightness.")
            return session
        session = self.move(
            session,
            "complete",
            changes={"infusion_ended_at": self.recovery_at, "recovery_started_at": self.recovery_at},
        )
        self.reading(session, "recovery", self.recovery_at + dt.timedelta(minutes=15))
        return session

    def assess(self, session: InfusionSession, **values: Any) -> RecoveryAssessment:
        marks: dict[str, Any] = {
            "activity": 2,
            "respiration": 2,
            "consciousness": 2,
            "oriented": True,
            "steady_gait": True,
            "pain_nausea": 2,
            "took_fluids": True,
            "voided": True,
        }
        if "clinical_at" not in values:
            marks["clinical_at"] = self.recovery_at + dt.timedelta(minutes=20)
        marks.update(values)
        return actions.record_assessment(
            self.by(marks.pop("role", Role.NURSE)), session, idempotency_key=key(), **marks
        )

    def discharge(self, session: InfusionSession, **values: Any) -> InfusionSession:
        session.refresh_from_db()
        args: dict[str, Any] = {
            "escort_name": "Dana Reyes",
            "escort_relationship": "sister",
            "escort_phone": ESCORT_PHONE,
            "clinical_at": self.recovery_at + dt.timedelta(minutes=60),
            "expected_version": session.version,
        }
        args.update(values)
        return actions.discharge(self.by(args.pop("role", Role.NURSE)), session, **args)
