"""The clinic admin's staff management: invite, change role, deactivate, sign out."""

from __future__ import annotations

from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.http import Http404, HttpRequest
from django.template.loader import render_to_string
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django_otp.plugins.otp_totp.models import TOTPDevice

from ketaclinic.access.policy import acts_as
from ketaclinic.accounts.actions.invitations import invite_existing_account
from ketaclinic.accounts.actions.sessions import end_sessions
from ketaclinic.accounts.models import (
    Invitation,
    Membership,
    RecoveryCode,
    RecoveryCodeDevice,
    Role,
    User,
    UserSession,
)
from ketaclinic.audit.log import record
from ketaclinic.clinics.models import Clinic


def _require_clinic_admin(by: Membership) -> None:
    if not acts_as(by, {Role.CLINIC_ADMIN}):
        raise PermissionDenied("Only the clinic admin manages staff.")


def _own_membership(by: Membership, membership: Membership) -> None:
    if membership.clinic_id != by.clinic_id:
        raise Http404("No such staff member in this clinic.")


def _snapshot(m: Membership) -> dict[str, object]:
    return {"user": m.user_id, "role": m.role, "is_active": m.is_active}


# Shown when an address was taken by someone else between the form's check and the insert.
CANNOT_INVITE = "This email cannot be invited here. Ask the person to contact you."
ALREADY_HERE = "This person already has a role in this clinic."
LAST_ADMIN = "You are the only clinic admin; appoint another first."
ELSEWHERE = "This person also works at another clinic; ask the site operator to do this."


def invite_refusal(clinic: Clinic, email: str) -> str | None:
    """Why ``email`` cannot be invited to ``clinic``, or None when it can."""
    if Membership.objects.filter(user__email__iexact=email, clinic=clinic).exists():
        return ALREADY_HERE
    return None


def invite_staff(
    by: Membership, *, email: str, full_name: str, role: str, request: HttpRequest
) -> Membership | Invitation:
    """Invite ``email`` to a role at the admin's clinic.

    A new address gets an account with no usable password and a password-set link. An address
    that already has an account (at another clinic, or none) gets an ``Invitation`` the person
    accepts after signing in (``actions.invitations``): their account is not touched, and the
    admin is told only that an invitation was sent.
    """
    _require_clinic_admin(by)
    clinic = by.clinic
    email = User.objects.normalize_email(email).strip().lower()
    if role not in Role.values:
        raise ValidationError({"role": "Choose a role."})
    existing = User.objects.filter(email__iexact=email).first()
    if existing is not None:
        return invite_existing_account(by, existing, role=role, request=request)
    try:
        with transaction.atomic():
            refusal = invite_refusal(clinic, email)
            if refusal:
                raise ValidationError({"email": refusal})
            user = User.objects.create_user(email, None, full_name=full_name.strip())
            membership = Membership.objects.create(user=user, clinic=clinic, role=role)
            record(
                "staff.invite",
                by=by,
                request=request,
                obj=membership,
                after={**_snapshot(membership), "new_account": True, "email": email},
            )
            transaction.on_commit(lambda: _send_password_link(request, user))
    except IntegrityError as exc:
        # Someone took the address between the check and the insert.
        raise ValidationError({"email": CANNOT_INVITE}) from exc
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
    by: Membership, membership: Membership, *, role: str, is_active: bool, request: HttpRequest
) -> Membership:
    """Change a staff member's role or (de)activate it; their sessions in this clinic end."""
    _require_clinic_admin(by)
    _own_membership(by, membership)
    if role not in Role.values:
        raise ValidationError({"role": "Choose a role."})
    with transaction.atomic():
        current = Membership.objects.select_for_update().get(pk=membership.pk)
        before = _snapshot(current)
        if current.user_id == by.user_id and (role != Role.CLINIC_ADMIN or not is_active):
            # The last word on the clinic must stay with someone. The admin rows are locked,
            # so two admins demoting themselves at once cannot both pass.
            # An admin whose account is turned off does not count.
            others = (
                Membership.objects.select_for_update(of=("self",))
                .filter(
                    clinic=current.clinic,
                    role=Role.CLINIC_ADMIN,
                    is_active=True,
                    user__is_active=True,
                )
                .exclude(pk=current.pk)
            )
            if not list(others):
                raise ValidationError({"role": LAST_ADMIN})
        current.role = role
        current.is_active = is_active
        current.save(update_fields=["role", "is_active"])
        after = _snapshot(current)
        if before != after:
            record("staff.update", by=by, request=request, obj=current, before=before, after=after)
        if (before["is_active"] and not is_active) or before["role"] != role:
            # Their pages and permissions were computed for the old role: start over, in
            # this clinic only.
            end_sessions(
                current.user,
                UserSession.EndReason.DEACTIVATED,
                request=request,
                clinic=current.clinic,
            )
    return current


def _active_elsewhere(user: User, clinic: Clinic) -> bool:
    return Membership.objects.filter(user=user, is_active=True).exclude(clinic=clinic).exists()


