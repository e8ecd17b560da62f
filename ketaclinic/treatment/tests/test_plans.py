"""Protocol and plan versioning, escalation, the mg ceiling, signing rules, chair time."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from ketaclinic.accounts.models import Role
from ketaclinic.audit.models import AuditEntry
from ketaclinic.patients import actions as patient_actions
from ketaclinic.treatment import actions, library
from ketaclinic.treatment.models import PlanVersion, ProtocolVersion, TreatmentSettings
from ketaclinic.treatment.queries import chair_minutes, settings_for
from ketaclinic.treatment.rules import signing_blockers

from .base import PlanCase, weigh


class ProtocolVersionTests(PlanCase):
    def test_a_copy_is_version_1_of_the_builtin(self) -> None:
        assert self.version.number == 1
        assert self.version.data == library.builtin("depression")
        assert AuditEntry.objects.filter(action="treatment.protocol.copy").count() == 1

    def test_an_edit_is_a_new_version_and_the_old_one_stays(self) -> None:
        data = dict(self.version.data, mg_ceiling=70)
        v2 = actions.edit_protocol(
            self.by(Role.CLINIC_ADMIN), self.protocol, data, change_note="Clinic cap 70 mg."
        )
        assert v2.number == 2 and v2.data["mg_ceiling"] == 70
        assert ProtocolVersion.objects.get(pk=self.version.pk).data["mg_ceiling"] is None
        entry = AuditEntry.objects.get(action="treatment.protocol.version")
        assert entry.after == {"version": 2, "changed": ["mg_ceiling"]}

    def test_an_edit_needs_a_note_and_a_valid_ladder(self) -> None:
        data = dict(self.version.data, ladder_mg_per_kg=[0.6, 0.5])
        with pytest.raises(ValidationError) as caught:
            actions.edit_protocol(self.by(Role.PHYSICIAN), self.protocol, data, change_note=" ")
        assert set(caught.value.message_dict) == {"ladder_mg_per_kg", "change_note"}

    def test_nurses_and_coordinators_do_not_edit(self) -> None:
        for role in (Role.NURSE, Role.COORDINATOR):
            with pytest.raises(PermissionDenied):
                actions.edit_protocol(
                    self.by(role), self.protocol, self.version.data, change_note="x"
                )
            with pytest.raises(PermissionDenied):
                actions.copy_protocol(self.by(role), self.clinic, "ptsd")


class PlanVersionTests(PlanCase):
    def test_a_draft_holds_the_dose_weight_and_pump_rate(self) -> None:
        plan = self.draft()
        v = plan.latest
        assert (v.number, v.dose_mg, v.weight_used_kg, v.weight_basis) == (1, 40, 80, "actual")
        assert v.weight_measured_on == self.weight.measured_on
        assert v.computed["rate_ml_per_h"] == [60.0]  # 40 mL at 1 mg/mL over 40 min
        assert (plan.series_count, plan.spacing_min_days, plan.spacing_max_days) == (6, 2, 4)
        assert not v.is_signed and v.reason == "First plan."

    def test_a_weight_update_is_a_new_version_with_its_reason_and_diff(self) -> None:
        plan = self.draft()
        newer = weigh(self.patient, "90.0", days_ago=0)
        v2 = actions.change_plan(
            self.by(Role.PHYSICIAN), plan, measurement=newer, reason="Weighed today."
        )
        assert v2.number == 2 and v2.reason == "Weighed today."
        assert v2.diff["weight_kg"] == [80.0, 90.0]
        assert v2.diff["dose_mg"] == [40.0, 45.0]
        assert v2.diff["rate_ml_per_h"] == [[60.0], [67.5]]
        assert PlanVersion.objects.get(plan=plan, number=1).dose_mg == 40

    def test_every_change_needs_a_reason_and_a_change(self) -> None:
        plan = self.draft()
        with pytest.raises(ValidationError) as caught:
            actions.change_plan(self.by(Role.PHYSICIAN), plan, goals="Remission", reason="")
        assert "reason" in caught.value.message_dict
        with pytest.raises(ValidationError) as caught:
            actions.change_plan(self.by(Role.PHYSICIAN), plan, reason="Same again.")
        assert caught.value.message_dict["reason"] == ["Nothing changed from the last version."]

    def test_an_escalation_without_sign_off_is_refused(self) -> None:
        plan = self.draft()
        with pytest.raises(ValidationError) as caught:
            actions.change_plan(
                self.by(Role.PHYSICIAN), plan, dose_mg_per_kg=0.6, reason="Partial response."
            )
        assert "sign-off" in caught.value.message_dict["dose_mg_per_kg"][0]
        assert plan.versions.count() == 1

    def test_an_escalation_is_signed_as_it_is_made(self) -> None:
        self.ready()
        plan = self.draft()
        v2 = actions.change_plan(
            self.by(Role.PHYSICIAN), plan, dose_mg_per_kg=0.6, reason="Partial.", sign=True
        )
        assert v2.is_escalation and v2.is_signed
        assert v2.diff["dose_mg_per_kg"] == [0.5, 0.6]
        assert v2.signed_by == self.users[Role.PHYSICIAN]

    def test_an_escalation_is_signed_only_when_signing_is_allowed(self) -> None:
        plan = self.draft()  # no eligibility decision, no consent
        with pytest.raises(ValidationError):
            actions.change_plan(
                self.by(Role.PHYSICIAN), plan, dose_mg_per_kg=0.6, reason="Partial.", sign=True
            )
        assert plan.versions.count() == 1

    def test_a_dose_off_the_ladder_is_refused(self) -> None:
        with pytest.raises(ValidationError) as caught:
            self.draft(dose_mg_per_kg=0.55)
        assert "ladder" in caught.value.message_dict["dose_mg_per_kg"][0]

    def test_above_the_clinic_ceiling_needs_an_override_and_its_reason(self) -> None:
        actions.update_settings(self.by(Role.CLINIC_ADMIN), self.clinic, {"mg_ceiling": 35.0})
        with pytest.raises(ValidationError) as caught:
            self.draft()  # 40 mg
        assert "above the ceiling of 35 mg" in caught.value.message_dict["override_reason"][0]
        plan = self.draft(override_reason="Tolerated 40 mg elsewhere.")
        assert plan.latest.ceiling_override_reason == "Tolerated 40 mg elsewhere."

    def test_a_new_protocol_version_moves_a_plan_only_by_a_change(self) -> None:
        plan = self.draft()
        data = dict(self.version.data, series=dict(self.version.data["series"], count=8))
        v2 = actions.edit_protocol(self.by(Role.PHYSICIAN), self.protocol, data, change_note="8.")
        assert plan.latest.protocol_version_id == self.version.pk
        moved = actions.change_plan(
            self.by(Role.PHYSICIAN), plan, protocol_version=v2, reason="Eight infusions."
        )
        assert moved.diff["series_count"] == [6, 8]
        assert moved.diff["protocol"][1].endswith("v2")

    def test_only_a_physician_drafts(self) -> None:
        for role in (Role.NURSE, Role.COORDINATOR, Role.CLINIC_ADMIN):
            with pytest.raises(PermissionDenied):
                actions.draft_plan(
                    self.by(role),
                    self.patient,
                    protocol_version=self.version,
                    dose_mg_per_kg=0.5,
                    measurement=self.weight,
                )


class SigningTests(PlanCase):
    def test_signing_needs_an_eligibility_decision(self) -> None:
        plan = self.draft()
        with pytest.raises(ValidationError) as caught:
            actions.sign_plan(self.by(Role.PHYSICIAN), plan.latest)
        messages = caught.value.messages
        assert "No eligibility decision has been signed for this patient." in messages
        assert "There is no live signed consent to off-label IV ketamine." in messages

    def test_a_stale_decision_blocks_signing(self) -> None:
        self.ready()
        plan = self.draft()
        patient_actions.record_medical_answers(
            self.by(Role.NURSE), self.patient, {"uncontrolled_hypertension": "yes"}
        )
        assert [c for c, _ in signing_blockers(self.patient)] == ["eligibility"]
        with pytest.raises(ValidationError) as caught:
            actions.sign_plan(self.by(Role.PHYSICIAN), plan.latest)
        assert "out of date" in caught.value.messages[0]

    def test_a_missing_consent_blocks_signing(self) -> None:
        self.ready(consent=False)
        plan = self.draft()
        with pytest.raises(ValidationError) as caught:
            actions.sign_plan(self.by(Role.PHYSICIAN), plan.latest)
        assert caught.value.messages == [
            "There is no live signed consent to off-label IV ketamine."
        ]

    def test_the_physician_signs_once(self) -> None:
        self.ready()
        plan = self.draft()
        signed = actions.sign_plan(self.by(Role.PHYSICIAN), plan.latest)
        assert signed.is_signed
        with pytest.raises(ValidationError):
            actions.sign_plan(self.by(Role.PHYSICIAN), signed)
        with pytest.raises(PermissionDenied):
            actions.sign_plan(self.by(Role.NURSE), signed)
        assert AuditEntry.objects.get(action="treatment.plan.sign").after == {
            "version": 1,
            "dose_mg": 40.0,
        }


class SettingsAndChairTimeTests(PlanCase):
    def test_reading_settings_writes_nothing(self) -> None:
        chosen = settings_for(self.clinic)
        assert chosen.pk is None and chosen.minimum_observation_min == 60
        assert not TreatmentSettings.objects.exists()

    def test_chair_minutes_from_the_protocol_and_the_observation_setting(self) -> None:
        plan = self.draft()
        assert chair_minutes(plan) == (40, 60)
        actions.update_settings(
            self.by(Role.PHYSICIAN), self.clinic, {"minimum_observation_min": 90}
        )
        assert chair_minutes(plan) == (40, 90)
        aud = actions.copy_protocol(self.by(Role.PHYSICIAN), self.clinic, "alcohol_use_disorder")
        two_step = actions.draft_plan(
            self.by(Role.PHYSICIAN),
            self.patient,
            protocol_version=aud.versions.get(),
            dose_mg_per_kg=0.71,
            measurement=self.weight,
        )
        assert chair_minutes(two_step) == (52, 90)  # 2 + 50 min, then the observation

    def test_settings_change_is_audited_and_validated(self) -> None:
        with pytest.raises(ValidationError):
            actions.update_settings(
                self.by(Role.CLINIC_ADMIN), self.clinic, {"threshold_ng_per_ml": 0}
            )
        actions.update_settings(self.by(Role.CLINIC_ADMIN), self.clinic, {"borrow_bsv": False})
        assert TreatmentSettings.objects.get().borrow_bsv is False
        entry = AuditEntry.objects.get(action="treatment.settings.update")
        assert entry.before == {"borrow_bsv": True} and entry.after == {"borrow_bsv": False}
        with pytest.raises(PermissionDenied):
            actions.update_settings(self.by(Role.NURSE), self.clinic, {"borrow_bsv": True})
