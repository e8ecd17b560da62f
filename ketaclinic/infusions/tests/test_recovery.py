"""Recovery scores, the after-effects checklist and discharge (clinical reference §5)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from ketaclinic.accounts.models import Role
from ketaclinic.audit.models import AuditEntry
from ketaclinic.infusions import states
from ketaclinic.infusions.actions import recovery as actions
from ketaclinic.infusions.models import AfterEffectsCheck, CheckOverride, InfusionSettings
from ketaclinic.infusions.tests.base import key
from ketaclinic.infusions.tests.discharge_base import ESCORT_PHONE, RecoveryCase
from ketaclinic.lib.messaging import sms
from ketaclinic.measurement.models import Response
from ketaclinic.scheduling.models import BookingStatus


def _messages(err: pytest.ExceptionInfo[ValidationError]) -> str:
    return " ".join(err.value.messages)


class AssessmentTests(RecoveryCase):
    def test_scores_computed_from_the_readings_not_the_form(self) -> None:
        session = self.recovering()
        # Systolic 145 vs 120 baseline: +25 mmHg -> circulation 1; pulse 70 = baseline;
        # PADSS vitals: 145/120 = +20.8 % -> 1. SpO2 96 on room air -> 2.
        self.reading(session, "recovery", self.recovery_at + dt.timedelta(minutes=30), systolic=145)
        row = self.assess(session, clinical_at=self.recovery_at + dt.timedelta(minutes=31))
        assert row.aldrete_items["circulation"] == 1
        assert row.aldrete_total == 9  # 2+2+1+2+2
        assert row.padss_items["vital_signs"] == 1
        assert row.padss_total == 9  # 1+2+2+2+2
        assert AuditEntry.objects.filter(action="infusions.recovery.assess").count() == 1

    def test_idempotent(self) -> None:
        session = self.recovering()
        k = key()
        nurse = self.by(Role.NURSE)
        values = dict(
            activity=2, respiration=2, consciousness=2, oriented=True, steady_gait=True,
            pain_nausea=2, took_fluids=True, voided=True, idempotency_key=k,
        )  # fmt: skip
        first = actions.record_assessment(nurse, session, **values)  # type: ignore[arg-type]
        again = actions.record_assessment(nurse, session, **values)  # type: ignore[arg-type]
        assert first.pk == again.pk
        assert session.assessments.count() == 1

    def test_on_oxygen_scores_spo2_one(self) -> None:
        session = self.recovering()
        row = self.assess(session, on_oxygen=True)
        assert row.aldrete_items["spo2"] == 1 and row.aldrete_total == 9

    def test_needs_a_recovery_reading(self) -> None:
        session = self.recovering(stopped_early=True)
        with pytest.raises(ValidationError) as err:
            self.assess(session)
        assert "recovery reading" in _messages(err)

    def test_refused_outside_recovery_and_for_a_coordinator(self) -> None:
        session = self.make_session()
        with pytest.raises(ValidationError) as err:
            self.assess(session, clinical_at=None)
        assert "not charted while the session is Scheduled" in _messages(err)
        session = self.recovering()
        with pytest.raises(PermissionDenied):
            self.assess(session, role=Role.COORDINATOR)


class AfterEffectsTests(RecoveryCase):
    def test_stored_as_a_measurement_response(self) -> None:
        session = self.recovering()
        k = key()
        row = actions.record_after_effects(
            self.by(Role.NURSE), session, answers=[2, 1, 0, 0, 1, 0, 0], idempotency_key=k
        )
        again = actions.record_after_effects(
            self.by(Role.NURSE), session, answers=[2, 1, 0, 0, 1, 0, 0], idempotency_key=k
        )
        assert row.pk == again.pk and AfterEffectsCheck.objects.count() == 1
        response = Response.objects.get()
        assert response.instrument_id == "after-effects"
        assert response.patient_id == self.patient.pk
        assert response.subscores["floaty or unreal"] == 2
        assert response.subscores["tired"] == 1

    def test_out_of_range_answer_refused(self) -> None:
        session = self.recovering()
        with pytest.raises(ValidationError):
            actions.record_after_effects(
                self.by(Role.NURSE), session, answers=[4, 0, 0, 0, 0, 0, 0], idempotency_key=key()
            )


class DischargeTests(RecoveryCase):
    def test_observation_59_minutes_is_too_early_60_is_enough(self) -> None:
        session = self.recovering()
        self.assess(session)
        with pytest.raises(ValidationError) as err:
            self.discharge(session, clinical_at=self.recovery_at + dt.timedelta(minutes=59))
        assert "Observed at least 60 min" in _messages(err)
        with self.captureOnCommitCallbacks(execute=True):
            done = self.discharge(session, clinical_at=self.recovery_at + dt.timedelta(minutes=60))
        assert done.state == states.DISCHARGED

    def test_aldrete_8_blocks_9_passes(self) -> None:
        session = self.recovering()
        self.assess(session, consciousness=1, on_oxygen=True)  # 2+2+2+1+1 = 8
        with pytest.raises(ValidationError) as err:
            self.discharge(session)
        assert "Aldrete" in _messages(err) and "8/10" in _messages(err)
        self.assess(session, on_oxygen=True)  # 9
        assert self.discharge(session).state == states.DISCHARGED

    def test_padss_below_the_clinic_threshold_blocks(self) -> None:
        InfusionSettings.objects.create(clinic=self.clinic, padss_min=10)
        session = self.recovering()
        self.assess(session, voided=False)  # PADSS 9 < 10
        with pytest.raises(ValidationError) as err:
            self.discharge(session)
        assert "PADSS" in _messages(err)

    def test_no_escort_blocks_and_each_unmet_criterion_is_listed(self) -> None:
        session = self.recovering()
        with pytest.raises(ValidationError) as err:
            self.discharge(
                session,
                escort_name="",
                escort_phone="",
                clinical_at=self.recovery_at + dt.timedelta(minutes=10),
            )
        text = _messages(err)
        assert "escort" in text and "Observed" in text and "Aldrete" in text and "PADSS" in text
        assert len(err.value.messages) == 4

    def test_invalid_phone_refused_at_the_field(self) -> None:
        session = self.recovering()
        self.assess(session)
        with pytest.raises(ValidationError) as err:
            self.discharge(session, escort_phone="12")
        assert "escort_phone" in err.value.message_dict

    def test_physician_override_allowed_and_recorded(self) -> None:
        session = self.recovering()
        done = self.discharge(
            session,
            role=Role.PHYSICIAN,
            escort_name="",
            escort_phone="",
            override_reason="Taxi arranged by the family; patient fully alert.",
        )
        assert done.state == states.DISCHARGED
        assert done.discharge_override_by == self.users[Role.PHYSICIAN]
        found = CheckOverride.objects.get(session=done)
        assert found.item == "discharge" and "Taxi" in found.reason

    def test_nurse_override_refused(self) -> None:
        session = self.recovering()
        with pytest.raises(PermissionDenied):
            self.discharge(session, override_reason="I think she is fine.")
        session.refresh_from_db()
        assert session.state == states.RECOVERY

    def test_booking_completed_and_instructions_sent(self) -> None:
        self.patient.email = "plan.patient@example.org"
        self.patient.phone_mobile = "+14155550199"
        self.patient.save()
        self.clinic.phone = "+14155550100"
        self.clinic.save()
        session = self.recovering()
        self.assess(session)
        mail.outbox.clear()
        sms.outbox.clear()
        with self.captureOnCommitCallbacks(execute=True):
            done = self.discharge(session)
        done.refresh_from_db()
        assert done.booking.status == BookingStatus.COMPLETED
        assert done.escort_phone == ESCORT_PHONE
        assert done.instructions_sent_at is not None
        assert len(mail.outbox) == 1
        body = mail.outbox[0].body
        assert "Do not drive" in body and "within about 4 hours" in body
        assert "Dana Reyes" in body and "988" in body and "+14155550100" in body
        assert mail.outbox[0].subject == "Your aftercare instructions"
        assert len(sms.outbox) == 1 and sms.outbox[0].to == "+14155550199"
        assert "floaty" not in sms.outbox[0].body  # no clinical detail in a text message
        assert len(sms.outbox[0].body) < 200

    def test_stale_version_is_a_conflict(self) -> None:
        session = self.recovering()
        self.assess(session)
        with pytest.raises(ValidationError) as err:
            self.discharge(session, expected_version=session.version - 1)
        assert "Someone else changed" in _messages(err)

    def test_not_from_stopped_early(self) -> None:
        session = self.recovering(stopped_early=True)
        with pytest.raises(ValidationError):
            self.discharge(session, role=Role.PHYSICIAN, override_reason="x")
