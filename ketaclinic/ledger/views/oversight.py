"""Blind counts, loss reports, destruction, adjustments and the discrepancy workflow."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from ketaclinic.access.policy import roles
from ketaclinic.access.request import ClinicRequest
from ketaclinic.access.zones import clinic_today
from ketaclinic.ledger import deadlines, policies, screens
from ketaclinic.ledger.actions import disposal, oversight
from ketaclinic.ledger.actions._base import Witness
from ketaclinic.ledger.forms import (
    AdjustForm,
    CountForm,
    DestroyForm,
    LossForm,
    NoteForm,
    ResolveForm,
)
from ketaclinic.ledger.models import Count, Discrepancy, LossReport
from ketaclinic.ledger.views._common import CUSTODIAN, LOSS, READ, refuse


@roles(*CUSTODIAN)
@require_http_methods(["GET", "POST"])
def count_page(request: ClinicRequest) -> HttpResponse:
    """The blind count: the form shows each container but never its expected balance; the
    comparison is shown only after the count is stored (``count_result``)."""
    containers = list(screens.with_stock(request.clinic.pk))
    form = CountForm(containers, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            count = oversight.record_count(
                request.membership,
                counted_ml=form.counted(),
                occasion=form.cleaned_data["occasion"],
                note=form.cleaned_data["note"],
                idempotency_key=form.cleaned_data["idempotency_key"],
                request=request,
            )
        except ValidationError as exc:
            refuse(form, exc)
        else:
            return redirect("ledger:count_result", pk=count.pk)
    return render(request, "ledger/count.html", {"form": form, "containers": containers})


@roles(*READ)
@require_safe
def count_result(request: ClinicRequest, pk: int) -> HttpResponse:
    count = get_object_or_404(
        Count.objects.select_related("counted_by"), pk=pk, clinic=request.clinic
    )
    lines = list(
        count.lines.select_related("container__lot__drug", "discrepancy").order_by("container_id")
    )
    return render(request, "ledger/count_result.html", {"count": count, "lines": lines})


@roles(*LOSS)
@require_http_methods(["GET", "POST"])
def loss_page(request: ClinicRequest) -> HttpResponse:
    form = LossForm(request.clinic.pk, request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            _txn, report = disposal.report_loss(
                request.membership,
                data["container"],
                data["mg"],
                theft=data["theft"],
                reason=data["reason"],
                idempotency_key=data["idempotency_key"],
                request=request,
            )
        except ValidationError as exc:
            refuse(form, exc)
        else:
            messages.warning(
                request,
                "Recorded. Written notice to the DEA Field Division due "
                f"{report.written_notice_due}; "
                f"DEA Form 106 due {report.form_106_due}.",
            )
            return redirect("ledger:discrepancies")
    return render(
        request,
        "ledger/form.html",
        {
            "form": form,
            "title": "Report a loss or theft",
            "intro": (
                "21 CFR 1301.76(b), clinical reference §8.1 [E]: notify the DEA Field Division in "
                f"writing within {deadlines.WRITTEN_NOTICE_BUSINESS_DAYS} business day of "
                f"discovery, and file DEA Form 106 within {deadlines.FORM_106_DAYS} days. Both "
                "deadlines are tracked once you record it."
            ),
        },
    )


def _witness(form: DestroyForm | AdjustForm, clinic_id: int, prefix: str) -> Witness | None:
    user = form.witness_user(clinic_id, prefix)
    if user is None:
        return None
    data = form.cleaned_data
    return Witness(user, data[f"{prefix}_password"], data[f"{prefix}_otp"])


@roles(*CUSTODIAN)
@require_http_methods(["GET", "POST"])
def destroy_page(request: ClinicRequest) -> HttpResponse:
    form = DestroyForm(request.clinic.pk, request.POST or None)
    if request.method == "POST" and form.is_valid():
        first, second = (
            _witness(form, request.clinic.pk, "witness_1"),
            _witness(form, request.clinic.pk, "witness_2"),
        )
        if first is not None and second is not None:
            data = form.cleaned_data
            try:
                disposal.destroy(
                    request.membership,
                    data["container"],
                    data["mg"],
                    method=data["method"],
                    form_41=form.form_41(),
                    witnesses=[first, second],
                    expired=data["expired"],
                    reason=data["reason"],
                    idempotency_key=data["idempotency_key"],
                    request=request,
                )
            except ValidationError as exc:
                refuse(
                    form,
                    exc,
                    {
                        "witness_1": "witness_1_otp",
                        "witness_2": "witness_2_otp",
                        "witnesses": "witness_1_email",
                        "form_41": "form41_items",
                    },
                )
            else:
                messages.success(request, "Destruction recorded.")
                return redirect("ledger:stock")
    return render(
        request,
        "ledger/form.html",
        {
            "form": form,
            "title": "Record a destruction",
            "intro": (
                "DEA Form 41 details, and two authorised employees who witnessed it, each "
                "confirming with their own password and authenticator code (21 CFR 1317, "
                "clinical reference §8.1 [E]). Neither may be you."
            ),
        },
    )


@roles(*CUSTODIAN)
@require_http_methods(["GET", "POST"])
def adjust_page(request: ClinicRequest) -> HttpResponse:
    form = AdjustForm(request.clinic.pk, request.POST or None)
    if request.method == "POST" and form.is_valid():
        second = _witness(form, request.clinic.pk, "witness")
        if second is not None:
            data = form.cleaned_data
            try:
                disposal.adjust(
                    request.membership,
                    data["container"],
                    data["mg_delta"],
                    reason=data["reason"],
                    witness=second,
                    idempotency_key=data["idempotency_key"],
                    request=request,
                )
            except ValidationError as exc:
                refuse(form, exc, {"witness": "witness_otp", "mg": "mg_delta"})
            else:
                messages.success(request, "Adjustment recorded.")
                return redirect("ledger:stock")
    return render(
        request,
        "ledger/form.html",
        {
            "form": form,
            "title": "Adjust a count",
            "intro": "A count adjustment needs its reason and two signatures: yours, and a "
            "second authorised employee's (password and authenticator code).",
        },
    )


@roles(*READ)
@require_safe
def discrepancies_page(request: ClinicRequest) -> HttpResponse:
    clinic_id = request.clinic.pk
    return render(
        request,
        "ledger/discrepancies.html",
        {
            "open": list(screens.open_discrepancies(clinic_id)),
            "resolved": list(
                Discrepancy.objects.filter(clinic_id=clinic_id, resolved_at__isnull=False)
                .select_related("container", "session__patient", "resolved_by")
                .order_by("-resolved_at")[:20]
            ),
            "losses": list(screens.open_loss_reports(clinic_id)),
            "today": clinic_today(request.clinic),
        },
    )


def _discrepancy(request: ClinicRequest, pk: int) -> Discrepancy:
    return get_object_or_404(
        Discrepancy.objects.select_related(
            "container__lot__drug",
            "session__patient",
            "opened_by",
            "resolved_by",
            "resolved_with",
            "count_line",
        ),
        pk=pk,
        clinic=request.clinic,
    )


def _discrepancy_response(request: ClinicRequest, row: Discrepancy, **forms: Any) -> HttpResponse:
    by = request.membership
    return render(
        request,
        "ledger/discrepancy.html",
        {
            "d": row,
            "notes": list(row.notes.select_related("written_by")),
            "note_form": forms.get("note_form") or NoteForm(),
            "resolve_form": forms.get("resolve_form") or ResolveForm(),
            "can_note": policies.can_report_loss(by, row.clinic_id),
            "can_resolve": policies.can_manage_stock(by, row.clinic_id),
        },
    )


@roles(*READ)
@require_safe
def discrepancy_page(request: ClinicRequest, pk: int) -> HttpResponse:
    return _discrepancy_response(request, _discrepancy(request, pk))


@roles(*LOSS)
@require_POST
def discrepancy_note(request: ClinicRequest, pk: int) -> HttpResponse:
    row = _discrepancy(request, pk)
    form = NoteForm(request.POST)
    if form.is_valid():
        try:
            oversight.add_discrepancy_note(
                request.membership, row, form.cleaned_data["text"], request=request
            )
        except ValidationError as exc:
            refuse(form, exc)
        else:
            return redirect("ledger:discrepancy", pk=row.pk)
    return _discrepancy_response(request, row, note_form=form)


@roles(*CUSTODIAN)
@require_POST
def discrepancy_resolve(request: ClinicRequest, pk: int) -> HttpResponse:
    row = _discrepancy(request, pk)
    form = ResolveForm(request.POST)
    if form.is_valid():
        try:
            oversight.resolve_discrepancy(
                request.membership,
                row,
                resolution=form.cleaned_data["resolution"],
                request=request,
            )
        except ValidationError as exc:
            refuse(form, exc)
        else:
            messages.success(request, "Resolved and signed off.")
            return redirect("ledger:discrepancy", pk=row.pk)
    return _discrepancy_response(request, row, resolve_form=form)


@roles(*CUSTODIAN)
@require_POST
def loss_notice(request: ClinicRequest, pk: int) -> HttpResponse:
    """The written notice went to the DEA; or, with a reference, Form 106 was filed."""
    report = get_object_or_404(LossReport, pk=pk, clinic=request.clinic)
    reference = (request.POST.get("reference") or "").strip()
    try:
        if request.POST.get("step") == "form_106":
            oversight.record_form_106(
                request.membership, report, reference=reference, request=request
            )
        else:
            oversight.record_written_notice(request.membership, report, request=request)
    except ValidationError as exc:
        for errors in getattr(exc, "message_dict", {"": exc.messages}).values():
            for e in errors:
                messages.error(request, e)
    else:
        messages.success(request, "Recorded.")
    return redirect("ledger:discrepancies")
