"""Django's admin (at /clinic-admin/), for the site operator only.

Clinic admins run their clinic from the workspace (Staff, Shared access, the audit trail and
the clinic's settings); the Django admin is not for them. Its gate is a superuser account with
both factors passed (the access middleware's ``ADMIN_POLICY`` asks for both factors first);
anyone else signed in gets a 403 page that points to the workspace pages. Registered
ModelAdmins stay limited to the current clinic's rows (``ClinicScopedAdmin``). Third-party
admins (groups, OTP devices, lockout records) are not served: they check Django model
permissions and are not scoped to a clinic.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.contrib.admin import AdminSite
from django.contrib.auth.views import redirect_to_login
from django.db.models.base import ModelBase
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from ketaclinic.access.policy import has_role
from ketaclinic.accounts.models import Role


def is_site_operator(request: HttpRequest) -> bool:
    user = request.user
    verified = getattr(user, "is_verified", None)
    return bool(user.is_active and user.is_superuser and verified is not None and verified())


class ClinicAdminSite(AdminSite):
    site_header = "Site operator"
    site_title = "Site operator"
    index_title = "Site operator's admin"
    site_url = "/home/"
    enable_nav_sidebar = False

    def has_permission(self, request: HttpRequest) -> bool:
        return is_site_operator(request)

    def admin_view(self, view: Callable[..., Any], cacheable: bool = False) -> Any:
        """Refuse a signed-in person who is not the site operator with a 403 page that says
        where their work is, instead of Django's redirect to a sign-in they already passed."""
        inner = super().admin_view(view, cacheable)

        @functools.wraps(inner)
        def guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
            if request.user.is_authenticated and not self.has_permission(request):
                return render(
                    request,
                    "accounts/admin_refused.html",
                    {"clinic_admin": has_role(request, {Role.CLINIC_ADMIN})},
                    status=403,
                )
            return inner(request, *args, **kwargs)

        return guarded

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
