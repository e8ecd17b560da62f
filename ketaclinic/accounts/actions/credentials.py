"""Password change and reset, re-authentication, and changing the sign-in email."""

from __future__ import annotations

from django.contrib.auth import authenticate, login, logout, update_session_auth_hash
from django.contrib.auth.forms import PasswordChangeForm, SetPasswordForm
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.http import HttpRequest

from ketaclinic.accounts.actions.sessions import carry_tracking, end_sessions
from ketaclinic.accounts.models import User, UserSession
from ketaclinic.accounts.sudo import enter_sudo_mode, in_sudo_mode
from ketaclinic.audit.log import record

# Same words as the email-change form's own check.
EMAIL_TAKEN = "Another account uses this email."


def _signed_in_user(request: HttpRequest) -> User:
    user = request.user
    if not isinstance(user, User) or not user.is_verified():
        raise PermissionDenied
    return user


def change_password(request: HttpRequest, form: PasswordChangeForm) -> int:
    """Save the new password, keep this session, end all the others; returns how many."""
    user = _signed_in_user(request)
    with transaction.atomic():
        form.save()
        record("auth.password.change", request=request, obj=user)
        ended = end_sessions(
            user,
            UserSession.EndReason.PASSWORD,
            keep_key=request.session.session_key,
            request=request,
        )
    kept = request.session.session_key
    update_session_auth_hash(request, user)  # gives this session a new key
    carry_tracking(request, kept)
    return ended


def reset_password(request: HttpRequest, form: SetPasswordForm) -> User:
    """A reset link was used: set the password and end every session (no sign-in here)."""
    user = form.user
    with transaction.atomic():
        form.save()
        record("auth.password.reset", request=request, actor=user, obj=user)
        end_sessions(user, UserSession.EndReason.PASSWORD, request=None)
    return user


def choose_first_password(request: HttpRequest, form: SetPasswordForm) -> User:
    """An invitation link was used: the account had no usable password until now.

    Sets the password, audits the accepted invitation in each clinic the person works at (so
    its admin sees it) and signs the person in with the password only: the second factor is
    still to come, and its enrolment is the next page. No session of theirs can exist yet, but
    any would end as with a reset.
    """
    user = form.user
    if user.has_usable_password() or not user.is_active:
        raise PermissionDenied("This is not an invitation to accept.")
    with transaction.atomic():
        form.save()
        clinics = [m.clinic for m in user.active_memberships()]
        for clinic in clinics or [None]:
            record(
                "staff.invite.accept",
                request=request,
                actor=user,
                clinic=clinic,
                obj=user,
                before={"has_usable_password": False},
                after={"has_usable_password": True},
            )
        end_sessions(user, UserSession.EndReason.PASSWORD, request=None)
    if request.user.is_authenticated:
        logout(request)  # someone else was signed in in this browser
    # The signal starts tracking the session (and audits the password sign-in).
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    return user


def confirm_password(request: HttpRequest, password: str, *, changing: bool = False) -> bool:
    """Check the signed-in user's password again, as the sign-in form does.

    Through ``authenticate``, so each wrong entry counts toward the lockout (django-axes, per
    account and address, one count with the sign-in form's) and a locked account is refused
    even the right password; ``user.check_password`` alone would let a session left open guess
    without limit. A wrong entry is audited (as part of a password change when ``changing``,
    else of a re-authentication); the password never is.
    """
    user = _signed_in_user(request)
    checked = authenticate(request, username=user.email, password=password)
    ok = checked is not None and checked.pk == user.pk
    if not ok:
        with transaction.atomic():
            record(
                "auth.password.change_failed" if changing else "auth.reauth_failed",
                request=request,
                obj=user,
                after=_lock_state(request),
            )
    return ok


def password_locked(request: HttpRequest) -> bool:
    """The last password check of this request met (or reached) the lockout."""
    return bool(getattr(request, "axes_locked_out", False))


def _lock_state(request: HttpRequest) -> dict[str, bool] | None:
    return {"locked": True} if password_locked(request) else None


def reauthenticate(request: HttpRequest, password: str) -> bool:
    """Check the password again (lockout applies) and open sudo mode for ten minutes."""
    user = _signed_in_user(request)
    if not confirm_password(request, password):
        return False
    with transaction.atomic():
        record("auth.reauth", request=request, obj=user)
    enter_sudo_mode(request)
    return True


def change_email(request: HttpRequest, new_email: str) -> User:
    user = _signed_in_user(request)
    if not in_sudo_mode(request):
        raise PermissionDenied("Enter your password again first.")
    old_email = user.email
    new_email = User.objects.normalize_email(new_email).lower()
    try:
        with transaction.atomic():
            user.email = new_email
            user.save(update_fields=["email"])
            _record_email_change(request, user, old_email, new_email)
    except IntegrityError as exc:
        # Another account took the address after the form checked it.
        user.email = old_email
        raise ValidationError(EMAIL_TAKEN) from exc
    return user


def _record_email_change(request: HttpRequest, user: User, old_email: str, new_email: str) -> None:
    record(
        "account.email.change",
        request=request,
        obj=user,
        before={"email": old_email},
        after={"email": new_email},
    )
    # Tell the old address, so a takeover does not go unnoticed.
    transaction.on_commit(
        lambda: send_mail(
            "Your ketaclinic sign-in email was changed",
            f"The sign-in email of your ketaclinic account was changed to {new_email}.\n"
            "If you did not do this, tell your clinic admin at once.",
            None,
            [old_email],
        )
    )
