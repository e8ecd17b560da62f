"""Enrolling an authenticator, recovery codes, and passing the second factor at sign-in."""

from __future__ import annotations

from dataclasses import dataclass

import django_otp
from django.contrib.auth.hashers import make_password
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest
from django_otp.plugins.otp_totp.models import TOTPDevice

from ketaclinic.accounts import twofactor
from ketaclinic.accounts.actions.sessions import rotate_session_key
from ketaclinic.accounts.models import RecoveryCode, RecoveryCodeDevice, User
from ketaclinic.audit.log import record


def _replace_recovery_codes(user: User) -> list[str]:
    codes = twofactor.make_recovery_codes()
    RecoveryCodeDevice.objects.filter(user=user).delete()
    device = RecoveryCodeDevice.objects.create(user=user, name="Recovery codes", confirmed=True)
    RecoveryCode.objects.bulk_create(
        RecoveryCode(device=device, code_hash=make_password(twofactor.normalise(code)))
        for code in codes
    )
    return codes


@dataclass
class Enrolment:
    device: TOTPDevice
    recovery_codes: list[str]


def enrol_authenticator(request: HttpRequest, key_hex: str, token: str) -> Enrolment | None:
    """Confirm a new authenticator with a code from it; it replaces any earlier one.

    Returns None when the code does not match. On success the session counts as verified
    with the new device and fresh recovery codes are returned (shown once, stored hashed).
    """
    user = request.user
    if not isinstance(user, User):
        raise PermissionDenied
    step = twofactor.matching_step(key_hex, token)
    if step is None:
        return None
    with transaction.atomic():
        previous = list(TOTPDevice.objects.filter(user=user).values_list("id", flat=True))
        TOTPDevice.objects.filter(user=user).delete()
        device = TOTPDevice.objects.create(
            user=user,
            name="Authenticator app",
            key=key_hex,
            confirmed=True,
            tolerance=twofactor.tolerance(),
            # The code just used may not be used again to sign in.
            last_t=step,
        )
        codes = _replace_recovery_codes(user)
        record(
            "2fa.reset" if previous else "2fa.enrol",
            request=request,
            obj=user,
            before={"totp_devices": previous},
            after={"totp_device": device.pk, "recovery_codes": len(codes)},
        )
    django_otp.login(request, device)
    request.session.pop(twofactor.PENDING_KEY, None)
    return Enrolment(device, codes)


def regenerate_recovery_codes(request: HttpRequest) -> list[str]:
    user = request.user
    if not isinstance(user, User) or not user.is_verified():
        raise PermissionDenied
    with transaction.atomic():
        before = RecoveryCode.objects.filter(device__user=user, used_at__isnull=True).count()
        codes = _replace_recovery_codes(user)
        record(
            "2fa.recovery_codes.regenerate",
            request=request,
            obj=user,
            before={"unused": before},
            after={"unused": len(codes)},
        )
    return codes


@dataclass
class Verification:
    method: str  # "totp" or "recovery"
    recovery_left: int = 0


def verify_second_factor(request: HttpRequest, token: str) -> Verification | None:
    """Check a TOTP or recovery code; on success mark the session verified (new key).

    The check, the marking of the code as used (TOTP ``last_t`` or the recovery code) and
    the audit entry are one transaction, with the device row locked from the check on
    (django-otp's ``verify_token`` loads it ``select_for_update``), so a code can pass once
    only and never without its audit entry.
    """
    user = request.user
    if not isinstance(user, User):
        raise PermissionDenied
    token = token.strip()
    result: Verification | None = None
    device = None
    with transaction.atomic():
        totp = twofactor.confirmed_totp(user)
        if totp is not None and token.replace(" ", "").isdigit():
            device = django_otp.verify_token(user, totp.persistent_id, token.replace(" ", ""))
            if device is not None:
                result = Verification("totp")
        if result is None:
            recovery = RecoveryCodeDevice.objects.filter(user=user, confirmed=True).first()
            if recovery is not None and len(twofactor.normalise(token)) == 10:
                device = django_otp.verify_token(user, recovery.persistent_id, token)
                if device is not None:
                    result = Verification("recovery", recovery.unused().count())
        record(
            "auth.login.2fa" if result else "auth.login.2fa_failed",
            request=request,
            obj=user,
            after={"method": result.method} if result else None,
        )
    if result is None or device is None:
        return None
    django_otp.login(request, device)
    rotate_session_key(request)
    return result
