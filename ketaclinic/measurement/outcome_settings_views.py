"""The clinic's outcome definitions: the remission rule of each instrument whose remission is
contested (MADRS [C], PCL-5 [S]; clinical.md 6.10), every documented choice with its source.

Physicians choose (``outcome_settings.SETTINGS_ROLES``; what counts as remission is a clinical
definition) through ``set_remission_rule``, which audits each change; a clinic admin opens the
page to see what is in force, read-only, next to the other clinical defaults.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from ketaclinic.access.policy import roles
from ketaclinic.access.request import ClinicRequest
from ketaclinic.accounts.models import Role
from ketaclinic.instruments import INSTRUMENTS, REMISSION_RULES, RESPONSE_RULES
from ketaclinic.measurement.models import OutcomeSettings
from ketaclinic.measurement.outcome_settings import (
    CONTESTED_REMISSION,
    can_change,
    rule_key,
    rules,
    set_remission_rule,
)
from ketaclinic.web.clinic_rules import back_link


class RemissionForm(forms.Form):
    """One radio group per contested instrument; each choice names its source and tag."""

    def __init__(self, *args: Any, current: dict[str, str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for instrument_id, field in CONTESTED_REMISSION.items():
            options = REMISSION_RULES[instrument_id]
            self.fields[field] = forms.ChoiceField(
                label=f"{INSTRUMENTS[instrument_id].name}: remission",
                choices=[
                    (
                        rule_key(r),
                        f"{r.label}: {r.source} {r.status}" + (" (default)" if i == 0 else ""),
                    )
                    for i, r in enumerate(options)
                ],
                initial=current[instrument_id],
                widget=forms.RadioSelect,
                error_messages={"required": "Choose one of the documented rules."},
            )


def _rows(in_force: Any) -> list[dict[str, Any]]:
    """Every instrument's response and remission rule in force, for reference."""
    return [
        {
            "name": INSTRUMENTS[i].name,
            "response": RESPONSE_RULES[i][0] if i in RESPONSE_RULES else None,
            "remission": in_force.remission_rule(i),
            "contested": i in CONTESTED_REMISSION,
            "chosen": i in in_force.chosen,
        }
        for i in INSTRUMENTS
        if i in RESPONSE_RULES or i in REMISSION_RULES
    ]


@roles(Role.PHYSICIAN, Role.CLINIC_ADMIN)
@require_http_methods(["GET", "HEAD", "POST"])
def outcome_settings(request: ClinicRequest) -> HttpResponse:
    row = OutcomeSettings.objects.filter(clinic=request.clinic).select_related("updated_by").first()
    in_force = rules(row)
    current = {i: rule_key(in_force.remission[i]) for i in CONTESTED_REMISSION}
    may_change = can_change(request.membership, request.clinic)
    data = request.POST if request.method == "POST" else None
    form = RemissionForm(data, current=current)
    if request.method == "POST":
        if not may_change:
            # The action refuses too; say it plainly rather than show a broken form.
            messages.error(request, "Only a physician of the clinic chooses outcome definitions.")
            return redirect("outcomes:settings")
        if form.is_valid():
            changed = [
                (i, form.cleaned_data[f])
                for i, f in CONTESTED_REMISSION.items()
                if form.cleaned_data[f] != current[i]
            ]
            try:
                for instrument_id, key in changed:
                    set_remission_rule(
                        request.membership, request.clinic, instrument_id, key, request=request
                    )
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    for error in errors:
                        form.add_error(field if field in form.fields else None, error)
            else:
                messages.success(
                    request, "Outcome definitions saved." if changed else "Nothing changed."
                )
                return redirect("outcomes:settings")
    back_url, back_label = back_link(request)
    return render(
        request,
        "measurement/outcome_settings.html",
        {
            "form": form if may_change else None,
            "row": row,
            "rows": _rows(in_force),
            "back_url": back_url,
            "back_label": back_label,
        },
    )
