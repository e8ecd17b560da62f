import datetime as dt

import time_machine
from django.contrib.contenttypes.models import ContentType
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import RequestFactory, override_settings
from django.urls import reverse

from ketaclinic.access.middleware import current_membership
from ketaclinic.accounts.actions.grants import open_break_glass
from ketaclinic.accounts.models import STAFF_ROLES, BreakGlassGrant, Role
from ketaclinic.accounts.policies import (
    has_break_glass,
    register_break_glass_target,
    unregister_break_glass_target,
)
from ketaclinic.audit.models import AuditEntry
from ketaclinic.clinics.models import Clinic
from ketaclinic.testing import BaseTestCase

URL = reverse("accounts:break_glass")
START = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
REASON = "Patient collapsed in the waiting room; need allergies now."


@override_settings(ROOT_URLCONF="ketaclinic.accounts.tests.urls")
class BreakGlassTestCase(BaseTestCase):
    def setUp(self) -> None:
        register_break_glass_target(Clinic)
        self.addCleanup(unregister_break_glass_target, Clinic)
        self.ct = ContentType.objects.get_for_model(Clinic).pk
        self.record_url = reverse("test_clinic_record", args=[self.clinic.pk])

    def form_url(self, clinic: Clinic | None = None) -> str:
        return f"{URL}?ct={self.ct}&id={(clinic or self.clinic).pk}"

    def open(self, reason: str = REASON, clinic: Clinic | None = None):
        with self.captureOnCommitCallbacks(execute=True):
            return self.client.post(
                URL,
                {
                    "ct": self.ct,
                    "id": (clinic or self.clinic).pk,
                    "reason": reason,
                    "next": self.record_url,
                },
            )

    def test_the_normal_role_goes_straight_in(self) -> None:
        self.login("physician")
        response = self.client.get(self.record_url)
        self.assertContains(response, "record via role")
        self.assertFalse(BreakGlassGrant.objects.exists())

    def test_other_staff_are_sent_to_the_reason_form(self) -> None:
        for role in STAFF_ROLES - {Role.PHYSICIAN}:
            self.login(role.value)
            response = self.client.get(self.record_url)
            self.assertEqual(response.status_code, 302, role)
            self.assertTrue(response["Location"].startswith(URL))
            form = self.client.get(response["Location"])
            self.assertContains(form, "Reason for emergency access")
            self.assertContains(form, 'name="reason"')

    def test_every_staff_role_can_open_with_a_reason(self) -> None:
        for role in STAFF_ROLES - {Role.PHYSICIAN}:
            self.login(role.value)
            response = self.open()
            self.assertRedirects(response, self.record_url, fetch_redirect_response=False)
            self.assertContains(self.client.get(self.record_url), "record via break-glass")
            self.assertTrue(has_break_glass(self.users[role.value], self.clinic))

    def test_it_refuses_a_short_reason_at_the_field(self) -> None:
        self.login("nurse")
        response = self.open("too short")
        self.assertContains(response, "at least 10 characters")
        self.assertContains(response, 'aria-invalid="true"')
        self.assertContains(response, "too short</textarea>")
        self.assertFalse(BreakGlassGrant.objects.exists())

    def test_it_expires_after_the_clinics_minutes(self) -> None:
        self.clinic.break_glass_minutes = 30
        self.clinic.save()
        with time_machine.travel(START, tick=False) as traveller:
            self.login("nurse")
            self.open()
            grant = BreakGlassGrant.objects.get()
            self.assertEqual(grant.expires_at, START + dt.timedelta(minutes=30))
            for _ in range(3):  # active (not idle) for 27 minutes
                traveller.shift(dt.timedelta(minutes=9))
                self.assertEqual(self.client.get(self.record_url).status_code, 200)
            traveller.shift(dt.timedelta(minutes=4))
            self.assertEqual(self.client.get(self.record_url).status_code, 302)
            self.assertFalse(has_break_glass(self.users["nurse"], self.clinic))

    def test_it_tells_the_clinic_admins_and_audits_everything(self) -> None:
        self.login("coordinator")
        self.open()
        self.client.get(self.record_url)
        self.assertEqual(len(mail.outbox), 1)
        self.assertEqual(mail.outbox[0].to, ["clinic_admin@sturges.example"])
        self.assertIn("Coordinator", str(mail.outbox[0].body))
        self.assertNotIn("collapsed", str(mail.outbox[0].body))
        opened = AuditEntry.objects.get(action="break_glass.open")
        self.assertEqual(opened.reason, REASON)
        self.assertEqual(opened.actor_role, Role.COORDINATOR)
        self.assertTrue(AuditEntry.objects.filter(action="break_glass.use").exists())

    def test_the_outside_professional_cannot_use_it(self) -> None:
        self.login("outside_professional")
        self.assertEqual(self.client.get(self.form_url()).status_code, 403)
        self.assertEqual(self.open().status_code, 403)
        self.assertEqual(self.client.get(self.record_url).status_code, 403)
        self.assertFalse(BreakGlassGrant.objects.exists())

    def test_it_cannot_reach_another_clinics_record(self) -> None:
        self.login("nurse")
        self.assertEqual(self.client.get(self.form_url(self.other)).status_code, 404)
        self.assertEqual(self.open(clinic=self.other).status_code, 404)
        self.login(self.outsider)
        self.assertEqual(self.client.get(self.form_url()).status_code, 404)
        self.assertEqual(self.client.get(self.record_url).status_code, 404)

    def test_it_refuses_kinds_of_record_not_registered(self) -> None:
        self.login("nurse")
        user_ct = ContentType.objects.get_for_model(self.users["nurse"]).pk
        response = self.client.get(f"{URL}?ct={user_ct}&id={self.users['nurse'].pk}")
        self.assertEqual(response.status_code, 404)
        self.assertEqual(self.client.get(f"{URL}?ct=999999&id=1").status_code, 404)
        self.assertEqual(self.client.get(f"{URL}?ct=abc&id=1").status_code, 404)

    def test_it_is_closed_to_the_anonymous(self) -> None:
        self.assert_denied(self.client.get(self.form_url()), 302)
        self.assert_denied(self.client.get(self.record_url), 302)

    def test_a_grant_is_for_its_holder_only(self) -> None:
        self.login("nurse")
        self.open()
        self.assertFalse(has_break_glass(self.users["coordinator"], self.clinic))
        self.assertFalse(has_break_glass(self.users["nurse"], self.other))

    def test_a_removed_staff_member_loses_the_grant(self) -> None:
        self.login("nurse")
        self.open()
        self.users["nurse"].memberships.update(is_active=False)
        self.assertFalse(has_break_glass(self.users["nurse"], self.clinic))

    def test_the_action_checks_the_reason_and_role(self) -> None:
        request = RequestFactory().post("/")
        request.user = self.users["nurse"]
        request.session = {}  # type: ignore[assignment]
        by = current_membership(request)
        assert by is not None
        with self.assertRaises(ValidationError):
            open_break_glass(by, self.clinic, "   short   ", request=request)
        grant = open_break_glass(by, self.clinic, REASON, request=request)
        self.assertEqual(grant.role, Role.NURSE)
