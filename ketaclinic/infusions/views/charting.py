"""Session screens: charting. The preparation and pump rate, the tablet vitals form, rate
changes and the alerts of fired threshold rules, each a non-live panel of the session screen
(a poll never wipes what is being typed). A POST redirects to the session with a message, or
shows the screen again with the errors at the field and what was typed; an htmx POST gets the
charting panels back (swapped out of band) instead of a page."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import URLPattern, path, reverse
from django.views.decorators.http import require_POST

from ketaclinic.access.policy import roles
from ketaclinic.access.request import ClinicRequest
from ketaclinic.access.zones import clinic_zone
from ketaclinic.accounts.staff_forms import show_refusal
from ketaclinic.infusions import defaults, panels, policies, states
from ketaclinic.infusions.actions import charting
from ketaclinic.infusions.actions._base import SessionConflict
from ketaclinic.infusions.models import InfusionSession, RuleFiring, VitalsReading
from ketaclinic.infusions.queries import settings_for
from ketaclinic.infusions.views.charting_forms import (
    PrepForm,
    RateForm,
    ReadingForm,
    RespondForm,
    StrikeForm,
    new_key,
)
from ketaclinic.infusions.views.session import LIVE_POLL_S, session_of

#: The panels an htmx charting post redraws: its own, and the Next steps (flow) panel, whose
#: steps and version depend on the preparation and the rate (a stale one would block Start
#: until a reload, or refuse the next step as a conflict).
SLUGS = ("actions", "prep", "vitals", "rate", "firings")
SYMPTOM_LABELS = dict(defaults.SYMPTOM_CHOICES)
_BOUND = "_charting_bound"
READING_FIELDS = (
    "systolic_mmhg", "diastolic_mmhg", "heart_rate_bpm", "spo2_percent", "resp_rate_per_min",
    "temperature_c", "moaas", "dissociation", "symptoms", "on_oxygen", "clinical_at",
)  # fmt: skip


def _bound(request: ClinicRequest) -> dict[str, Any]:
    found: dict[str, Any] = getattr(request, _BOUND, {})
    return found


def _is_htmx(request: ClinicRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def _page(
    request: ClinicRequest, pk: int, bound: dict[str, Any], status: int = 200
) -> HttpResponse:
    """The session screen (or, for htmx, the charting panels) with ``bound`` forms in place of
    fresh ones."""
    setattr(request, _BOUND, bound)
    session = session_of(request, pk)
    if _is_htmx(request):
        # 200 even for a conflict: htmx swaps nothing from an error status by default, and the
        # conflict message must reach the screen.
        mine = [p for p in panels.rendered(request, session, live=False) if p["slug"] in SLUGS]
        return render(request, "infusions/panels/_charting_oob.html", {"panels": mine})
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
        status=status,
    )


def _done(request: ClinicRequest, pk: int, message: str, *, warning: bool = False) -> HttpResponse:
    if _is_htmx(request):
        return _page(request, pk, {"notice": message, "warning": warning})
    (messages.warning if warning else messages.success)(request, message)
    return redirect("infusions:session", pk=pk)


def _fresh_version(form_data: QueryDict, session: InfusionSession) -> QueryDict:
    """What was typed, drawn again from the current version (after a conflict)."""
    data = form_data.copy()
    data["version"] = str(InfusionSession.objects.get(pk=session.pk).version)
    return data


@roles(*policies.CHART_ROLES)
@require_POST
def prep(request: ClinicRequest, pk: int) -> HttpResponse:
    session = session_of(request, pk)
    form = PrepForm(request.POST)
    status = 200
    if form.is_valid():
        data = form.cleaned_data
        try:
            done = charting.prepare(
                request.membership, session,
                **{k: data[k] for k in form.fields if k != "version"},
                expected_version=data["version"], request=request,
            )  # fmt: skip
        except SessionConflict as exc:
            form = PrepForm(_fresh_version(request.POST, session))
            form.is_valid()
            show_refusal(form, exc)
            status = 409
        except ValidationError as exc:
            show_refusal(form, exc)
        else:
            return _done(request, pk, f"Preparation saved: {done.ordered_rate_ml_per_h:g} mL/h.")
    return _page(request, pk, {"prep": form}, status)


@roles(*policies.CHART_ROLES)
@require_POST
def reading(request: ClinicRequest, pk: int) -> HttpResponse:
    session = session_of(request, pk)
    form = ReadingForm(request.POST, clinic=request.clinic)
    if form.is_valid():
        data = form.cleaned_data
        replaces = None
        if data.get("replaces"):
            replaces = get_object_or_404(VitalsReading, pk=data["replaces"], session=session)
        try:
            row, firings = charting.record_reading(
                request.membership, session, **{k: data[k] for k in READING_FIELDS},
                idempotency_key=data["idempotency_key"], replaces=replaces, request=request,
            )  # fmt: skip
        except ValidationError as exc:
            show_refusal(form, exc)
        else:
            at = row.clinical_at.astimezone(clinic_zone(request.clinic))
            message = f"Reading charted at {at:%H:%M}."
            if firings:
                names = "; ".join(f.rule.name for f in firings)
                message += f" Alert: {names}. Record what was done."
            return _done(request, pk, message, warning=bool(firings))
    return _page(request, pk, {"vitals": form})


@roles(*policies.CHART_ROLES)
@require_POST
def strike_reading(request: ClinicRequest, pk: int, reading_pk: int) -> HttpResponse:
    session = session_of(request, pk)
    row = get_object_or_404(VitalsReading, pk=reading_pk, session=session)
    form = StrikeForm(request.POST, prefix=f"strike-{row.pk}")
    if form.is_valid():
        try:
            charting.strike_reading(
                request.membership, row, reason=form.cleaned_data["reason"], request=request
            )
        except ValidationError as exc:
            show_refusal(form, exc)
        else:
            if _is_htmx(request):
                return _page(request, pk, {"notice": "Reading struck through.", "reenter": row})
            messages.success(request, "Reading struck through. Enter the right values below.")
            return redirect(f"{_session_url(pk)}?reenter={row.pk}#vitals")
    return _page(request, pk, {"strike": (row.pk, form)})


def _session_url(pk: int) -> str:
    return reverse("infusions:session", args=[pk])


@roles(*policies.CHART_ROLES)
@require_POST
def rate(request: ClinicRequest, pk: int) -> HttpResponse:
    session = session_of(request, pk)
    firings = list(_open_firings(session))
    form = RateForm(request.POST, firings=firings)
    status = 200
    if form.is_valid():
        data = form.cleaned_data
        firing = next((f for f in firings if f.pk == data["firing"]), None)
        try:
            event = charting.change_rate(
                request.membership, session, rate_ml_per_h=data["rate_ml_per_h"],
                reason=data["reason"], expected_version=data["version"], firing=firing,
                idempotency_key=data["idempotency_key"], request=request,
            )  # fmt: skip
        except SessionConflict as exc:
            form = RateForm(_fresh_version(request.POST, session), firings=firings)
            form.is_valid()
            show_refusal(form, exc)
            status = 409
        except ValidationError as exc:
            show_refusal(form, exc)
        else:
            return _done(request, pk, f"Rate set to {event.rate_ml_per_h:g} mL/h.")
    return _page(request, pk, {"rate": form}, status)


@roles(*policies.CHART_ROLES)
@require_POST
def respond(request: ClinicRequest, pk: int, firing_pk: int) -> HttpResponse:
    session = session_of(request, pk)
    firing = get_object_or_404(RuleFiring, pk=firing_pk, session=session)
    form = RespondForm(request.POST, prefix=f"firing-{firing.pk}")
    if form.is_valid():
        try:
            charting.respond_to_firing(
                request.membership, firing, response=form.cleaned_data["response"],
                note=form.cleaned_data["note"], request=request,
            )  # fmt: skip
        except ValidationError as exc:
            show_refusal(form, exc)
        else:
            return _done(request, pk, f"Response recorded for “{firing.rule.name}”.")
    return _page(request, pk, {"respond": (firing.pk, form)})


urlpatterns: list[URLPattern] = [
    path("sessions/<int:pk>/prep/", prep, name="prep"),
    path("sessions/<int:pk>/readings/", reading, name="reading"),
    path(
        "sessions/<int:pk>/readings/<int:reading_pk>/strike/",
        strike_reading,
        name="strike_reading",
    ),
    path("sessions/<int:pk>/rate/", rate, name="rate"),
    path("sessions/<int:pk>/firings/<int:firing_pk>/respond/", respond, name="respond"),
]


# --- the panels ------------------------------------------------------------------------------


def _open_firings(session: InfusionSession) -> Any:
    return (
        RuleFiring.objects.filter(session=session, response="")
        .select_related("rule", "reading")
        .order_by("fired_at", "id")
    )


def _common(request: ClinicRequest) -> dict[str, Any]:
    bound = _bound(request)
    return {"notice": bound.get("notice", ""), "warning": bound.get("warning", False)}


def _prep_context(request: ClinicRequest, session: InfusionSession) -> dict[str, Any]:
    form = _bound(request).get("prep")
    if form is None:
        plan = session.plan_version
        initial: dict[str, Any] = {"version": session.version}
        if session.prepared_at is not None:
            initial.update({f: getattr(session, f) for f in PrepForm.base_fields if f != "version"})
        elif plan is not None:
            initial["ordered_dose_mg"] = round(plan.dose_mg, 3)
            initial["ordered_duration_min"] = charting.plan_duration_min(session)
        form = PrepForm(initial=initial)
    return {**_common(request), "form": form, "plan": session.plan_version}


def _vitals_context(request: ClinicRequest, session: InfusionSession) -> dict[str, Any]:
    bound = _bound(request)
    rows = list(
        VitalsReading.objects.filter(session=session)
        .select_related("entered_by")
        .order_by("clinical_at", "id")
    )
    late_min = settings_for(request.clinic).late_entry_min
    form = bound.get("vitals")
    if form is None:
        initial: dict[str, Any] = {"idempotency_key": new_key()}
        reenter = bound.get("reenter") or next(
            (r for r in rows if str(r.pk) == request.GET.get("reenter", "") and r.is_struck),
            None,
        )
        if reenter is not None:
            initial.update({f: getattr(reenter, f) for f in READING_FIELDS if f != "clinical_at"})
            initial["clinical_at"] = reenter.clinical_at.astimezone(
                clinic_zone(request.clinic)
            ).strftime("%H:%M")
            initial["replaces"] = reenter.pk
        form = ReadingForm(initial=initial, clinic=request.clinic)
    strike_pk, strike_form = bound.get("strike", (None, None))
    shown = [
        {
            "row": row,
            "late": (row.entered_at - row.clinical_at).total_seconds() >= late_min * 60,
            "symptoms": [SYMPTOM_LABELS.get(k, k) for k in row.symptoms or ()],
            "strike_form": (
                strike_form if row.pk == strike_pk else StrikeForm(prefix=f"strike-{row.pk}")
            ),
        }
        for row in rows
    ]
    return {
        **_common(request),
        "form": form,
        "rows": shown,
        "open_count": RuleFiring.objects.filter(session=session, response="").count(),
        "late_entry_min": late_min,
        "can_strike": session.state not in states.FINAL,
    }


def _rate_context(request: ClinicRequest, session: InfusionSession) -> dict[str, Any]:
    firings = list(_open_firings(session))
    form = _bound(request).get("rate") or RateForm(
        initial={"version": session.version, "idempotency_key": new_key(),
                 "firing": firings[-1].pk if firings else None},
        firings=firings,
    )  # fmt: skip
    return {
        **_common(request),
        "form": form,
        "current_rate": charting.current_rate_ml_per_h(session),
        "open_firings": firings,
        "pump_max": charting.DEFAULT_PUMP_MAX_ML_PER_H,
    }


def _firings_context(request: ClinicRequest, session: InfusionSession) -> dict[str, Any]:
    rows = list(
        RuleFiring.objects.filter(session=session)
        .select_related("rule", "reading", "responded_by")
        .order_by("-fired_at", "-id")
    )
    pk, bound_form = _bound(request).get("respond", (None, None))
    shown: list[dict[str, Any]] = [
        {
            "row": r,
            "form": bound_form if r.pk == pk else RespondForm(prefix=f"firing-{r.pk}"),
            "response_label": charting.RESPONSES.get(r.response, r.response),
        }
        for r in rows
    ]
    return {
        **_common(request),
        "open": [f for f in shown if not f["row"].response],
        "answered": [f for f in shown if f["row"].response],
        "responses": charting.RESPONSES,
        "can_respond": session.state not in states.FINAL,
    }


panels.register_panel(
    panels.Panel(
        "prep", "Preparation and pump rate", "infusions/panels/_prep.html", _prep_context,
        order=30, states=charting.PREP_STATES,
    )
)  # fmt: skip
panels.register_panel(
    panels.Panel(
        "vitals", "Vitals", "infusions/panels/_vitals.html", _vitals_context,
        order=40, states=states.IN_CHAIR,
    )
)  # fmt: skip
panels.register_panel(
    panels.Panel(
        "rate", "Pump rate", "infusions/panels/_rate.html", _rate_context,
        order=45, states=frozenset({states.INFUSING}),
    )
)  # fmt: skip
panels.register_panel(
    panels.Panel(
        "firings", "Alerts from the threshold rules", "infusions/panels/_firings.html",
        _firings_context, order=46, states=states.IN_CHAIR | {states.DISCHARGED, states.SIGNED},
    )
)  # fmt: skip
