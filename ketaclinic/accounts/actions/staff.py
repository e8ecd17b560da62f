"""The clinic admin's staff management: invite, change role, deactivate, sign out."""

from __future__ import annotations

from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.http import Http404, HttpRequest
from django.template.loader import render_to_string
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from ketaclinic.access.policy import has_role
from ketaclinic.accounts.actions.sessions import end_sessions
from ketaclinic.accounts.models import Membership, Role, User, UserSession
from ketaclinic.audit.log import record


def _require_clinic_admin(request: HttpRequest) -> None:
    if not has_role(request, {Role.CLINIC_ADMIN}):
        raise PermissionDenied("Only the clinic admin manages staff.")


def _own_membership(request: HttpRequest, membership: Membership) -> None:
    if membership.clinic_id != getattr(request.clinic, "pk", None):  # type: ignore[attr-defined]
        raise Http404("No such staff member in this clinic.")


def _snapshot(m: Membership) -> dict[str, object]:
    return {"user": m.user_id, "role": m.role, "is_active": m.is_active}


def invite_staff(request: HttpRequest, *, email: str, full_name: str, role: str) -> Membership:
    """Give ``email`` a role at the admin's clinic, creating the account when it is new.

    A new account has no usable password; a password-set link goes to the address. Someone
    already on the system (another clinic) keeps their password and second factor.
    """
    _require_clinic_admin(request)
    clinic = request.clinic  # type: ignore[attr-defined]
    email = User.objects.normalize_email(email).strip().lower()
    if role not in Role.values:
        raise ValidationError({"role": "Choose a role."})
    with transaction.atomic():
        user = User.objects.filter(email__iexact=email).first()
        created = user is None
        if user is None:
            user = User.objects.create_user(email, None, full_name=full_name.strip())
        if Membership.objects.filter(user=user, clinic=clinic).exists():
            raise ValidationError({"email": "This person already has a role in this clinic."})
        membership = Membership.objects.create(user=user, clinic=clinic, role=role)
        record(
            "staff.invite",
            request=request,
            obj=membership,
            after={**_snapshot(membership), "new_account": created, "email": email},
        )
        if created:
            new_user = user
            transaction.on_commit(lambda: _send_password_link(request, new_user))
    return membership


def _send_password_link(request: HttpRequest, user: User) -> None:
    """Mail a one-time link to choose a password (Django's reset token; the account has no
    usable password yet, which the reset form would skip)."""
    context = {
        "email": user.email,
        "domain": request.get_host(),
        "protocol": "https" if request.is_secure() else "http",
        "uid": urlsafe_base64_encode(force_bytes(user.pk)),
        "token": default_token_generator.make_token(user),
    }
    subject = render_to_string("accounts/email/invite_subject.txt", context).strip()
    body = render_to_string("accounts/email/invite.txt", context)
    send_mail(subject, body, None, [user.email])


def update_membership(
    request: HttpRequest, membership: Membership, *, role: str, is_active: bool
) -> Membership:
    """Change a staff member's role or (de)activate it; deactivation ends their sessions."""
    _require_clinic_admin(request)
    _own_membership(request, membership)
    if role not in Role.values:
        raise ValidationError({"role": "Choose a role."})
    with transaction.atomic():
        current = Membership.objects.select_for_update().get(pk=membership.pk)
        before = _snapshot(current)
        if current.user_id == request.user.pk and (role != Role.CLINIC_ADMIN or not is_active):
            # The last word on the clinic must stay with someone.
            others = Membership.objects.filter(
                clinic=current.clinic, role=Role.CLINIC_ADMIN, is_active=True
            ).exclude(pk=current.pk)
            if not others.exists():
                raise ValidationError("You are the only clinic admin; appoint another first.")
        current.role = role
        current.is_active = is_active
        current.save(update_fields=["role", "is_active"])
        after = _snapshot(current)
        if before != after:
            record("staff.update", request=request, obj=current, before=before, after=after)
        if (before["is_active"] and not is_active) or before["role"] != role:
            # Their pages and permissions were computed for the old role: start over.
            end_sessions(current.user, UserSession.EndReason.DEACTIVATED, request=request)
    return current


def deactivate_account(request: HttpRequest, membership: Membership) -> User:
    """Turn off the person's account altogether (only if no other clinic relies on it)."""
    _require_clinic_admin(request)
    _own_membership(request, membership)
    user = membership.user
    if user.pk == request.user.pk:
        raise ValidationError("You cannot deactivate your own account.")
    elsewhere = Membership.objects.filter(user=user, is_active=True).exclude(
        clinic=membership.clinic
    )
    if elsewhere.exists():
        raise ValidationError(
            "This person also works at another clinic; deactivate their role here instead."
        )
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        before = {"is_active": user.is_active, "membership_active": membership.is_active}
        user.is_active = False
        user.save(update_fields=["is_active"])
        Membership.objects.filter(pk=membership.pk).update(is_active=False)
        record(
            "account.deactivate",
            request=request,
            obj=user,
            before=before,
            after={"is_active": False, "membership_active": False},
        )
        end_sessions(user, UserSession.EndReason.DEACTIVATED, request=request)
    return user


def sign_out_everywhere(request: HttpRequest, membership: Membership) -> int:
    _require_clinic_admin(request)
    _own_membership(request, membership)
    with transaction.atomic():
        return end_sessions(membership.user, UserSession.EndReason.ADMIN, request=request)
