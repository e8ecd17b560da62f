"""The demo day replayed through the actions, each step at the clinical time it happens.

The demo is made in one go, but a clinic charts as things happen: an entry made long after
its clinical time is marked late, the audit trail dates every step, and the rules see readings
in order. So each step runs under :func:`clock`, which moves Django's ``timezone.now()`` to
that step's time (never past the real now). Only the demo uses it.

The day, with ``T`` the time the demo is made (minutes):

=========  =====================  ==============================================================
Chair      Patient                What happened
=========  =====================  ==============================================================
Chair 1    Maya Alvarez           T-270: a systolic rise fires the BP rule, the rate is lowered,
                                  nausea is treated with ondansetron; recovered, discharged, and
                                  the note is signed (after the ledger reconciles the ketamine)
Chair 2    Grace Okonkwo          T-200: an uneventful infusion, discharged, note not signed yet
Chair 4    Ravi Menon             T-240: did not come (no-show)
Chair 3    Owen Price             T-70: infusion over, in recovery
Chair 5    Hannah Lindqvist       T-60: distressing derealization; rate lowered, then stopped
                                  early, midazolam given; now recovering
Chair 4    Tomas Herrera          T-35: infusing; systolic 182 paused the pump
Chair 2    Priya Raman            T-20: infusing
Chair 1    Leah Brennan           T-15: checked in, pre-infusion checks under way
Chair 3    Victor Nakamura        T+45: scheduled
Chair 5    Elena Sorensen         T+60: checked in early (no plan yet: she cannot start)
Chair 1    Marcus Bell            T+95: cancelled
=========  =====================  ==============================================================
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import django.utils.timezone as tz_module
from django.core.exceptions import ValidationError
from django.utils import timezone

from ketaclinic.accounts.models import Membership
from ketaclinic.infusions import states
from ketaclinic.infusions.actions import charting, events, flow, prechecks, recovery
from ketaclinic.infusions.formulary import drug_for, ensure_default_formulary
from ketaclinic.infusions.models import InfusionSession, RuleFiring, VitalsReading
from ketaclinic.infusions.models.session import CheckItem, CheckResult
from ketaclinic.patients.models import Patient
from ketaclinic.scheduling.actions import bookings
from ketaclinic.scheduling.models import Booking, Chair

OUTSIDE_HOURS = "The demo day is anchored to the time the demo was made (demo)."
DEMO_LOT = "KET-2611A (demo)"


@contextmanager
def clock(at: dt.datetime) -> Iterator[None]:
    """``timezone.now()`` reads ``at`` inside the block (``at`` never after the real now)."""
    real: Any = getattr(tz_module, "datetime")  # noqa: B009 - the module's own name
    fixed = min(at, real.now(dt.UTC))

    class _At(real):
        @classmethod
        def now(cls, tz: dt.tzinfo | None = None) -> dt.datetime:
            return fixed.astimezone(tz) if tz is not None else fixed.replace(tzinfo=None)

    setattr(tz_module, "datetime", _At)  # noqa: B010
    try:
        yield
    finally:
        setattr(tz_module, "datetime", real)  # noqa: B010


def key() -> str:
    return uuid.uuid4().hex


class Day:
    """The demo staff and the anchor time."""

    def __init__(self, physician: Membership, nurse: Membership, coordinator: Membership) -> None:
        self.physician = physician
        self.nurse = nurse
        self.coordinator = coordinator
        self.t = timezone.now().replace(second=0, microsecond=0)

    def at(self, minutes: float) -> dt.datetime:
        return self.t + dt.timedelta(minutes=minutes)

    def book(self, patient: Patient, chair: Chair, start_min: float) -> Booking:
        """A booking through the scheduling action (outside the opening hours with the demo's
        reason when the anchored time needs it), made just before the visit starts."""
        starts_at = self.at(start_min)
        with clock(min(self.at(start_min - 60), self.t)):
            try:
                return bookings.book_chair(
                    self.coordinator, patient, chair=chair, starts_at=starts_at,
                    infusion_minutes=40, recovery_minutes=60,
                )  # fmt: skip
            except ValidationError as error:
                if "starts_at" not in error.message_dict:
                    raise
                return bookings.book_chair(
                    self.coordinator, patient, chair=chair, starts_at=starts_at,
                    infusion_minutes=40, recovery_minutes=60, outside_hours_reason=OUTSIDE_HOURS,
                )  # fmt: skip

    def open(self, booking: Booking, minutes: float) -> InfusionSession:
        with clock(self.at(minutes)):
            return flow.open_session(self.coordinator, booking)

    def check_in(self, session: InfusionSession, minutes: float) -> InfusionSession:
        with clock(self.at(minutes)):
            return flow.check_in(self.coordinator, session)

    # --- pre-infusion checks ------------------------------------------------------------

    def answers(self, session: InfusionSession, item: str, now: dt.datetime) -> dict[str, Any]:
        p = session.patient
        bp = (118, 76) if p.legal_given_name == "Maya" else (122, 78)
        by_item: dict[str, dict[str, Any]] = {
            CheckItem.IDENTITY: {"confirmed": True},
            CheckItem.MEDICATIONS: {
                "changes": "", "benzodiazepine_taken": False, "alcohol_none": True,
            },
            CheckItem.PREGNANCY: {"status": "reports_not_pregnant"},
            CheckItem.FASTING: {
                "solids_at": now - dt.timedelta(hours=7),
                "clear_liquids_at": now - dt.timedelta(hours=3),
            },
            CheckItem.VITALS: {
                "systolic_mmhg": bp[0], "diastolic_mmhg": bp[1], "heart_rate_bpm": 74,
                "spo2_percent": 98, "resp_rate_per_min": 14,
            },
            CheckItem.ESCORT: {
                "name": p.escort_name or "Sam Lee", "relationship": p.escort_relationship or
                "Friend", "phone": p.escort_phone or "+14155550199",
            },
            CheckItem.EQUIPMENT: {
                "oxygen": True, "suction": True, "airway_adjuncts": True, "bag_valve_mask": True,
                "aed_crash_cart": True, "rescue_drugs": True,
            },
        }  # fmt: skip
        return by_item.get(item, {})

    def checks(
        self, session: InfusionSession, minutes: float, items: list[str] | None = None
    ) -> InfusionSession:
        """Record the checklist items (all unless told), a minute apart; a failed one is
        overridden by the physician with the finding as the reason (it shows in the note)."""
        for i, item in enumerate(items or list(CheckItem.values)):
            now = self.at(minutes + i)
            with clock(now):
                row = prechecks.record_check(
                    self.nurse, session, item, answers=self.answers(session, item, now),
                    idempotency_key=key(), now=now,
                )  # fmt: skip
                if row.result == CheckResult.FAIL:
                    prechecks.override_check(
                        self.physician, session, item,
                        reason=f"Reviewed with the patient at the chair (demo): {row.summary}",
                    )  # fmt: skip
        return InfusionSession.objects.get(pk=session.pk)

    # --- the infusion --------------------------------------------------------------------

    def prepare_and_start(self, session: InfusionSession, minutes: float) -> InfusionSession:
        version = session.plan_version
        assert version is not None, "the demo session has a signed plan"
        with clock(self.at(minutes - 2)):
            session = charting.prepare(
                self.nurse, session, drug_name="Ketamine HCl (from 10 mg/mL vial) in 0.9% NaCl",
                vial_lot=DEMO_LOT, vial_expiry=(self.t + dt.timedelta(days=300)).date(),
                container_drug_mg=50.0, container_volume_ml=50.0,
                expected_version=session.version,
            )  # fmt: skip
        with clock(self.at(minutes)):
            return flow.start(
                self.nurse, session, expected_version=session.version, idempotency_key=key()
            )

    def reading(
        self, session: InfusionSession, minutes: float, sys_dia: tuple[int, int],
        hr: int = 76, spo2: int = 98, moaas: int | None = 5, dissociation: int | None = None,
    ) -> tuple[VitalsReading, list[RuleFiring]]:  # fmt: skip
        with clock(self.at(minutes)):
            return charting.record_reading(
                self.nurse, session, systolic_mmhg=sys_dia[0], diastolic_mmhg=sys_dia[1],
                heart_rate_bpm=hr, spo2_percent=spo2, resp_rate_per_min=14, moaas=moaas,
                dissociation=dissociation, idempotency_key=key(),
            )  # fmt: skip

    def fresh(self, session: InfusionSession) -> InfusionSession:
        return InfusionSession.objects.get(pk=session.pk)

    def complete(self, session: InfusionSession, minutes: float) -> InfusionSession:
        session = self.fresh(session)
        with clock(self.at(minutes)):
            return flow.complete(
                self.nurse, session, expected_version=session.version, idempotency_key=key()
            )

    def assess(self, session: InfusionSession, minutes: float) -> None:
        with clock(self.at(minutes)):
            recovery.record_assessment(
                self.nurse, session, activity=2, respiration=2, consciousness=2, oriented=True,
                steady_gait=True, pain_nausea=2, took_fluids=True, voided=True,
                idempotency_key=key(),
            )  # fmt: skip

    def after_effects(self, session: InfusionSession, minutes: float) -> None:
        from ketaclinic.instruments.session_scales import AFTER_EFFECTS

        answers: list[int | str | None] = [0] * len(AFTER_EFFECTS.items)
        answers[0] = 1  # mildly floaty, as the seed page says some people feel
        with clock(self.at(minutes)):
            recovery.record_after_effects(
                self.nurse, session, answers=answers, idempotency_key=key()
            )

    def recover_and_discharge(self, session: InfusionSession, ended_min: float) -> InfusionSession:
        """Recovery readings every 15 min, the scores, the after-effects, then discharge once
        the clinic's minimum observation (60 min) has passed."""
        for k, minutes in enumerate((15, 30, 45, 60)):
            self.reading(session, ended_min + minutes, (128 - 3 * k, 80 - k), hr=72)
        self.assess(session, ended_min + 61)
        self.after_effects(session, ended_min + 62)
        session = self.fresh(session)
        p = session.patient
        with clock(self.at(ended_min + 64)):
            return recovery.discharge(
                self.nurse, session, escort_name=session.escort_name or p.escort_name,
                escort_relationship=session.escort_relationship or p.escort_relationship,
                escort_phone=session.escort_phone or p.escort_phone,
                expected_version=session.version,
            )  # fmt: skip

    def rescue(
        self, session: InfusionSession, minutes: float, drug_key: str, dose_mg: float, **links: Any
    ) -> None:
        ensure_default_formulary(session.clinic)
        drug = drug_for(session.clinic, drug_key)
        assert drug is not None and drug.pk is not None
        with clock(self.at(minutes)):
            events.give_rescue(
                self.nurse, session, drug=drug, dose_mg=dose_mg, route=drug.route,
                ordered_by=self.physician, idempotency_key=key(), **links,
            )  # fmt: skip


def in_state(session: InfusionSession, state: str) -> bool:
    return InfusionSession.objects.filter(pk=session.pk, state=state).exists()


__all__ = ["Day", "clock", "in_state", "states"]
