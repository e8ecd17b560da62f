from typing import Any

from django.forms.models import model_to_dict
from django.urls import reverse

from ketaclinic.accounts.models import Role
from ketaclinic.audit.models import AuditEntry
from ketaclinic.clinics.actions import SETTINGS_FIELDS
from ketaclinic.clinics.models import Clinic
from ketaclinic.testing import BaseTestCase

LIST = reverse("admin:clinics_clinic_changelist")


def change_url(clinic: Clinic) -> str:
    return reverse("admin:clinics_clinic_change", args=[clinic.pk])


class ClinicSettingsAdminTestCase(BaseTestCase):
    def form_data(self, clinic: Clinic, **changes: Any) -> dict[str, Any]:
        data = {
            k: ("" if v is None else v) for k, v in model_to_dict(clinic, SETTINGS_FIELDS).items()
        }
        data.update(changes)
        return data

    def test_it_shows_only_the_admins_own_clinic(self) -> None:
        self.login("clinic_admin")
        response = self.client.get(LIST)
        self.assertContains(response, "Sturges Family Practice")
        self.assertNotContains(response, "Other Clinic")

    def test_it_changes_settings_through_an_audited_action(self) -> None:
        self.login("clinic_admin")
        data = self.form_data(
            self.clinic,
            phone="(269) 555-0100",
            idle_timeout_min=10,
            break_glass_minutes=30,
            crisis_resources="Call 988.",
        )
        response = self.client.post(change_url(self.clinic), data)
        self.assertEqual(response.status_code, 302)
        self.clinic.refresh_from_db()
        self.assertEqual(self.clinic.idle_timeout_min, 10)
        self.assertEqual(self.clinic.break_glass_minutes, 30)
        entry = AuditEntry.objects.get(action="clinic.settings.update")
        self.assertEqual((entry.before or {})["idle_timeout_min"], 15)
        self.assertEqual((entry.after or {})["idle_timeout_min"], 10)
        self.assertEqual((entry.after or {})["crisis_resources"], "Call 988.")
        self.assertNotIn("name", entry.after or {})

    def test_it_shows_errors_at_the_field_and_keeps_values(self) -> None:
        self.login("clinic_admin")
        data = self.form_data(self.clinic, time_zone="Mars/Olympus", name="Renamed Clinic")
        response = self.client.post(change_url(self.clinic), data)
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "is not a known time zone")
        self.assertContains(response, 'value="Renamed Clinic"')
        self.clinic.refresh_from_db()
        self.assertEqual(self.clinic.name, "Sturges Family Practice")
        self.assertFalse(AuditEntry.objects.filter(action="clinic.settings.update").exists())

    def test_the_other_clinics_admin_cannot_see_or_change_ours(self) -> None:
        self.login(self.outsider)
        self.assertNotContains(self.client.get(LIST), "Sturges")
        self.assertEqual(self.client.get(change_url(self.clinic)).status_code, 302)
        self.client.post(change_url(self.clinic), self.form_data(self.clinic, name="Hijacked"))
        self.clinic.refresh_from_db()
        self.assertEqual(self.clinic.name, "Sturges Family Practice")

    def test_other_roles_are_refused(self) -> None:
        for role in self.roles_except(Role.CLINIC_ADMIN):
            self.login(role)
            self.assertEqual(self.client.get(change_url(self.clinic)).status_code, 403)
            response = self.client.post(
                change_url(self.clinic), self.form_data(self.clinic, name="X")
            )
            self.assertEqual(response.status_code, 403)
        self.clinic.refresh_from_db()
        self.assertEqual(self.clinic.name, "Sturges Family Practice")

    def test_it_is_closed_to_the_anonymous(self) -> None:
        self.assert_denied(self.client.get(change_url(self.clinic)), 302)

    def test_clinics_cannot_be_added_or_deleted(self) -> None:
        self.login("clinic_admin")
        self.assertEqual(self.client.get(reverse("admin:clinics_clinic_add")).status_code, 403)
        url = reverse("admin:clinics_clinic_delete", args=[self.clinic.pk])
        self.assertEqual(self.client.post(url, {"post": "yes"}).status_code, 403)
        self.assertTrue(Clinic.objects.filter(pk=self.clinic.pk).exists())
