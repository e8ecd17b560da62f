"""Rows the live tests make directly (the charting and flow actions are other branches'):
a session on the pump, pump events and readings at given minutes from its start."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ketaclinic.accounts.models import Role, User
from ketaclinic.infusions import states
from ketaclinic.infusions.models import InfusionSession, PumpEvent, VitalsReading
from ketaclinic.infusions.tests.base import SessionCase, key
from ketaclinic.treatment import actions as treatment_actions
from ketaclinic.treatment.models import PlanVersion

T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


def at(minutes: float) -> dt.datetime:
    return T0 + dt.timedelta(minutes=minutes)


def on_pump(
    session: InfusionSession,
    *,
    state: str = states.INFUSING,
    drug_mg: float = 50.0,
    volume_ml: float = 50.0,
    rate_ml_per_h: float = 60.0,
) -> InfusionSession:
    """Prepared (``drug_mg`` in ``volume_ml``: 1 mg/mL by default) and started at T0."""
    session.state = state
    session.container_drug_mg = drug_mg
    session.container_volume_ml = volume_ml
    session.ordered_rate_ml_per_h = rate_ml_per_h
    session.ordered_dose_mg = 40.0
    session.started_at = T0
    session.save()
    return session


def pump(
    session: InfusionSession,
    by: User,
    kind: str,
    minutes: float,
    rate_ml_per_h: float | None = None,
    **fields: Any,
) -> PumpEvent:
    return PumpEvent.objects.create(
        session=session, kind=kind, clinical_at=at(minutes), entered_at=at(minutes),
        entered_by=by, idempotency_key=key(), rate_ml_per_h=rate_ml_per_h,
        reason=fields.pop("reason", "" if kind == "start" else f"{kind} reason"), **fields,
    )  # fmt: skip


def reading(session: InfusionSession, by: User, minutes: float, **values: Any) -> VitalsReading:
    fields: dict[str, Any] = {
        "phase": "infusion", "systolic_mmhg": 128, "diastolic_mmhg": 80, "heart_rate_bpm": 72,
        "spo2_percent": 98, "resp_rate_per_min": 14, **values,
    }  # fmt: skip
    fields.setdefault("entered_at", at(minutes))
    return VitalsReading.objects.create(
        session=session, clinical_at=at(minutes), entered_by=by, idempotency_key=key(), **fields
    )


class LiveCase(SessionCase):
    """``SessionCase`` whose signed plan signs the plan's newest VERSION (``draft_plan``
    returns the plan; the shared fixture passes the plan itself to ``sign_plan``)."""

    def signed_plan(self) -> PlanVersion:
        self.ready()
        plan = self.draft()
        return treatment_actions.sign_plan(self.by(Role.PHYSICIAN), plan.latest)
