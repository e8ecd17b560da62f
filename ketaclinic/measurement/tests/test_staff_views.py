"""The staff pages, from every side: each role of the clinic, a visitor, another clinic."""

from __future__ import annotations

from django.core import mail
from django.urls import reverse

from ketaclinic.accounts.models import Role
from ketaclinic.audit.models import AuditEntry
from ketaclinic.measurement import actions, safety
from ketaclinic.measurement.models import Channel, MeasurementSettings, Response, SafetyAlert
from ketaclinic.measurement.tests.base import PHQ9_ITEM9_ONE, PHQ9_ITEM9_ZERO, MeasurementCase, when
from ketaclinic.patients.tests.base import make_patient
from ketaclinic.testing import make_user

READERS = (Role.PHYSICIAN, Role.NURSE, Role.COORDINATOR)


class StaffPagesTests(MeasurementCase):
    def setUp(self) -> None:
        super().setUp()
        self.response = actions.record_response(
            self.by(Role.NURSE),
            self.patient,
            "phq9",
            PHQ9_ITEM9_ONE,
            administered_at=when(),
            channel=Channel.STAFF,
        )
        self.alert = SafetyAlert.objects.get()
        mail.outbox.clear()

    def pages(self) -> list[str]:
        pk = self.patient.pk
        return [
            reverse("measurement:questionnaires", args=[pk]),
            reverse("measurement:enter", args=[pk]),
            reverse("measurement:enter", args=[pk]) + "?instrument=phq9",
            reverse("measurement:send", args=[pk]),
            reverse("measurement:alert", args=[pk, self.alert.pk]),
        ]

    def test_readers_see_every_page(self) -> None:
        for role in READERS:
            self.login(role)
            for url in self.pages():
                with self.subTest(role=role, url=url):
                    assert self.client.get(url).status_code == 200

    def test_everyone_else_is_refused(self) -> None:
        for url in self.pages():
            with self.subTest(url=url, who="visitor"):
                self.assert_denied(self.client.get(url), 302)
        for role in (Role.CLINIC_ADMIN, Role.CUSTODIAN, Role.OUTSIDE_PROFESSIONAL):
            self.login(role)
            for url in self.pages():
                with self.subTest(url=url, role=role):
                    self.assert_denied(self.client.get(url), 403)
        self.login(self.outsider)
        for url in self.pages():
            with self.subTest(url=url, who="other clinic"):
                self.assert_denied(self.client.get(url), 403)

    def test_another_clinics_patient_is_404(self) -> None:
        other_admin = make_user("doc@other.example", "Other Doc", self.other, Role.PHYSICIAN)
        self.login(other_admin)
        for url in self.pages():
            with self.subTest(url=url):
                self.assert_denied(self.client.get(url), 404)

    def test_list_shows_response_alert_and_header(self) -> None:
        self.login(Role.COORDINATOR)
        page = self.client.get(reverse("measurement:questionnaires", args=[self.patient.pk]))
        html = page.content.decode()
        assert "Patient Health Questionnaire" in html
        assert "suicidal-ideation" in html
        assert "Open safety alert" in html  # the chart header item
        assert self.alert.reason in html
        assert AuditEntry.objects.filter(action="view.patient_questionnaires").exists()

    def test_coordinator_cannot_open_or_post_clinician_rated(self) -> None:
        self.login(Role.COORDINATOR)
        url = reverse("measurement:enter", args=[self.patient.pk])
        picker = self.client.get(url).content.decode()
        assert "?instrument=phq9" in picker and "?instrument=madrs" not in picker
        self.assert_denied(self.client.get(url + "?instrument=madrs"), 403)
        posted = self.client.post(
            url, {"instrument": "madrs", "administered_at": "2026-01-01T10:00"}
        )
        self.assert_denied(posted, 403)

    def test_enter_form_errors_at_the_item_and_success(self) -> None:
        self.login(Role.NURSE)
        url = reverse("measurement:enter", args=[self.patient.pk])
        data = {"instrument": "phq9", "administered_at": "2026-01-02T09:30"}
        data |= {f"item_{n}": "0" for n in range(1, 9)}
        bad = self.client.post(url, data)
        assert bad.status_code == 200
        assert "Item 9: choose an answer." in bad.content.decode()
        data["item_9"] = "0"
        good = self.client.post(url, data)
        assert good["Location"] == reverse("measurement:questionnaires", args=[self.patient.pk])
        latest = Response.objects.filter(patient=self.patient).order_by("-id").first()
        assert latest is not None and latest.answers[:9] == [0] * 9 and latest.total == 0

    def test_strike_needs_a_reason_at_the_field(self) -> None:
        self.login(Role.PHYSICIAN)
        url = reverse("measurement:strike", args=[self.patient.pk, self.response.pk])
        prefix = f"strike-{self.response.pk}"
        empty = self.client.post(url, {f"{prefix}-reason": ""})
        assert empty.status_code == 200
        assert "Say why this response is wrong." in empty.content.decode()
        done = self.client.post(url, {f"{prefix}-reason": "Entered for the wrong patient"})
        assert done.status_code == 302
        self.response.refresh_from_db()
        assert self.response.is_struck
        self.login(Role.COORDINATOR)
        self.assert_denied(self.client.post(url, {f"{prefix}-reason": "x"}), 403)

    def test_send_creates_a_request_and_emails(self) -> None:
        self.login(Role.COORDINATOR)
        url = reverse("measurement:send", args=[self.patient.pk])
        missing = self.client.post(url, {"via": ["email"], "message": "Hello"})
        assert "Choose at least one questionnaire." in missing.content.decode()
        sent = self.client.post(url, {"instruments": ["phq9"], "via": ["email"], "message": "Hi"})
        assert sent.status_code == 302
        assert "/q/sturges." in mail.outbox[0].body

    def test_acknowledge_requires_action_and_closes_alert(self) -> None:
        url = reverse("measurement:alert", args=[self.patient.pk, self.alert.pk])
        self.login(Role.COORDINATOR)
        assert "must acknowledge" in self.client.get(url).content.decode()
        self.assert_denied(self.client.post(url, {"action_taken": "Called"}), 403)
        self.login(Role.PHYSICIAN)
        empty = self.client.post(url, {"action_taken": " "})
        assert empty.status_code == 200
        assert "Say what was done." in empty.content.decode()
        assert safety.has_open_safety_alert(self.patient)
        done = self.client.post(url, {"action_taken": "Phoned; safety plan reviewed."})
        assert done.status_code == 302
        assert not safety.has_open_safety_alert(self.patient)
        page = self.client.get(url).content.decode()
        assert "Phoned; safety plan reviewed." in page and "Acknowledged" in page

    def test_home_page_queue_for_clinicians(self) -> None:
        for role in (Role.PHYSICIAN, Role.NURSE):
            self.login(role)
            html = self.client.get(reverse("web:home")).content.decode()
            with self.subTest(role=role):
                assert 'Safety alerts <span class="muted">(1)</span>' in html
                assert reverse("measurement:alert", args=[self.patient.pk, self.alert.pk]) in html
        safety.acknowledge_alert(self.by(Role.NURSE), self.alert, action_taken="Seen today.")
        html = self.client.get(reverse("web:home")).content.decode()
        assert "No safety alerts" in html

    def test_part2_alerts_and_responses_withheld_from_coordinator(self) -> None:
        sud = make_patient(
            self.clinic, self.users[Role.NURSE], legal_given_name="S", sud_treatment=True
        )
        actions.record_response(
            self.by(Role.NURSE),
            sud,
            "phq9",
            PHQ9_ITEM9_ZERO,
            administered_at=when(),
            channel=Channel.STAFF,
        )
        self.login(Role.COORDINATOR)
        html = self.client.get(
            reverse("measurement:questionnaires", args=[sud.pk])
        ).content.decode()
        assert "No questionnaire responses yet." in html and "withheld" in html
        self.login(Role.NURSE)
        html = self.client.get(
            reverse("measurement:questionnaires", args=[sud.pk])
        ).content.decode()
        assert "No questionnaire responses yet." not in html


