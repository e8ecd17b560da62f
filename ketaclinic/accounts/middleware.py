"""Idle and absolute session limits, per clinic (defaults 15 minutes and 12 hours).

Also keeps the ``UserSession`` row of each signed-in session current (``last_seen_at``, at
most one write a minute) and refuses a session whose row was ended elsewhere.
"""

from __future__ import annotations

from collections.abc import Callable

from django.contrib.auth import logout
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from ketaclinic.access.middleware import current_membership
from ketaclinic.accounts.actions.sessions import LAST_SEEN_KEY, LOGIN_AT_KEY, time_out
from ketaclinic.accounts.models import UserSession
from ketaclinic.accounts.requests import signed_in_user
from ketaclinic.audit.log import client_ip, record

TIMED_OUT_KEY = "ketaclinic_timed_out"
DEFAULT_IDLE_S = 15 * 60
DEFAULT_ABSOLUTE_S = 12 * 60 * 60
# Activity is written down at most once a minute; the idle limit therefore errs on the early
# side by up to a minute, never the late side.
TOUCH_EVERY_S = 60


def session_limits_s(request: HttpRequest) -> tuple[int, int]:
    """The idle and absolute limits of the session's current clinic, in seconds.

    The current clinic is the one chosen in this session (as the access policy picks it),
    so one clinic's strict limits do not follow its staff into their work elsewhere.
    """
    membership = current_membership(request)
    if membership is None:
        return DEFAULT_IDLE_S, DEFAULT_ABSOLUTE_S
    clinic = membership.clinic
    return clinic.idle_timeout_min * 60, clinic.absolute_timeout_h * 3600


class SessionLimitsMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            self.check(request)
        return self.get_response(request)

    def check(self, request: HttpRequest) -> None:
        now = timezone.now().timestamp()
        session = request.session
        tracked = UserSession.objects.filter(session_key=session.session_key).first()
        if tracked is not None and tracked.ended_at is not None:
            logout(request)
            return
        login_at = session.setdefault(LOGIN_AT_KEY, now)
        last_seen = session.get(LAST_SEEN_KEY, now)
        idle_s, absolute_s = session_limits_s(request)
        if now - login_at > absolute_s:
            time_out(request, UserSession.EndReason.ABSOLUTE)
            request.session[TIMED_OUT_KEY] = UserSession.EndReason.ABSOLUTE.value
            return
        if now - last_seen > idle_s:
            time_out(request, UserSession.EndReason.IDLE)
            request.session[TIMED_OUT_KEY] = UserSession.EndReason.IDLE.value
            return
        if LAST_SEEN_KEY not in session or now - last_seen >= TOUCH_EVERY_S:
            session[LAST_SEEN_KEY] = now
            if tracked is None:
                # A session from before tracking (or made by a test helper): adopt it.
                user = signed_in_user(request)
                with transaction.atomic():
                    adopted = UserSession.objects.create(
                        user=user,
                        session_key=session.session_key or "",
                        ip_address=client_ip(request),
                        user_agent=request.META.get("HTTP_USER_AGENT", "")[:300],
                    )
                    record(
                        "auth.session.adopt",
                        request=request,
                        obj=user,
                        after={"tracked_session": adopted.pk},
                    )
            else:
                UserSession.objects.filter(pk=tracked.pk).update(
                    last_seen_at=timezone.now(), ip_address=client_ip(request)
                )
