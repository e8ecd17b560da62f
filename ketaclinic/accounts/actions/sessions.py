"""Signing in and out, and ending sessions (one, all, or all but the current one)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib.auth import logout
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from ketaclinic.access.middleware import CLINIC_SESSION_KEY
from ketaclinic.accounts.models import Membership, User, UserSession
from ketaclinic.audit.log import client_ip, record
from ketaclinic.audit.models import AuditEntry

if TYPE_CHECKING:
    from ketaclinic.clinics.models import Clinic

EndReason = UserSession.EndReason
# Session data keys (Unix seconds): when the password step passed, and the last activity.
LOGIN_AT_KEY = "ketaclinic_login_at"
LAST_SEEN_KEY = "ketaclinic_last_seen"


def start_session(request: HttpRequest, user: User) -> UserSession:
    """Track the session ``login()`` has just created (it has already cycled the key)."""
    now = timezone.now()
    request.session[LOGIN_AT_KEY] = now.timestamp()
    request.session[LAST_SEEN_KEY] = now.timestamp()
    if request.session.session_key is None:
        request.session.save()
    with transaction.atomic():
        tracked = UserSession.objects.create(
            user=user,
            session_key=request.session.session_key or "",
            created_at=now,
            last_seen_at=now,
            ip_address=client_ip(request),
            user_agent=request.META.get("HTTP_USER_AGENT", "")[:300],
        )
        record("auth.login.password", request=request, actor=user, obj=user)
    return tracked


# An attempt on an account by someone unknown is audited at most once a minute per account
# and address: anyone can post the sign-in form, and the lockout and the per-account throttle
# count every attempt anyway.
ATTEMPT_AUDIT_WINDOW_S = 60


def record_refused_sign_in(
    request: HttpRequest, email: str, *, throttled: bool = False
) -> AuditEntry | None:
    """Audit a refused sign-in for ``email``: a wrong password, or (``throttled``) the
    per-account cap on attempts from any address.

    Whoever typed is unknown, so there is no actor; the account is the object, and the audit
    report files the entry under every clinic the account works or worked at (``report.Entries``).
    An email that matches no account is not recorded: no clinic would see it, and each new
    address typed would be a new row.
    """
    target = User.objects.filter(email__iexact=email).only("pk").first() if email else None
    if target is None:
        return None
    key = f"audit.refused_sign_in:{throttled}:{target.pk}:{client_ip(request)}"
    if not cache.add(key, True, timeout=ATTEMPT_AUDIT_WINDOW_S):
        return None  # already recorded this minute
    with transaction.atomic():
        return record(
            "auth.login.account_throttled" if throttled else "auth.login.failed",
            request=request,
            obj=target,
            after={"username": email},
        )


def session_clinic_ids(
    user: User, keys: list[str], *, counting: int | None = None
) -> dict[str, int | None]:
    """The current clinic of each of ``user``'s sessions, by session key.

    That is the clinic chosen in the session (``CLINIC_SESSION_KEY``) when the user is an
    active member there, else their first clinic by name, as ``current_membership`` picks it.
    ``counting`` is a clinic whose membership counts as active even if it was just turned
    off, so a deactivation still finds the sessions that were working in that clinic.
    """
    active = set(
        Membership.objects.filter(user=user, is_active=True).values_list("clinic_id", flat=True)
    )
    if counting is not None:
        active.add(counting)
    ordered = list(
        Membership.objects.filter(user=user, clinic_id__in=active)
        .order_by("clinic__name", "id")
        .values_list("clinic_id", flat=True)
    )
    default = ordered[0] if ordered else None
    data = {
        row.session_key: row.get_decoded() for row in Session.objects.filter(session_key__in=keys)
    }
    result: dict[str, int | None] = {}
    for key in keys:
        chosen = data.get(key, {}).get(CLINIC_SESSION_KEY)
        result[key] = chosen if chosen in active else default
    return result


def end_sessions(
    user: User,
    reason: str,
    *,
    keep_key: str | None = None,
    request: HttpRequest | None = None,
    clinic: Clinic | None = None,
) -> int:
    """End every live session of ``user`` (except ``keep_key``); returns how many.

    With ``clinic``, only the sessions whose current clinic is that clinic end: one clinic's
    admin has no say over the person's work at another clinic.
    """
    with transaction.atomic():
        live = UserSession.objects.select_for_update().filter(user=user, ended_at__isnull=True)
        if keep_key:
            live = live.exclude(session_key=keep_key)
        keys = list(live.values_list("session_key", flat=True))
        if clinic is not None:
            where = session_clinic_ids(user, keys, counting=clinic.pk)
            keys = [key for key in keys if where[key] == clinic.pk]
            live = live.filter(session_key__in=keys)
        ended = live.update(ended_at=timezone.now(), end_reason=reason)
        Session.objects.filter(session_key__in=keys).delete()
        if ended:
            after: dict[str, object] = {
                "ended": ended,
                "reason": reason,
                "kept_current": bool(keep_key),
            }
            if clinic is not None:
                after["clinic"] = clinic.pk
            record(
                "auth.sessions.end",
                request=request,
                actor=request.user if request is not None else None,
                obj=user,
                after=after,
            )
    return ended


def sign_out(request: HttpRequest) -> None:
    """Sign out of this browser only; the user's other sessions go on."""
    user = request.user
    if isinstance(user, User):
        with transaction.atomic():
            UserSession.objects.filter(
                user=user, session_key=request.session.session_key, ended_at__isnull=True
            ).update(ended_at=timezone.now(), end_reason=EndReason.LOGOUT)
            record("auth.logout", request=request, obj=user)
    logout(request)


