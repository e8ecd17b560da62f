"""Clinics in the Django admin: a read-only list for the site operator (a superuser).

Clinic admins change their own clinic's settings on the settings pages (``clinics:settings``),
where every change goes through the audited ``update_clinic_settings``. The operator creates
clinics with ``ketaclinic manage createclinic``; nothing here writes, so nothing here can
bypass the audit trail.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from ketaclinic.clinics.models import Clinic


def _is_operator(request: HttpRequest) -> bool:
    user = request.user
    return bool(user.is_active and user.is_superuser)


@admin.register(Clinic)
class ClinicOperatorAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "time_zone", "email", "is_demo", "created_at"]
    search_fields = ["name", "slug"]

    def has_module_permission(self, request: HttpRequest) -> bool:
        return _is_operator(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _is_operator(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
