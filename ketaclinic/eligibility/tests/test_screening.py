"""Screening read from real records: incomplete listing, the per-clinic settings action, signing,
and the stale-decision path through patients.signals.record_changed."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from ketaclinic.accounts.models import Membership, Role
from ketaclinic.audit.models import AuditEntry
from ketaclinic.careteam.models import CareTeamMember, TeamRole
from ketaclinic.eligibility.actions import sign_decision, update_settings
from ketaclinic.eligibility.models import (
    EligibilityDecision,
    EligibilitySettings,
    PatientScreening,
)
from ketaclinic.eligibility.queues import to_review
from ketaclinic.eligibility.screening import current_decision, decision_is_stale, screen
from ketaclinic.eligibility.tests.base import answer, complete_record, make_patient
from ketaclinic.patients.conditions import ConditionCode
from ketaclinic.patients.models import (
    BloodPressureReading,
    Medication,
    Patient,
    PatientStatus,
    SubstanceUse,
)
from ketaclinic.patients.signals import record_changed
from ketaclinic.testing import BaseTestCase, make_user, member


def changed(patient: Patient, by: Membership | None = None) -> None:
    """What every patients action does after its writes: send record_changed in its transaction."""
    with transaction.atomic():
        record_changed.send(sender=None, patient=patient, by=by)


class ScreeningFromRecordsTests(BaseTestCase):
    def test_an_empty_record_is_incomplete_and_lists_everything_missing(self) -> None:
        patient = make_patient(self.clinic, sex="female", status=PatientStatus.INTAKE_PENDING)
        result = screen(patient)
        assert result.status == "incomplete"
        keys = [m.key for m in result.missing]
        assert keys == [
            *(f"answer:{code.value}" for code in ConditionCode),
            "allergies",
            "medications",
            "resting_bp",
            "pregnancy",
        ]

    def test_a_complete_record_is_eligible_and_a_man_is_not_asked_about_pregnancy(self) -> None:
        patient = complete_record(make_patient(self.clinic, sex="male"))
        assert screen(patient).status == "eligible"

    def test_medications_count_as_reviewed_after_intake_or_with_a_row(self) -> None:
        patient = complete_record(make_patient(self.clinic, status=PatientStatus.INTAKE_PENDING))
        assert [m.key for m in screen(patient).missing] == ["medications"]
        Medication.objects.create(patient=patient, name="Sertraline", dose_text="100 mg daily")
        assert screen(patient).status == "eligible"

    def test_a_benzodiazepine_without_a_lorazepam_equivalent_is_missing(self) -> None:
        patient = complete_record(make_patient(self.clinic))
        Medication.objects.create(patient=patient, name="Clonazepam", flag="benzodiazepine")
        result = screen(patient)
        assert [m.label for m in result.missing] == [
            "Lorazepam-equivalent daily dose of Clonazepam"
        ]
        Medication.objects.create(
            patient=patient,
            name="Lorazepam",
            flag="benzodiazepine",
            lorazepam_equivalent_mg_per_day=Decimal("2"),
        )
        Medication.objects.create(
            patient=patient,
            name="Diazepam",
            flag="benzodiazepine",
            lorazepam_equivalent_mg_per_day=Decimal("1.5"),
            stopped_on=dt.date.today(),  # stopped: not counted
        )
        assert screen(patient).relative == ()

    def test_struck_and_later_answers_count_as_the_record_says(self) -> None:
        patient = complete_record(make_patient(self.clinic))
        wrong = answer(patient, ConditionCode.STROKE, "yes")
        assert screen(patient).status == "not_eligible"
        wrong.struck_at = timezone.now()
        wrong.save()
        assert screen(patient).status == "eligible"
        answer(patient, ConditionCode.LIVER_DISEASE, "yes")
        assert [r.rule_id for r in screen(patient).relative] == ["liver_disease"]

    def test_the_latest_resting_bp_is_read_against_the_clinics_limit(self) -> None:
        patient = complete_record(make_patient(self.clinic), systolic=150, diastolic=92)
        assert screen(patient).status == "eligible"
        admin = member(self.users[Role.CLINIC_ADMIN], self.clinic)
        update_settings(
            admin,
            self.clinic,
            {"resting_systolic_limit_mmhg": 140, "resting_diastolic_limit_mmhg": 90},
        )
        assert [r.rule_id for r in screen(patient).absolute] == ["resting_bp_above_limit"]
        entry = AuditEntry.objects.get(action="eligibility.settings.update")
        assert entry.before == {
            "resting_systolic_limit_mmhg": 180,
            "resting_diastolic_limit_mmhg": 100,
        }
        assert entry.after == {
            "resting_systolic_limit_mmhg": 140,
            "resting_diastolic_limit_mmhg": 90,
        }
        # The settings change rescreened the clinic's patients.
        assert PatientScreening.objects.get(patient=patient).status == "not_eligible"

    def test_settings_are_the_admins_and_physicians_and_must_be_in_range(self) -> None:
        for role in (Role.NURSE, Role.COORDINATOR, Role.CUSTODIAN):
            with self.assertRaises(PermissionDenied):
                update_settings(
                    member(self.users[role]), self.clinic, {"past_psychosis_class": "absolute"}
                )
        with self.assertRaises(PermissionDenied):
            update_settings(
                member(self.outsider), self.clinic, {"past_psychosis_class": "absolute"}
            )
        physician = member(self.users[Role.PHYSICIAN])
        with self.assertRaises(ValidationError):
            update_settings(physician, self.clinic, {"resting_systolic_limit_mmhg": 400})
        assert not EligibilitySettings.objects.exists()
        update_settings(physician, self.clinic, {"past_psychosis_class": "absolute"})
        assert EligibilitySettings.objects.get().past_psychosis_class == "absolute"

    def test_part2_substance_rows_mark_their_reasons(self) -> None:
        patient = complete_record(make_patient(self.clinic))
        SubstanceUse.objects.create(
            patient=patient, substance="Cocaine", pattern="current", part2=True
        )
        (reason,) = screen(patient).relative
        assert (reason.rule_id, reason.part2) == ("current_substance_use", True)


class DecisionTests(BaseTestCase):
    def setUp(self) -> None:
        self.physician = member(self.users[Role.PHYSICIAN])
        self.patient = complete_record(make_patient(self.clinic))
        answer(self.patient, ConditionCode.BIPOLAR, "yes")
        changed(self.patient)

    def sign(self, **kw: str) -> EligibilityDecision:
        values = {
            "decision": "eligible_with_conditions",
            "reason": "Euthymic for two years.",
            "conditions": "Mood check before each infusion.",
        }
        values.update(kw)
        return sign_decision(self.physician, self.patient, **values)  # type: ignore[arg-type]

    def test_only_a_physician_signs_with_a_reason_and_conditions_where_asked(self) -> None:
        for role in (Role.NURSE, Role.COORDINATOR, Role.CLINIC_ADMIN, Role.OUTSIDE_PROFESSIONAL):
            with self.assertRaises(PermissionDenied):
                sign_decision(
                    member(self.users[role]), self.patient, decision="eligible", reason="x"
                )
        with self.assertRaises(ValidationError) as caught:
            self.sign(reason=" ", conditions="")
        assert set(caught.exception.message_dict) == {"reason", "conditions"}
        signed = self.sign()
        assert signed.screening_status == "physician_review"
        assert signed.screening_snapshot["reasons"][0]["rule_id"] == "bipolar"
        assert current_decision(self.patient) == signed
        assert not decision_is_stale(self.patient)
        entry = AuditEntry.objects.get(action="eligibility.decision.sign")
        assert entry.after is not None and entry.after["decision"] == "eligible_with_conditions"

    def test_a_new_decision_supersedes_and_none_is_edited(self) -> None:
        first = self.sign()
        second = self.sign(
            decision="not_eligible", reason="Changed my mind after review.", conditions=""
        )
        assert current_decision(self.patient) == second
        first.refresh_from_db()
        assert (first.decision, first.stale_at) == ("eligible_with_conditions", None)

    def test_a_change_that_alters_the_result_marks_the_decision_stale_and_alerts(self) -> None:
        signed = self.sign()
        physician_two = make_user(
            "second@sturges.example", "Second Physician", self.clinic, Role.PHYSICIAN
        )
        CareTeamMember.objects.create(
            patient=self.patient, role=TeamRole.PHYSICIAN_OF_RECORD, user=physician_two
        )
        answer(self.patient, ConditionCode.LIVER_DISEASE, "yes")
        nurse = member(self.users[Role.NURSE])
        changed(self.patient, nurse)
        signed.refresh_from_db()
        assert signed.stale_at is not None
        assert decision_is_stale(self.patient)
        entry = AuditEntry.objects.get(action="eligibility.decision.stale")
        assert entry.actor_id == nurse.user_id
        # Still "needs review" (unchanged, so left out of the entry); the reasons changed.
        assert entry.after is not None and entry.before is not None
        assert set(entry.after) == {"fingerprint"}
        assert entry.before["fingerprint"] == signed.fingerprint
        # The physician of record is emailed (not every physician), naming no patient.
        (email,) = mail.outbox
        assert email.to == ["second@sturges.example"]
        assert self.patient.legal_given_name not in f"{email.body} {email.subject}"
        assert f"/patients/{self.patient.pk}/eligibility/" in email.body
        assert AuditEntry.objects.filter(action="eligibility.decision.alert_email").count() == 1
        # And it waits on the physicians' home queue.
        queue = to_review(self.clinic)
        assert [(i.patient_id, i.stale) for i in queue.items] == [(self.patient.pk, True)]
        # A later change does not alert again; a new signature clears it.
        changed(self.patient, nurse)
        assert len(mail.outbox) == 1
        self.sign(decision="eligible", reason="Liver function normal on review.", conditions="")
        assert to_review(self.clinic).count == 0
        assert not decision_is_stale(self.patient)

    def test_without_a_physician_of_record_every_physician_is_emailed(self) -> None:
        self.sign()
        answer(self.patient, ConditionCode.STROKE, "yes")
        changed(self.patient)
        assert mail.outbox[0].to == [self.users[Role.PHYSICIAN].email]

    def test_a_change_that_leaves_the_result_does_not_make_it_stale(self) -> None:
        signed = self.sign()
        BloodPressureReading.objects.create(
            patient=self.patient,
            measured_at=timezone.now(),
            systolic_mmhg=150,
            diastolic_mmhg=95,
            method="measured",
        )
        changed(self.patient)
        signed.refresh_from_db()
        assert signed.stale_at is None
        assert not decision_is_stale(self.patient)
        assert mail.outbox == []
        assert not AuditEntry.objects.filter(action="eligibility.decision.stale").exists()

    def test_the_queue_lists_undecided_reviews_not_incomplete_or_eligible(self) -> None:
        incomplete = make_patient(self.clinic)
        eligible = complete_record(make_patient(self.clinic))
        changed(incomplete)
        changed(eligible)
        assert [i.patient_id for i in to_review(self.clinic).items] == [self.patient.pk]
        assert to_review(self.other).count == 0


class DemoSeedTests(BaseTestCase):
    def test_it_signs_the_eligible_and_leaves_the_rest_and_is_idempotent(self) -> None:
        from ketaclinic.eligibility.demo import seed

        eligible = complete_record(make_patient(self.clinic))
        review = complete_record(make_patient(self.clinic))
        answer(review, ConditionCode.BIPOLAR, "yes")
        assert seed(self.clinic) == 1
        assert seed(self.clinic) == 0
        assert current_decision(eligible) is not None
        assert current_decision(review) is None
        assert [i.patient_id for i in to_review(self.clinic).items] == [review.pk]
