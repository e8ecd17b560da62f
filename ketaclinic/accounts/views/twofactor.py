"""The second factor: the code at sign-in, enrolling an authenticator, recovery codes."""

from __future__ import annotations

import re
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from ketaclinic.access.policy import password_only, verified
from ketaclinic.accounts import twofactor
from ketaclinic.accounts.actions.sessions import rotate_session_key
from ketaclinic.accounts.actions.twofactor import (
    enrol_authenticator,
    regenerate_recovery_codes,
    verify_second_factor,
)
from ketaclinic.accounts.forms import CodeForm
from ketaclinic.accounts.requests import signed_in_user
from ketaclinic.accounts.sudo import in_sudo_mode, require_sudo_mode
from ketaclinic.accounts.views.common import after_sign_in_url, is_verified

CODE_HELP = "The 6-digit code your authenticator app shows now, or one of your recovery codes."
SETUP_HELP = "The 6-digit code your authenticator app shows after you add the account."
_HEX_KEY = re.compile(r"^[0-9a-f]{40}$")


@password_only
@never_cache
def two_factor(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    if is_verified(user):
        return redirect(after_sign_in_url(request))
    device = twofactor.confirmed_totp(user)
    if device is None:
        return redirect("accounts:two_factor_setup")
    form = CodeForm(request.POST if request.method == "POST" else None, help_text=CODE_HELP)
    if request.method == "POST" and form.is_valid():
        # Throttled before this attempt (not by this attempt's own failure).
        throttled = not device.verify_is_allowed()[0]
        result = verify_second_factor(request, form.cleaned_data["otp_token"])
        if result is not None:
            if result.method == "recovery":
                messages.warning(
                    request,
                    f"You signed in with a recovery code; {result.recovery_left} left. "
                    "Set up your authenticator again or make new codes under My account.",
                )
            return redirect(after_sign_in_url(request))
        form.add_error(
            "otp_token",
            "Too many wrong codes. Wait a little, then enter the newest code."
            if throttled
            else "That code is not right, or it was already used. Use the newest code.",
        )
        form.describe()
    demo_code = None
    if settings.DEMO_MODE and getattr(user, "is_demo", False):
        from ketaclinic.demo import current_code

        demo_code = current_code(user)
    return render(request, "accounts/two_factor.html", {"form": form, "demo_code": demo_code})


@password_only
@never_cache
def two_factor_setup(request: HttpRequest) -> HttpResponse:
    """Add an authenticator app: on first sign-in, or to replace one (verified, sudo)."""
    user = signed_in_user(request)
    replacing = twofactor.confirmed_totp(user) is not None
    if replacing:
        if not is_verified(user):
            return redirect("accounts:two_factor")
        if not in_sudo_mode(request):
            back = urlencode({"next": reverse("accounts:two_factor_setup")})
            return redirect(f"{reverse('accounts:reauth')}?{back}")
    key = request.session.get(twofactor.PENDING_KEY)
    if not isinstance(key, str) or not _HEX_KEY.match(key):
        # Kept in the session until confirmed, so an abandoned setup leaves nothing behind.
        key = twofactor.new_totp_key()
        request.session[twofactor.PENDING_KEY] = key
    form = CodeForm(request.POST if request.method == "POST" else None, help_text=SETUP_HELP)
    if request.method == "POST" and form.is_valid():
        enrolment = enrol_authenticator(request, key, form.cleaned_data["otp_token"])
        if enrolment is not None:
            if not replacing:
                rotate_session_key(request)
            return render(
                request,
                "accounts/recovery_codes.html",
                {
                    "invited": request.session.pop(twofactor.INVITED_KEY, False),
                    "invite_steps": twofactor.INVITE_STEPS,
                    "codes": enrolment.recovery_codes,
                    "continue_url": reverse("accounts:security")
                    if replacing
                    else after_sign_in_url(request),
                },
            )
        form.add_error("otp_token", "That code does not match. Enter the newest code.")
        form.describe()
    secret = twofactor.base32_secret(key)
    otpauth_url = twofactor.config_url(user, key)
    return render(
        request,
        "accounts/two_factor_setup.html",
        {
            "form": form,
            "replacing": replacing,
            "qr_svg": twofactor.qr_svg(otpauth_url),
            "otpauth_url": otpauth_url,
            "secret": twofactor.grouped(secret),
            "invited": request.session.get(twofactor.INVITED_KEY, False),
            "invite_steps": twofactor.INVITE_STEPS,
        },
    )


@verified
@require_POST
@require_sudo_mode
def recovery_codes(request: HttpRequest) -> HttpResponse:
    codes = regenerate_recovery_codes(request)
    return render(
        request,
        "accounts/recovery_codes.html",
        {"codes": codes, "continue_url": reverse("accounts:security"), "regenerated": True},
    )
