"""The day board (``scheduling.board``): the whole page, and the partial that htmx fetches
every 30 seconds (``hx-trigger="every 30s"``) and on the refresh button."""

from __future__ import annotations

import datetime as dt

from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_safe

from ketaclinic.access.policy import roles
from ketaclinic.access.request import ClinicRequest
from ketaclinic.access.zones import clinic_today
from ketaclinic.audit.log import record
from ketaclinic.scheduling import policies
from ketaclinic.scheduling.board import board_for


def _day(request: ClinicRequest) -> dt.date:
    try:
        return dt.date.fromisoformat(request.GET.get("day", ""))
    except ValueError:
        return clinic_today(request.clinic)


def _context(request: ClinicRequest) -> dict[str, object]:
    day = _day(request)
    base = reverse("scheduling:board")
    return {
        "board": board_for(request.clinic, day),
        "day": day,
        "today": clinic_today(request.clinic),
        "prev_url": f"{base}?day={(day - dt.timedelta(days=1)).isoformat()}",
        "next_url": f"{base}?day={(day + dt.timedelta(days=1)).isoformat()}",
        "today_url": base,
        "partial_url": reverse("scheduling:board_partial") + f"?day={day.isoformat()}",
        "book_url": reverse("scheduling:book") + f"?day={day.isoformat()}",
    }


@roles(*policies.BOOKING_ROLES)
@require_safe
def board(request: ClinicRequest) -> HttpResponse:
    context = _context(request)
    # The board names the day's patients: its opening is recorded (not each refresh).
    record("view.schedule_board", request=request, after={"day": str(context["day"])})
    return render(request, "scheduling/board.html", context)


@roles(*policies.BOOKING_ROLES)
@require_safe
def board_partial(request: ClinicRequest) -> HttpResponse:
    return render(request, "scheduling/_board.html", _context(request))
