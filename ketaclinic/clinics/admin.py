"""The clinic admin's settings page for their own clinic (name, contact, public page text,
crisis resources, session limits, break-glass duration)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from ketaclinic.access.request import acting_membership
from ketaclinic.accounts.admin_base import ClinicScopedAdmin
from ketaclinic.clinics.actions import SETTINGS_FIELDS, SETTINGS_GROUPS, update_clinic_settings
from ketaclinic.clinics.models import Clinic


@admin.register(Clinic)
class ClinicSettingsAdmin(ClinicScopedAdmin):
    list_display = ["name", "slug", "phone", "email", "time_zone"]
    readonly_fields = ["slug"]
    fieldsets = [
        (title, {"fields": ["slug", *fields] if title == "Clinic" else list(fields)})
        for title, fields in SETTINGS_GROUPS.items()
    ]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        clinic = getattr(request, "clinic", None)
        qs = super(ClinicScopedAdmin, self).get_queryset(request)
        if clinic is None or not self.has_module_permission(request):
            return qs.none()
        return qs.filter(pk=clinic.pk)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # clinics are created by the operator, not from here

    def save_model(self, request: HttpRequest, obj: Clinic, form: Any, change: bool) -> None:
        changes = {
            name: form.cleaned_data[name] for name in form.changed_data if name in SETTINGS_FIELDS
        }
        update_clinic_settings(acting_membership(request), obj, changes, request=request)

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        return None
