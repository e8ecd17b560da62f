"""The clinic admin's staff pages: the list, inviting someone, and one person's page with
their role and the account actions (re-send or revoke an invitation, sign out, reset
two-factor, deactivate). Every change goes through ``accounts/actions/staff.py``."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST
from django_otp.plugins.otp_totp.models import TOTPDevice

from ketaclinic.access.policy import roles
from ketaclinic.access.request import ClinicRequest
from ketaclinic.accounts.actions import staff as actions
from ketaclinic.accounts.actions.sessions import session_clinic_ids
from ketaclinic.accounts.models import Invitation, Membership, Role, UserSession
from ketaclinic.accounts.policies import role_guide
from ketaclinic.accounts.staff_forms import InviteForm, MembershipForm, SearchForm, show_refusal
from ketaclinic.accounts.staff_status import is_pending, staff_status

PAGE_SIZE = 25


def _staff_of(request: ClinicRequest) -> QuerySet[Membership]:
    return Membership.objects.filter(clinic=request.clinic).select_related("user", "clinic")


@roles(Role.CLINIC_ADMIN)
def staff_list(request: ClinicRequest) -> HttpResponse:
    search = SearchForm(request.GET)
    q = search.cleaned_data["q"].strip() if search.is_valid() else ""
    rows = _staff_of(request).order_by("user__full_name", "user__email", "id")
    if q:
        rows = rows.filter(Q(user__full_name__icontains=q) | Q(user__email__icontains=q))
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "accounts/staff_list.html",
        {
            "search": search,
            "q": q,
            "page": page,
            "people": [(m, staff_status(m)) for m in page.object_list],
            "page_qs": urlencode({"q": q}) if q else "",
            # Invitations of accounts that already exist: only their own state is shown.
            "sent_invitations": list(
                Invitation.objects.filter(clinic=request.clinic)
                .select_related("user")
                .order_by("-created_at", "-id")[:PAGE_SIZE]
            ),
        },
    )


@roles(Role.CLINIC_ADMIN)
def staff_invite(request: ClinicRequest) -> HttpResponse:
    form = InviteForm(request.POST if request.method == "POST" else None, clinic=request.clinic)
    if request.method == "POST" and form.is_valid():
        try:
            actions.invite_staff(
                request.membership,
                email=form.cleaned_data["email"],
                full_name=form.cleaned_data["full_name"],
                role=form.cleaned_data["role"],
                request=request,
            )
        except ValidationError as exc:
            show_refusal(form, exc)  # someone took the address since the form's check
        else:
            messages.success(request, f"Invitation sent to {form.cleaned_data['email']}")
            return redirect("accounts:staff_list")
    return render(request, "accounts/staff_invite.html", {"form": form, "guide": role_guide()})


def _sessions_here(membership: Membership) -> int:
    """How many live sessions of the person work in this clinic now."""
    keys = list(
        UserSession.objects.filter(user=membership.user, ended_at__isnull=True).values_list(
            "session_key", flat=True
        )
    )
    where = session_clinic_ids(membership.user, keys)
    return sum(1 for key in keys if where[key] == membership.clinic_id)


def _detail_page(
    request: ClinicRequest,
    membership: Membership,
    form: MembershipForm | None = None,
    refusal: str = "",
) -> HttpResponse:
    status = staff_status(membership)
    is_self = membership.user_id == request.user.pk
    user = membership.user
    account_on = user.is_active
    pending = is_pending(membership)
    context = {
        "person": membership,
        "status": status,
        "is_self": is_self,
        "form": form or MembershipForm(membership=membership, acting=request.membership),
        "refusal": refusal,
        "has_two_factor": TOTPDevice.objects.filter(user=user, confirmed=True).exists(),
        "sessions_here": _sessions_here(membership) if account_on else 0,
        "pending": pending,
        "can_change": account_on,
        # A pending invitation is withdrawn with "Revoke invitation" instead.
        "can_deactivate": account_on and not is_self and not pending,
        "guide": role_guide(),
        "steps": STEPS,
    }
    return render(request, "accounts/staff_detail.html", context)


def _person(request: ClinicRequest, pk: int) -> Membership:
    # Another clinic's people are not found here (404), whatever their number.
    return get_object_or_404(_staff_of(request), pk=pk)


def _done(request: ClinicRequest, membership: Membership, message: str) -> HttpResponse:
    """Back to the person's page; or, when the change ended the admin's own session (their
    own role changed here), to the sign-in page."""
    if not Session.objects.filter(session_key=request.session.session_key).exists():
        logout(request)  # a fresh, empty session instead of saving into the ended one
        messages.info(request, f"{message} Your session here ended with it; sign in again.")
        return redirect("accounts:login")
    messages.success(request, message)
    return redirect("accounts:staff_detail", pk=membership.pk)


@roles(Role.CLINIC_ADMIN)
def staff_detail(request: ClinicRequest, pk: int) -> HttpResponse:
    membership = _person(request, pk)
    if request.method != "POST":
        return _detail_page(request, membership)
    form = MembershipForm(request.POST, membership=membership, acting=request.membership)
    if form.is_valid():
        try:
            actions.update_membership(
                request.membership,
                membership,
                role=form.cleaned_data["role"],
                is_active=form.cleaned_data["is_active"],
                request=request,
            )
        except ValidationError as exc:
            show_refusal(form, exc)
        else:
            return _done(request, membership, f"Saved the role of {membership.user.full_name}.")
    return _detail_page(request, membership, form=form)


@dataclass(frozen=True)
class _Step:
    """One account action of the person page: what it does, and how it asks first."""

    run: Callable[..., Any]
    title: str
    message: str
    button: str
    done: Callable[[Membership, Any], str]
    destructive: bool = True
    tone: str = "secondary"  # of the button; danger for what cannot be undone here

    @property
    def question(self) -> str:
        return f"{self.title}?"


STEPS: dict[str, _Step] = {
    "resend": _Step(
        actions.resend_password_link,
        "Send the invitation again",
        "A new link to choose a password goes to their email; earlier links stop working "
        "once it is used.",
        "Send the invitation again",
        lambda m, _: f"A new invitation was sent to {m.user.email}",
        destructive=False,
    ),
    "revoke": _Step(
        actions.revoke_invitation,
        "Revoke the invitation",
        "The invitation link stops working and the unused account is turned off. Nothing is "
        "deleted; you can see it in the staff list as revoked.",
        "Revoke invitation",
        lambda m, _: f"The invitation to {m.user.email} is revoked.",
    ),
    "sign_out": _Step(
        actions.sign_out_of_clinic,
        "Sign them out of this clinic",
        "Every session in which they work in this clinic ends now; they can sign in again. "
        "Their work at another clinic is not touched.",
        "Sign out of this clinic",
        lambda m, n: f"{n} session(s) of {m.user.full_name} ended.",
    ),
    "reset_two_factor": _Step(
        actions.reset_two_factor,
        "Reset their two-factor sign-in",
        "Their authenticator app and recovery codes stop working and their sessions end. At "
        "their next sign-in they set up the authenticator again. They get an email about it.",
        "Reset two-factor",
        lambda m, _: (
            f"Two-factor sign-in of {m.user.full_name} is reset; they set it up at their next "
            "sign-in."
        ),
    ),
    "deactivate": _Step(
        actions.deactivate_account,
        "Deactivate this account",
        "They can no longer sign in anywhere and all their sessions end. Their history stays. "
        "To stop their access to this clinic only, turn their role off instead.",
        "Deactivate account",
        lambda m, _: f"The account of {m.user.full_name} is deactivated.",
        tone="danger",
    ),
}


def _act(request: ClinicRequest, pk: int, name: str) -> HttpResponse:
    membership = _person(request, pk)
    step = STEPS[name]
    if step.destructive and request.POST.get("confirmed") != "1":
        # Without script the dialog never opened: ask here, with the same form.
        return render(
            request,
            "accounts/staff_confirm.html",
            {
                "person": membership,
                "step": step,
                "action_url": request.path,
                "back_url": reverse("accounts:staff_detail", args=[membership.pk]),
            },
        )
    try:
        result = step.run(request.membership, membership, request=request)
    except ValidationError as exc:
        return _detail_page(request, membership, refusal=" ".join(exc.messages))
    return _done(request, membership, step.done(membership, result))


@roles(Role.CLINIC_ADMIN)
@require_POST
def staff_resend_invitation(request: ClinicRequest, pk: int) -> HttpResponse:
    return _act(request, pk, "resend")


@roles(Role.CLINIC_ADMIN)
@require_POST
def staff_revoke_invitation(request: ClinicRequest, pk: int) -> HttpResponse:
    return _act(request, pk, "revoke")


@roles(Role.CLINIC_ADMIN)
@require_POST
def staff_sign_out(request: ClinicRequest, pk: int) -> HttpResponse:
    return _act(request, pk, "sign_out")


@roles(Role.CLINIC_ADMIN)
@require_POST
def staff_reset_two_factor(request: ClinicRequest, pk: int) -> HttpResponse:
    return _act(request, pk, "reset_two_factor")


@roles(Role.CLINIC_ADMIN)
@require_POST
def staff_deactivate(request: ClinicRequest, pk: int) -> HttpResponse:
    return _act(request, pk, "deactivate")
