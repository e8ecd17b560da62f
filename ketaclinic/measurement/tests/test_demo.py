"""The demo seed: one acknowledged safety alert and one questionnaire send, once."""

from __future__ import annotations

from django.test import TestCase

from ketaclinic.demo import create_demo
from ketaclinic.measurement import demo
from ketaclinic.measurement.models import QuestionnaireRequest, RequestStatus, SafetyAlert


class DemoSeedTests(TestCase):
    def test_seeds_an_acknowledged_alert_and_an_open_request_once(self) -> None:
        clinic = create_demo()
        alert = SafetyAlert.objects.get(clinic=clinic)
        assert not alert.is_open and "Safety plan" in alert.action_taken
        assert alert.flag is not None and not alert.flag.is_open
        assert alert.patient.legal_family_name == "Alvarez (demo)"
        request = QuestionnaireRequest.objects.get(clinic=clinic)
        assert request.status == RequestStatus.SENT and request.instruments == ["phq9", "gad7"]
        assert request.link is not None and request.link.is_live
        demo.seed(clinic)
        assert SafetyAlert.objects.filter(clinic=clinic).count() == 1
        assert QuestionnaireRequest.objects.filter(clinic=clinic).count() == 1
