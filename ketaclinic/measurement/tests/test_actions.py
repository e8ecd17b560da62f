"""record_response and strike_response: scoring, roles, item-named refusals, Part 2, audit."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from ketaclinic.accounts.models import Role
from ketaclinic.audit.models import AuditEntry
from ketaclinic.instruments import get
from ketaclinic.measurement import actions
from ketaclinic.measurement.models import Channel, Response
from ketaclinic.measurement.tests.base import PHQ9_ITEM9_ZERO, MeasurementCase, when
from ketaclinic.patients.tests.base import make_patient
from ketaclinic.securelinks.actions import create_link
from ketaclinic.securelinks.models import Purpose

SELF_REPORT = ("phq9", [2, 2, 1, 1, 0, 0, 1, 1, 0])  # total 8, "mild"
MADRS = [2] * 10  # total 20


class RecordResponseTests(MeasurementCase):
    def test_staff_entry_stores_answers_score_version_and_who(self) -> None:
        instrument_id, answers = SELF_REPORT
        for role in (Role.PHYSICIAN, Role.NURSE, Role.COORDINATOR):
            with self.subTest(role=role):
                response = actions.record_response(
                    self.by(role),
                    self.patient,
                    instrument_id,
                    answers,
                    administered_at=when(),
                    channel=Channel.STAFF,
                )
                response.refresh_from_db()
                assert response.answers == answers
                assert response.total == 8
                assert response.severity == "mild"
                assert response.instrument_version == get("phq9").version
                assert response.entered_by == self.users[role]
                assert response.channel == Channel.STAFF
                assert response.flags == []
                assert not response.part2
                entry = AuditEntry.objects.filter(action="measurement.response").last()
                assert entry is not None and entry.object_id == str(response.pk)
                assert isinstance(entry.after, dict) and entry.after["total"] == 8

    def test_clinician_rated_only_by_physician_and_nurse(self) -> None:
        for role in (Role.PHYSICIAN, Role.NURSE):
            response = actions.record_response(
                self.by(role),
                self.patient,
                "madrs",
                MADRS,
                administered_at=when(),
                channel=Channel.CLINICIAN,
            )
            assert response.total == 20
        for instrument_id, answers in (
            ("madrs", MADRS),
            ("cadss6", [0] * 6),
            ("bprs-positive", [1] * 4),
            ("moaas", [5]),
            ("cadss", [0] * 23),
        ):
            with self.subTest(instrument=instrument_id):
                assert get(instrument_id).clinician_rated
                with pytest.raises(PermissionDenied, match="clinician-rated"):
                    actions.record_response(
                        self.by(Role.COORDINATOR),
                        self.patient,
                        instrument_id,
                        answers,
                        administered_at=when(),
                        channel=Channel.STAFF,
                    )
        assert not Response.objects.filter(entered_by=self.users[Role.COORDINATOR]).exists()

    def test_other_roles_and_other_clinics_refused(self) -> None:
        for role in (Role.CLINIC_ADMIN, Role.CUSTODIAN, Role.OUTSIDE_PROFESSIONAL):
            with self.subTest(role=role), pytest.raises(PermissionDenied):
                actions.record_response(
                    self.by(role),
                    self.patient,
                    *SELF_REPORT,
                    administered_at=when(),
                    channel=Channel.STAFF,
                )
        from ketaclinic.testing import member

        with pytest.raises(PermissionDenied):
            actions.record_response(
                member(self.outsider, self.other),
                self.patient,
                *SELF_REPORT,
                administered_at=when(),
                channel=Channel.STAFF,
            )

    def test_out_of_range_answer_is_refused_at_the_item(self) -> None:
        answers = [0, 0, 0, 7, 0, 0, 0, 0, 0]
        with pytest.raises(ValidationError) as raised:
            actions.record_response(
                self.by(Role.NURSE),
                self.patient,
                "phq9",
                answers,
                administered_at=when(),
                channel=Channel.STAFF,
            )
        errors = raised.value.message_dict
        assert list(errors) == ["item_4"]
        assert errors["item_4"][0].startswith("Item 4: ")
        assert "7" in errors["item_4"][0]
        assert not Response.objects.exists()

    def test_future_time_refused(self) -> None:
        with pytest.raises(ValidationError) as raised:
            actions.record_response(
                self.by(Role.NURSE),
                self.patient,
                *SELF_REPORT,
                administered_at=timezone.now() + dt.timedelta(days=1),
                channel=Channel.STAFF,
            )
        assert "administered_at" in raised.value.message_dict

    def test_part2_label_follows_sud_treatment(self) -> None:
        sud = make_patient(
            self.clinic, self.users[Role.NURSE], legal_given_name="Sud", sud_treatment=True
        )
        for instrument_id, answers in (("audit-c", [1, 1, 0]), SELF_REPORT):
            with self.subTest(instrument=instrument_id):
                on_sud = actions.record_response(
                    self.by(Role.NURSE),
                    sud,
                    instrument_id,
                    answers,
                    administered_at=when(),
                    channel=Channel.STAFF,
                )
                assert on_sud.part2
                plain = actions.record_response(
                    self.by(Role.NURSE),
                    self.patient,
                    instrument_id,
                    answers,
                    administered_at=when(),
                    channel=Channel.STAFF,
                )
                assert not plain.part2
        assert "audit-c" in actions.ADDICTION_INSTRUMENTS

    def test_self_report_needs_the_patients_live_questionnaire_link(self) -> None:
        coordinator = self.by(Role.COORDINATOR)
        link, _token = create_link(
            coordinator,
            self.patient,
            purpose=Purpose.QUESTIONNAIRE,
            lifetime=dt.timedelta(days=1),
        )
        response = actions.record_response(
            None,
            self.patient,
            *SELF_REPORT,
            administered_at=when(0),
            channel=Channel.SELF_REPORT,
            link=link,
        )
        assert response.entered_by is None and response.channel == Channel.SELF_REPORT
        other = make_patient(self.clinic, self.users[Role.COORDINATOR], legal_given_name="Bo")
        intake_link, _ = create_link(
            coordinator, self.patient, purpose=Purpose.INTAKE, lifetime=dt.timedelta(days=1)
        )
        cases = [
            ("no link", self.patient, None, Channel.SELF_REPORT),
            ("another patient's", other, link, Channel.SELF_REPORT),
            ("intake purpose", self.patient, intake_link, Channel.SELF_REPORT),
            ("staff channel", self.patient, link, Channel.STAFF),
        ]
        for label, patient, given, channel in cases:
            with self.subTest(label), pytest.raises(PermissionDenied):
                actions.record_response(
                    None,
                    patient,
                    *SELF_REPORT,
                    administered_at=when(0),
                    channel=channel,
                    link=given,
                )
        link.expires_at = timezone.now() - dt.timedelta(seconds=1)
        link.save()
        with pytest.raises(PermissionDenied):
            actions.record_response(
                None,
                self.patient,
                *SELF_REPORT,
                administered_at=when(0),
                channel=Channel.SELF_REPORT,
                link=link,
            )
        with pytest.raises(PermissionDenied, match="clinician-rated"):
            link.expires_at = timezone.now() + dt.timedelta(days=1)
            link.save()
            actions.record_response(
                None,
                self.patient,
                "madrs",
                MADRS,
                administered_at=when(0),
                channel=Channel.SELF_REPORT,
                link=link,
            )


class StrikeResponseTests(MeasurementCase):
    def test_clinician_strikes_with_reason_kept_and_audited(self) -> None:
        response = actions.record_response(
            self.by(Role.COORDINATOR),
            self.patient,
            "phq9",
            PHQ9_ITEM9_ZERO,
            administered_at=when(),
            channel=Channel.STAFF,
        )
        with pytest.raises(ValidationError) as raised:
            actions.strike_response(self.by(Role.NURSE), response, reason="  ")
        assert "reason" in raised.value.message_dict
        with pytest.raises(PermissionDenied):
            actions.strike_response(self.by(Role.COORDINATOR), response, reason="Wrong patient")
        actions.strike_response(self.by(Role.NURSE), response, reason="Wrong patient")
        response.refresh_from_db()
        assert response.is_struck and response.struck_reason == "Wrong patient"
        assert response.struck_by == self.users[Role.NURSE]
        assert response.answers == PHQ9_ITEM9_ZERO  # kept as given
        entry = AuditEntry.objects.get(action="measurement.response_strike")
        assert entry.reason == "Wrong patient"
        with pytest.raises(ValidationError, match="already"):
            actions.strike_response(self.by(Role.PHYSICIAN), response, reason="Again")
