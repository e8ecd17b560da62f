"""Safety alerts: what triggers one, the flag, the emails, acknowledging, escalating."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import override_settings
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from ketaclinic.accounts.actions.grants import grant_shared_access
from ketaclinic.accounts.models import Role
from ketaclinic.audit.models import AuditEntry
from ketaclinic.careteam.models import CareTeamMember, TeamRole
from ketaclinic.measurement import actions, safety, tasks
from ketaclinic.measurement.models import Channel, MeasurementSettings, Response, SafetyAlert
from ketaclinic.measurement.tests.base import (
    CSSRS_HIGH,
    CSSRS_LOW,
    CSSRS_MODERATE,
    PHQ9_ITEM9_ONE,
    PHQ9_ITEM9_ZERO,
    MeasurementCase,
    when,
)
from ketaclinic.patients.models import SafetyFlag
from ketaclinic.testing import make_user


class TriggerTests(MeasurementCase):
    def record(
        self, instrument_id: str, answers: Sequence[Any], role: str = Role.NURSE
    ) -> Response:
        return actions.record_response(
            self.by(role),
            self.patient,
            instrument_id,
            answers,
            administered_at=when(0),
            channel=Channel.CLINICIAN if instrument_id == "cssrs-screener" else Channel.STAFF,
        )

    def test_phq9_item9_zero_opens_nothing(self) -> None:
        self.record("phq9", PHQ9_ITEM9_ZERO)
        assert not SafetyAlert.objects.exists()
        assert not SafetyFlag.objects.exists()
        assert mail.outbox == []
        assert not safety.has_open_safety_alert(self.patient)

    def test_phq9_item9_one_opens_alert_flag_and_emails_physicians(self) -> None:
        response = self.record("phq9", PHQ9_ITEM9_ONE, role=Role.COORDINATOR)
        alert = SafetyAlert.objects.get()
        assert alert.response == response and alert.is_open
        assert "item 9" in alert.reason and "Several days" in alert.reason
        assert alert.flag is not None and alert.flag.is_open
        assert alert.flag.kind == safety.FLAG_KIND
        assert safety.has_open_safety_alert(self.patient)
        # No care team: every physician of the clinic.
        assert [m.to for m in mail.outbox] == [[self.users[Role.PHYSICIAN].email]]
        body = mail.outbox[0].body
        assert self.patient.mrn in body and "Ada" not in mail.outbox[0].subject
        alert.refresh_from_db()
        assert alert.care_team_notified == [self.users[Role.PHYSICIAN].email]
        actions_seen = set(AuditEntry.objects.values_list("action", flat=True))
        assert {"measurement.alert_open", "measurement.alert_notify", "patient.safety_flag"} <= (
            actions_seen
        )

    def test_cssrs_low_opens_nothing_moderate_and_high_do(self) -> None:
        self.record("cssrs-screener", CSSRS_LOW)
        assert not SafetyAlert.objects.exists()
        for answers, level in ((CSSRS_MODERATE, "moderate"), (CSSRS_HIGH, "high")):
            with self.subTest(level=level):
                response = self.record("cssrs-screener", answers)
                assert response.risk_level == level
                alert = SafetyAlert.objects.get(response=response)
                assert alert.reason == f"C-SSRS screener: {level} risk"

    def test_care_team_clinicians_are_emailed_instead_of_all_physicians(self) -> None:
        second = make_user("doc2@sturges.example", "Second Doctor", self.clinic, Role.PHYSICIAN)
        CareTeamMember.objects.create(
            patient=self.patient, role=TeamRole.NURSE, user=self.users[Role.NURSE]
        )
        CareTeamMember.objects.create(
            patient=self.patient,
            role=TeamRole.PHYSICIAN_OF_RECORD,
            user=second,
            left_at=timezone.now(),
        )
        self.record("phq9", PHQ9_ITEM9_ONE)
        assert [m.to for m in mail.outbox] == [[self.users[Role.NURSE].email]]

    def test_outside_professional_told_only_with_an_outcomes_grant(self) -> None:
        admin = self.by(Role.CLINIC_ADMIN)
        outside = self.users[Role.OUTSIDE_PROFESSIONAL]
        grant = grant_shared_access(
            admin,
            professional=outside,
            target=self.patient,
            sections=["summary", "diagnoses"],
            reason="Consent to share the summary.",
        )
        self.record("phq9", PHQ9_ITEM9_ONE)
        assert all(outside.email not in m.to for m in mail.outbox)
        assert SafetyAlert.objects.get().outside_notified == []
        grant_shared_access(
            admin,
            professional=outside,
            target=self.patient,
            sections=["outcomes"],
            reason="Consent to share questionnaire scores.",
        )
        mail.outbox.clear()
        self.record("phq9", PHQ9_ITEM9_ONE)
        notices = [m for m in mail.outbox if outside.email in m.to]
        assert len(notices) == 1
        body = notices[0].body
        assert "Please contact the clinic" in body
        assert "item 9" not in body and "PHQ" not in body  # no answers, no score
        assert "outcomes" not in grant.sections


class AcknowledgeTests(MeasurementCase):
    def setUp(self) -> None:
        super().setUp()
        actions.record_response(
            self.by(Role.NURSE),
            self.patient,
            "phq9",
            PHQ9_ITEM9_ONE,
            administered_at=when(0),
            channel=Channel.STAFF,
        )
        self.alert = SafetyAlert.objects.get()

    def test_requires_action_text_and_a_clinician(self) -> None:
        with pytest.raises(ValidationError) as raised:
            safety.acknowledge_alert(self.by(Role.PHYSICIAN), self.alert, action_taken="  ")
        assert "action_taken" in raised.value.message_dict
        with pytest.raises(PermissionDenied):
            safety.acknowledge_alert(
                self.by(Role.COORDINATOR), self.alert, action_taken="Called her."
            )
        assert safety.has_open_safety_alert(self.patient)

    def test_acknowledging_closes_alert_and_resolves_flag(self) -> None:
        safety.acknowledge_alert(
            self.by(Role.PHYSICIAN), self.alert, action_taken="Called; safety plan agreed."
        )
        self.alert.refresh_from_db()
        assert not self.alert.is_open
        assert self.alert.acknowledged_by == self.users[Role.PHYSICIAN]
        assert self.alert.flag is not None
        self.alert.flag.refresh_from_db()
        assert not self.alert.flag.is_open
        assert self.alert.flag.action_taken == "Called; safety plan agreed."
        assert not safety.has_open_safety_alert(self.patient)
        with pytest.raises(ValidationError, match="already"):
            safety.acknowledge_alert(self.by(Role.NURSE), self.alert, action_taken="Again")


class EscalationTests(MeasurementCase):
    def open_alert(self) -> SafetyAlert:
        actions.record_response(
            self.by(Role.NURSE),
            self.patient,
            "phq9",
            PHQ9_ITEM9_ONE,
            administered_at=when(0),
            channel=Channel.STAFF,
        )
        mail.outbox.clear()
        return SafetyAlert.objects.get()

    def test_escalates_to_on_call_after_the_clinics_minutes_once(self) -> None:
        on_call = make_user("oncall@sturges.example", "On Call", self.clinic, Role.PHYSICIAN)
        MeasurementSettings.objects.create(
            clinic=self.clinic,
            safety_escalation_minutes=45,
            on_call_physician=on_call.memberships.get(),
        )
        alert = self.open_alert()
        assert tasks.escalate_safety_alert.call(alert.pk) == "not due yet"
        with time_machine.travel(alert.opened_at + dt.timedelta(minutes=44)):
            assert tasks.escalate_safety_alert.call(alert.pk) == "not due yet"
        assert mail.outbox == []
        with time_machine.travel(alert.opened_at + dt.timedelta(minutes=46)):
            assert tasks.escalate_safety_alert.call(alert.pk) == "escalated"
            assert tasks.escalate_safety_alert.call(alert.pk) == "already escalated"
        assert [m.to for m in mail.outbox] == [[on_call.email]]
        assert "on-call" in mail.outbox[0].body
        alert.refresh_from_db()
        assert alert.escalated_at is not None and alert.escalated_to == [on_call.email]
        assert AuditEntry.objects.filter(action="measurement.alert_escalate").count() == 1

    def test_falls_back_to_every_physician_and_skips_acknowledged(self) -> None:
        alert = self.open_alert()
        with time_machine.travel(alert.opened_at + dt.timedelta(minutes=31)):
            assert tasks.escalate_safety_alert.call(alert.pk) == "escalated"
        assert [m.to for m in mail.outbox] == [[self.users[Role.PHYSICIAN].email]]
        second = SafetyAlert.objects.create(
            clinic=self.clinic,
            patient=self.patient,
            response=alert.response,
            reason="Second",
        )
        safety.acknowledge_alert(self.by(Role.NURSE), second, action_taken="Seen in clinic.")
        mail.outbox.clear()
        with time_machine.travel(second.opened_at + dt.timedelta(hours=2)):
            assert tasks.escalate_safety_alert.call(second.pk) == "acknowledged"
        assert mail.outbox == []

    @override_settings(
        TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
    )
    def test_enqueued_for_opened_at_plus_minutes(self) -> None:
        alert = self.open_alert()
        queued = DBTaskResult.objects.get(task_path=tasks.escalate_safety_alert.module_path)
        assert queued.run_after == alert.opened_at + dt.timedelta(minutes=30)
        assert queued.args_kwargs["args"][0] == alert.pk
        notify = DBTaskResult.objects.get(task_path=tasks.notify_safety_alert.module_path)
        assert notify.status == "READY" and notify.args_kwargs["args"][0] == alert.pk
