"""update_clinic_settings: the clinic admin's own clinic only, checked, audited with before and
after of exactly the fields that changed."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from ketaclinic.accounts.models import Role
from ketaclinic.audit.models import AuditEntry
from ketaclinic.clinics.actions import SETTINGS_FIELDS, SETTINGS_GROUPS, update_clinic_settings
from ketaclinic.clinics.models import Clinic
from ketaclinic.testing import BaseTestCase, member


class UpdateClinicSettingsTests(BaseTestCase):
    def setUp(self) -> None:
        self.admin = member(self.users[Role.CLINIC_ADMIN])

    def entries(self) -> list[AuditEntry]:
        return list(AuditEntry.objects.filter(action="clinic.settings.update").order_by("id"))

    def test_it_saves_and_audits_only_what_changed(self) -> None:
        saved = update_clinic_settings(
            self.admin,
            self.clinic,
            {"name": "Sturges Family Practice", "phone": "(269) 555-0100", "idle_timeout_min": 10},
        )
        assert saved.changed == ("phone", "idle_timeout_min")
        self.clinic.refresh_from_db()
        assert (self.clinic.phone, self.clinic.idle_timeout_min) == ("(269) 555-0100", 10)
        [entry] = self.entries()
        assert entry.before == {"idle_timeout_min": 15, "phone": ""}
        assert entry.after == {"idle_timeout_min": 10, "phone": "(269) 555-0100"}
        assert entry.clinic_id == self.clinic.pk
        assert entry.object_id == str(self.clinic.pk)
        assert entry.actor_id == self.users[Role.CLINIC_ADMIN].pk

    def test_nothing_changed_records_nothing(self) -> None:
        saved = update_clinic_settings(self.admin, self.clinic, {"name": self.clinic.name})
        assert saved.changed == ()
        assert self.entries() == []

    def test_crlf_line_ends_from_a_browser_are_not_a_change(self) -> None:
        update_clinic_settings(self.admin, self.clinic, {"address": "1 Main St\nSturges"})
        saved = update_clinic_settings(self.admin, self.clinic, {"address": "1 Main St\r\nSturges"})
        assert saved.changed == ()
        assert len(self.entries()) == 1
        self.clinic.refresh_from_db()
        assert self.clinic.address == "1 Main St\nSturges"

    def test_every_settings_group_field_is_a_clinic_field(self) -> None:
        names = {f.name for f in Clinic._meta.get_fields()}
        assert set(SETTINGS_FIELDS) <= names
        assert list(SETTINGS_GROUPS) == [
            "Public page",
            "Contact and notifications",
            "Time zone",
            "Security and sessions",
        ]
        assert "slug" not in SETTINGS_FIELDS and "is_demo" not in SETTINGS_FIELDS

    def test_it_refuses_other_roles_and_other_clinics(self) -> None:
        for role in self.roles_except(Role.CLINIC_ADMIN):
            with self.assertRaises(PermissionDenied):
                update_clinic_settings(member(self.users[role]), self.clinic, {"name": "X"})
        with self.assertRaises(Http404):
            update_clinic_settings(member(self.outsider), self.clinic, {"name": "X"})
        with self.assertRaises(PermissionDenied):
            update_clinic_settings(self.admin, self.clinic, {"slug": "hijack"})
        self.clinic.refresh_from_db()
        assert (self.clinic.name, self.clinic.slug) == ("Sturges Family Practice", "sturges")
        assert self.entries() == []

    def test_an_inactive_admin_is_refused(self) -> None:
        self.admin.is_active = False
        with self.assertRaises(PermissionDenied):
            update_clinic_settings(self.admin, self.clinic, {"name": "X"})

    def test_it_applies_the_checks_whoever_calls(self) -> None:
        bad = {
            "brand_colour": "#ffff00",
            "embed_origins": "https://ok.example\nhttps://bad.example/path",
            "time_zone": "Mars/Olympus",
            "logo": "../../etc/passwd",
        }
        with self.assertRaises(ValidationError) as caught:
            update_clinic_settings(self.admin, self.clinic, bad)
        assert set(caught.exception.message_dict) == set(bad)
        assert "1.07:1" in caught.exception.message_dict["brand_colour"][0]
        assert "Line 2" in caught.exception.message_dict["embed_origins"][0]
        self.clinic.refresh_from_db()
        assert self.clinic.brand_colour == "#1f5fa8"
        assert self.entries() == []

    def test_it_stores_checked_values_normalised(self) -> None:
        saved = update_clinic_settings(
            self.admin,
            self.clinic,
            {
                "brand_colour": "#0B3D91",
                "embed_origins": "HTTPS://Www.Example.com/",
                "time_zone": "america/detroit",
            },
        )
        assert saved.clinic.brand_colour == "#0b3d91"
        assert saved.clinic.embed_origins == "https://www.example.com"
        assert saved.clinic.time_zone == "America/Detroit"

    def test_model_validation_refuses_and_saves_nothing(self) -> None:
        with self.assertRaises(ValidationError) as caught:
            update_clinic_settings(self.admin, self.clinic, {"idle_timeout_min": 0, "name": "Y"})
        assert "idle_timeout_min" in caught.exception.message_dict
        self.clinic.refresh_from_db()
        assert self.clinic.name == "Sturges Family Practice"

    def test_the_logo_is_audited_by_its_stored_name(self) -> None:
        name = "clinic-logos/" + "a" * 64 + ".png"
        update_clinic_settings(self.admin, self.clinic, {"logo": name})
        update_clinic_settings(self.admin, self.clinic, {"logo": ""})
        first, second = self.entries()
        assert (first.before, first.after) == ({"logo": ""}, {"logo": name})
        assert (second.before, second.after) == ({"logo": name}, {"logo": ""})
