"""The staff home from every side: each role gets its own page and none of the others' sections;
anonymous, half-signed-in, other-clinic and clinic-less visitors get what they should."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import time_machine
from django.urls import reverse
from django.utils import timezone

from ketaclinic.accounts.models import Membership, Role
from ketaclinic.audit.models import AuditEntry
from ketaclinic.clinics.models import Clinic
from ketaclinic.inquiries.tests.base import make_inquiry
from ketaclinic.testing import BaseTestCase, make_user

URL = reverse("web:home")

TEMPLATES = {
    Role.COORDINATOR: "web/home_coordinator.html",
    Role.PHYSICIAN: "web/home_clinical.html",
    Role.NURSE: "web/home_clinical.html",
    Role.CUSTODIAN: "web/home_custodian.html",
    Role.OUTSIDE_PROFESSIONAL: "web/home_outside.html",
    Role.CLINIC_ADMIN: "web/home_admin.html",
}
# Section headings only one page has (anchors of the sections).
SECTIONS = {
    "coordinator": ['id="urgent"', 'id="overdue"', 'id="due-today"', 'id="new"', 'id="mine"'],
    "clinical": ['id="safety"', 'id="chairs_today"', 'id="leads"', 'id="questionnaires"'],
    "physician": ['id="eligibility"', 'id="plans"'],
    "custodian": ['id="counts"', 'id="discrepancies"'],
    "outside": ['id="shared"'],
    "admin": ['id="break-glass"', 'id="security"', 'id="invitations"'],
}
PAGE_SECTIONS = {
    Role.COORDINATOR: {"coordinator"},
    Role.PHYSICIAN: {"clinical", "physician"},
    Role.NURSE: {"clinical"},
    Role.CUSTODIAN: {"custodian"},
    Role.OUTSIDE_PROFESSIONAL: {"outside"},
    Role.CLINIC_ADMIN: {"admin"},
}


class HomeTests(BaseTestCase):
    def test_every_role_gets_its_own_page_with_its_clinic_and_role(self) -> None:
        for role in Role:
            self.login(role.value)
            response = self.client.get(URL)
            assert response.status_code == 200, role
            self.assertTemplateUsed(response, TEMPLATES[role])
            self.assertContains(response, "Sturges Family Practice")
            self.assertContains(response, f"{role.label} at Sturges Family Practice")
            self.client.logout()

    def test_each_role_sees_its_sections_and_none_of_the_others(self) -> None:
        for role in Role:
            self.login(role.value)
            body = self.client.get(URL).content.decode()
            for group, anchors in SECTIONS.items():
                for anchor in anchors:
                    shown = anchor in body
                    assert shown == (group in PAGE_SECTIONS[role]), (role, anchor)
            self.client.logout()

    def test_only_roles_that_may_read_inquiries_see_them(self) -> None:
        make_inquiry(self.clinic, name="Una Urgent (test)", message="I want to end my life")
        make_inquiry(self.clinic, name="Ned New (test)")
        for role in Role:
            self.login(role.value)
            response = self.client.get(URL)
            readers = {Role.COORDINATOR, Role.PHYSICIAN, Role.NURSE}
            if role in readers:
                self.assertContains(response, "Una Urgent (test)")
                self.assertContains(response, reverse("inquiries:list"))
            else:
                # The admin gets counts only; custodian and outside professional nothing.
                self.assertNotContains(response, "Una Urgent (test)")
                self.assertNotContains(response, "Ned New (test)")
            if role in (Role.CUSTODIAN, Role.OUTSIDE_PROFESSIONAL):
                self.assertNotContains(response, reverse("inquiries:list"))
            self.client.logout()

    def test_the_physician_and_nurse_see_the_days_in_the_clinics_zone(self) -> None:
        # 03:00 UTC on Sunday 10 March is still Saturday evening in Chicago.
        with time_machine.travel(dt.datetime(2030, 3, 10, 3, 0, tzinfo=dt.UTC), tick=False):
            self.login("nurse")
            response = self.client.get(URL)
        self.assertContains(response, "Today\u2019s chairs (Saturday 9 March)")
        self.assertContains(response, "Tomorrow\u2019s chairs (Sunday 10 March)")
        self.assertContains(response, "Nurse at Sturges Family Practice · Saturday 9 March 2030")
        self.assertContains(response, "Booking sessions is a later feature")

    def test_the_custodian_sees_the_ledgers_counts_and_discrepancies(self) -> None:
        # No ledger recorded yet: the empty states say what will show and why (the ledger's
        # own tests cover the rows: ketaclinic/ledger/tests).
        self.login("custodian")
        response = self.client.get(URL)
        self.assertContains(response, "No open discrepancies")
        self.assertContains(response, "21 CFR 1304.11(c)")
        self.assertContains(response, reverse("ledger:count"))
        self.assertContains(response, "front@sturges.example")  # whom to ask

    def test_it_refuses_post(self) -> None:
        self.login("coordinator")
        assert self.client.post(URL).status_code == 405

    def test_it_sends_anonymous_visitors_to_sign_in(self) -> None:
        self.assert_denied(self.client.get(URL), 302)

    def test_it_asks_for_the_second_factor_after_the_password(self) -> None:
        self.client.force_login(self.users["nurse"])
        response = self.client.get(URL)
        assert response.status_code == 302
        assert response["Location"] == reverse("accounts:two_factor")

    def test_the_other_clinics_admin_sees_their_own_clinic_only(self) -> None:
        make_inquiry(self.clinic, name="Sturges Lead (test)")
        make_inquiry(self.other, name="Other Lead (test)", message="I want to end my life")
        self.login(self.outsider)
        response = self.client.get(URL)
        self.assertContains(response, "Clinic admin at Other Clinic")
        self.assertNotContains(response, "Sturges Family Practice")
        counts = response.context["counts"]
        assert (counts.new, counts.urgent) == (1, 1)


class NoClinicTests(BaseTestCase):
    def test_an_account_without_any_role_is_told_whom_to_ask(self) -> None:
        loner = make_user("loner@example.org", "Lone User", None, None)
        self.login(loner)
        response = self.client.get(URL)
        self.assertTemplateUsed(response, "web/home_no_clinic.html")
        self.assertContains(response, "no active role in any clinic")
        self.assertContains(response, "Ask the clinic admin of the clinic where you work")
        self.assertContains(response, reverse("accounts:security"))

    def test_a_former_member_is_given_that_clinics_admins_and_contact(self) -> None:
        Clinic.objects.filter(pk=self.clinic.pk).update(phone="(555) 010-0100")
        former = make_user("former@example.org", "Former Nurse", None, None)
        Membership.objects.create(user=former, clinic=self.clinic, role=Role.NURSE, is_active=False)
        make_user("ada@sturges.example", "Ada Lovelace", self.clinic, Role.CLINIC_ADMIN)
        gone = make_user("gone@sturges.example", "Gone Admin", self.clinic, Role.CLINIC_ADMIN)
        Membership.objects.filter(user=gone).update(is_active=False)
        self.login(former)
        response = self.client.get(URL)
        self.assertContains(response, "no active role in any clinic")
        self.assertContains(response, "Sturges Family Practice")
        self.assertContains(response, "Ada Lovelace")
        self.assertContains(response, "tel:(555) 010-0100")
        self.assertContains(response, "front@sturges.example")
        self.assertNotContains(response, "Gone Admin")
        self.assertNotContains(response, "Other Clinic")


class SwitchClinicTests(BaseTestCase):
    def test_it_switches_to_a_clinic_the_user_belongs_to(self) -> None:
        user = self.users["physician"]
        Membership.objects.create(user=user, clinic=self.other, role=Role.NURSE)
        self.login(user)
        self.client.post(reverse("web:switch_clinic"), {"clinic_id": self.other.pk})
        response = self.client.get(URL)
        self.assertContains(response, "Nurse at Other Clinic")
        self.assertTemplateUsed(response, "web/home_clinical.html")
        entry = AuditEntry.objects.get(action="session.switch_clinic")
        assert entry.clinic_id == self.other.pk
        assert entry.actor_id == user.pk
        assert entry.after == {"clinic_id": self.other.pk, "role": "nurse"}

    def test_it_ignores_a_clinic_the_user_does_not_belong_to(self) -> None:
        self.login("physician")
        self.client.post(reverse("web:switch_clinic"), {"clinic_id": self.other.pk})
        self.assertContains(self.client.get(URL), "Physician at Sturges Family Practice")
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
