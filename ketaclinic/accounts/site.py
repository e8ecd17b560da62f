"""The clinic admin pages (Django admin at /clinic-admin/), for the clinic admin role only.

Django's own admin asks for ``is_staff``; here the gate is the clinic_admin role in the
current clinic, with both factors passed, and every registered ModelAdmin is limited to that
clinic's rows. Third-party admins (groups, OTP devices, lockout records) are not served: they
check Django model permissions and are not scoped to a clinic.
"""

from __future__ import annotations

from typing import Any

from django.contrib.admin import AdminSite
from django.contrib.auth.views import redirect_to_login
from django.db.models.base import ModelBase
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from ketaclinic.access.policy import has_role
from ketaclinic.accounts.models import Role


class ClinicAdminSite(AdminSite):
    site_header = "Clinic admin"
    site_title = "Clinic admin"
    index_title = "Staff, roles and clinic settings"
    site_url = "/home/"
    enable_nav_sidebar = False

    def has_permission(self, request: HttpRequest) -> bool:
        user = request.user
        verified = getattr(user, "is_verified", None)
        return bool(
            user.is_active
            and verified is not None
            and verified()
            and has_role(request, {Role.CLINIC_ADMIN})
        )

    def register(self, model_or_iterable: Any, admin_class: Any = None, **options: Any) -> None:
        models: list[Any] = (
            [model_or_iterable]
            if isinstance(model_or_iterable, ModelBase)
            else list(model_or_iterable)
        )
        ours = [m for m in models if m._meta.app_config.name.startswith("ketaclinic.")]
        if ours:
            super().register(ours, admin_class, **options)

    def login(self, request: HttpRequest, extra_context: Any = None) -> HttpResponse:
        # One sign-in for the whole site, with the second factor.
        return redirect_to_login(request.get_full_path(), reverse("accounts:login"))

    def logout(self, request: HttpRequest, extra_context: Any = None) -> Any:
        from ketaclinic.accounts.views.login import logout

        return logout(request)

    def password_change(self, request: HttpRequest, extra_context: Any = None) -> Any:
        return redirect("accounts:password_change")