def deactivate_account(by: Membership, membership: Membership, *, request: HttpRequest) -> User:
    """Turn off the person's account altogether (only if no other clinic relies on it)."""
    _require_clinic_admin(by)
    _own_membership(by, membership)
    if membership.user_id == by.user_id:
        raise ValidationError("You cannot deactivate your own account.")
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=membership.user_id)
        if _active_elsewhere(user, membership.clinic):
            raise ValidationError(
                "This person also works at another clinic; deactivate their role here instead."
            )
        before = {"is_active": user.is_active, "membership_active": membership.is_active}
        user.is_active = False
        user.save(update_fields=["is_active"])
        Membership.objects.filter(pk=membership.pk).update(is_active=False)
        record(
            "account.deactivate",
            by=by,
            request=request,
            obj=user,
            before=before,
            after={"is_active": False, "membership_active": False},
        )
        end_sessions(user, UserSession.EndReason.DEACTIVATED, request=request)
    return user


def sign_out_of_clinic(by: Membership, membership: Membership, *, request: HttpRequest) -> int:
    """End the person's sessions working in this clinic (not those at another clinic)."""
    _require_clinic_admin(by)
    _own_membership(by, membership)
    with transaction.atomic():
        return end_sessions(
            membership.user,
            UserSession.EndReason.ADMIN,
            request=request,
            clinic=membership.clinic,
        )


def resend_password_link(by: Membership, membership: Membership, *, request: HttpRequest) -> None:
    """Mail a new set-password link to someone who never chose a password (lost or expired
    invitation link; the reset form sends nothing to an account without a password)."""
    _require_clinic_admin(by)
    _own_membership(by, membership)
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=membership.user_id)
        if user.has_usable_password():
            raise ValidationError(
                "This person has already chosen a password; they can use "
                '"Forgot your password?" on the sign-in page.'
            )
        if not (user.is_active and membership.is_active):
            raise ValidationError("This person's role or account is turned off.")
        record(
            "staff.invite.resend",
            by=by,
            request=request,
            obj=membership,
            before={"has_usable_password": False},
            after={"has_usable_password": False, "set_password_link_sent": True},
        )
        transaction.on_commit(lambda: _send_password_link(request, user))


def revoke_invitation(by: Membership, membership: Membership, *, request: HttpRequest) -> User:
    """Withdraw an invitation nobody has used yet: the role and the never-used account are
    turned off and the emailed link stops working. Nothing is deleted; the person shows as
    "Invitation revoked", and the audit entry keeps who did it.

    Only while the invitation is pending (no password chosen, role and account on), and not
    for an account another clinic also relies on.
    """
    _require_clinic_admin(by)
    _own_membership(by, membership)
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=membership.user_id)
        current = Membership.objects.select_for_update().get(pk=membership.pk)
        if user.has_usable_password():
            raise ValidationError(
                "This person has already accepted the invitation and chosen a password; "
                "turn off their role or deactivate the account instead."
            )
        if not (user.is_active and current.is_active):
            raise ValidationError("This invitation is not pending: the role or account is off.")
        if _active_elsewhere(user, current.clinic):
            raise ValidationError(ELSEWHERE)
        # Only what changes (the audit trail records changes; the entry's object is the role).
        before = {"membership_active": True, "account_active": True}
        current.is_active = False
        current.save(update_fields=["is_active"])
        user.is_active = False
        # A fresh unusable password changes what the emailed token was made from, so the
        # link no longer works (the set-password page also refuses turned-off accounts).
        user.set_unusable_password()
        user.save(update_fields=["is_active", "password"])
        record(
            "staff.invite.revoke",
            by=by,
            request=request,
            obj=current,
            before=before,
            after={"membership_active": False, "account_active": False},
        )
    return user


def reset_two_factor(by: Membership, membership: Membership, *, request: HttpRequest) -> int:
    """Remove the person's authenticator and recovery codes and end their sessions in this
    clinic; they set up a new authenticator at their next sign-in. Returns sessions ended.

    Only for someone who works at no other clinic: the second factor guards all of their
    work, and one clinic's admin has no say over another's.
    """
    _require_clinic_admin(by)
    _own_membership(by, membership)
    if membership.user_id == by.user_id:
        raise ValidationError("Reset your own authenticator under My account.")
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=membership.user_id)
        if _active_elsewhere(user, membership.clinic):
            raise ValidationError(ELSEWHERE)
        totp = TOTPDevice.objects.filter(user=user)
        recovery = RecoveryCodeDevice.objects.filter(user=user)
        before = {
            "totp_devices": totp.count(),
            "recovery_codes_unused": RecoveryCode.objects.filter(
                device__user=user, used_at__isnull=True
            ).count(),
        }
        totp.delete()
        recovery.delete()
        record(
            "2fa.admin_reset",
            by=by,
            request=request,
            obj=user,
            before=before,
            after={"totp_devices": 0, "recovery_codes_unused": 0},
        )
        ended = end_sessions(
            user, UserSession.EndReason.ADMIN, request=request, clinic=membership.clinic
        )
        transaction.on_commit(lambda: _tell_two_factor_reset(request, user))
    return ended


def _tell_two_factor_reset(request: HttpRequest, user: User) -> None:
    clinic = getattr(request, "clinic", None)
    send_mail(
        "Your ketaclinic two-factor sign-in was reset",
        f"The clinic admin of {clinic} reset the two-factor sign-in of your ketaclinic "
        "account. At your next sign-in you set up your authenticator app again.\n"
        "If you did not ask for this, tell your clinic admin at once.",
        None,
        [user.email],
    )
