"""Base ModelAdmin for Django's admin, which is the site operator's (a superuser): still only
the current clinic's rows and only while the operator is that clinic's admin (the audited
actions act as a clinic membership), no deleting, and changes only through audited actions."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import Model, QuerySet
from django.http import HttpRequest

from ketaclinic.access.policy import has_role
from ketaclinic.accounts.models import Role


def is_clinic_admin(request: HttpRequest) -> bool:
    """The site operator acting as the clinic admin of the current clinic."""
    return (
        bool(getattr(request.user, "is_superuser", False))
        and has_role(request, {Role.CLINIC_ADMIN})
        and getattr(request, "clinic", None) is not None
    )


class ClinicScopedAdmin(admin.ModelAdmin):
    clinic_field = "clinic"

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        clinic = getattr(request, "clinic", None)
        qs = super().get_queryset(request)
        if clinic is None or not is_clinic_admin(request):
            return qs.none()
        return qs.filter(**{self.clinic_field: clinic})

    def has_module_permission(self, request: HttpRequest) -> bool:
        return is_clinic_admin(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_clinic_admin(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return is_clinic_admin(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_clinic_admin(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # deactivate instead; history stays

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    # The hash-chained audit trail is the record of changes; Django's LogEntry is not kept.
    def log_addition(self, request: HttpRequest, obj: Model, message: Any) -> Any:
        return None

    def log_change(self, request: HttpRequest, obj: Model, message: Any) -> Any:
        return None

    def log_deletions(self, request: HttpRequest, queryset: Any) -> Any:
        return None