def sign_out_everywhere(request: HttpRequest) -> int:
    """Sign out here and everywhere else: every live session of the user ends; returns how
    many (this one included)."""
    user = request.user
    ended = 0
    if isinstance(user, User):
        with transaction.atomic():
            record("auth.logout.everywhere", request=request, obj=user)
            ended = end_sessions(user, EndReason.LOGOUT, request=request)
    logout(request)
    return ended


def carry_tracking(request: HttpRequest, old_key: str | None) -> None:
    """Keep the tracking row with the session after Django gave it a new key (a password
    change cycles it), so My sessions still shows this browser as live and current."""
    new_key = request.session.session_key
    if old_key and new_key and old_key != new_key:
        UserSession.objects.filter(session_key=old_key, ended_at__isnull=True).update(
            session_key=new_key
        )


def end_session(request: HttpRequest, tracked: UserSession) -> bool:
    """End one of the user's own sessions; True when it was the current one."""
    if tracked.user_id != request.user.pk:
        raise PermissionDenied("Not your session.")
    current = tracked.session_key == request.session.session_key
    with transaction.atomic():
        updated = UserSession.objects.filter(pk=tracked.pk, ended_at__isnull=True).update(
            ended_at=timezone.now(), end_reason=EndReason.ENDED_BY_USER
        )
        Session.objects.filter(session_key=tracked.session_key).delete()
        if updated:
            record("auth.session.end", request=request, obj=tracked, before={"live": True})
    if current:
        logout(request)
    return current


def time_out(request: HttpRequest, reason: str) -> None:
    """End the current session only (idle or absolute limit reached)."""
    key = request.session.session_key
    with transaction.atomic():
        UserSession.objects.filter(session_key=key, ended_at__isnull=True).update(
            ended_at=timezone.now(), end_reason=reason
        )
        record(
            "auth.session.timeout",
            request=request,
            object_type="accounts.user",
            object_id=request.user.pk or "",
            after={"reason": reason},
        )
    logout(request)


def rotate_session_key(request: HttpRequest) -> None:
    """A new session key on privilege change (second factor passed), kept in the tracking row."""
    old = request.session.session_key
    request.session.cycle_key()
    carry_tracking(request, old)
