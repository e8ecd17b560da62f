"""The pre-infusion checklist at its boundaries (clinical reference §2.4, §2.5, §3.3): the
result is computed from what was entered, exactly the limit passes, and a failed item blocks
the start until a physician overrides it with a reason."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError

from ketaclinic.accounts.models import Role
from ketaclinic.eligibility.models import EligibilityDecision
from ketaclinic.infusions import states
from ketaclinic.infusions.actions import flow
from ketaclinic.infusions.actions.prechecks import checklist, override_check, record_check
from ketaclinic.infusions.models import (
    CheckOverride,
    InfusionSession,
    InfusionSettings,
    PreCheck,
    VitalsReading,
)
from ketaclinic.infusions.models.session import CheckItem
from ketaclinic.infusions.tests.base import key
from ketaclinic.infusions.tests.flow_fixtures import FlowCase
from ketaclinic.measurement.models import SafetyAlert
from ketaclinic.patients.models import Patient

NOW = dt.datetime(2026, 12, 1, 15, 0, tzinfo=dt.UTC)
H = dt.timedelta(hours=1)
MIN = dt.timedelta(minutes=1)

BASELINE = {
    "systolic_mmhg": 128, "diastolic_mmhg": 82, "heart_rate_bpm": 72, "spo2_percent": 98,
    "resp_rate_per_min": 14, "temperature_c": None,
}  # fmt: skip
ANSWERS: dict[str, dict[str, Any]] = {
    "identity": {"confirmed": True},
    "consents": {},
    "eligibility": {},
    "medications": {"changes": "", "benzodiazepine_taken": False, "alcohol_none": True},
    "pregnancy": {},
    "fasting": {"solids_at": NOW - 8 * H, "clear_liquids_at": NOW - 3 * H},
    "vitals": BASELINE,
    "questionnaires": {},
    "escort": {"name": "Dana Reyes", "relationship": "Sister", "phone": "(415) 555-0123"},
    "equipment": dict.fromkeys(
        (
            "oxygen",
            "suction",
            "airway_adjuncts",
            "bag_valve_mask",
            "aed_crash_cart",
            "rescue_drugs",
        ),
        True,
    ),  # fmt: skip
}


class CheckCase(FlowCase):
    def checked_in(self) -> InfusionSession:
        session = self.make_session()
        return flow.check_in(self.by(Role.NURSE), session, expected_version=session.version)

    def record(self, session: InfusionSession, item: str, **answers: Any) -> PreCheck:
        merged = {**ANSWERS[item], **answers}
        return record_check(
            self.by(Role.NURSE), session, item, answers=merged, idempotency_key=key(), now=NOW
        )


class BoundaryTests(CheckCase):
    def test_fasting_exactly_six_hours_passes_a_minute_less_fails(self) -> None:
        s = self.checked_in()
        assert self.record(s, "fasting", solids_at=NOW - 6 * H).result == "pass"
        short = self.record(s, "fasting", solids_at=NOW - 6 * H + MIN)
        assert short.result == "fail" and short.detail["failed"] == ["solids"]
        assert "5 h 59 min before; limit 6 h" in short.summary

    def test_clear_liquids_exactly_two_hours_passes(self) -> None:
        s = self.checked_in()
        assert self.record(s, "fasting", clear_liquids_at=NOW - 2 * H).result == "pass"
        assert self.record(s, "fasting", clear_liquids_at=NOW - 2 * H + MIN).result == "fail"

    def test_the_clinic_sets_its_own_fasting_rule(self) -> None:
        InfusionSettings.objects.create(clinic=self.clinic, fasting_solids_h=8)
        s = self.checked_in()
        assert self.record(s, "fasting", solids_at=NOW - 7 * H).result == "fail"
        assert self.record(s, "fasting", solids_at=NOW - 8 * H).result == "pass"

    def test_benzodiazepine_held_exactly_24_hours_passes(self) -> None:
        s = self.checked_in()
        took = {"benzodiazepine_taken": True}
        assert (
            self.record(s, "medications", **took, benzodiazepine_at=NOW - 24 * H).result == "pass"
        )
        late = self.record(s, "medications", **took, benzodiazepine_at=NOW - 24 * H + MIN)
        assert late.result == "fail" and late.detail["failed"] == ["benzodiazepine"]

    def test_last_alcohol_exactly_24_hours_passes(self) -> None:
        s = self.checked_in()
        drank = {"alcohol_none": False}
        assert self.record(s, "medications", **drank, alcohol_at=NOW - 24 * H).result == "pass"
        late = self.record(s, "medications", **drank, alcohol_at=NOW - 23 * H)
        assert late.result == "fail" and late.detail["failed"] == ["alcohol"]

    def test_a_benzodiazepine_taken_needs_its_time(self) -> None:
        s = self.checked_in()
        with self.assertRaises(ValidationError) as caught:
            self.record(s, "medications", benzodiazepine_taken=True)
        assert "benzodiazepine_at" in caught.exception.message_dict
        with self.assertRaises(ValidationError) as caught:
            self.record(s, "fasting", solids_at=NOW + MIN)
        assert caught.exception.message_dict["solids_at"] == ["That time is in the future."]

    def test_bp_180_over_100_passes_181_or_101_fails(self) -> None:
        # Swiss Ketalar label: resting BP > 180/100 is uncontrolled hypertension (§2.4 [E]).
        s = self.checked_in()
        at_limit = self.record(s, "vitals", systolic_mmhg=180, diastolic_mmhg=100)
        assert at_limit.result == "pass", at_limit.summary
        high_sys = self.record(s, "vitals", systolic_mmhg=181, diastolic_mmhg=100)
        assert high_sys.result == "fail" and high_sys.detail["failed"] == [
            "systolic above 180 mmHg"
        ]
        high_dia = self.record(s, "vitals", systolic_mmhg=180, diastolic_mmhg=101)
        assert high_dia.result == "fail" and "diastolic above 100 mmHg" in high_dia.summary
        assert VitalsReading.objects.filter(session=s, phase="baseline").count() == 3

    def test_spo2_and_heart_rate_count_only_when_the_clinic_set_them(self) -> None:
        s = self.checked_in()
        # No source gives a limit (§2.4 gap): SpO2 88% and HR 140 do not fail by default.
        assert self.record(s, "vitals", spo2_percent=88, heart_rate_bpm=140).result == "pass"
        InfusionSettings.objects.create(
            clinic=self.clinic, min_spo2_percent=94, max_heart_rate_bpm=120
        )
        assert self.record(s, "vitals", spo2_percent=94, heart_rate_bpm=120).result == "pass"
        low = self.record(s, "vitals", spo2_percent=93)
        assert low.result == "fail" and low.detail["failed"] == ["SpO2 below 94%"]
        fast = self.record(s, "vitals", heart_rate_bpm=121)
        assert fast.detail["failed"] == ["heart rate above 120 bpm"]

    def test_a_mistyped_reading_is_refused_at_its_field(self) -> None:
        s = self.checked_in()
        with self.assertRaises(ValidationError) as caught:
            self.record(s, "vitals", systolic_mmhg=1280)
        assert list(caught.exception.message_dict) == ["systolic_mmhg"]
        assert not VitalsReading.objects.filter(session=s).exists()


class ItemTests(CheckCase):
    def test_the_same_form_twice_stores_one_check_and_one_reading(self) -> None:
        s = self.checked_in()
        k = key()
        nurse = self.by(Role.NURSE)
        first = record_check(nurse, s, "vitals", answers=BASELINE, idempotency_key=k, now=NOW)
        again = record_check(nurse, s, "vitals", answers=BASELINE, idempotency_key=k, now=NOW)
        assert first.pk == again.pk
        assert PreCheck.objects.filter(session=s).count() == 1
        assert VitalsReading.objects.filter(session=s).count() == 1

    def test_a_first_check_begins_the_checks(self) -> None:
        s = self.checked_in()
        self.record(s, "identity")
        s.refresh_from_db()
        assert s.state == states.PRECHECKS
        assert s.transitions.filter(name="begin_checks").count() == 1
        self.record(s, "equipment")
        assert s.transitions.filter(name="begin_checks").count() == 1

    def test_no_check_before_the_patient_is_checked_in(self) -> None:
        s = self.make_session()
        with self.assertRaises(ValidationError):
            self.record(s, "identity")
        with self.assertRaises(PermissionDenied):
            record_check(self.by(Role.COORDINATOR), s, "identity",
                         answers={"confirmed": True}, idempotency_key=key())  # fmt: skip

    def test_identity_must_be_confirmed(self) -> None:
        s = self.checked_in()
        with self.assertRaises(ValidationError) as caught:
            self.record(s, "identity", confirmed=False)
        assert "confirmed" in caught.exception.message_dict

    def test_consent_and_eligibility_are_found_not_typed(self) -> None:
        s = self.checked_in()  # the fixture patient: a signed decision and a live consent
        assert self.record(s, "consents").result == "pass"
        ok = self.record(s, "eligibility")
        assert ok.result == "pass" and ok.summary.startswith("Rescreened: unchanged")
        EligibilityDecision.objects.filter(patient=self.patient).update(stale_at=NOW)
        stale = self.record(s, "eligibility")
        assert stale.result == "fail" and "out of date" in stale.summary

    def test_pregnancy_where_applicable(self) -> None:
        s = self.checked_in()
        assert self.record(s, "pregnancy").result == "na"  # male at birth
        Patient.objects.filter(pk=self.patient.pk).update(sex_at_birth="female")
        s = InfusionSession.objects.get(pk=s.pk)
        with self.assertRaises(ValidationError):
            self.record(s, "pregnancy")
        assert self.record(s, "pregnancy", status="negative_test").result == "pass"
        assert self.record(s, "pregnancy", status="reports_not_pregnant").result == "pass"
        assert self.record(s, "pregnancy", status="positive").result == "fail"

    def test_questionnaires_and_an_open_safety_alert(self) -> None:
        s = self.checked_in()
        fine = self.record(s, "questionnaires")
        assert fine.result == "pass" and "no open safety alert" in fine.summary
        SafetyAlert.objects.create(clinic=self.clinic, patient=self.patient, reason="PHQ-9 item 9")
        alert = self.record(s, "questionnaires")
        assert alert.result == "fail" and alert.detail["failed"] == ["safety_alert"]

    def test_the_escort_is_stored_in_e164_on_the_session(self) -> None:
        s = self.checked_in()
        with self.assertRaises(ValidationError) as caught:
            self.record(s, "escort", phone="555")
        assert "phone" in caught.exception.message_dict
        row = self.record(s, "escort")
        assert row.result == "pass"
        s.refresh_from_db()
        assert (s.escort_name, s.escort_relationship, s.escort_phone) == (
            "Dana Reyes", "Sister", "+14155550123"
        )  # fmt: skip

    def test_equipment_not_all_ticked_fails_and_says_what(self) -> None:
        s = self.checked_in()
        row = self.record(s, "equipment", suction=False)
        assert row.result == "fail" and row.summary == "Not checked: Suction."


class StartTests(CheckCase):
    def all_passed(self) -> InfusionSession:
        s = self.checked_in()
        for item in CheckItem.values:
            self.record(s, item)
        s = InfusionSession.objects.get(pk=s.pk)
        s.ordered_rate_ml_per_h = 60.0  # what the charting workflow's prepare sets
        s.save(update_fields=["ordered_rate_ml_per_h"])
        return s

    def start(self, s: InfusionSession, role: str = Role.NURSE) -> InfusionSession:
        s = InfusionSession.objects.get(pk=s.pk)
        return flow.start(self.by(role), s, expected_version=s.version, idempotency_key=key())

    def test_it_starts_when_every_item_passed(self) -> None:
        s = self.start(self.all_passed())
        assert s.state == states.INFUSING
        assert s.pump.get().rate_ml_per_h == 60.0

    def test_it_names_what_is_missing(self) -> None:
        s = self.checked_in()
        self.record(s, "identity")
        with self.assertRaises(ValidationError) as caught:
            self.start(s)
        text = " ".join(caught.exception.messages)
        assert "The preparation is not recorded" in text
        assert "Fasting times: not checked yet" in text
        assert "Identity" not in text
        assert InfusionSession.objects.get(pk=s.pk).state == states.PRECHECKS

    def test_a_failed_check_blocks_until_a_physician_overrides(self) -> None:
        s = self.all_passed()
        failed = self.record(s, "vitals", systolic_mmhg=184, diastolic_mmhg=96)
        with self.assertRaises(ValidationError) as caught:
            self.start(s)
        assert "Baseline vitals within limits: failed: BP 184/96" in " ".join(
            caught.exception.messages
        )
        with self.assertRaises(PermissionDenied):
            override_check(self.by(Role.NURSE), s, "vitals", reason="Anxious; rechecked")
        o = override_check(
            self.by(Role.PHYSICIAN), s, "vitals", reason="White-coat rise; 168/92 on repeat"
        )
        assert (o.precheck_id, o.by_id) == (failed.pk, self.users["physician"].pk)
        assert CheckOverride.objects.get().reason == "White-coat rise; 168/92 on repeat"
        assert self.start(s).state == states.INFUSING

    def test_an_override_stands_for_the_result_it_was_given_for(self) -> None:
        s = self.all_passed()
        self.record(s, "fasting", solids_at=NOW - 2 * H)
        override_check(self.by(Role.PHYSICIAN), s, "fasting", reason="Light snack only")
        assert all(i.ok for i in checklist(s))
        self.record(s, "fasting", solids_at=NOW - 1 * H)  # a newer failing answer
        assert [i.item for i in checklist(s) if not i.ok] == ["fasting"]
        with self.assertRaises(ValidationError):
            self.start(s)

    def test_a_missing_item_may_be_overridden_a_passed_one_not(self) -> None:
        s = self.checked_in()
        self.record(s, "identity")
        with self.assertRaises(ValidationError):
            override_check(self.by(Role.PHYSICIAN), s, "identity", reason="x")
        with self.assertRaises(ValidationError) as caught:
            override_check(self.by(Role.PHYSICIAN), s, "equipment", reason=" ")
        assert "reason" in caught.exception.message_dict
        o = override_check(self.by(Role.PHYSICIAN), s, "equipment", reason="Checked at 07:30")
        assert o.precheck is None

    def test_it_needs_a_signed_plan_pinned(self) -> None:
        s = self.all_passed()
        InfusionSession.objects.filter(pk=s.pk).update(plan_version=None)
        with self.assertRaises(ValidationError) as caught:
            self.start(s)
        assert "No signed plan version is pinned" in " ".join(caught.exception.messages)
