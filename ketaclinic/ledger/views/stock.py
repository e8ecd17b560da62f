"""Stock by location, a container's full history, receipts, transfers, today's sessions."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_safe

from ketaclinic.access.policy import roles
from ketaclinic.access.request import ClinicRequest
from ketaclinic.access.zones import clinic_today, clinic_zone
from ketaclinic.infusions.models import InfusionSession
from ketaclinic.ledger import policies, screens
from ketaclinic.ledger.actions import setup, stock
from ketaclinic.ledger.forms import ReceiveForm, TransferForm
from ketaclinic.ledger.models import Container
from ketaclinic.ledger.views._common import CUSTODIAN, READ, refuse


@roles(*READ)
@require_safe
def stock_page(request: ClinicRequest) -> HttpResponse:
    today = clinic_today(request.clinic)
    rows = screens.stock_rows(request.clinic.pk, today)
    locations: dict[str, list[screens.StockRow]] = {}
    for row in rows:
        locations.setdefault(row.balance.location.name, []).append(row)
    return render(
        request,
        "ledger/stock.html",
        {
            "locations": locations,
            "window_days": screens.EXPIRY_WARNING_DAYS,
            "can_manage": policies.can_manage_stock(request.membership, request.clinic.pk),
        },
    )


@roles(*READ)
@require_safe
def container_page(request: ClinicRequest, pk: int) -> HttpResponse:
    container = get_object_or_404(
        Container.objects.select_related("lot__drug", "lot__supplier", "balance__location"),
        pk=pk,
        clinic=request.clinic,
    )
    return render(
        request,
        "ledger/container.html",
        {
            "container": container,
            "rows": screens.history(container),
            "zone": clinic_zone(request.clinic),
            "status": screens.expiry_status(container.lot.expiry, clinic_today(request.clinic)),
        },
    )


@roles(*CUSTODIAN)
@require_http_methods(["GET", "POST"])
def receive_page(request: ClinicRequest) -> HttpResponse:
    clinic_id = request.clinic.pk
    form = ReceiveForm(
        clinic_id, request.POST or None, initial={"received_on": clinic_today(request.clinic)}
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            with transaction.atomic():
                supplier = data["supplier"] or setup.create_supplier(
                    request.membership,
                    name=data["supplier_name"],
                    address=data["supplier_address"],
                    dea_number=data["supplier_dea_number"],
                    request=request,
                )
                written = stock.receive(
                    request.membership,
                    drug=data["drug"],
                    supplier=supplier,
                    lot_number=data["lot_number"],
                    expiry=data["expiry"],
                    invoice_number=data["invoice_number"],
                    received_on=data["received_on"],
                    location=data["location"],
                    labels=form.label_list(),
                    idempotency_key=data["idempotency_key"],
                    request=request,
                )
        except ValidationError as exc:
            refuse(
                form,
                exc,
                {
                    "dea_number": "supplier_dea_number",
                    "name": "supplier_name",
                    "address": "supplier_address",
                },
            )
        else:
            messages.success(request, f"{len(written)} container(s) received.")
            return redirect("ledger:stock")
    return render(
        request,
        "ledger/form.html",
        {"form": form, "title": "Receive stock", "intro": RECEIVE_INTRO},
    )


RECEIVE_INTRO = (
    "The receipt record of 21 CFR 1304.22(c): the drug item (name, strength, form, units per "
    "container), the number of containers, the date, and the supplier's name, address and DEA "
    "number. Schedule III–V stock is ordered by invoice; keep the invoice with the records."
)


@roles(*CUSTODIAN)
@require_http_methods(["GET", "POST"])
def transfer_page(request: ClinicRequest) -> HttpResponse:
    form = TransferForm(request.clinic.pk, request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            stock.transfer(
                request.membership,
                data["container"],
                data["to_location"],
                reason=data["reason"],
                idempotency_key=data["idempotency_key"],
                request=request,
            )
        except ValidationError as exc:
            refuse(form, exc)
        else:
            messages.success(request, "Moved.")
            return redirect("ledger:stock")
    return render(request, "ledger/form.html", {"form": form, "title": "Move a container"})


@roles(*READ)
@require_safe
def sessions_page(request: ClinicRequest) -> HttpResponse:
    """Today's infusion sessions (by their booking's start in clinic time) with their draw,
    administered, waste and reconciliation status."""
    today = clinic_today(request.clinic)
    start = dt.datetime.combine(today, dt.time.min, clinic_zone(request.clinic))
    sessions = list(
        InfusionSession.objects.filter(
            clinic=request.clinic,
            booking__starts_at__gte=start,
            booking__starts_at__lt=start + dt.timedelta(days=1),
        )
        .select_related("patient", "booking__chair")
        .order_by("booking__starts_at", "id")
    )
    return render(
        request,
        "ledger/sessions.html",
        {"rows": screens.session_statuses(sessions), "today": today},
    )
