"""The staff list: this clinic's people, their role and status, search and pages."""

import datetime as dt

from django.utils import timezone

from ketaclinic.accounts.models import Membership, Role, User
from ketaclinic.accounts.tests.staff_helpers import LIST, StaffTestCase, detail_url, invited
from ketaclinic.accounts.views.staff import PAGE_SIZE
from ketaclinic.clinics.models import Clinic
from ketaclinic.testing import make_user


class StaffListTestCase(StaffTestCase):
    def test_it_lists_this_clinics_people_with_role_and_a_link(self) -> None:
        self.login("clinic_admin")
        response = self.client.get(LIST)
        self.assertEqual(response.status_code, 200)
        for role, user in self.users.items():
            self.assertContains(response, user.email)
            self.assertContains(response, f'href="{detail_url(self.membership(role))}"')
        self.assertContains(response, "Controlled-substance custodian")
        self.assertNotContains(response, self.outsider.email)
        self.assertContains(response, "6 people")

    def test_it_shows_each_status(self) -> None:
        pending = invited("new.nurse@sturges.example", self.clinic)
        off = make_user("off@sturges.example", "Olive Off", self.clinic, Role.NURSE)
        Membership.objects.filter(user=off).update(is_active=False)
        gone = make_user("gone@sturges.example", "Gus Gone", self.clinic, Role.NURSE)
        User.objects.filter(pk=gone.pk).update(is_active=False)
        self.login("clinic_admin")
        response = self.client.get(LIST)
        statuses = {m.user.email: status.label for m, status in response.context["people"]}
        self.assertEqual(statuses[pending.user.email], "Invitation pending")
        self.assertEqual(statuses["off@sturges.example"], "Role turned off")
        self.assertEqual(statuses["gone@sturges.example"], "Account deactivated")
        self.assertEqual(statuses["nurse@sturges.example"], "Active")
        # Pending is information, not a failure: never the red tone.
        self.assertContains(response, '<span class="badge badge--info">Invitation pending</span>')
        self.assertNotContains(response, "badge--danger")

    def test_it_shows_the_last_sign_in_in_the_clinics_zone(self) -> None:
        Clinic.objects.filter(pk=self.clinic.pk).update(time_zone="Asia/Tokyo")
        moment = dt.datetime(2026, 3, 2, 23, 30, tzinfo=dt.UTC)
        User.objects.filter(pk=self.users["nurse"].pk).update(last_login=moment)
        self.login("clinic_admin")
        response = self.client.get(LIST)
        self.assertContains(response, "2026-03-03 08:30 JST")
        self.assertContains(response, "Never")  # the others never signed in with a password
        self.assertEqual(timezone.get_current_timezone_name(), "UTC")

    def test_it_searches_by_name_or_email(self) -> None:
        self.login("clinic_admin")
        response = self.client.get(LIST, {"q": "Physic"})
        emails = [m.user.email for m, _ in response.context["people"]]
        self.assertEqual(emails, ["physician@sturges.example"])
        self.assertContains(response, 'value="Physic"')
        response = self.client.get(LIST, {"q": "CUSTODIAN@sturges"})
        self.assertEqual(
            [m.user.email for m, _ in response.context["people"]], ["custodian@sturges.example"]
        )
        # Another clinic's people are never found.
        response = self.client.get(LIST, {"q": "other.example"})
        self.assertEqual(response.context["people"], [])
        self.assertContains(response, "Nobody matches")

    def test_it_pages_and_keeps_the_search(self) -> None:
        for i in range(PAGE_SIZE + 3):
            make_user(f"temp{i:02d}@sturges.example", f"Temp {i:02d}", self.clinic, Role.NURSE)
        self.login("clinic_admin")
        response = self.client.get(LIST, {"q": "temp"})
        self.assertEqual(len(response.context["people"]), PAGE_SIZE)
        self.assertContains(response, "Page 1 of 2")
        self.assertContains(response, "?q=temp&amp;page=2")
        response = self.client.get(LIST, {"q": "temp", "page": "2"})
        names = [m.user.full_name for m, _ in response.context["people"]]
        self.assertEqual(names, ["Temp 25", "Temp 26", "Temp 27"])

    def test_the_other_clinics_admin_sees_only_their_own(self) -> None:
        self.login(self.outsider)
        response = self.client.get(LIST)
        self.assertEqual(response.status_code, 200)
        self.assertEqual([m.user for m, _ in response.context["people"]], [self.outsider])
        self.assertNotContains(response, "sturges.example")

    def test_it_is_for_the_clinic_admin_only(self) -> None:
        self.assert_for_the_clinic_admin_only(LIST)