class SettingsPageTests(MeasurementCase):
    def test_admin_and_physician_edit_others_refused(self) -> None:
        url = reverse("measurement:settings")
        self.assert_denied(self.client.get(url), 302)
        for role in (Role.NURSE, Role.COORDINATOR, Role.CUSTODIAN, Role.OUTSIDE_PROFESSIONAL):
            self.login(role)
            self.assert_denied(self.client.get(url), 403)
        self.login(Role.CLINIC_ADMIN)
        page = self.client.get(url).content.decode()
        assert "product decision [D]" in page
        bad = self.client.post(url, {"safety_escalation_minutes": "0"})
        assert "Between 1 and 1440 minutes." in bad.content.decode()
        physician = self.users[Role.PHYSICIAN].memberships.get()
        saved = self.client.post(
            url, {"safety_escalation_minutes": "20", "on_call_physician": str(physician.pk)}
        )
        assert saved.status_code == 302
        row = MeasurementSettings.objects.get(clinic=self.clinic)
        assert row.safety_escalation_minutes == 20 and row.on_call_physician == physician
        assert AuditEntry.objects.filter(action="measurement.settings").count() == 1
        self.login(Role.PHYSICIAN)
        assert self.client.get(url).status_code == 200

    def test_linked_from_clinical_defaults(self) -> None:
        self.login(Role.CLINIC_ADMIN)
        page = self.client.get(reverse("clinics:settings_group", args=["clinical-defaults"]))
        assert reverse("measurement:settings") in page.content.decode()
