"""Booking a chair, a booking's page with its history, and moving, cancelling, a no-show or
completing it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from ketaclinic.access.policy import clinic_scoped, roles
from ketaclinic.access.request import ClinicRequest
from ketaclinic.access.zones import clinic_today, clinic_zone
from ketaclinic.accounts.staff_forms import show_refusal
from ketaclinic.scheduling import actions, policies
from ketaclinic.scheduling.availability import settings_for
from ketaclinic.scheduling.forms import BookingForm, MoveForm, ReasonForm
from ketaclinic.scheduling.models import Booking, BookingStatus


def _booking(request: ClinicRequest, pk: int) -> Booking:
    rows = Booking.objects.select_related("patient__clinic", "chair", "created_by")
    return get_object_or_404(clinic_scoped(rows, request), pk=pk)


def _show(form: BookingForm | MoveForm, exc: ValidationError) -> None:
    """The action's refusal at the field it names (``starts_at`` is typed as day and time)."""
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc)
        return
    for field, errors in exc.error_dict.items():
        name = "time" if field == "starts_at" else field
        form.add_error(name if name in form.fields else None, errors)


def _board_url(booking: Booking) -> str:
    day = booking.starts_at.astimezone(clinic_zone(booking.patient.clinic)).date()
    return reverse("scheduling:board") + f"?day={day.isoformat()}"


@roles(*policies.BOOKING_ROLES)
@require_http_methods(["GET", "HEAD", "POST"])
def book(request: ClinicRequest) -> HttpResponse:
    chosen = settings_for(request.clinic)
    initial: dict[str, Any] = {"day": request.GET.get("day") or clinic_today(request.clinic)}
    for key in ("patient", "chair", "time"):
        if request.GET.get(key):
            initial[key] = request.GET[key]
    form = BookingForm(
        request.clinic, chosen, request.POST if request.method == "POST" else None, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            booking = actions.book_chair(
                request.membership, data["patient"], chair=data["chair"],
                starts_at=form.starts_at(), infusion_minutes=data["infusion_minutes"],
                recovery_minutes=data["recovery_minutes"], request=request,
            )  # fmt: skip
        except ValidationError as exc:
            _show(form, exc)
        else:
            messages.success(
                request, f"Booked: {booking.chair.name}, {form.starts_at():%d %B %H:%M}."
            )
            return redirect(_board_url(booking))
    return render(request, "scheduling/book.html", {"form": form, "chosen": chosen})


def _detail(request: ClinicRequest, booking: Booking, **forms: Any) -> HttpResponse:
    zone = clinic_zone(booking.patient.clinic)
    local = booking.starts_at.astimezone(zone)
    events = list(booking.events.select_related("by", "from_chair", "to_chair"))
    # The patient's record of missed visits (§9.4: a missed induction visit needs rebooking
    # within the series window and a check-in).
    missed = Booking.objects.filter(patient_id=booking.patient_id).aggregate(
        no_shows=Count("pk", filter=Q(status=BookingStatus.NO_SHOW)),
        late_cancellations=Count("pk", filter=Q(cancelled_late=True)),
    )
    context = {
        "booking": booking,
        "starts": local,
        "ends": booking.ends_at.astimezone(zone),
        "events": events,
        "missed": missed,
        "can_book": policies.can_book(request.membership, booking.clinic_id),
        "is_open": booking.status == BookingStatus.BOOKED,
        "move_form": forms.get("move_form")
        or MoveForm(
            booking.patient.clinic,
            initial={"chair": booking.chair_id, "day": local.date(), "time": local.time()},
        ),
        "cancel_form": forms.get("cancel_form") or ReasonForm(prefix="cancel"),
        "no_show_form": forms.get("no_show_form") or ReasonForm(prefix="noshow"),
        "board_url": _board_url(booking),
    }
    return render(request, "scheduling/booking_detail.html", context)


@roles(*policies.BOOKING_ROLES)
@require_safe
def booking_detail(request: ClinicRequest, pk: int) -> HttpResponse:
    return _detail(request, _booking(request, pk))


@roles(*policies.BOOKING_ROLES)
@require_POST
def reschedule(request: ClinicRequest, pk: int) -> HttpResponse:
    booking = _booking(request, pk)
    form = MoveForm(booking.patient.clinic, request.POST)
    if form.is_valid():
        try:
            actions.reschedule_booking(
                request.membership, booking, starts_at=form.starts_at(),
                chair=form.cleaned_data["chair"], reason=form.cleaned_data["reason"],
                request=request,
            )  # fmt: skip
        except ValidationError as exc:
            _show(form, exc)
        else:
            messages.success(request, "Booking moved.")
            return redirect("scheduling:booking", pk=booking.pk)
    return _detail(request, booking, move_form=form)


def _with_reason(
    prefix: str, form_key: str, act: Callable[..., Any], done: str
) -> Callable[[ClinicRequest, int], HttpResponse]:
    def view(request: ClinicRequest, pk: int) -> HttpResponse:
        booking = _booking(request, pk)
        form = ReasonForm(request.POST, prefix=prefix)
        if form.is_valid():
            try:
                event = act(
                    request.membership, booking, reason=form.cleaned_data["reason"],
                    request=request,
                )  # fmt: skip
            except ValidationError as exc:
                show_refusal(form, exc)
            else:
                fee = f" Fee noted: {event.fee_noted}." if event.fee_noted else ""
                messages.success(request, f"{event.get_kind_display()}.{fee} {done}")
                return redirect("scheduling:booking", pk=booking.pk)
        return _detail(request, booking, **{form_key: form})

    return view


cancel = roles(*policies.BOOKING_ROLES)(
    require_POST(
        _with_reason("cancel", "cancel_form", actions.cancel_booking, "The chair is free.")
    )
)
no_show = roles(*policies.BOOKING_ROLES)(
    require_POST(
        _with_reason(
            "noshow",
            "no_show_form",
            actions.record_no_show,
            "Rebook within the series window; check in with the patient.",
        )  # fmt: skip
    )
)


@roles(*policies.BOOKING_ROLES)
@require_POST
def complete(request: ClinicRequest, pk: int) -> HttpResponse:
    booking = _booking(request, pk)
    try:
        actions.complete_booking(request.membership, booking, request=request)
    except ValidationError as exc:
        messages.error(request, "; ".join(exc.messages))
    else:
        messages.success(request, "Marked completed.")
    return redirect("scheduling:booking", pk=booking.pk)
