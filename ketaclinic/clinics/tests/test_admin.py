"""The Django admin lists clinics read-only for the site operator; clinic admins change their
clinic on the settings pages, never here."""

from __future__ import annotations

from django.urls import reverse

from ketaclinic.accounts.models import Membership, Role
from ketaclinic.clinics.models import Clinic
from ketaclinic.testing import BaseTestCase, make_user

LIST = reverse("admin:clinics_clinic_changelist")


def change_url(clinic: Clinic) -> str:
    return reverse("admin:clinics_clinic_change", args=[clinic.pk])


class ClinicAdminPagesTests(BaseTestCase):
    def test_the_clinic_admin_cannot_change_a_clinic_here(self) -> None:
        self.login(Role.CLINIC_ADMIN)
        for url in (LIST, change_url(self.clinic), reverse("admin:clinics_clinic_add")):
            self.assert_denied(self.client.get(url), 403)
        self.assert_denied(self.client.post(change_url(self.clinic), {"name": "Hijacked"}), 403)
        url = reverse("admin:clinics_clinic_delete", args=[self.clinic.pk])
        self.assert_denied(self.client.post(url, {"post": "yes"}), 403)
        self.clinic.refresh_from_db()
        self.assertEqual(self.clinic.name, "Sturges Family Practice")

    def test_other_roles_and_the_anonymous_are_refused(self) -> None:
        for role in self.roles_except(Role.CLINIC_ADMIN):
            self.login(role)
            self.assert_denied(self.client.get(change_url(self.clinic)), 403)
        self.client.logout()
        self.assert_denied(self.client.get(LIST), 302)

    def test_the_operator_sees_every_clinic_read_only(self) -> None:
        operator = make_user("operator@example.test", "Operator", self.clinic, Role.CLINIC_ADMIN)
        operator.is_superuser = True
        operator.is_staff = True
        operator.save()
        self.assertTrue(Membership.objects.filter(user=operator).exists())
        self.login(operator)
        response = self.client.get(LIST)
        self.assertContains(response, "Sturges Family Practice")
        self.assertContains(response, "Other Clinic")
        self.assert_denied(self.client.post(change_url(self.clinic), {"name": "Changed"}), 403)
        self.assertEqual(self.client.get(reverse("admin:clinics_clinic_add")).status_code, 403)
        self.clinic.refresh_from_db()
        self.assertEqual(self.clinic.name, "Sturges Family Practice")
