"""The pre-infusion checklist on the session screen: record an item, a physician's override,
and the "prechecks" panel (each item's state and summary, a compact form per item, the
override form on failed items for a physician, the clinic's limits with their sources)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.urls import URLPattern, path, reverse
from django.views.decorators.http import require_POST

from ketaclinic.access.policy import roles
from ketaclinic.access.request import ClinicRequest
from ketaclinic.accounts.staff_forms import show_refusal
from ketaclinic.clinics.models import Clinic
from ketaclinic.eligibility.facts import REPRODUCTIVE_SEXES
from ketaclinic.infusions import panels, policies, states
from ketaclinic.infusions.actions.prechecks import (
    COMPUTED,
    override_check,
    record_check,
)
from ketaclinic.infusions.models.session import CheckItem, CheckResult
from ketaclinic.infusions.models.settings import FASTING_SOURCE, GO_NO_GO_SOURCE, HOLD_SOURCE
from ketaclinic.infusions.queries import settings_for
from ketaclinic.infusions.views.flow import bound_forms, checklist_of, render_session
from ketaclinic.infusions.views.flow_forms import OverrideForm, check_form
from ketaclinic.infusions.views.session import session_of

RESULT_TONES = {"pass": "success", "na": "neutral", "fail": "danger", "missing": "warning"}
RESULT_LABELS = {**dict(CheckResult.choices), "missing": "Not checked"}


def _item(item: str) -> str:
    if item not in CheckItem.values:
        raise Http404("No such checklist item.")
    return item


def _to_checks(pk: int) -> HttpResponse:
    return redirect(reverse("infusions:session", args=[pk]) + "#prechecks")


@roles(*policies.CHART_ROLES)
@require_POST
def record(request: ClinicRequest, pk: int, item: str) -> HttpResponse:
    _item(item)
    session = session_of(request, pk)
    form = check_form(item, session, request.POST)
    if form.is_valid():
        try:
            row = record_check(
                request.membership, session, item, answers=form.answers(),
                idempotency_key=form.key(), request=request,
            )  # fmt: skip
        except ValidationError as exc:
            show_refusal(form, exc)
        else:
            label = CheckItem(item).label
            messages.success(request, f"{label}: {RESULT_LABELS[row.result].lower()}.")
            return _to_checks(session.pk)
    return render_session(request, session, {f"check:{item}": form})


@roles(*policies.PHYSICIAN_ROLES)
@require_POST
def override(request: ClinicRequest, pk: int, item: str) -> HttpResponse:
    _item(item)
    session = session_of(request, pk)
    form = OverrideForm(request.POST, prefix=f"override-{item}")
    if form.is_valid():
        try:
            override_check(
                request.membership, session, item, reason=form.cleaned_data["reason"],
                request=request,
            )  # fmt: skip
        except ValidationError as exc:
            show_refusal(form, exc)
        else:
            messages.success(request, f"{CheckItem(item).label}: overridden; the note shows why.")
            return _to_checks(session.pk)
    return render_session(request, session, {f"override:{item}": form})


def limits_rows(clinic: Clinic) -> list[tuple[str, str, str]]:
    """The clinic's limits the checklist applies, with each default's source."""
    s = settings_for(clinic)
    spo2 = f"below {s.min_spo2_percent}%" if s.min_spo2_percent is not None else "not set"
    hr = f"above {s.max_heart_rate_bpm} bpm" if s.max_heart_rate_bpm is not None else "not set"
    return [
        ("Go/no-go blood pressure",
         f"fails above {s.max_systolic_mmhg}/{s.max_diastolic_mmhg} mmHg; SpO2 {spo2}; "
         f"heart rate {hr}", GO_NO_GO_SOURCE),
        ("Fasting", f"solids {s.fasting_solids_h} h, clear liquids {s.fasting_clear_liquids_h} h "
         "before (exactly the limit passes)", FASTING_SOURCE),
        ("Holds", f"benzodiazepine {s.benzodiazepine_hold_h} h, alcohol {s.alcohol_hold_h} h "
         "before", HOLD_SOURCE),
    ]  # fmt: skip


def prechecks_context(request: ClinicRequest, session: Any) -> dict[str, Any]:
    by = request.membership
    bound = bound_forms(request)
    may_record = policies.can_chart(by, session)
    may_override = policies.can_override(by, session)
    applicable = session.patient.sex_at_birth in REPRODUCTIVE_SEXES
    rows: list[dict[str, Any]] = []
    done = 0
    for status in checklist_of(request, session):
        item = status.item
        done += status.ok
        form = bound.get(f"check:{item}") or check_form(item, session)
        override_form = bound.get(f"override:{item}") or OverrideForm(prefix=f"override-{item}")
        # Offered on a failed item; shown again wherever a refused override left its errors.
        shown_override = f"override:{item}" in bound or (
            may_override and status.state == "fail" and not status.ok
        )
        rows.append(
            {
                "status": status,
                "tone": RESULT_TONES[status.state],
                "result_label": RESULT_LABELS[status.state],
                "form": form if may_record else None,
                "open": f"check:{item}" in bound or status.state == "missing",
                "computed": item in COMPUTED,
                "not_applicable": item == CheckItem.PREGNANCY and not applicable,
                "url": reverse("infusions:check", args=[session.pk, item]),
                "override_form": override_form if shown_override else None,
                "override_open": f"override:{item}" in bound,
                "override_url": reverse("infusions:check_override", args=[session.pk, item]),
            }
        )  # fmt: skip
    return {
        "rows": rows,
        "limits": limits_rows(request.clinic),
        "done": done,
        "total": len(rows),
    }


panels.register_panel(
    panels.Panel(
        "prechecks",
        "Pre-infusion checks",
        "infusions/panels/_prechecks.html",
        prechecks_context,
        order=20,
        states=frozenset({states.CHECKED_IN, states.PRECHECKS}),
    )
)

urlpatterns: list[URLPattern] = [
    path("sessions/<int:pk>/checks/<slug:item>/", record, name="check"),
    path("sessions/<int:pk>/checks/<slug:item>/override/", override, name="check_override"),
]
