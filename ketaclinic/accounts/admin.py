"""Clinic admin pages for staff: invite, change role, deactivate, sign out everywhere; and the
list of consent-based shared access with a revoke action."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest

from ketaclinic.access.request import acting_membership
from ketaclinic.accounts.actions import grants, staff
from ketaclinic.accounts.admin_base import ClinicScopedAdmin
from ketaclinic.accounts.models import Membership, Role, SharedAccess, User


class _Refused(Exception):
    """An action refused what the validated form asked (a race since validation)."""

    def __init__(self, error: ValidationError) -> None:
        super().__init__(error)
        self.error = error


class _RefusalMixin:
    """Shows a refusal from the second pass of ``StaffAdmin.changeform_view`` at its field."""

    refusal: ValidationError | None = None

    def add_refusal(self) -> None:
        form: Any = self
        if self.refusal is None or form._errors:
            return  # nothing refused, or validation already says why
        if hasattr(self.refusal, "error_dict"):
            for field, errors in self.refusal.error_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            form.add_error(None, self.refusal)


class StaffInviteForm(_RefusalMixin, forms.ModelForm):
    email = forms.EmailField(label="Email", max_length=254)
    full_name = forms.CharField(label="Full name", max_length=200)
    clinic: Any = None  # set per request by StaffAdmin.get_form

    class Meta:
        model = Membership
        fields = ["email", "full_name", "role"]

    def clean_email(self) -> str:
        email = str(self.cleaned_data["email"]).strip().lower()
        refusal = staff.invite_refusal(self.clinic, email)
        if refusal:
            raise ValidationError(refusal)
        return email

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        self.add_refusal()
        return data


class StaffChangeForm(_RefusalMixin, forms.ModelForm):
    acting_user: Any = None

    class Meta:
        model = Membership
        fields = ["role", "is_active"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        instance = self.instance
        demotes_self = instance.user_id == getattr(self.acting_user, "pk", None) and (
            data.get("role") != Role.CLINIC_ADMIN or not data.get("is_active")
        )
        if demotes_self:
            others = Membership.objects.filter(
                clinic_id=instance.clinic_id, role=Role.CLINIC_ADMIN, is_active=True
            ).exclude(pk=instance.pk)
            if not others.exists():
                raise ValidationError("You are the only clinic admin; appoint another first.")
        self.add_refusal()
        return data


@admin.register(Membership)
class StaffAdmin(ClinicScopedAdmin):
    list_display = [
        "person",
        "email",
        "role",
        "is_active",
        "account_active",
        "password_chosen",
        "created_at",
    ]
    list_filter = ["role", "is_active"]
    search_fields = ["user__full_name", "user__email"]
    list_select_related = ["user"]
    ordering = ["user__full_name"]
    actions = [
        "deactivate_accounts",
        "sign_out_everywhere",
        "send_password_links",
        "reset_two_factor",
    ]

    @admin.display(description="Name", ordering="user__full_name")
    def person(self, obj: Membership) -> str:
        return obj.user.full_name

    @admin.display(description="Email", ordering="user__email")
    def email(self, obj: Membership) -> str:
        return obj.user.email

    @admin.display(description="Account active", boolean=True)
    def account_active(self, obj: Membership) -> bool:
        return obj.user.is_active

    @admin.display(description="Password chosen", boolean=True)
    def password_chosen(self, obj: Membership) -> bool:
        return obj.user.has_usable_password()

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return ["person", "email", "account_active"] if obj is not None else []

    def get_form(
        self, request: HttpRequest, obj: Any = None, change: bool = False, **kw: Any
    ) -> Any:
        refusal = getattr(request, "_staff_refusal", None)
        if obj is None:
            base: Any = type(
                "Invite",
                (StaffInviteForm,),
                {"clinic": acting_membership(request).clinic, "refusal": refusal},
            )
        else:
            base = type(
                "Change", (StaffChangeForm,), {"acting_user": request.user, "refusal": refusal}
            )
        kw["form"] = base
        kw["fields"] = list(base.Meta.fields)
        return super().get_form(request, obj, change, **kw)

    def changeform_view(
        self,
        request: HttpRequest,
        object_id: str | None = None,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> Any:
        """When the action refuses a form that passed validation (someone else changed
        things in between), its transaction is rolled back and the form is shown again,
        as typed, with the refusal at the field instead of a server error."""
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except _Refused as refused:
            request._staff_refusal = refused.error  # type: ignore[attr-defined]
            return super().changeform_view(request, object_id, form_url, extra_context)

    def save_model(self, request: HttpRequest, obj: Membership, form: Any, change: bool) -> None:
        try:
            if change:
                staff.update_membership(
                    acting_membership(request),
                    obj,
                    role=obj.role,
                    is_active=obj.is_active,
                    request=request,
                )
                return
            created = staff.invite_staff(
                acting_membership(request),
                request=request,
                email=form.cleaned_data["email"],
                full_name=form.cleaned_data["full_name"],
                role=form.cleaned_data["role"],
            )
        except ValidationError as exc:
            raise _Refused(exc) from exc
        obj.pk, obj.user, obj.clinic = created.pk, created.user, created.clinic
        obj._state.adding = False

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        return None  # a membership has no related rows to save

    def _each(
        self,
        request: HttpRequest,
        queryset: QuerySet[Membership],
        action: Callable[..., object],
    ) -> int:
        """Run ``action`` on each selected row; refusals become error messages."""
        done = 0
        for membership in queryset.select_related("user"):
            try:
                action(acting_membership(request), membership, request=request)
                done += 1
            except ValidationError as exc:
                self.message_user(request, f"{membership.user}: {exc.messages[0]}", messages.ERROR)
        return done

    @admin.action(description="Deactivate the selected people's accounts (ends their sessions)")
    def deactivate_accounts(self, request: HttpRequest, queryset: QuerySet[Membership]) -> None:
        done = self._each(request, queryset, staff.deactivate_account)
        if done:
            self.message_user(request, f"{done} account(s) deactivated.", messages.SUCCESS)

    @admin.action(description="Sign the selected people out of their sessions in this clinic")
    def sign_out_everywhere(self, request: HttpRequest, queryset: QuerySet[Membership]) -> None:
        by = acting_membership(request)
        ended = sum(
            staff.sign_out_everywhere(by, m, request=request)
            for m in queryset.select_related("user")
        )
        self.message_user(request, f"{ended} session(s) ended.", messages.SUCCESS)

    @admin.action(description="Send a new set-password link")
    def send_password_links(self, request: HttpRequest, queryset: QuerySet[Membership]) -> None:
        done = self._each(request, queryset, staff.resend_password_link)
        if done:
            self.message_user(request, f"{done} set-password link(s) sent.", messages.SUCCESS)

    @admin.action(description="Reset two-factor (they set up their authenticator again)")
    def reset_two_factor(self, request: HttpRequest, queryset: QuerySet[Membership]) -> None:
        done = self._each(request, queryset, staff.reset_two_factor)
        if done:
            self.message_user(
                request,
                f"Two-factor reset for {done} person(s); they set it up at their next sign-in.",
                messages.SUCCESS,
            )


@admin.register(SharedAccess)
class SharedAccessAdmin(ClinicScopedAdmin):
    list_display = [
        "professional",
        "target_label",
        "section_list",
        "valid_from",
        "expires_at",
        "revoked_at",
    ]
    list_filter = ["revoked_at"]
    list_select_related = ["professional", "content_type"]
    actions = ["revoke"]

    @admin.display(description="Record")
    def target_label(self, obj: SharedAccess) -> str:
        return f"{obj.content_type.name} #{obj.object_id}"

    @admin.display(description="Sections")
    def section_list(self, obj: SharedAccess) -> str:
        return ", ".join(obj.sections)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # granted from the patient's consent, not here

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.action(description="Revoke the selected shared access")
    def revoke(self, request: HttpRequest, queryset: QuerySet[SharedAccess]) -> None:
        for grant in queryset:
            grants.revoke_shared_access(
                acting_membership(request),
                grant,
                reason="revoked by the clinic admin",
                request=request,
            )
        self.message_user(request, "Shared access revoked.", messages.SUCCESS)


__all__ = ["StaffAdmin", "SharedAccessAdmin", "User"]
