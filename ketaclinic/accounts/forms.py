"""Forms of the accounts pages. Every field carries its label, help and errors for assistive
technology: ``aria-describedby`` points at help text and errors, ``aria-invalid`` marks errors."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm

from ketaclinic.accounts.actions.credentials import EMAIL_TAKEN
from ketaclinic.accounts.actions.grants import BREAK_GLASS_REASON_MIN, REVIEW_NOTE_MAX
from ketaclinic.accounts.models import User


class AccessibleFormMixin:
    """Adds aria attributes to every widget; call after validation via ``full_clean``."""

    fields: dict[str, forms.Field]
    _errors: Any

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.describe()

    def describe(self) -> None:
        form: Any = self
        errors = self._errors or {}
        for name, field in self.fields.items():
            # Like BoundField.auto_id, without creating (and caching) the bound field early.
            html_name = form.add_prefix(name)
            auto_id = str(form.auto_id) % html_name if "%s" in str(form.auto_id) else html_name
            ids = []
            if field.help_text:
                ids.append(f"{auto_id}_help")
            if name in errors:
                ids.append(f"{auto_id}_error")
                field.widget.attrs["aria-invalid"] = "true"
            if ids:
                field.widget.attrs["aria-describedby"] = " ".join(ids)

    def full_clean(self) -> None:
        super().full_clean()  # type: ignore[misc]
        self.describe()


class LoginForm(AccessibleFormMixin, AuthenticationForm):
    username = forms.EmailField(
        label="Email",
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "username", "autofocus": True}),
    )
    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": "The email or password is not right. Check both and try again.",
        "inactive": "This account is turned off. Ask your clinic admin.",
    }

    def clean_username(self) -> str:
        return str(self.cleaned_data["username"]).strip().lower()


class CodeForm(AccessibleFormMixin, forms.Form):
    otp_token = forms.CharField(
        label="Authentication code",
        max_length=32,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "autofocus": True, "spellcheck": "false"}
        ),
    )

    def __init__(self, *args: Any, help_text: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["otp_token"].help_text = help_text
        self.describe()  # again, now that the help text is known


class PasswordForm(AccessibleFormMixin, forms.Form):
    password = forms.CharField(
        label="Password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password", "autofocus": True}),
    )


class AccessiblePasswordChangeForm(AccessibleFormMixin, PasswordChangeForm):
    """The old password is checked by ``confirm`` (``actions.credentials.confirm_password``:
    through the lockout, and audited when wrong), not by ``user.check_password`` alone."""

    def __init__(self, user: User, data: Any = None, *, confirm: Callable[[str], bool]) -> None:
        self.confirm = confirm
        super().__init__(user, data)

    def clean_old_password(self) -> str:
        old_password = str(self.cleaned_data["old_password"])
        if not self.confirm(old_password):
            raise forms.ValidationError(
                self.error_messages["password_incorrect"], code="password_incorrect"
            )
        return old_password


class EmailChangeForm(AccessibleFormMixin, forms.Form):
    email = forms.EmailField(
        label="New email",
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_email(self) -> str:
        email = str(self.cleaned_data["email"]).strip().lower()
        if email == self.user.email:
            raise forms.ValidationError("That is already your email.")
        if User.objects.filter(email__iexact=email).exclude(pk=self.user.pk).exists():
            raise forms.ValidationError(EMAIL_TAKEN)
        return email


class BreakGlassForm(AccessibleFormMixin, forms.Form):
    reason = forms.CharField(
        label="Reason for emergency access",
        min_length=BREAK_GLASS_REASON_MIN,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=(
            f"At least {BREAK_GLASS_REASON_MIN} characters. Your clinic admin is told and "
            "reviews every emergency access."
        ),
    )


class ReviewForm(forms.Form):
    note = forms.CharField(
        label="Review note",
        required=False,
        max_length=REVIEW_NOTE_MAX,
        error_messages={
            "max_length": "Keep the note to %(limit_value)s characters or fewer "
            "(it has %(show_value)s)."
        },
    )
