"""What the clinic shares with outside professionals (on a patient's consent), and revoking
it: the clinic admin's oversight page."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from ketaclinic.access.policy import roles
from ketaclinic.access.request import ClinicRequest
from ketaclinic.accounts.actions.grants import revoke_shared_access
from ketaclinic.accounts.models import Role, SharedAccess

PAGE_SIZE = 25
REVOKE_REASON = "Revoked by the clinic admin on the Shared access page"
SHOW_CHOICES = {"current": "Current and upcoming", "all": "All, ended ones too"}


@dataclass(frozen=True)
class GrantState:
    label: str
    tone: str
    revocable: bool


def grant_state(grant: SharedAccess, now: Any) -> GrantState:
    if grant.revoked_at is not None:
        return GrantState("Revoked", "neutral", False)
    if grant.expires_at is not None and grant.expires_at <= now:
        return GrantState("Expired", "neutral", False)
    if grant.valid_from > now:
        return GrantState("Starts later", "info", True)
    return GrantState("Shared now", "success", True)


def _grants(request: ClinicRequest) -> QuerySet[SharedAccess]:
    return SharedAccess.objects.filter(clinic=request.clinic).select_related(
        "professional", "granted_by", "revoked_by", "content_type"
    )


@roles(Role.CLINIC_ADMIN)
def shared_access_list(request: ClinicRequest) -> HttpResponse:
    show = request.GET.get("show", "current")
    if show not in SHOW_CHOICES:
        show = "current"
    now = timezone.now()
    rows = _grants(request)
    if show == "current":
        rows = rows.filter(revoked_at__isnull=True).filter(
            Q(expires_at__isnull=True) | Q(expires_at__gt=now)
        )
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "accounts/shared_access_list.html",
        {
            "page": page,
            "grants": [(g, grant_state(g, now)) for g in page.object_list],
            "show": show,
            "show_choices": SHOW_CHOICES,
            "page_qs": f"show={show}",
        },
    )


@roles(Role.CLINIC_ADMIN)
@require_POST
def shared_access_revoke(request: ClinicRequest, pk: int) -> HttpResponse:
    grant = get_object_or_404(_grants(request), pk=pk)
    if request.POST.get("confirmed") != "1":
        # Without script the dialog never opened: ask here, with the same form.
        return render(
            request,
            "accounts/shared_access_confirm.html",
            {
                "grant": grant,
                "action_url": request.path,
                "back_url": reverse("accounts:shared_access_list"),
            },
        )
    revoke_shared_access(request.membership, grant, REVOKE_REASON, request=request)
    messages.success(request, f"{grant.professional.full_name} no longer sees this record.")
    return redirect("accounts:shared_access_list")
