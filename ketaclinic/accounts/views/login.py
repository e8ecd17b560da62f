"""Sign in (password step), sign out of this browser, and sign out everywhere."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.core.exceptions import NON_FIELD_ERRORS
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST
from django_ratelimit.core import is_ratelimited

from ketaclinic.access.policy import password_only, public, verified
from ketaclinic.accounts.actions.sessions import (
    record_refused_sign_in,
    sign_out,
    sign_out_everywhere,
)
from ketaclinic.accounts.forms import LoginForm
from ketaclinic.accounts.lockout import lockout_username
from ketaclinic.accounts.middleware import TIMED_OUT_KEY
from ketaclinic.accounts.models import UserSession
from ketaclinic.accounts.views.common import NEXT_KEY, after_sign_in_url, is_verified, safe_next

TIMEOUT_MESSAGES = {
    UserSession.EndReason.IDLE.value: (
        "You were signed out because you were inactive for too long. Sign in again to go on."
    ),
    UserSession.EndReason.ABSOLUTE.value: (
        "You were signed out because your session reached its maximum length. Sign in again."
    ),
}


def account_attempts_exceeded(request: HttpRequest) -> bool:
    """Password attempts per account from ANY address, counted over an hour.

    The lockout (django-axes) counts per (account, address), so guesses spread over many
    addresses would never trip it. This second, looser limit caps them per account
    (``KETACLINIC_SIGNIN_RATE_PER_ACCOUNT``, default 30 an hour; ASVS 6.3.1 asks for
    brute-force controls without giving a number). So that an attacker cannot lock the real
    person out this way (ASVS 6.1.1: no malicious lockout), an address this account has
    signed in from before is still let through to the password check.
    """
    email = lockout_username(request, None)
    if not email:
        return False
    limited = is_ratelimited(
        request,
        group="accounts.login.per_account",
        key=lambda _group, _request: email,
        rate=settings.SIGNIN_RATE_PER_ACCOUNT,
        method="POST",
        increment=True,
    )
    known_address = UserSession.objects.filter(
        user__email__iexact=email, ip_address=request.META.get("REMOTE_ADDR") or None
    ).exists()
    if limited and not known_address:
        record_refused_sign_in(request, email, throttled=True)
        return True
    return False


def _wrong_credentials(request: HttpRequest, form: LoginForm) -> bool:
    """The form refused the email and password (not a lockout: axes audits that itself)."""
    locked = getattr(request, "axes_locked_out", False)
    return not locked and form.has_error(NON_FIELD_ERRORS, "invalid_login")


@public
@sensitive_post_parameters("password")
@never_cache
def login(request: HttpRequest) -> HttpResponse:
    user = request.user
    if user.is_authenticated:
        return redirect(after_sign_in_url(request) if is_verified(user) else "accounts:two_factor")
    if request.method == "POST" and account_attempts_exceeded(request):
        return render(request, "accounts/account_throttled.html", status=429)
    timed_out = request.session.pop(TIMED_OUT_KEY, None)
    next_url = safe_next(request, request.POST.get("next") or request.GET.get("next"))
    form = LoginForm(request, data=request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        # login() gives the session a new key (no fixation); the signal starts tracking it.
        auth_login(request, form.get_user())
        if next_url:
            request.session[NEXT_KEY] = next_url
        return redirect("accounts:two_factor")
    if request.method == "POST" and _wrong_credentials(request, form):
        record_refused_sign_in(request, lockout_username(request, None))
    return render(
        request,
        "accounts/login.html",
        {
            "form": form,
            "next": next_url,
            "timeout_message": TIMEOUT_MESSAGES.get(str(timed_out)) if timed_out else None,
        },
    )


@password_only
@require_POST
def logout(request: HttpRequest) -> HttpResponse:
    """Sign out of this browser only; "Sign out everywhere" is its own button."""
    sign_out(request)
    messages.info(request, "You are signed out.")
    return redirect("accounts:login")


@verified
@require_POST
def logout_everywhere(request: HttpRequest) -> HttpResponse:
    """End every session of this account: this browser, and any other device."""
    sign_out_everywhere(request)
    messages.info(request, "You are signed out on all your devices.")
    return redirect("accounts:login")
