"""What the treatment and measurement apps put on the day board, on the demo clinic: the
planned dose of each visit, and questionnaires still unanswered or an open safety alert as
things needed before the start."""

from __future__ import annotations

from django.test import TestCase

from ketaclinic.demo import create_demo
from ketaclinic.measurement.board import questionnaire_checks
from ketaclinic.measurement.models import QuestionnaireRequest, Response, SafetyAlert
from ketaclinic.scheduling.board import _checks, _details
from ketaclinic.scheduling.models import Booking
from ketaclinic.treatment.board import plan_doses
from ketaclinic.treatment.queries import current_version


class BoardHooksTests(TestCase):
    def test_the_dose_and_the_checks_of_a_booked_demo_patient(self) -> None:
        clinic = create_demo()
        assert plan_doses in _details and questionnaire_checks in _checks
        booking = Booking.objects.filter(clinic=clinic, patient__legal_given_name="Maya").first()
        assert booking is not None
        version = current_version(booking.patient)
        assert version is not None
        text = plan_doses([booking])[booking.pk]
        assert text.startswith(f"{version.dose_mg_per_kg:g} mg/kg \u00b7 {version.dose_mg:.1f} mg")
        assert ("(signed)" in text) == version.is_signed

        assert questionnaire_checks([booking]) == {}  # nothing sent, the alert acknowledged
        QuestionnaireRequest.objects.create(
            clinic=clinic, patient=booking.patient, instruments=["phq9", "gad7"]
        )
        response = Response.objects.filter(patient=booking.patient).first()
        assert response is not None
        SafetyAlert.objects.create(
            clinic=clinic, patient=booking.patient, response=response, reason="Test alert"
        )
        checks = questionnaire_checks([booking])[booking.pk]
        assert [(c.label, c.ok) for c in checks] == [
            ("No open safety alert", False),
            ("Questionnaires answered", False),
        ]
        assert checks[1].detail == "PHQ-9, GAD-7: sent, not answered"
