"""Enforces the view's declared access policy before it runs (default deny)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone

from ketaclinic.access.policy import Policy, policy_of
from ketaclinic.access.request import VerifiedRequest
from ketaclinic.access.zones import clinic_zone
from ketaclinic.accounts.models import Membership

CLINIC_SESSION_KEY = "ketaclinic_clinic_id"
# Django's admin is the site operator's: both factors here, the superuser check in the admin
# site itself (``accounts.site.ClinicAdminSite``), which refuses everyone else with a 403 page
# pointing to the workspace's own pages. Clinic admins work in the workspace.
ADMIN_POLICY = Policy("verified")


_CACHE_ATTR = "_ketaclinic_current_membership"


def active_memberships(request: HttpRequest) -> list[Membership]:
    """The signed-in user's active memberships (with their clinics) by clinic name: one query
    per request, shared by the session limits, the access policy and the clinic switcher."""
    user = request.user
    if not user.is_authenticated:
        return []
    cached = getattr(request, _CACHE_ATTR, None)
    if cached is not None and cached[0] == user.pk:
        return cached[1]
    found = list(
        Membership.objects.filter(user=user, is_active=True, clinic__isnull=False)
        .select_related("clinic", "user")
        .order_by("clinic__name", "id")
    )
    setattr(request, _CACHE_ATTR, (user.pk, found))
    return found


def current_membership(request: HttpRequest) -> Membership | None:
    """The signed-in user's membership in the clinic chosen for this session (else their
    first clinic by name)."""
    found = active_memberships(request)
    chosen = request.session.get(CLINIC_SESSION_KEY) if found else None
    for membership in found:
        if membership.clinic_id == chosen:
            return membership
    return found[0] if found else None


class AccessPolicyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        attached = cast(VerifiedRequest, request)
        attached.membership = None
        attached.clinic = None
        attached.break_glass = False
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()

    def process_view(
        self,
        request: HttpRequest,
        view_func: Callable[..., Any],
        view_args: tuple[Any, ...],
        view_kwargs: dict[str, Any],
    ) -> HttpResponse | None:
        policy = policy_of(view_func)
        match = request.resolver_match
        if policy is None and match is not None and match.namespace == "admin":
            policy = ADMIN_POLICY
        if policy is None:
            # Default deny: a view nobody declared a policy for is not reachable.
            raise PermissionDenied("This page has no access policy.")
        if policy.level == "public":
            return None
        user = request.user
        if not user.is_authenticated:
            return redirect_to_login(request.get_full_path(), settings.LOGIN_URL)
        if policy.level == "password":
            return None
        if not user.is_verified():
            return redirect("accounts:two_factor")
        membership = current_membership(request)
        attached = cast(VerifiedRequest, request)
        attached.membership = membership
        attached.clinic = membership.clinic if membership else None
        if membership is not None:
            # Staff read and type times in their clinic's zone on every page, admin included.
            timezone.activate(clinic_zone(membership.clinic))
        if policy.level == "verified":
            return None
        if membership is None or membership.role not in policy.roles:
            raise PermissionDenied("Your role in this clinic does not give access to this page.")
        return None
