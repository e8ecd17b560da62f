from __future__ import annotations

import datetime as dt
from decimal import Decimal
from unittest.mock import patch

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from ketaclinic.accounts.models import Role, User
from ketaclinic.audit.models import AuditEntry
from ketaclinic.inquiries.models import Status
from ketaclinic.inquiries.tests.base import make_inquiry
from ketaclinic.patients import actions, queries
from ketaclinic.patients.models import Diagnosis, Patient
from ketaclinic.patients.signals import record_changed
from ketaclinic.patients.tests.base import PatientCase, make_patient


class CreateTests(PatientCase):
    def test_it_numbers_patients_in_turn_within_the_clinic(self) -> None:
        second = make_patient(self.clinic, self.users[Role.NURSE], legal_given_name="Bea")
        assert self.patient.mrn == "KC-000001"
        assert second.mrn == "KC-000002"
        entry = AuditEntry.objects.filter(action="patient.create", object_id=str(second.pk)).get()
        assert entry.after is not None
        assert (entry.after["mrn"], entry.after["legal_given_name"]) == ("KC-000002", "Bea")

    def test_it_numbers_after_the_highest_not_the_count(self) -> None:
        Patient.objects.filter(pk=self.patient.pk).update(mrn="KC-000007")
        assert make_patient(self.clinic, self.users[Role.NURSE]).mrn == "KC-000008"

    def test_a_number_taken_meanwhile_is_retried(self) -> None:
        # Two creations at once compute the same next number; the unique constraint refuses
        # the second insert, which takes the next number instead of failing.
        picks = iter(["KC-000001", "KC-000002"])
        with patch("ketaclinic.patients.actions.record.next_mrn", lambda clinic: next(picks)):
            second = make_patient(self.clinic, self.users[Role.NURSE], legal_given_name="Bo")
        assert second.mrn == "KC-000002"
        assert Patient.objects.filter(clinic=self.clinic).count() == 2

    def test_the_same_number_in_another_clinic_is_fine(self) -> None:
        theirs = make_patient(self.other, self.outsider_coordinator())
        assert theirs.mrn == self.patient.mrn == "KC-000001"

    def outsider_coordinator(self) -> User:
        from ketaclinic.testing import make_user

        return make_user("coord@other.example", "Other Coordinator", self.other, Role.COORDINATOR)

    def test_other_roles_cannot_create(self) -> None:
        for role in (Role.CLINIC_ADMIN, Role.CUSTODIAN, Role.OUTSIDE_PROFESSIONAL):
            with pytest.raises(PermissionDenied):
                make_patient(self.clinic, self.users[role])

    def test_it_links_and_converts_an_inquiry(self) -> None:
        inquiry = make_inquiry(self.clinic, name="Cara Lind")
        patient = actions.create_patient(
            self.by(Role.COORDINATOR),
            self.clinic,
            values={
                "legal_given_name": "Cara",
                "legal_family_name": "Lind",
                "date_of_birth": dt.date(1990, 1, 2),
                "sex_at_birth": "female",
            },
            inquiry=inquiry,
        )
        inquiry.refresh_from_db()
        assert inquiry.status == Status.BECAME_PATIENT
        assert inquiry.converted_reference == patient.mrn
        assert inquiry.converted_at is not None
        assert patient.inquiry == inquiry
        assert AuditEntry.objects.filter(action="patient.convert_inquiry").count() == 1
        with pytest.raises(ValidationError):  # an inquiry becomes one patient only
            make_patient(self.clinic, self.users[Role.COORDINATOR], inquiry=inquiry)


class UpdateTests(PatientCase):
    def test_it_records_before_and_after_and_bumps_the_version(self) -> None:
        changed = actions.update_patient(
            self.by(Role.COORDINATOR),
            self.patient,
            {"preferred_name": "Addie", "legal_family_name": "Testperson"},
            expected_version=1,
        )
        assert changed is True
        self.patient.refresh_from_db()
        assert self.patient.version == 2
        entry = AuditEntry.objects.get(action="patient.update")
        assert entry.before == {"preferred_name": ""}
        assert entry.after == {"preferred_name": "Addie"}

    def test_a_stale_version_is_refused_and_nothing_saved(self) -> None:
        actions.update_patient(
            self.by(Role.NURSE), self.patient, {"pronouns": "she/her"}, expected_version=1
        )
        with pytest.raises(actions.StaleVersion):
            actions.update_patient(
                self.by(Role.COORDINATOR),
                self.patient,
                {"pronouns": "they/them"},
                expected_version=1,
            )
        self.patient.refresh_from_db()
        assert self.patient.pronouns == "she/her"

    def test_a_coordinator_cannot_change_the_part2_label(self) -> None:
        with pytest.raises(PermissionDenied):
            actions.update_patient(
                self.by(Role.COORDINATOR),
                self.patient,
                {"sud_treatment": True},
                expected_version=None,
            )
        actions.update_patient(
            self.by(Role.PHYSICIAN), self.patient, {"sud_treatment": True}, expected_version=None
        )
        self.patient.refresh_from_db()
        assert self.patient.sud_treatment is True

    def test_unknown_fields_are_refused(self) -> None:
        with pytest.raises(ValidationError):
            actions.update_patient(
                self.by(Role.NURSE), self.patient, {"mrn": "X"}, expected_version=None
            )


