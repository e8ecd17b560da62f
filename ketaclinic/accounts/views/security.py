"""My account: two-factor status, password, email, and re-authentication (sudo mode)."""

from __future__ import annotations

import functools

from axes.helpers import get_lockout_response
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.debug import sensitive_post_parameters

from ketaclinic.access.policy import verified
from ketaclinic.accounts import twofactor
from ketaclinic.accounts.actions.credentials import (
    change_email,
    change_password,
    confirm_password,
    password_locked,
    reauthenticate,
)
from ketaclinic.accounts.actions.sessions import sign_out
from ketaclinic.accounts.forms import AccessiblePasswordChangeForm, EmailChangeForm, PasswordForm
from ketaclinic.accounts.models import RecoveryCode, User, UserSession
from ketaclinic.accounts.sudo import in_sudo_mode, require_sudo_mode
from ketaclinic.accounts.views.common import safe_next

LOCKED_SIGNED_OUT = "You were signed out: your password was entered wrongly too many times."


def _signed_out_locked(request: HttpRequest) -> HttpResponse:
    """Too many wrong passwords in this session: whoever is at it may not be its owner, so the
    session ends; signing in again from this address waits out the lockout."""
    sign_out(request)
    messages.warning(request, LOCKED_SIGNED_OUT)
    return get_lockout_response(request)  # the sign-in form's lockout page (429)


@verified
def security(request: HttpRequest) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    return render(
        request,
        "accounts/security.html",
        {
            "totp": twofactor.confirmed_totp(user),
            "recovery_left": RecoveryCode.objects.filter(
                device__user=user, used_at__isnull=True
            ).count(),
            "live_sessions": UserSession.objects.filter(user=user, ended_at__isnull=True).count(),
            "sudo": in_sudo_mode(request),
        },
    )


@verified
@sensitive_post_parameters()
def password_change(request: HttpRequest) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    confirm = functools.partial(confirm_password, request, changing=True)
    form = AccessiblePasswordChangeForm(
        user, request.POST if request.method == "POST" else None, confirm=confirm
    )
    valid = request.method == "POST" and form.is_valid()
    if password_locked(request):
        return _signed_out_locked(request)
    if valid:
        ended = change_password(request, form)
        messages.success(
            request,
            "Your password is changed."
            + (f" {ended} other session(s) were signed out." if ended else ""),
        )
        return redirect("accounts:security")
    return render(request, "accounts/password_change.html", {"form": form})


@verified
@require_sudo_mode
def email_change(request: HttpRequest) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    form = EmailChangeForm(request.POST if request.method == "POST" else None, user=user)
    if request.method == "POST" and form.is_valid():
        try:
            change_email(request, form.cleaned_data["email"])
        except ValidationError as exc:
            form.add_error("email", exc)
            form.describe()
        else:
            messages.success(request, "Your sign-in email is changed.")
            return redirect("accounts:security")
    return render(request, "accounts/email_change.html", {"form": form})


@verified
@sensitive_post_parameters("password")
def reauth(request: HttpRequest) -> HttpResponse:
    """Enter the password again to open sudo mode for ten minutes."""
    next_url = safe_next(request, request.POST.get("next") or request.GET.get("next"))
    form = PasswordForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        if reauthenticate(request, form.cleaned_data["password"]):
            return redirect(next_url or reverse("accounts:security"))
        if password_locked(request):
            return _signed_out_locked(request)
        form.add_error("password", "That password is not right.")
        form.describe()
    return render(request, "accounts/reauth.html", {"form": form, "next": next_url})
