"""Session screens: adverse events and rescue drugs (two non-live panels and their POSTs).

A refused entry re-renders the session screen (200) with the errors at the fields and what
was typed kept; a stored one goes back to the screen at its panel.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.views.decorators.http import require_POST, require_safe

from ketaclinic.access.policy import roles
from ketaclinic.access.request import ClinicRequest
from ketaclinic.access.zones import clinic_zone
from ketaclinic.accounts.models import Membership, Role
from ketaclinic.infusions import dosecheck, panels, policies, states
from ketaclinic.infusions.actions import events as actions
from ketaclinic.infusions.formulary import (
    EVENT_DRUG,
    ensure_default_formulary,
    formulary_for,
    limits_of,
)
from ketaclinic.infusions.models import (
    AdverseEvent,
    FormularyDrug,
    InfusionSession,
    RescueDose,
    RuleFiring,
    VitalsReading,
)
from ketaclinic.infusions.models.entries import EventKind, Severity
from ketaclinic.infusions.views.session import LIVE_POLL_S, session_of


def new_key() -> str:
    return uuid.uuid4().hex


def _local(session: InfusionSession, at: dt.datetime) -> str:
    return at.astimezone(clinic_zone(session.clinic)).strftime("%H:%M")


def clinical_datetime(session: InfusionSession, at: dt.time | None) -> dt.datetime | None:
    """A time typed on the tablet (clinic time, today) as an aware UTC datetime."""
    if at is None:
        return None
    zone = clinic_zone(session.clinic)
    today = timezone.now().astimezone(zone).date()
    return dt.datetime.combine(today, at, tzinfo=zone).astimezone(dt.UTC)


def _readings(session: InfusionSession) -> list[VitalsReading]:
    return list(
        VitalsReading.objects.filter(session=session, struck_at__isnull=True).order_by(
            "-clinical_at", "-id"
        )[:12]
    )


class EventForm(forms.Form):
    kind = forms.ChoiceField(
        label="What happened", choices=EventKind.choices, widget=forms.RadioSelect
    )
    severity = forms.ChoiceField(choices=Severity.choices, widget=forms.RadioSelect)
    clinical_at = forms.TimeField(
        label="Time (clinic time)",
        required=False,
        help_text="Leave blank for now.",
        widget=forms.TimeInput(attrs={"type": "time"}),
    )
    description = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 2}), help_text="Needed for 'Other'."
    )
    outcome = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="If it has settled already; else add it later.",
    )
    reading = forms.TypedChoiceField(
        label="Seen at reading", required=False, coerce=int, empty_value=None
    )
    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=64)

    def __init__(
        self, *args: Any, readings: list[VitalsReading], session: InfusionSession, **kwargs: Any
    ) -> None:
        # Ids prefixed per form: the rescue form beside it has a clinical_at field too.
        kwargs.setdefault("auto_id", "event_%s")
        super().__init__(*args, **kwargs)
        self.readings = {r.pk: r for r in readings}
        choices: list[tuple[Any, str]] = [("", "None")]
        choices += [
            (
                r.pk,
                f"{_local(session, r.clinical_at)} · {r.systolic_mmhg}/"
                f"{r.diastolic_mmhg} mmHg, HR {r.heart_rate_bpm}, SpO2 {r.spo2_percent} %",
            )
            for r in readings
        ]
        self.fields["reading"].choices = choices  # type: ignore[attr-defined]
        if not self.is_bound:
            self.initial.setdefault("idempotency_key", new_key())


class OutcomeForm(forms.Form):
    outcome = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}))
    resolved_at = forms.TimeField(
        label="Resolved at (clinic time)",
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}),
    )


class RescueForm(forms.Form):
    drug = forms.ChoiceField()
    dose_mg = forms.FloatField(label="Dose (mg)")
    route = forms.CharField(max_length=20, initial="IV")
    clinical_at = forms.TimeField(
        label="Given at (clinic time)",
        required=False,
        help_text="Leave blank for now.",
        widget=forms.TimeInput(attrs={"type": "time"}),
    )
    trigger = forms.ChoiceField(
        label="Given for", help_text="The reading, rule firing or adverse event that called for it."
    )
    ordered_by = forms.TypedChoiceField(label="Ordered by (physician)", coerce=int)
    response = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="How the patient responded, if known yet.",
    )
    override_reason = forms.CharField(
        label="Physician's reason to give it anyway",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=64)

    def __init__(
        self,
        *args: Any,
        drugs: list[FormularyDrug],
        triggers: list[tuple[str, str]],
        physicians: list[Membership],
        **kwargs: Any,
    ) -> None:
        kwargs.setdefault("auto_id", "rescue_%s")
        super().__init__(*args, **kwargs)
        self.fields["drug"].choices = [(d.key, _drug_label(d)) for d in drugs]  # type: ignore[attr-defined]
        self.fields["trigger"].choices = [("", "Choose"), *triggers]  # type: ignore[attr-defined]
        self.fields["ordered_by"].choices = [  # type: ignore[attr-defined]
            ("", "Choose"),
            *[(m.pk, m.user.full_name or m.user.email) for m in physicians],
        ]
        if not self.is_bound:
            self.initial.setdefault("idempotency_key", new_key())


def _drug_label(drug: FormularyDrug) -> str:
    bits = [f"{drug.name} {drug.route}"]
    if drug.usual_dose_mg is not None:
        bits.append(f"usual {drug.usual_dose_mg:g} mg")
    if drug.usual_mg_per_kg is not None:
        bits.append(f"usual {drug.usual_mg_per_kg:g} mg/kg")
    if drug.max_single_dose_mg is not None:
        bits.append(f"max {drug.max_single_dose_mg:g} mg a dose")
    if drug.max_total_mg is not None:
        bits.append(f"max {drug.max_total_mg:g} mg in all")
    if drug.schedule:
        bits.append(f"Schedule {drug.schedule}")
    return " · ".join(bits)


# --- panels ------------------------------------------------------------------------------


def events_context(
    request: ClinicRequest,
    session: InfusionSession,
    *,
    form: EventForm | None = None,
    outcome_for: tuple[int, OutcomeForm] | None = None,
) -> dict[str, Any]:
    events = list(
        AdverseEvent.objects.filter(session=session).select_related("entered_by", "reading")
    )
    rows = []
    for e in events:
        bound = outcome_for[1] if outcome_for and outcome_for[0] == e.pk else None
        rows.append(
            {
                "event": e,
                "clinical": _local(session, e.clinical_at),
                "resolved": _local(session, e.resolved_at) if e.resolved_at else "",
                "outcome_form": bound or OutcomeForm(prefix=f"e{e.pk}"),
            }
        )
    can_chart = policies.can_chart(request.membership, session)
    return {
        "rows": rows,
        "can_chart": can_chart,
        "open": session.state in actions.EVENT_STATES,
        "form": form or EventForm(readings=_readings(session), session=session),
    }


def _triggers(session: InfusionSession) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    for e in AdverseEvent.objects.filter(session=session, struck_at__isnull=True).order_by(
        "-clinical_at", "-id"
    ):
        label = e.get_kind_display() + (f": {e.description}" if e.description else "")
        out.append((f"event:{e.pk}", f"Adverse event {_local(session, e.clinical_at)} · {label}"))
    for f in RuleFiring.objects.filter(session=session).order_by("-fired_at", "-id"):
        state = "" if f.response else " (open)"
        out.append(
            (f"firing:{f.pk}", f"Rule fired {_local(session, f.fired_at)}{state} · {f.rule_text}")
        )
    for r in _readings(session):
        out.append(
            (
                f"reading:{r.pk}",
                f"Reading {_local(session, r.clinical_at)} · "
                f"{r.systolic_mmhg}/{r.diastolic_mmhg} mmHg, HR {r.heart_rate_bpm}, "
                f"SpO2 {r.spo2_percent} %",
            )
        )
    return out


def _physicians(session: InfusionSession) -> list[Membership]:
    return list(
        Membership.objects.select_related("user")
        .filter(
            clinic_id=session.clinic_id, role=Role.PHYSICIAN, is_active=True, user__is_active=True
        )
        .order_by("user__full_name", "id")
    )


def rescue_form(
    request: ClinicRequest,
    session: InfusionSession,
    data: Any = None,
    *,
    redraw: dict[str, str] | None = None,
) -> RescueForm:
    """The rescue form: the drug for the newest adverse event's kind (§4.2) with its usual
    dose for this patient, the newest event as the trigger, the signed-in physician.
    ``redraw`` (the form's values when the drug is changed) keeps what was typed and puts the
    newly chosen drug's usual dose and route in."""
    drugs = formulary_for(session.clinic, active_only=True)
    triggers = _triggers(session)
    physicians = _physicians(session)
    initial: dict[str, Any] = {}
    if data is None and redraw is not None:
        kept = ("trigger", "ordered_by", "clinical_at", "response", "override_reason")
        initial = {k: redraw[k] for k in kept if redraw.get(k)}
        if redraw.get("idempotency_key"):
            initial["idempotency_key"] = redraw["idempotency_key"]
        drug = next((d for d in drugs if d.key == redraw.get("drug")), None)
        initial.update(_prefill(session, drug))
    elif data is None:
        latest = (
            AdverseEvent.objects.filter(session=session, struck_at__isnull=True)
            .order_by("-clinical_at", "-id")
            .first()
        )
        wanted = EVENT_DRUG.get(latest.kind, "") if latest else ""
        drug = next((d for d in drugs if d.key == wanted), None) or next(
            (d for d in drugs if d.usual_dose_mg is not None), drugs[0] if drugs else None
        )
        initial.update(_prefill(session, drug))
        if triggers:
            initial["trigger"] = triggers[0][0]
        if request.membership.role == Role.PHYSICIAN:
            initial["ordered_by"] = request.membership.pk
    form = RescueForm(data, initial=initial, drugs=drugs, triggers=triggers, physicians=physicians)
    # Choosing another drug redraws the form with its usual dose (htmx; without script the
    # dose stays as typed and the checks still run on submit).
    form.fields["drug"].widget.attrs.update(
        {
            "hx-get": reverse("infusions:rescue_form", args=[session.pk]),
            "hx-trigger": "change",
            "hx-target": "#rescue-form",
            "hx-swap": "outerHTML",
            "hx-include": "closest form",
        }
    )
    return form


def _prefill(session: InfusionSession, drug: FormularyDrug | None) -> dict[str, Any]:
    if drug is None:
        return {}
    out: dict[str, Any] = {"drug": drug.key, "route": drug.route}
    usual = dosecheck.usual_dose(limits_of(drug), actions.weight_kg_of(session))
    if usual is not None:
        out["dose_mg"] = usual
    return out


def rescue_context(
    request: ClinicRequest, session: InfusionSession, *, form: RescueForm | None = None
) -> dict[str, Any]:
    doses = list(
        RescueDose.objects.filter(session=session).select_related(
            "drug", "ordered_by", "entered_by", "adverse_event", "reading", "firing"
        )
    )
    rows = [{"dose": d, "clinical": _local(session, d.clinical_at)} for d in doses]
    form = form or rescue_form(request, session)
    return {
        "rows": rows,
        "can_chart": policies.can_chart(request.membership, session),
        "open": session.state in actions.RESCUE_STATES,
        "form": form,
        "needs_override": _needs_override(form),
    }


def _needs_override(form: RescueForm) -> bool:
    """Show the override field: a finding asked for it, or a reason was typed already."""
    return form.is_bound and bool(
        form.errors.get("override_reason") or form.data.get("override_reason")
    )


panels.register_panel(
    panels.Panel(
        "events",
        "Adverse events",
        "infusions/panels/_events.html",
        context=events_context,
        order=50,
        states=frozenset(actions.EVENT_STATES),
    )
)
panels.register_panel(
    panels.Panel(
        "rescue",
        "Rescue drugs",
        "infusions/panels/_rescue.html",
        context=rescue_context,
        order=55,
        states=frozenset(actions.RESCUE_STATES),
    )
)


# --- POSTs -------------------------------------------------------------------------------


def put_errors(
    form: forms.BaseForm, error: ValidationError, aliases: dict[str, str] | None = None
) -> None:
    """The action's errors at the form's fields (the rest at the top)."""
    for field, msgs in error.message_dict.items():
        name = (aliases or {}).get(field, field)
        form.add_error(name if name in form.fields else None, msgs)


def _again(
    request: ClinicRequest,
    session: InfusionSession,
    slug: str,
    extra: dict[str, Any],
    form: forms.Form,
) -> HttpResponse:
    """The session screen again, the panel ``slug`` showing ``extra`` (its bound form)."""
    shown = panels.rendered(request, session, live=False)
    panel = next((p for p in shown if p["slug"] == slug), None)
    if panel is None:
        for msgs in form.errors.values():
            for m in msgs:
                messages.error(request, str(m))
    else:
        panel["ctx"].update(extra)
    return render(
        request,
        "infusions/session.html",
        {
            "session": session,
            "panels": shown,
            "live_panels": panels.rendered(request, session, live=True),
            "poll_s": LIVE_POLL_S,
            "transitions": states.available(session.state),
        },
    )


def _back(session: InfusionSession, anchor: str) -> HttpResponse:
    return redirect(reverse("infusions:session", args=[session.pk]) + f"#{anchor}")


@roles(*policies.CHART_ROLES)
@require_POST
def record_event(request: ClinicRequest, pk: int) -> HttpResponse:
    session = session_of(request, pk)
    form = EventForm(request.POST, readings=_readings(session), session=session)
    if form.is_valid():
        data = form.cleaned_data
        try:
            actions.record_adverse_event(
                request.membership,
                session,
                kind=data["kind"],
                severity=data["severity"],
                clinical_at=clinical_datetime(session, data["clinical_at"]),
                description=data["description"],
                outcome=data["outcome"],
                reading=form.readings.get(data["reading"]) if data["reading"] else None,
                idempotency_key=data["idempotency_key"],
                request=request,
            )
        except ValidationError as error:
            put_errors(form, error)
        else:
            messages.success(request, "Adverse event recorded.")
            return _back(session, "events")
    return _again(request, session, "events", {"form": form}, form)


@roles(*policies.CHART_ROLES)
@require_POST
def event_outcome(request: ClinicRequest, pk: int, event_pk: int) -> HttpResponse:
    session = session_of(request, pk)
    event = get_object_or_404(AdverseEvent, pk=event_pk, session=session)
    form = OutcomeForm(request.POST, prefix=f"e{event.pk}")
    if form.is_valid():
        try:
            actions.record_event_outcome(
                request.membership,
                event,
                outcome=form.cleaned_data["outcome"],
                resolved_at=clinical_datetime(session, form.cleaned_data["resolved_at"]),
                request=request,
            )
        except ValidationError as error:
            put_errors(form, error)
        else:
            messages.success(request, "Outcome recorded.")
            return _back(session, "events")
    extra = events_context(request, session, outcome_for=(event.pk, form))
    return _again(request, session, "events", {"rows": extra["rows"]}, form)


def _trigger(session: InfusionSession, value: str) -> dict[str, Any]:
    kind, _, raw = value.partition(":")
    models: dict[str, Any] = {"event": AdverseEvent, "firing": RuleFiring, "reading": VitalsReading}
    field = {"event": "adverse_event", "firing": "firing", "reading": "reading"}.get(kind)
    if field is None or not raw.isdigit():
        raise ValidationError({"trigger": "Choose what it was given for."})
    row = models[kind].objects.filter(session=session, pk=int(raw)).first()
    if row is None:
        raise ValidationError({"trigger": "That is not from this session."})
    return {field: row}


@roles(*policies.CHART_ROLES)
@require_POST
def give_rescue(request: ClinicRequest, pk: int) -> HttpResponse:
    session = session_of(request, pk)
    form = rescue_form(request, session, request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            with transaction.atomic():
                ensure_default_formulary(session.clinic)
                drug = FormularyDrug.objects.filter(clinic=session.clinic, key=data["drug"]).first()
                if drug is None:
                    raise ValidationError({"drug": "Choose a drug of the formulary."})
                physician = (
                    Membership.objects.select_related("user")
                    .filter(pk=data["ordered_by"], clinic=session.clinic)
                    .first()
                )
                if physician is None:
                    raise ValidationError({"ordered_by": "Choose the ordering physician."})
                actions.give_rescue(
                    request.membership,
                    session,
                    drug=drug,
                    dose_mg=data["dose_mg"],
                    route=data["route"],
                    clinical_at=clinical_datetime(session, data["clinical_at"]),
                    ordered_by=physician,
                    response=data["response"],
                    override_reason=data["override_reason"],
                    idempotency_key=data["idempotency_key"],
                    request=request,
                    **_trigger(session, data["trigger"]),
                )
        except ValidationError as error:
            put_errors(form, error)
        else:
            messages.success(request, "Rescue drug recorded.")
            return _back(session, "rescue")
    extra = {"form": form, "needs_override": _needs_override(form)}
    return _again(request, session, "rescue", extra, form)


@roles(*policies.CHART_ROLES)
@require_safe
def rescue_form_part(request: ClinicRequest, pk: int) -> HttpResponse:
    """The rescue form alone, redrawn for the drug just chosen (nothing is written)."""
    session = session_of(request, pk)
    redraw = {k: request.GET.get(k, "") for k in request.GET}
    ctx = {"form": rescue_form(request, session, redraw=redraw), "needs_override": False}
    return render(request, "infusions/panels/_rescue_form.html", {"ctx": ctx, "session": session})


urlpatterns: list[URLPattern] = [
    path("sessions/<int:pk>/events/", record_event, name="event"),
    path("sessions/<int:pk>/events/<int:event_pk>/outcome/", event_outcome, name="event_outcome"),
    path("sessions/<int:pk>/rescue/", give_rescue, name="rescue"),
    path("sessions/<int:pk>/rescue/form/", rescue_form_part, name="rescue_form"),
]
