"""Idle and absolute session limits, per clinic (defaults 15 minutes and 12 hours)."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse

from ketaclinic.accounts.models import Membership

LOGIN_AT_KEY = "ketaclinic_login_at"
LAST_SEEN_KEY = "ketaclinic_last_seen"
DEFAULT_IDLE_S = 15 * 60
DEFAULT_ABSOLUTE_S = 12 * 60 * 60


def session_limits_s(request: HttpRequest) -> tuple[int, int]:
    """The strictest idle and absolute limits among the user's clinics, in seconds."""
    memberships = Membership.objects.filter(user=request.user, is_active=True).select_related(
        "clinic"
    )
    idle = [m.clinic.idle_timeout_min * 60 for m in memberships]
    absolute = [m.clinic.absolute_timeout_h * 3600 for m in memberships]
    return (min(idle, default=DEFAULT_IDLE_S), min(absolute, default=DEFAULT_ABSOLUTE_S))


class SessionLimitsMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            now = time.time()
            session = request.session
            login_at = session.setdefault(LOGIN_AT_KEY, now)
            last_seen = session.get(LAST_SEEN_KEY, now)
            idle_s, absolute_s = session_limits_s(request)
            if now - last_seen > idle_s or now - login_at > absolute_s:
                logout(request)
                request.session["ketaclinic_timed_out"] = True
            else:
                session[LAST_SEEN_KEY] = now
        return self.get_response(request)
