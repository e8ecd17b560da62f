"""Charting actions: the preparation and its pump rate (clinical reference §1.8, §1.9),
readings with their plausible ranges and times, rule firings, strike-through and re-entry,
rate changes and responses to a firing."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from ketaclinic.access.zones import clinic_today
from ketaclinic.accounts.models import Role
from ketaclinic.audit.models import AuditEntry
from ketaclinic.infusions import states
from ketaclinic.infusions.actions import charting
from ketaclinic.infusions.actions._base import SessionConflict, append_once, is_late, transition
from ketaclinic.infusions.models import InfusionSession, PumpEvent, RuleFiring, VitalsReading
from ketaclinic.infusions.models.entries import PumpKind
from ketaclinic.infusions.tests.base import SessionCase, key
from ketaclinic.treatment import actions as treatment_actions
from ketaclinic.treatment.models import PlanVersion

#: The path from scheduled to each state (the flow workflow's transitions, taken directly).
PATH = {
    states.CHECKED_IN: ["check_in"],
    states.PRECHECKS: ["check_in", "begin_checks"],
    states.INFUSING: ["check_in", "begin_checks", "start"],
    states.PAUSED: ["check_in", "begin_checks", "start", "pause"],
    states.RECOVERY: ["check_in", "begin_checks", "start", "complete"],
}
NORMAL: dict[str, Any] = {
    "systolic_mmhg": 120, "diastolic_mmhg": 80, "heart_rate_bpm": 72, "spo2_percent": 98,
    "resp_rate_per_min": 14,
}  # fmt: skip


class ChartingCase(SessionCase):
    def signed_plan(self) -> PlanVersion:
        """As the shared fixture's, signing the plan's newest version (``draft_plan`` returns
        the plan, not its version)."""
        self.ready()
        plan = self.draft()
        return treatment_actions.sign_plan(self.by(Role.PHYSICIAN), plan.latest)


def advance(case: SessionCase, session: InfusionSession, state: str) -> InfusionSession:
    """Take the session to ``state`` (a start also writes the pump's start event at 60 mL/h)."""
    nurse = case.by(Role.NURSE)
    at = timezone.now() - dt.timedelta(minutes=30)
    for name in PATH[state]:
        with transaction.atomic():
            changes = {"checked_in_at": at} if name == "check_in" else {}
            session = transition(nurse, session, name, reason="Test step.", changes=changes)
            if name == "start":
                append_once(
                    PumpEvent, session=session, idempotency_key=key(), kind=PumpKind.START,
                    rate_ml_per_h=60.0, clinical_at=at, entered_by=nurse.user,
                )  # fmt: skip
    return session


def chart(case: SessionCase, session: InfusionSession, **values: Any) -> tuple[Any, Any]:
    given = values.pop("idempotency_key", key())
    return charting.record_reading(
        case.by(Role.NURSE), session, **{**NORMAL, **values}, idempotency_key=given
    )


def later(case: SessionCase, hours: int = 3) -> InfusionSession:
    """Another session of the patient, later today (a patient is in one chair at a time)."""
    return case.make_session(starts_at=timezone.now() + dt.timedelta(hours=hours), plan=False)


def prep_values(**extra: Any) -> dict[str, Any]:
    return {
        "drug_name": "Ketamine HCl", "vial_lot": "KX123",
        "vial_expiry": dt.date.today() + dt.timedelta(days=200),
        "container_drug_mg": 50.0, "container_volume_ml": 50.0, **extra,
    }  # fmt: skip


class PrepareTests(ChartingCase):
    def test_the_syringe_at_1_mg_per_ml_runs_at_60_ml_per_h(self) -> None:
        # 40 mg (0.5 mg/kg x 80 kg) at 50 mg / 50 mL = 1 mg/mL: 40 mL over 40 min (0.6667 h)
        # = 60 mL/h (clinical reference §1.9, the syringe-pump row).
        session = advance(self, self.make_session(), states.CHECKED_IN)
        done = charting.prepare(
            self.by(Role.NURSE), session, **prep_values(), expected_version=session.version
        )
        assert done.ordered_dose_mg == 40
        assert done.ordered_duration_min == 40
        assert done.ordered_rate_ml_per_h == 60.0
        assert any("= 60 mL/h" in line for line in done.rate_arithmetic), done.rate_arithmetic
        assert done.version == session.version + 1
        assert AuditEntry.objects.filter(action="infusions.session.prepare").count() == 1

    def test_the_whole_bag_worked_example_runs_at_156_ml_per_h(self) -> None:
        # §1.9: 40 mg in 104 mL (0.385 mg/mL) over 40 min: 104 mL / 0.6667 h = 156 mL/h.
        session = advance(self, self.make_session(), states.PRECHECKS)
        done = charting.prepare(
            self.by(Role.NURSE), session,
            **prep_values(container_drug_mg=40.0, container_volume_ml=104.0),
            expected_version=session.version,
        )  # fmt: skip
        assert done.ordered_rate_ml_per_h == 156.0

    def test_a_dose_other_than_the_plan_is_a_plan_change(self) -> None:
        session = advance(self, self.make_session(), states.CHECKED_IN)
        with self.assertRaises(ValidationError) as caught:
            charting.prepare(
                self.by(Role.NURSE), session, **prep_values(ordered_dose_mg=45.0),
                expected_version=session.version,
            )  # fmt: skip
        assert "plan change" in str(caught.exception.message_dict["ordered_dose_mg"])
        # Typed to the whole mg within rounding is the plan's dose.
        charting.prepare(
            self.by(Role.NURSE), session, **prep_values(ordered_dose_mg=40.4),
            expected_version=session.version,
        )  # fmt: skip

    def test_an_expired_vial_and_non_positive_numbers_are_refused_at_their_fields(self) -> None:
        session = advance(self, self.make_session(), states.CHECKED_IN)
        yesterday = clinic_today(self.clinic) - dt.timedelta(days=1)  # the clinic's day
        with self.assertRaises(ValidationError) as caught:
            charting.prepare(
                self.by(Role.NURSE), session,
                **prep_values(vial_expiry=yesterday, container_volume_ml=0.0,
                              ordered_duration_min=-5.0),
                expected_version=session.version,
            )  # fmt: skip
        errors = caught.exception.message_dict
        assert set(errors) == {"vial_expiry", "container_volume_ml", "ordered_duration_min"}
        assert "expired" in errors["vial_expiry"][0]

    def test_only_before_the_start_and_with_the_current_version(self) -> None:
        session = advance(self, self.make_session(), states.CHECKED_IN)
        with self.assertRaises(SessionConflict):
            charting.prepare(
                self.by(Role.NURSE), session, **prep_values(),
                expected_version=session.version - 1,
            )  # fmt: skip
        scheduled = later(self)
        with self.assertRaises(ValidationError):
            charting.prepare(self.by(Role.NURSE), scheduled, **prep_values(), expected_version=None)

    def test_the_coordinator_does_not_prepare(self) -> None:
        session = advance(self, self.make_session(), states.CHECKED_IN)
        with self.assertRaises(PermissionDenied):
            charting.prepare(
                self.by(Role.COORDINATOR), session, **prep_values(), expected_version=None
            )


class ReadingTests(ChartingCase):
    def test_the_phase_follows_the_state_and_a_repeated_key_stores_once(self) -> None:
        session = advance(self, self.make_session(), states.PRECHECKS)
        first, _ = chart(self, session, idempotency_key="k1")
        again, _ = chart(self, session, idempotency_key="k1", systolic_mmhg=150)
        assert first.pk == again.pk and again.systolic_mmhg == 120
        assert first.phase == "baseline"
        session = advance(self, later(self), states.INFUSING)
        assert chart(self, session)[0].phase == "infusion"
        session = advance(self, later(self, 6), states.RECOVERY)
        assert chart(self, session)[0].phase == "recovery"

    def test_implausible_values_are_refused_at_their_field(self) -> None:
        session = advance(self, self.make_session(), states.PRECHECKS)
        with self.assertRaises(ValidationError) as caught:
            chart(
                self, session, systolic_mmhg=30, spo2_percent=101, moaas=6, dissociation=25,
                temperature_c=42.5,
            )  # fmt: skip
        assert set(caught.exception.message_dict) == {
            "systolic_mmhg", "spo2_percent", "moaas", "dissociation", "temperature_c",
        }  # fmt: skip
        with self.assertRaises(ValidationError) as caught:
            chart(self, session, spo2_percent=None)
        assert "spo2_percent" in caught.exception.message_dict
        # The range ends are accepted: SpO2 50 and 100, systolic 50-300 (diastolic below).
        chart(self, session, spo2_percent=100, systolic_mmhg=300, moaas=0, dissociation=24)
        assert VitalsReading.objects.filter(session=session).count() == 1

    def test_times_in_the_future_or_before_check_in_are_refused(self) -> None:
        session = advance(self, self.make_session(), states.PRECHECKS)
        with self.assertRaises(ValidationError) as caught:
            chart(self, session, clinical_at=timezone.now() + dt.timedelta(minutes=10))
        assert "clinical_at" in caught.exception.message_dict
        with self.assertRaises(ValidationError):
            chart(self, session, clinical_at=timezone.now() - dt.timedelta(hours=2))

    def test_outside_the_chair_states_nothing_is_charted(self) -> None:
        for session in (
            self.make_session(plan=False),
            advance(self, later(self), states.CHECKED_IN),
        ):
            with self.assertRaises(ValidationError):
                chart(self, session)

    def test_a_late_reading_keeps_both_times_and_is_late(self) -> None:
        session = advance(self, self.make_session(), states.INFUSING)
        taken = timezone.now() - dt.timedelta(minutes=12)
        row, _ = chart(self, session, clinical_at=taken)
        row.refresh_from_db()
        assert row.clinical_at == taken
        assert row.entered_at - row.clinical_at >= dt.timedelta(minutes=12)
        assert is_late(session, row.clinical_at, row.entered_at)  # default 10 min (§ settings)
        on_time, _ = chart(self, session, clinical_at=timezone.now() - dt.timedelta(minutes=9))
        assert not is_late(session, on_time.clinical_at, on_time.entered_at)


class FiringTests(ChartingCase):
    def test_the_default_rules_fire_on_the_reading_with_the_rule_text_frozen(self) -> None:
        session = advance(self, self.make_session(), states.PRECHECKS)
        chart(self, session)  # baseline 120/80
        with transaction.atomic():
            session = transition(self.by(Role.NURSE), session, "start")
        assert chart(self, session, systolic_mmhg=159)[1] == []
        _, firings = chart(self, session, systolic_mmhg=160)  # +40 once: not yet
        assert firings == []
        reading, firings = chart(self, session, systolic_mmhg=180)  # +60 and ≥ 180
        names = sorted(f.rule.name for f in firings)
        assert names == [
            "Systolic 180 mmHg or more",
            "Systolic rise of 40 mmHg over baseline, two readings running",
        ]
        assert all(f.reading_id == reading.pk for f in firings)
        assert "Source:" in firings[0].rule_text
        assert AuditEntry.objects.filter(action="infusions.rule.fire").count() == 2
        # The same key again fires nothing new.
        again, firings_again = charting.record_reading(
            self.by(Role.NURSE), session, **{**NORMAL, "systolic_mmhg": 180},
            idempotency_key=reading.idempotency_key,
        )  # fmt: skip
        assert again.pk == reading.pk and len(firings_again) == 2
        assert RuleFiring.objects.filter(session=session).count() == 2

    def test_a_struck_reading_counts_no_more_and_is_re_entered(self) -> None:
        session = advance(self, self.make_session(), states.INFUSING)
        wrong, _ = chart(self, session, systolic_mmhg=200)
        with self.assertRaises(ValidationError):
            charting.strike_reading(self.by(Role.NURSE), wrong, reason=" ")
        charting.strike_reading(self.by(Role.NURSE), wrong, reason="Cuff slipped.")
        wrong.refresh_from_db()
        assert wrong.is_struck and wrong.strike_reason == "Cuff slipped."
        with self.assertRaises(ValidationError):
            charting.strike_reading(self.by(Role.NURSE), wrong, reason="Again.")
        right, _ = charting.record_reading(
            self.by(Role.NURSE), session, **NORMAL, idempotency_key=key(), replaces=wrong,
            clinical_at=wrong.clinical_at,
        )  # fmt: skip
        assert right.replaces_id == wrong.pk
        assert VitalsReading.objects.filter(session=session).count() == 2  # nothing deleted
        unstruck, _ = chart(self, session)
        with self.assertRaises(ValidationError):
            chart(self, session, replaces=unstruck)

    def test_a_response_is_recorded_once_and_continued_needs_a_note(self) -> None:
        session = advance(self, self.make_session(), states.INFUSING)
        _, firings = chart(self, session, spo2_percent=92)
        firing = firings[0]
        with self.assertRaises(ValidationError):
            charting.respond_to_firing(self.by(Role.NURSE), firing, response="continued", note="")
        with self.assertRaises(ValidationError):
            charting.respond_to_firing(self.by(Role.NURSE), firing, response="ignored", note="")
        charting.respond_to_firing(
            self.by(Role.NURSE), firing, response="rechecked", note="Probe moved; 97 %."
        )
        with self.assertRaises(ValidationError):
            charting.respond_to_firing(self.by(Role.NURSE), firing, response="paused", note="")
        firing.refresh_from_db()
        assert firing.response == "rechecked" and firing.responded_at is not None


class RateTests(ChartingCase):
    def test_a_lower_rate_is_a_pump_event_that_answers_its_alert(self) -> None:
        session = advance(self, self.make_session(), states.INFUSING)
        _, firings = chart(self, session, systolic_mmhg=185)
        event = charting.change_rate(
            self.by(Role.NURSE), session, rate_ml_per_h=30, reason="Systolic 185.",
            expected_version=session.version, firing=firings[0], idempotency_key=key(),
        )  # fmt: skip
        assert event.kind == "rate" and event.rate_ml_per_h == 30
        assert charting.current_rate_ml_per_h(session) == 30
        firings[0].refresh_from_db()
        assert firings[0].response == "rate_lowered"

    def test_refusals(self) -> None:
        session = advance(self, self.make_session(), states.INFUSING)
        nurse = self.by(Role.NURSE)
        for rate, reason, field in (
            (0, "Why", "rate_ml_per_h"),
            (1201, "Why", "rate_ml_per_h"),  # pump maximum 1200 mL/h (pharmacology.pump)
            (30, "  ", "reason"),
        ):
            with self.assertRaises(ValidationError) as caught:
                charting.change_rate(
                    nurse, session, rate_ml_per_h=rate, reason=reason,
                    expected_version=session.version, idempotency_key=key(),
                )  # fmt: skip
            assert field in caught.exception.message_dict
        charting.change_rate(
            nurse, session, rate_ml_per_h=1200, reason="Max.",
            expected_version=session.version, idempotency_key=key(),
        )  # fmt: skip
        stale = session.version - 1
        with self.assertRaises(SessionConflict) as conflict:
            charting.change_rate(
                nurse, session, rate_ml_per_h=40, reason="Stale.", expected_version=stale,
                idempotency_key=key(),
            )  # fmt: skip
        assert "Someone else changed this session" in str(conflict.exception)
        paused = advance(self, later(self), states.PAUSED)
        with self.assertRaises(ValidationError):
            charting.change_rate(
                nurse, paused, rate_ml_per_h=30, reason="Paused.", expected_version=None,
                idempotency_key=key(),
            )  # fmt: skip

    def test_a_firing_answered_meanwhile_does_not_undo_the_rate_change(self) -> None:
        session = advance(self, self.make_session(), states.INFUSING)
        _, firings = chart(self, session, systolic_mmhg=185)
        stale = RuleFiring.objects.get(pk=firings[0].pk)  # drawn before the answer
        charting.respond_to_firing(
            self.by(Role.PHYSICIAN), firings[0], response="rechecked", note="Repeat 150."
        )
        charting.change_rate(
            self.by(Role.NURSE), session, rate_ml_per_h=30, reason="Still high.",
            expected_version=session.version, firing=stale, idempotency_key=key(),
        )  # fmt: skip
        stale.refresh_from_db()
        assert stale.response == "rechecked"
        assert charting.current_rate_ml_per_h(session) == 30
