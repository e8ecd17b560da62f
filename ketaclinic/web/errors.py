"""Error pages. The 403 page says why access was refused (the PermissionDenied message) and
whom to ask: the current clinic's admins by name and email, or else the site operator.

The 400 and 500 pages are rendered from the template alone, with no request context: a 400 may
come from a body Django cannot parse (a urlencoded form declaring a non-UTF-8 charset), and
anything that reads ``request.POST`` again, as Django's own error views do for their CSRF
check, raises again; a 500 may come from the database itself, so its page must not need the
database, the session or the signed-in user.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template import loader

from ketaclinic.access.middleware import current_membership
from ketaclinic.accounts.models import Role, User
from ketaclinic.web.context_processors import shell

DEFAULT_REASON = "You do not have access to this page."


def _verified_user(request: HttpRequest) -> User | None:
    user = getattr(request, "user", None)
    return user if isinstance(user, User) and user.is_verified() else None


def whom_to_ask(request: HttpRequest) -> dict[str, Any]:
    """The clinic admins (other than the person asking) of the current clinic, for a signed-in,
    two-factor verified member; nobody is named to anyone else."""
    user = _verified_user(request)
    if user is None:
        return {"ask_clinic": None, "clinic_admins": []}
    found: dict[str, Any] = {}
    membership = getattr(request, "membership", None)
    if membership is None:
        # Refused before the access middleware looked the clinic up (a page with no policy):
        # look it up here so the page has its clinic and navigation.
        membership = current_membership(request)
        if membership is None:
            return {"ask_clinic": None, "clinic_admins": []}
        found = shell(request, membership)
    admins = (
        User.objects.filter(
            is_active=True,
            memberships__clinic=membership.clinic,
            memberships__role=Role.CLINIC_ADMIN,
            memberships__is_active=True,
        )
        .exclude(pk=user.pk)
        .order_by("full_name", "email")
        .distinct()
    )
    return {**found, "ask_clinic": membership.clinic, "clinic_admins": list(admins[:10])}


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    reason = str(exception).strip() if exception is not None else ""
    context = {
        "reason": reason or DEFAULT_REASON,
        # settings.ADMINS names the people who run the server, if the operator set it.
        "operators": [{"name": name, "email": email} for name, email in settings.ADMINS],
        **whom_to_ask(request),
    }
    return render(request, "web/403.html", context, status=403)


def not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    return render(request, "web/404.html", status=404)


def _standalone(template: str, status: int) -> HttpResponse:
    """The page from its template alone: no request, so no context processor, no session, no
    user, no database and no request body."""
    html = loader.render_to_string(template, {"demo_mode": settings.DEMO_MODE})
    return HttpResponse(html, status=status)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _standalone("web/400.html", 400)


def server_error(request: HttpRequest) -> HttpResponse:
    return _standalone("web/500.html", 500)
