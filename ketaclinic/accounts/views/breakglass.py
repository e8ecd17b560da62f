"""Break-glass: a staff member asks for emergency access with a reason; the admin reviews."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.core.paginator import Paginator
from django.db.models import Model
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from ketaclinic.access.policy import roles, staff
from ketaclinic.access.request import ClinicRequest
from ketaclinic.accounts.actions.grants import open_break_glass, review_break_glass
from ketaclinic.accounts.forms import BreakGlassForm, ReviewForm
from ketaclinic.accounts.models import BreakGlassGrant, Role
from ketaclinic.accounts.policies import clinic_id_of, is_break_glass_target
from ketaclinic.accounts.views.common import safe_next


def _target(request: HttpRequest) -> Model:
    """The record named by ``ct`` and ``id``: a break-glass target of the current clinic."""
    data = request.POST if request.method == "POST" else request.GET
    ct_id, obj_id = data.get("ct", ""), data.get("id", "")
    if not ct_id.isdigit() or not obj_id:
        raise Http404("No record given.")
    try:
        content_type = ContentType.objects.get_for_id(int(ct_id))
    except ContentType.DoesNotExist as exc:
        raise Http404("No such kind of record.") from exc
    model = content_type.model_class()
    if model is None or not is_break_glass_target(model):
        raise Http404("Emergency access does not apply to this kind of record.")
    try:
        obj = model._default_manager.get(pk=obj_id)
    except (ObjectDoesNotExist, ValueError, ValidationError) as exc:
        raise Http404("No such record.") from exc
    clinic = getattr(request, "clinic", None)
    if clinic is None or clinic_id_of(obj) != clinic.pk:
        raise Http404("No such record in this clinic.")
    return obj


@staff
def break_glass(request: ClinicRequest) -> HttpResponse:
    obj = _target(request)
    next_url = safe_next(request, request.POST.get("next") or request.GET.get("next"))
    form = BreakGlassForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            grant = open_break_glass(
                request.membership, obj, form.cleaned_data["reason"], request=request
            )
        except ValidationError as exc:
            form.add_error(None, exc)
            form.describe()
        else:
            until = timezone.localtime(grant.expires_at)
            messages.warning(
                request,
                f"Emergency access granted until {until:%H:%M %Z}. "
                "Your clinic admin has been told.",
            )
            return redirect(next_url or "web:home")
    content_type = ContentType.objects.get_for_model(obj, for_concrete_model=True)
    return render(
        request,
        "accounts/break_glass.html",
        {
            "form": form,
            "target_kind": content_type.name,
            "ct": content_type.pk,
            "obj_id": obj.pk,
            "next": next_url,
        },
    )


def _review_page(
    request: HttpRequest, page: Any, show: str, failed: dict[str, Any] | None = None
) -> HttpResponse:
    return render(
        request,
        "accounts/break_glass_review.html",
        {
            "page": page,
            "show": show,
            "page_qs": urlencode({"show": show}),
            "failed": failed or {},
        },
    )


@roles(Role.CLINIC_ADMIN)
def break_glass_review(request: ClinicRequest) -> HttpResponse:
    show = request.GET.get("show", "open")
    grants = BreakGlassGrant.objects.filter(clinic=request.clinic).select_related(
        "user", "reviewed_by", "content_type"
    )
    if show != "all":
        grants = grants.filter(reviewed_at__isnull=True)
    page = Paginator(grants, 25).get_page(request.GET.get("page"))
    return _review_page(request, page, show)


@roles(Role.CLINIC_ADMIN)
@require_POST
def break_glass_reviewed(request: ClinicRequest, pk: int) -> HttpResponse:
    grant = get_object_or_404(BreakGlassGrant, pk=pk, clinic=request.clinic)
    form = ReviewForm(request.POST)
    if form.is_valid():
        try:
            review_break_glass(
                request.membership, grant, form.cleaned_data["note"], request=request
            )
        except ValidationError as exc:
            form.add_error("note" if hasattr(exc, "error_dict") else None, exc)
        else:
            messages.success(request, "Marked as reviewed.")
            return redirect("accounts:break_glass_review")
    # Show this grant alone, with the error next to its note and the note as typed.
    errors = [str(e) for errs in form.errors.values() for e in errs]
    failed = {"pk": grant.pk, "note": request.POST.get("note", ""), "errors": errors}
    return _review_page(request, Paginator([grant], 25).get_page(1), "open", failed)
