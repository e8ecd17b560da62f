"""Invitations to accounts that already exist: the invited person's answer, the admin's
withdrawal. See ``accounts/actions/invitations.py``.

The invited person reaches only their own invitations (another account gets 404, as for a
row that does not exist); the admin reaches only their clinic's.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST, require_safe

from ketaclinic.access.policy import roles, verified
from ketaclinic.access.request import ClinicRequest, VerifiedRequest
from ketaclinic.accounts.actions import invitations as actions
from ketaclinic.accounts.models import Invitation, Role


@verified
@require_safe
def invitation_list(request: VerifiedRequest) -> HttpResponse:
    return render(
        request,
        "accounts/invitations.html",
        {"invitations": list(actions.pending_for(request.user))},
    )


def _mine(request: VerifiedRequest, pk: int) -> Invitation:
    return get_object_or_404(Invitation, pk=pk, user=request.user)


@verified
@require_POST
def invitation_accept(request: VerifiedRequest, pk: int) -> HttpResponse:
    invitation = _mine(request, pk)
    try:
        membership = actions.accept_invitation(request.user, invitation, request=request)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("accounts:invitations")
    messages.success(
        request,
        f"You now work with {membership.clinic.name} as {membership.get_role_display()}. "
        "Switch to it with the clinic menu.",
    )
    return redirect("web:home")


@verified
@require_POST
def invitation_decline(request: VerifiedRequest, pk: int) -> HttpResponse:
    invitation = _mine(request, pk)
    try:
        actions.decline_invitation(request.user, invitation, request=request)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, "Invitation declined.")
    return redirect("accounts:invitations")


@roles(Role.CLINIC_ADMIN)
@require_POST
def invitation_withdraw(request: ClinicRequest, pk: int) -> HttpResponse:
    invitation = get_object_or_404(Invitation, pk=pk, clinic=request.clinic)
    try:
        actions.withdraw_invitation(request.membership, invitation, request=request)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, "Invitation withdrawn.")
    return redirect("accounts:staff_list")