class HistoryTests(PatientCase):
    def test_clinical_history_is_for_physicians_and_nurses_or_the_intake(self) -> None:
        for role in (Role.COORDINATOR, Role.CLINIC_ADMIN, Role.CUSTODIAN):
            with pytest.raises(PermissionDenied):
                actions.add_allergy(self.by(role), self.patient, substance="Penicillin")
        with pytest.raises(PermissionDenied):
            actions.add_allergy(None, self.patient, substance="Penicillin")
        entry = actions.add_allergy(None, self.patient, substance="Penicillin", source="intake")
        assert entry.source == "intake" and entry.recorded_by is None

    def test_each_action_is_audited_and_signals(self) -> None:
        seen: list[Patient] = []

        def receiver(sender: object, patient: Patient, by: object, **kw: object) -> None:
            seen.append(patient)

        record_changed.connect(receiver)
        self.addCleanup(record_changed.disconnect, receiver)
        nurse = self.by(Role.NURSE)
        p = self.patient
        actions.record_measurement(
            nurse,
            p,
            measured_on=dt.date(2026, 1, 5),
            height_cm=Decimal("170.0"),
            weight_kg=Decimal("80.0"),
            method="measured",
        )
        actions.record_blood_pressure(
            nurse,
            p,
            measured_at=timezone.now(),
            systolic_mmhg=150,
            diastolic_mmhg=95,
            method="measured",
        )
        med = actions.add_medication(
            nurse,
            p,
            name="Lorazepam",
            dose_text="1 mg at night",
            flag="benzodiazepine",
            lorazepam_equivalent_mg_per_day=Decimal("1.0"),
        )
        actions.stop_medication(nurse, med, stopped_on=dt.date(2026, 2, 1))
        actions.add_diagnosis(
            nurse, p, icd10_code="f33.2", description="Major depressive disorder, recurrent, severe"
        )
        actions.record_psychiatric_history(
            nurse, p, adequate_antidepressant_trials=3, prior_ect=True
        )
        actions.record_medical_answers(nurse, p, {"psychosis_past": "yes", "stroke": "no"})
        actions.record_substance_use(nurse, p, substance="Alcohol", pattern="past")
        actions.record_reproductive_status(
            nurse, p, pregnant="unknown", breastfeeding="no", as_of=dt.date(2026, 1, 5)
        )
        flag = actions.raise_safety_flag(
            nurse, p, kind="suicidality", detail="Said so on the phone."
        )
        actions.resolve_safety_flag(nurse, flag, action_taken="Called back; safety plan.")
        assert len(seen) == 11
        actions_logged = set(AuditEntry.objects.values_list("action", flat=True))
        assert {
            "patient.measurement",
            "patient.blood_pressure",
            "patient.medication",
            "patient.medication_stop",
            "patient.diagnosis",
            "patient.psychiatric_history",
            "patient.medical_answers",
            "patient.substance_use",
            "patient.reproductive_status",
            "patient.safety_flag",
            "patient.safety_flag_resolve",
        } <= actions_logged
        assert queries.latest_weight(p).weight_kg == Decimal("80.0")  # type: ignore[union-attr]
        assert list(queries.current_medications(p)) == []
        assert queries.current_medical_answers(p)["psychosis_past"].answer == "yes"
        assert queries.current_psychiatric_history(p).adequate_antidepressant_trials == 3  # type: ignore[union-attr]
        assert Diagnosis.objects.get().icd10_code == "F33.2"
        assert list(queries.open_safety_flags(p)) == []

    def test_part2_label_follows_the_patient_and_sud_codes(self) -> None:
        nurse = self.by(Role.NURSE)
        plain = actions.add_diagnosis(nurse, self.patient, icd10_code="F41.1", description="GAD")
        sud = actions.add_diagnosis(
            nurse, self.patient, icd10_code="F10.20", description="Alcohol dependence"
        )
        assert (plain.part2, sud.part2) == (False, True)
        Patient.objects.filter(pk=self.patient.pk).update(sud_treatment=True)
        allergy = actions.add_allergy(nurse, self.patient, substance="Latex")
        assert allergy.part2 is True

    def test_a_bad_icd10_code_is_refused(self) -> None:
        with pytest.raises(ValidationError):
            actions.add_diagnosis(
                self.by(Role.NURSE), self.patient, icd10_code="33.2", description="x"
            )

    def test_strike_keeps_the_row_and_why(self) -> None:
        nurse = self.by(Role.NURSE)
        entry = actions.add_allergy(nurse, self.patient, substance="Peanuts")
        with pytest.raises(ValidationError):
            actions.strike_entry(nurse, entry, reason=" ")
        with pytest.raises(PermissionDenied):
            actions.strike_entry(self.by(Role.COORDINATOR), entry, reason="Wrong patient")
        actions.strike_entry(nurse, entry, reason="Wrong patient")
        entry.refresh_from_db()
        assert entry.is_struck and entry.struck_reason == "Wrong patient"
        assert list(queries.current_allergies(self.patient)) == []
        with pytest.raises(ValidationError):
            actions.strike_entry(nurse, entry, reason="Again")

    def test_no_known_allergies_and_an_allergy_cannot_both_stand(self) -> None:
        nurse = self.by(Role.NURSE)
        assert queries.allergy_state(queries.current_allergies(self.patient)) == "not_recorded"
        actions.record_no_known_allergies(nurse, self.patient)
        assert queries.allergy_state(queries.current_allergies(self.patient)) == "none_known"
        actions.add_allergy(nurse, self.patient, substance="Sulfa")
        assert queries.allergy_state(queries.current_allergies(self.patient)) == "recorded"
        with pytest.raises(ValidationError):
            actions.record_no_known_allergies(nurse, self.patient)
