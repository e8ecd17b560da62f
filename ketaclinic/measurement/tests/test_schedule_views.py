"""The schedule page and its pause button, from every side."""

from __future__ import annotations

from django.urls import reverse

from ketaclinic.accounts.models import Role
from ketaclinic.measurement import schedules
from ketaclinic.measurement.models import DueSend, QuestionnaireSchedule, SendStatus
from ketaclinic.measurement.tests.base import MeasurementCase
from ketaclinic.testing import make_user

VALID = {
    "instruments": ["phq9"],
    "via": ["email"],
    "start_on": "2020-01-01",
    "send_time": "09:30",
    "weekly": "on",
    "weekly_weekday": "2",
    "monthly_day": "1",
    "before_infusion_hours": "24",
    "reminder_max": "2",
    "reminder_every_hours": "24",
}


class SchedulePageTests(MeasurementCase):
    def url(self) -> str:
        return reverse("measurement:schedule", args=[self.patient.pk])

    def pause_url(self) -> str:
        return reverse("measurement:schedule_active", args=[self.patient.pk])

    def test_get_renders_defaults_for_a_nurse(self) -> None:
        self.login(Role.NURSE)
        page = self.client.get(self.url())
        assert page.status_code == 200
        html = page.content.decode()
        assert "Set a questionnaire schedule" in html
        assert 'value="09:00"' in html
        assert not QuestionnaireSchedule.objects.exists()

    def test_post_valid_creates_schedule_and_due_sends(self) -> None:
        self.login(Role.COORDINATOR)
        response = self.client.post(self.url(), VALID)
        assert response.status_code == 302
        schedule = QuestionnaireSchedule.objects.get(patient=self.patient)
        assert schedule.instruments == ["phq9"]
        assert schedule.weekly_weekday == 2
        assert str(schedule.send_time) == "09:30:00"
        sends = DueSend.objects.filter(schedule=schedule, status=SendStatus.PENDING)
        assert sends.count() == 2  # two Wednesdays in the 14 days planned
        page = self.client.get(self.url())
        html = page.content.decode()
        assert "Change the schedule" in html
        assert html.count("Weekly, between visits</p>") == 2
        listing = self.client.get(reverse("measurement:questionnaires", args=[self.patient.pk]))
        assert "Active: next send" in listing.content.decode()

    def test_post_without_instruments_keeps_values(self) -> None:
        self.login(Role.PHYSICIAN)
        data = {**VALID, "instruments": [], "reminder_every_hours": "7"}
        page = self.client.post(self.url(), data)
        assert page.status_code == 200
        assert page.context["form"].errors["instruments"] == ["Choose at least one questionnaire."]
        assert 'value="7"' in page.content.decode()
        assert not QuestionnaireSchedule.objects.exists()

    def test_post_bad_time_errors_at_the_field(self) -> None:
        self.login(Role.NURSE)
        page = self.client.post(self.url(), {**VALID, "send_time": "25:99"})
        assert page.status_code == 200
        assert page.context["form"].errors["send_time"] == ["Enter a time such as 09:30."]
        assert 'value="25:99"' in page.content.decode()
        assert not QuestionnaireSchedule.objects.exists()

    def test_pause_toggles_active(self) -> None:
        self.login(Role.NURSE)
        self.client.post(self.url(), VALID)
        schedule = QuestionnaireSchedule.objects.get()
        assert self.client.post(self.pause_url()).status_code == 302
        schedule.refresh_from_db()
        assert schedule.active is False
        assert not DueSend.objects.filter(status=SendStatus.PENDING).exists()
        assert (
            "Paused."
            in self.client.get(
                reverse("measurement:questionnaires", args=[self.patient.pk])
            ).content.decode()
        )
        self.client.post(self.pause_url())
        schedule.refresh_from_db()
        assert schedule.active is True
        assert DueSend.objects.filter(status=SendStatus.PENDING).count() == 2

    def test_pause_without_schedule_goes_back(self) -> None:
        self.login(Role.NURSE)
        response = self.client.post(self.pause_url())
        assert response.status_code == 302
        assert response["Location"] == self.url()

    def test_pause_is_post_only(self) -> None:
        self.login(Role.NURSE)
        assert self.client.get(self.pause_url()).status_code == 405

    def test_another_clinics_staff_get_404(self) -> None:
        other = make_user("doc@other.example", "Other Doc", self.other, Role.NURSE)
        self.login(other)
        self.assert_denied(self.client.get(self.url()), 404)
        self.assert_denied(self.client.post(self.pause_url()), 404)

    def test_other_roles_are_refused_like_the_other_measurement_pages(self) -> None:
        for role in (Role.CLINIC_ADMIN, Role.CUSTODIAN, Role.OUTSIDE_PROFESSIONAL):
            self.login(role)
            with self.subTest(role=role):
                self.assert_denied(self.client.get(self.url()), 403)
                self.assert_denied(self.client.post(self.pause_url()), 403)

    def test_visitor_is_sent_to_sign_in(self) -> None:
        self.assert_denied(self.client.get(self.url()), 302)
        self.assert_denied(self.client.post(self.pause_url()), 302)

    def test_save_is_audited_by_the_action(self) -> None:
        self.login(Role.NURSE)
        self.client.post(self.url(), VALID)
        from ketaclinic.audit.models import AuditEntry

        assert AuditEntry.objects.filter(action="measurement.schedule_save").count() == 1
        assert schedules.schedule_for(self.patient) is not None
