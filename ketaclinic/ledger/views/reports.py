"""Reports with CSV and PDF exports, and the initial and biennial inventories."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_safe

from ketaclinic.access.policy import roles
from ketaclinic.access.request import ClinicRequest
from ketaclinic.access.zones import clinic_today, clinic_zone
from ketaclinic.accounts.models import Membership
from ketaclinic.audit.log import record
from ketaclinic.ledger import reports, screens
from ketaclinic.ledger.actions.oversight import InventoryCount, record_inventory
from ketaclinic.ledger.forms import InventoryForm
from ketaclinic.ledger.models import Inventory, Lot, Registration
from ketaclinic.ledger.views._common import CUSTODIAN, READ, refuse
from ketaclinic.patients.models import Patient


class ReportFilter(forms.Form):
    report = forms.ChoiceField(
        choices=[(k, v[0]) for k, v in reports.KINDS.items()], required=False
    )
    start = forms.DateField(
        required=False, widget=forms.DateInput(attrs={"type": "date"}), label="From"
    )
    end = forms.DateField(
        required=False, widget=forms.DateInput(attrs={"type": "date"}), label="To"
    )
    patient = forms.ModelChoiceField(queryset=Patient.objects.none(), required=False)
    staff = forms.ModelChoiceField(
        queryset=Membership.objects.none(), required=False, label="Staff member"
    )
    lot = forms.ModelChoiceField(queryset=Lot.objects.none(), required=False)

    def __init__(self, clinic_id: int, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["patient"].queryset = Patient.objects.filter(clinic_id=clinic_id)  # type: ignore[attr-defined]
        self.fields["staff"].queryset = Membership.objects.filter(  # type: ignore[attr-defined]
            clinic_id=clinic_id
        ).select_related("user")
        self.fields["lot"].queryset = Lot.objects.filter(clinic_id=clinic_id)  # type: ignore[attr-defined]
        self.fields["staff"].label_from_instance = lambda m: m.user.full_name  # type: ignore[attr-defined]

    def filters(self) -> reports.Filters:
        if not self.is_valid():
            return reports.Filters()
        d = self.cleaned_data
        return reports.Filters(
            report=d["report"] or "administration",
            start=d["start"],
            end=d["end"],
            patient_id=d["patient"].pk if d["patient"] else None,
            staff_id=d["staff"].user_id if d["staff"] else None,
            lot_id=d["lot"].pk if d["lot"] else None,
        )


def _filtered(request: ClinicRequest) -> tuple[ReportFilter, reports.Filters]:
    form = ReportFilter(request.clinic.pk, request.GET or None)
    return form, form.filters()


@roles(*READ)
@require_safe
def reports_page(request: ClinicRequest) -> HttpResponse:
    form, f = _filtered(request)
    header, rows = reports.table(request.clinic.pk, f, clinic_zone(request.clinic))
    return render(
        request,
        "ledger/reports.html",
        {
            "form": form,
            "title": reports.KINDS[f.report][0],
            "header": header,
            "rows": rows,
            "query": request.GET.urlencode(),
        },
    )


def _export(request: ClinicRequest, kind: str) -> tuple[str, list[str], list[list[str]]]:
    _form, f = _filtered(request)
    header, rows = reports.table(request.clinic.pk, f, clinic_zone(request.clinic))
    record(
        "ledger.report.export",
        request=request,
        by=request.membership,
        clinic=request.clinic,
        after={"report": f.report, "format": kind, "rows": len(rows)},
    )
    return reports.KINDS[f.report][0], header, rows


@roles(*READ)
@require_safe
def report_csv(request: ClinicRequest) -> HttpResponse:
    title, header, rows = _export(request, "csv")
    response = HttpResponse(reports.csv_text(header, rows), content_type="text/csv")
    name = title.lower().replace(" ", "-").replace(",", "")
    response["Content-Disposition"] = f'attachment; filename="ledger-{name}.csv"'
    return response


@roles(*READ)
@require_safe
def report_pdf(request: ClinicRequest) -> HttpResponse:
    title, header, rows = _export(request, "pdf")
    printed = clinic_today(request.clinic)
    subtitle = f"{request.clinic.name}. Controlled-substance ledger, printed {printed}."
    response = HttpResponse(
        reports.report_pdf(title, subtitle, header, rows), content_type="application/pdf"
    )
    response["Content-Disposition"] = 'inline; filename="ledger-report.pdf"'
    return response


@roles(*CUSTODIAN)
@require_http_methods(["GET", "POST"])
def inventory_page(request: ClinicRequest) -> HttpResponse:
    """The initial or biennial inventory of the clinic's (first active) registration, with
    the reminder before the two-year date."""
    clinic = request.clinic
    today = clinic_today(clinic)
    registration = Registration.objects.filter(clinic=clinic, is_active=True).first()
    containers = list(screens.with_stock(clinic.pk))
    form = InventoryForm(containers, request.POST or None, initial={"taken_on": today})
    if request.method == "POST" and registration is not None and form.is_valid():
        d = form.cleaned_data
        lines = [InventoryCount(c, d[f"line_{c.pk}"], d[f"estimated_{c.pk}"]) for c in containers]
        try:
            inv = record_inventory(
                request.membership,
                registration,
                kind=d["kind"],
                taken_on=d["taken_on"],
                business_time=d["business_time"],
                lines=lines,
                note=d["note"],
                request=request,
            )
        except ValidationError as exc:
            refuse(form, exc)
        else:
            messages.success(request, f"{inv.get_kind_display()} recorded.")
            return redirect("ledger:inventory")
    return render(
        request,
        "ledger/inventory.html",
        {
            "form": form,
            "registration": registration,
            "due": screens.inventories_due(clinic.pk, today),
            "inventories": list(
                Inventory.objects.filter(clinic=clinic).select_related("taken_by", "registration")
            ),
        },
    )


@roles(*READ)
@require_safe
def inventory_pdf(request: ClinicRequest, pk: int) -> HttpResponse:
    inv = get_object_or_404(
        Inventory.objects.select_related("registration", "taken_by"), pk=pk, clinic=request.clinic
    )
    response = HttpResponse(reports.inventory_pdf(inv), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="inventory-{inv.taken_on}.pdf"'
    return response
