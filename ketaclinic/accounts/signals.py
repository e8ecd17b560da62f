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


@receiver(user_logged_in, dispatch_uid="ketaclinic_track_session")
def track_session(sender: Any, request: HttpRequest, user: User, **kwargs: Any) -> None:
    start_session(request, user)


@receiver(user_locked_out, dispatch_uid="ketaclinic_audit_lockout")
def audit_lockout(
    sender: Any, request: HttpRequest, username: str | None = None, **kw: Any
) -> None:
    with transaction.atomic():
        record(
            "auth.lockout",
            request=request,
            object_type="accounts.user",
            after={"username": (username or "")[:254]},
        )


@receiver(post_save, sender=User, dispatch_uid="ketaclinic_deactivated_user_sessions")
def end_sessions_of_inactive_user(sender: Any, instance: User, **kwargs: Any) -> None:
    # Whatever path turned the account off (admin page, shell), its sessions end with it.
    if not instance.is_active and instance.tracked_sessions.filter(ended_at__isnull=True).exists():
        end_sessions(instance, UserSession.EndReason.DEACTIVATED)
