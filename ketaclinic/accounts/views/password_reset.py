"""Password reset by email (Django's views). A reset never signs anyone in: after it the user
signs in with the new password and the second factor, and every old session is ended.

The same link in an invitation (the account has no usable password yet) is the person's first
password: the page says "Choose your password", and afterwards they are signed in with the
password and go straight on to set up their authenticator (the second factor)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import PasswordResetForm, SetPasswordForm
from django.http import HttpRequest, HttpResponse, HttpResponseBase, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django_ratelimit.decorators import ratelimit

from ketaclinic.access.policy import public
from ketaclinic.accounts import twofactor
from ketaclinic.accounts.actions.credentials import choose_first_password, reset_password
from ketaclinic.accounts.forms import AccessibleFormMixin

RESET_RATE = "5/h"


class _ResetForm(AccessibleFormMixin, PasswordResetForm):
    pass


class _SetPasswordForm(AccessibleFormMixin, SetPasswordForm):
    pass


class ResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password_reset_complete")
    form_class = _SetPasswordForm
    post_reset_login = False

    def get_user(self, uidb64: str) -> Any:
        user = super().get_user(uidb64)
        # A turned-off account (a revoked invitation, a deactivated person) sets no password.
        return user if user is not None and user.is_active else None

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = getattr(self, "user", None)
        context["first_password"] = user is not None and not user.has_usable_password()
        context["invite_steps"] = twofactor.INVITE_STEPS
        return context

    def form_valid(self, form: Any) -> HttpResponse:
        del self.request.session[auth_views.INTERNAL_RESET_SESSION_TOKEN]
        if not form.user.has_usable_password():
            # An invitation: straight on to the second factor, signed in with the password.
            user = choose_first_password(self.request, form)
            self.request.session[twofactor.INVITED_KEY] = True
            if twofactor.confirmed_totp(user) is None:
                return redirect("accounts:two_factor_setup")
            return redirect("accounts:two_factor")
        reset_password(self.request, form)
        if self.request.user.is_authenticated:
            # This browser's session was among those ended; start it afresh.
            logout(self.request)
        return HttpResponseRedirect(self.get_success_url())


_reset_request = auth_views.PasswordResetView.as_view(
    template_name="accounts/password_reset_form.html",
    email_template_name="accounts/email/password_reset.txt",
    subject_template_name="accounts/email/password_reset_subject.txt",
    success_url=reverse_lazy("accounts:password_reset_done"),
    form_class=_ResetForm,
)


@public
@ratelimit(key="ip", rate=RESET_RATE, method="POST", block=False)
def password_reset(request: HttpRequest) -> HttpResponseBase:
    """Ask for a reset link; a few per address an hour, so nobody floods an inbox with them."""
    if getattr(request, "limited", False):
        return render(request, "accounts/password_reset_limited.html", status=429)
    return _reset_request(request)


password_reset_done = public(
    auth_views.PasswordResetDoneView.as_view(template_name="accounts/password_reset_done.html")
)
password_reset_confirm = public(ResetConfirmView.as_view())
password_reset_complete = public(
    auth_views.PasswordResetCompleteView.as_view(
        template_name="accounts/password_reset_complete.html"
    )
)
