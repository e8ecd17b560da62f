"""Signal hooks: track each new session, audit lockouts, end sessions of deactivated users."""

from __future__ import annotations

from typing import Any

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in
from django.db import transaction
from django.db.models.signals import post_save
from django.dispatch import receiver
from django.http import HttpRequest

from ketaclinic.accounts.actions.sessions import end_sessions, start_session
from ketaclinic.accounts.models import User, UserSession
from ketaclinic.audit.log import record
from ketaclinic.clinics.models import Clinic


@receiver(user_logged_in, dispatch_uid="ketaclinic_track_session")
def track_session(sender: Any, request: HttpRequest, user: User, **kwargs: Any) -> None:
    start_session(request, user)


@receiver(user_locked_out, dispatch_uid="ketaclinic_audit_lockout")
def audit_lockout(
    sender: Any, request: HttpRequest, username: str | None = None, **kw: Any
) -> None:
    # The locked account is the subject, not the actor (whoever typed the passwords is
    # unknown), so the entry goes to each clinic the account works at: that is whose admin
    # needs to see it. An email that matches no account gets one clinic-less entry.
    email = (username or "")[:254]
    target = User.objects.filter(email__iexact=email.strip()).first() if email else None
    clinics: list[Clinic | None] = (
        [m.clinic for m in target.memberships.filter(is_active=True).select_related("clinic")]
        if target is not None
        else []
    )
    with transaction.atomic():
        for clinic in clinics or [None]:
            record(
                "auth.lockout",
                request=request,
                clinic=clinic,
                object_type="accounts.user",
                object_id=target.pk if target is not None else "",
                after={"username": email},
            )


@receiver(post_save, sender=User, dispatch_uid="ketaclinic_deactivated_user_sessions")
def end_sessions_of_inactive_user(sender: Any, instance: User, **kwargs: Any) -> None:
    # Whatever path turned the account off (admin page, shell), its sessions end with it.
    if not instance.is_active and instance.tracked_sessions.filter(ended_at__isnull=True).exists():
        end_sessions(instance, UserSession.EndReason.DEACTIVATED)
