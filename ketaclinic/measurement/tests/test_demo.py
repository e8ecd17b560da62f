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


class DemoScheduleTests(TestCase):
    def test_the_demo_schedule_is_due_at_once_and_lands_in_the_outbox_with_a_link(self) -> None:
        import re
        import tempfile
        from pathlib import Path

        from django.test import override_settings

        from ketaclinic.measurement import sends
        from ketaclinic.measurement.models import DueSend

        clinic = create_demo()
        with (
            tempfile.TemporaryDirectory() as outbox,
            override_settings(
                EMAIL_BACKEND="ketaclinic.lib.mail.DayFolderEmailBackend", EMAIL_FILE_PATH=outbox
            ),
        ):
            assert sends.send_due("demo-worker") == {"sent": 1}
            (path,) = [p for p in Path(outbox).rglob("*") if p.is_file()]
            text = path.read_text()
        assert re.search(r"http://127\.0\.0\.1:8000/q/demo\.[A-Za-z0-9_-]+/", text)
        assert DueSend.objects.get(status="sent").schedule.patient.email in text
        demo.seed(clinic)
        assert DueSend.objects.filter(status="sent").count() == 1
