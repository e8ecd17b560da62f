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
            changes={
                "infusion_ended_at": self.recovery_at,
                "recovery_started_at": self.recovery_at,
            },
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


class ChartedCase(RecoveryCase):
    """A full session, rows made directly: a failed pre-check overridden by the physician, a
    blood-pressure rule firing on a reading, a rate change with its reason, nausea and
    ondansetron given for it, recovery scores and a discharge."""

    def charted(self) -> InfusionSession:
        from ketaclinic.infusions.models import (
            AdverseEvent,
            CheckOverride,
            FormularyDrug,
            PreCheck,
            PumpEvent,
            RescueDose,
            RuleFiring,
            ThresholdRule,
        )

        nurse = self.users[Role.NURSE]
        physician = self.users[Role.PHYSICIAN]
        session = self.recovering()
        fasting = PreCheck.objects.create(
            session=session, item="fasting", result="fail", summary="Light breakfast 4 h ago",
            recorded_by=nurse,
        )  # fmt: skip
        CheckOverride.objects.create(
            session=session, item="fasting", precheck=fasting, by=physician,
            reason="Sub-anaesthetic dose; light meal acceptable.",
        )  # fmt: skip
        PumpEvent.objects.create(
            session=session, kind="start", rate_ml_per_h=60, clinical_at=self.t0,
            entered_by=nurse, idempotency_key=key(),
        )  # fmt: skip
        high = self.reading(
            session, "infusion", self.t0 + dt.timedelta(minutes=20), systolic=172, diastolic=96
        )
        rule = ThresholdRule.objects.create(
            clinic=self.clinic, name="Systolic high", action="alert", measure="systolic",
            comparison="ge", value=170, source="clinical reference §2.3 [S]",
        )  # fmt: skip
        firing = RuleFiring.objects.create(
            session=session, rule=rule, reading=high, rule_text="Systolic ≥ 170 mmHg",
            response="rate_lowered", response_note="Rate halved.", responded_by=nurse,
        )  # fmt: skip
        PumpEvent.objects.create(
            session=session, kind="rate", rate_ml_per_h=30,
            clinical_at=self.t0 + dt.timedelta(minutes=21), entered_by=nurse,
            idempotency_key=key(), reason="Systolic 172 mmHg: rate halved", firing=firing,
        )  # fmt: skip
        nausea = AdverseEvent.objects.create(
            session=session, kind="nausea", severity="moderate", outcome="Settled",
            clinical_at=self.t0 + dt.timedelta(minutes=25), entered_by=nurse,
            idempotency_key=key(),
        )  # fmt: skip
        drug = FormularyDrug.objects.create(
            clinic=self.clinic, key="ondansetron", name="Ondansetron", indication="Nausea",
            usual_dose_mg=4, source="clinical reference §4.2 [E]",
        )  # fmt: skip
        RescueDose.objects.create(
            session=session, drug=drug, dose_mg=4, route="IV", ordered_by=physician,
            adverse_event=nausea, clinical_at=self.t0 + dt.timedelta(minutes=26),
            entered_by=nurse, idempotency_key=key(),
        )  # fmt: skip
        self.assess(session)
        return self.discharge(session)
