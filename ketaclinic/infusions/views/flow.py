"""The session's steps: open a session from a booking, take a transition, and the "actions"
panel (the steps this role may take now). A refused step re-renders the session screen with
the refusal at its field and what was typed kept (or, for a role that does not see the
session screen, goes back to the day board with the message)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import URLPattern, path, reverse
from django.views.decorators.http import require_POST

from ketaclinic.access.policy import roles
from ketaclinic.access.request import ClinicRequest
from ketaclinic.access.zones import clinic_zone
from ketaclinic.accounts.staff_forms import show_refusal
from ketaclinic.infusions import panels, policies, states
from ketaclinic.infusions.actions import flow
from ketaclinic.infusions.actions.prechecks import ItemStatus, checklist
from ketaclinic.infusions.models import InfusionSession
from ketaclinic.infusions.views.flow_forms import StepForm
from ketaclinic.infusions.views.session import LIVE_POLL_S, session_of
from ketaclinic.scheduling.board import CardAction, register_board_action
from ketaclinic.scheduling.models import Booking

#: The steps this workflow takes (discharge and sign are the recovery and note workflows').
STEPS = (
    "check_in", "begin_checks", "start", "pause", "resume", "complete", "stop_early",
    "begin_recovery", "no_show", "cancel",
)  # fmt: skip
#: The steps that append a pump event, so their form carries an idempotency key.
PUMP_STEPS = frozenset({"start", "pause", "resume", "complete", "stop_early"})
#: Reasons asked even where the state table does not insist (the booking keeps one).
REASON_STEPS = frozenset({n for n, t in states.TRANSITIONS.items() if t.needs_reason} | {"no_show"})
FORMS_ATTR = "_flow_forms"
CHECKLIST_ATTR = "_flow_checklist"


def checklist_of(request: ClinicRequest, session: InfusionSession) -> list[ItemStatus]:
    """``checklist(session)``, read once per request (both panels show it)."""
    found: list[ItemStatus] | None = getattr(request, CHECKLIST_ATTR, None)
    if found is None:
        found = checklist(session)
        setattr(request, CHECKLIST_ATTR, found)
    return found


def bound_forms(request: ClinicRequest) -> dict[str, forms.Form]:
    """Forms a refused POST left for the panels to show again (keyed "step:<name>",
    "check:<item>", "override:<item>")."""
    found: dict[str, forms.Form] = getattr(request, FORMS_ATTR, {})
    return found


def render_session(
    request: ClinicRequest, session: InfusionSession, bound: Mapping[str, forms.Form]
) -> HttpResponse:
    """The session screen again (as ``views.session.session_detail`` draws it) with ``bound``
    forms showing their errors and what was typed."""
    setattr(request, FORMS_ATTR, dict(bound))
    session = session_of(request, session.pk)  # what is stored now (a conflict shows theirs)
    return render(
        request,
        "infusions/session.html",
        {
            "session": session,
            "panels": panels.rendered(request, session, live=False),
            "live_panels": panels.rendered(request, session, live=True),
            "poll_s": LIVE_POLL_S,
            "transitions": states.available(session.state),
        },
    )


def board_url(session: InfusionSession | Booking) -> str:
    starts = (
        session.booking.starts_at if isinstance(session, InfusionSession) else session.starts_at
    )
    day = starts.astimezone(clinic_zone(session.clinic)).date()
    return reverse("scheduling:board") + f"?day={day.isoformat()}"


def back(request: ClinicRequest, session: InfusionSession) -> HttpResponse:
    """To the session screen, or the day board for front desk that does not see it."""
    if policies.can_read(request.membership, session):
        return redirect("infusions:session", pk=session.pk)
    return redirect(board_url(session))


@roles(*policies.FRONT_DESK_ROLES)
@require_POST
def open_session(request: ClinicRequest, booking_pk: int) -> HttpResponse:
    booking = get_object_or_404(
        Booking.objects.select_related("patient"), pk=booking_pk, clinic=request.clinic
    )
    try:
        session = flow.open_session(request.membership, booking, request=request)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(board_url(booking))
    messages.success(request, f"Session open for {booking.patient.display_name}.")
    return back(request, session)


def _call(name: str, request: ClinicRequest, s: InfusionSession, data: dict[str, Any]) -> Any:
    by, v, reason = request.membership, data.get("version"), str(data.get("reason") or "")
    if v is None:
        raise ValidationError({"__all__": "This form is missing its version: reload the page."})
    k, r = str(data.get("idempotency_key") or ""), request
    if name == "check_in":
        return flow.check_in(by, s, expected_version=v, request=r)
    if name == "begin_checks":
        return flow.begin_checks(by, s, expected_version=v, request=r)
    if name == "start":
        return flow.start(by, s, expected_version=v, idempotency_key=k, request=r)
    if name == "pause":
        return flow.pause(by, s, reason=reason, expected_version=v, idempotency_key=k, request=r)
    if name == "resume":
        return flow.resume(
            by, s, reason=reason, rate_ml_per_h=data.get("rate_ml_per_h"), expected_version=v,
            idempotency_key=k, request=r,
        )  # fmt: skip
    if name == "complete":
        return flow.complete(by, s, reason=reason, expected_version=v, idempotency_key=k, request=r)
    if name == "stop_early":
        return flow.stop_early(
            by, s, reason=reason, expected_version=v, idempotency_key=k, request=r
        )
    if name == "begin_recovery":
        return flow.begin_recovery(by, s, expected_version=v, request=r)
    if name == "no_show":
        return flow.no_show(by, s, reason=reason, expected_version=v, request=r)
    return flow.cancel(by, s, reason=reason, expected_version=v, request=r)


@roles(*policies.FRONT_DESK_ROLES)
@require_POST
def step(request: ClinicRequest, pk: int, name: str) -> HttpResponse:
    if name not in STEPS:
        raise Http404("No such step here.")
    session = session_of(request, pk)
    form = StepForm(request.POST, prefix=name, with_rate=name == "resume")
    if form.is_valid():
        try:
            after = _call(name, request, session, form.cleaned_data)
        except ValidationError as exc:
            show_refusal(form, exc)
        else:
            label = states.TRANSITIONS[name].label
            messages.success(request, f"{label}: done. The session is {after.state_label}.")
            return back(request, after)
    if not policies.can_read(request.membership, session):
        messages.error(request, " ".join(str(e) for errs in form.errors.values() for e in errs))
        return redirect(board_url(session))
    return render_session(request, session, {f"step:{name}": form})


def step_form(request: ClinicRequest, session: InfusionSession, name: str) -> forms.Form:
    found = bound_forms(request).get(f"step:{name}")
    if found is not None:
        return found
    return StepForm(prefix=name, with_rate=name == "resume", initial={"version": session.version})


def actions_context(request: ClinicRequest, session: InfusionSession) -> dict[str, Any]:
    """The steps open from this state that this role may take (the others are hidden)."""
    by = request.membership
    shown = []
    blockers: list[str] = []
    for t in states.available(session.state):
        if t.name not in STEPS or not policies.can_take(by, session, t.name):
            continue
        if t.name == "start":
            blockers = flow.start_blockers(session, checklist_of(request, session))
        shown.append(
            {
                "name": t.name,
                "label": t.label,
                "form": step_form(request, session, t.name),
                "reason": t.name in REASON_STEPS,
                "danger": t.name in ("cancel", "no_show", "stop_early"),
                "blocked": blockers if t.name == "start" else [],
                "url": reverse("infusions:step", args=[session.pk, t.name]),
            }
        )
    return {"steps": shown}


panels.register_panel(
    panels.Panel(
        "actions",
        "Next steps",
        "infusions/panels/_actions.html",
        actions_context,
        order=10,
        states=frozenset(
            {
                states.SCHEDULED,
                states.CHECKED_IN,
                states.PRECHECKS,
                states.INFUSING,
                states.PAUSED,
                states.STOPPED_EARLY,
            }
        ),  # fmt: skip
    )
)


def board_actions(bookings: Sequence[Booking]) -> Mapping[int, list[CardAction]]:
    """Each card: "Open session" while the booking has none; then the session's link (for
    the roles that see it) and, while scheduled, "Check in" (one query for the whole day)."""
    opened = {
        booking_id: (pk, state, version)
        for booking_id, pk, state, version in InfusionSession.objects.filter(
            booking_id__in=[b.pk for b in bookings]
        ).values_list("booking_id", "pk", "state", "version")
    }
    readers = frozenset(str(r) for r in policies.READ_ROLES)
    out: dict[int, list[CardAction]] = {}
    for b in bookings:
        if b.pk not in opened:
            if b.status == "booked":
                out[b.pk] = [CardAction("Open session", reverse("infusions:open", args=[b.pk]),
                                        post=True)]  # fmt: skip
            continue
        pk, state, version = opened[b.pk]
        found = [CardAction("Session", reverse("infusions:session", args=[pk]), roles=readers)]
        if state == states.SCHEDULED:
            found.append(
                CardAction(
                    "Check in",
                    reverse("infusions:step", args=[pk, "check_in"]),
                    post=True,
                    fields=(("check_in-version", str(version)),),
                )  # fmt: skip
            )
        out[b.pk] = found
    return out


def register() -> None:
    register_board_action(board_actions)


urlpatterns: list[URLPattern] = [
    path("bookings/<int:booking_pk>/session/", open_session, name="open"),
    path("sessions/<int:pk>/step/<slug:name>/", step, name="step"),
]
