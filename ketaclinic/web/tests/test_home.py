from __future__ import annotations

import datetime as dt
import zoneinfo

from django.urls import reverse
from django.utils import timezone

from ketaclinic.accounts.models import Membership, Role
from ketaclinic.audit.models import AuditEntry
from ketaclinic.clinics.models import Clinic
from ketaclinic.testing import BaseTestCase, make_user

URL = reverse("web:home")


class HomeTests(BaseTestCase):
    def test_it_greets_every_role_with_its_clinic(self) -> None:
        for role in Role:
            self.login(role.value)
            response = self.client.get(URL)
            assert response.status_code == 200, role
            self.assertContains(response, "Sturges Family Practice")
            self.assertContains(response, role.label)
            self.client.logout()

    def test_it_shows_the_inquiry_link_only_to_roles_that_may_open_it(self) -> None:
        self.login("coordinator")
        self.assertContains(self.client.get(URL), reverse("inquiries:list"))
        self.client.logout()
        self.login("custodian")
        self.assertNotContains(self.client.get(URL), reverse("inquiries:list"))

    def test_it_sends_anonymous_visitors_to_sign_in(self) -> None:
        self.assert_denied(self.client.get(URL), 302)

    def test_it_asks_for_the_second_factor_after_the_password(self) -> None:
        self.client.force_login(self.users["nurse"])
        response = self.client.get(URL)
        assert response.status_code == 302
        assert response["Location"] == reverse("accounts:two_factor")

    def test_it_shows_the_other_clinics_admin_their_own_clinic(self) -> None:
        self.login(self.outsider)
        response = self.client.get(URL)
        self.assertContains(response, "Other Clinic")
        self.assertNotContains(response, "Sturges Family Practice")

    def test_it_explains_an_account_without_a_clinic_role(self) -> None:
        loner = make_user("loner@example.org", "Lone User", None, None)
        self.login(loner)
        self.assertContains(self.client.get(URL), "no active role in any clinic")


class SwitchClinicTests(BaseTestCase):
    def test_it_switches_to_a_clinic_the_user_belongs_to(self) -> None:
        user = self.users["physician"]
        Membership.objects.create(user=user, clinic=self.other, role=Role.NURSE)
        self.login(user)
        self.client.post(reverse("web:switch_clinic"), {"clinic_id": self.other.pk})
        response = self.client.get(URL)
        self.assertContains(response, "signed in to <strong>Other Clinic</strong>", html=False)
        entry = AuditEntry.objects.get(action="session.switch_clinic")
        assert entry.clinic_id == self.other.pk
        assert entry.actor_id == user.pk
        assert entry.after == {"clinic_id": self.other.pk, "role": "nurse"}

    def test_it_ignores_a_clinic_the_user_does_not_belong_to(self) -> None:
        self.login("physician")
        self.client.post(reverse("web:switch_clinic"), {"clinic_id": self.other.pk})
        self.assertContains(self.client.get(URL), "signed in to <strong>Sturges Family Practice")
        assert not AuditEntry.objects.filter(action="session.switch_clinic").exists()

    def test_it_refuses_get(self) -> None:
        self.login("physician")
        assert self.client.get(reverse("web:switch_clinic")).status_code == 405

    def test_it_sends_anonymous_visitors_to_sign_in(self) -> None:
        self.assert_denied(self.client.post(reverse("web:switch_clinic"), {"clinic_id": 1}), 302)


class TimeZoneTests(BaseTestCase):
    def test_staff_pages_run_in_the_clinics_time_zone(self) -> None:
        from ketaclinic.inquiries.tests.base import make_inquiry

        Clinic.objects.filter(pk=self.clinic.pk).update(time_zone="Asia/Tokyo")
        inquiry = make_inquiry(self.clinic)
        self.login("coordinator")
        response = self.client.get(reverse("inquiries:detail", args=[inquiry.pk]))
        assert response.status_code == 200
        tokyo = timezone.localtime(inquiry.received_at, zoneinfo.ZoneInfo("Asia/Tokyo"))
        utc = timezone.localtime(inquiry.received_at, dt.UTC)
        body = response.content.decode()
        assert f"{tokyo:%Y-%m-%d %H:%M} JST" in body  # the clinic's zone, UTC+9
        assert f"{utc:%Y-%m-%d %H:%M} UTC" not in body
        assert timezone.get_current_timezone_name() == "UTC"  # not left active afterwards
