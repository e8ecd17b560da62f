"""Session screens: recovery (scores, after-effects, the observation countdown), discharge
(criteria, escort, a physician's override) and the printable discharge instructions."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.forms import Form
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.views.decorators.http import require_POST, require_safe

from ketaclinic.access.policy import roles
from ketaclinic.access.request import ClinicRequest
from ketaclinic.access.zones import clinic_zone
from ketaclinic.audit.log import record_view
from ketaclinic.infusions import discharge as dc
from ketaclinic.infusions import panels, policies, states
from ketaclinic.infusions.actions import recovery as actions
from ketaclinic.infusions.models import InfusionSession
from ketaclinic.infusions.models.settings import DISCHARGE_SOURCE
from ketaclinic.infusions.queries import settings_for
from ketaclinic.infusions.recoveryforms import (
    AfterEffectsForm,
    AssessmentForm,
    DischargeForm,
    errors_to,
)
from ketaclinic.infusions.views.session import LIVE_POLL_S, session_of

#: Bound forms that failed, by name, for the panels to show again with what was typed.
FORMS_ATTR = "_infusion_forms"


def posted(request: ClinicRequest, name: str) -> Form | None:
    found: dict[str, Form] = getattr(request, FORMS_ATTR, {})
    return found.get(name)


def render_session(request: ClinicRequest, session: InfusionSession, **forms: Form) -> HttpResponse:
    """The session screen again (status 200) with the failed ``forms`` in their panels."""
    setattr(request, FORMS_ATTR, forms)
    session.refresh_from_db()
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


def _to_panel(session: InfusionSession, slug: str) -> HttpResponse:
    return redirect(reverse("infusions:session", args=[session.pk]) + f"#{slug}")


# --- panels -------------------------------------------------------------------------------


def recovery_context(request: ClinicRequest, session: InfusionSession) -> dict[str, Any]:
    zone = clinic_zone(session.clinic)
    earliest = dc.earliest_discharge(session)
    newest = dc.newest_assessment(session)
    return {
        "assessment_form": posted(request, "assessment") or AssessmentForm(),
        "after_effects_form": posted(request, "after_effects") or AfterEffectsForm(),
        "newest": newest,
        "aldrete_items": _items(newest.aldrete_items) if newest else [],
        "padss_items": _items(newest.padss_items) if newest else [],
        "has_baseline": dc.baseline_reading(session) is not None,
        "recovery_reading": dc.newest_recovery_reading(session),
        "earliest": earliest.astimezone(zone) if earliest else None,
        "observation_min": dc.minimum_observation_min(session),
        "observation_source": dc.OBSERVATION_SOURCE,
        "score_source": DISCHARGE_SOURCE,
        "assessment_url": reverse("infusions:assessment", args=[session.pk]),
        "after_effects_url": reverse("infusions:after_effects", args=[session.pk]),
    }


def _items(items: dict[str, Any]) -> list[tuple[str, int]]:
    return [
        (k.replace("_", " "), v)
        for k, v in items.items()
        if isinstance(v, int) and not isinstance(v, bool)
    ]


def discharge_context(request: ClinicRequest, session: InfusionSession) -> dict[str, Any]:
    patient = session.patient
    form = posted(request, "discharge")
    if form is None:
        form = DischargeForm(
            initial={
                "version": session.version,
                "escort_name": session.escort_name or patient.escort_name,
                "escort_relationship": session.escort_relationship or patient.escort_relationship,
                "escort_phone": session.escort_phone or patient.escort_phone,
            }
        )
    name = form["escort_name"].value() or ""
    phone = form["escort_phone"].value() or ""
    found = dc.criteria(session, at=timezone.now(), escort_name=name, escort_phone=phone)
    chosen = settings_for(session.clinic)
    return {
        "form": form,
        "criteria": found,
        "all_met": not dc.unmet(found),
        "can_override": policies.can_override(request.membership, session),
        "aldrete_min": chosen.aldrete_min,
        "padss_min": chosen.padss_min,
        "score_source": DISCHARGE_SOURCE,
        "escort_source": dc.ESCORT_SOURCE,
        "discharge_url": reverse("infusions:discharge", args=[session.pk]),
        "instructions_url": reverse("infusions:instructions", args=[session.pk]),
    }


panels.register_panel(
    panels.Panel(
        "recovery",
        "Recovery",
        "infusions/panels/_recovery.html",
        context=recovery_context,
        order=60,
        states=frozenset({states.RECOVERY, states.STOPPED_EARLY}),
    )
)
panels.register_panel(
    panels.Panel(
        "discharge",
        "Discharge",
        "infusions/panels/_discharge.html",
        context=discharge_context,
        order=70,
        states=frozenset({states.RECOVERY}),
    )
)


# --- posts --------------------------------------------------------------------------------


@roles(*policies.CHART_ROLES)
@require_POST
def assessment(request: ClinicRequest, pk: int) -> HttpResponse:
    session = session_of(request, pk)
    form = AssessmentForm(request.POST)
    if not form.is_valid():
        return render_session(request, session, assessment=form)
    c = form.cleaned_data
    try:
        row = actions.record_assessment(
            request.membership,
            session,
            activity=c["activity"],
            respiration=c["respiration"],
            consciousness=c["consciousness"],
            on_oxygen=c["on_oxygen"],
            oriented=c["oriented"],
            steady_gait=c["steady_gait"],
            pain_nausea=c["pain_nausea"],
            bleeding=c["bleeding"],
            took_fluids=c["took_fluids"],
            voided=c["voided"],
            idempotency_key=c["idempotency_key"],
            request=request,
        )
    except ValidationError as exc:
        errors_to(form, exc)
        return render_session(request, session, assessment=form)
    messages.success(request, f"Scored: Aldrete {row.aldrete_total}, PADSS {row.padss_total}.")
    return _to_panel(session, "recovery")


@roles(*policies.CHART_ROLES)
@require_POST
def after_effects(request: ClinicRequest, pk: int) -> HttpResponse:
    session = session_of(request, pk)
    form = AfterEffectsForm(request.POST)
    if not form.is_valid():
        return render_session(request, session, after_effects=form)
    try:
        actions.record_after_effects(
            request.membership,
            session,
            answers=form.answers(),
            idempotency_key=form.cleaned_data["idempotency_key"],
            request=request,
        )
    except ValidationError as exc:
        errors_to(form, exc)
        return render_session(request, session, after_effects=form)
    messages.success(request, "After-effects recorded.")
    return _to_panel(session, "recovery")


@roles(*policies.CHART_ROLES)
@require_POST
def discharge(request: ClinicRequest, pk: int) -> HttpResponse:
    session = session_of(request, pk)
    form = DischargeForm(request.POST)
    if not form.is_valid():
        return render_session(request, session, discharge=form)
    c = form.cleaned_data
    reason = c["override_reason"]
    if reason.strip() and not policies.can_override(request.membership, session):
        form.add_error("override_reason", "Only a physician can discharge despite criteria.")
        return render_session(request, session, discharge=form)
    try:
        actions.discharge(
            request.membership,
            session,
            escort_name=c["escort_name"],
            escort_relationship=c["escort_relationship"],
            escort_phone=c["escort_phone"],
            override_reason=reason,
            expected_version=c["version"],
            request=request,
        )
    except ValidationError as exc:
        errors_to(form, exc)
        # Drawn again from the session as it is now, so a conflict is not met a second time.
        session.refresh_from_db()
        fresh = request.POST.copy()
        fresh["version"] = str(session.version)
        form.data = fresh
        return render_session(request, session, discharge=form)
    messages.success(request, "Discharged. The instructions are being sent to the patient.")
    return _to_panel(session, "note")


@roles(*policies.READ_ROLES)
@require_safe
def instructions(request: ClinicRequest, pk: int) -> HttpResponse:
    """The discharge instructions, printable (the same words as the email)."""
    session = session_of(request, pk)
    record_view(request, session, section="infusion_instructions", patient_ref=session.patient_id)
    clinic = session.clinic
    return render(
        request,
        "infusions/instructions.html",
        {
            "session": session,
            "clinic": clinic,
            "no_driving": dc.NO_DRIVING,
            "after_effects": dc.AFTER_EFFECTS,
            "rest": dc.REST,
            "when_to_call": dc.WHEN_TO_CALL,
            "session_url": reverse("infusions:session", args=[session.pk]),
        },
    )


urlpatterns: list[URLPattern] = [
    path("sessions/<int:pk>/assessments/", assessment, name="assessment"),
    path("sessions/<int:pk>/after-effects/", after_effects, name="after_effects"),
    path("sessions/<int:pk>/discharge/", discharge, name="discharge"),
    path("sessions/<int:pk>/instructions/", instructions, name="instructions"),
]
