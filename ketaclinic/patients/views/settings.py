"""The clinic's chart settings: the treatment-resistant threshold (a per-clinic choice; the
commonly used definition is the default, not a number from the clinical reference)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from ketaclinic.access.policy import roles
from ketaclinic.access.request import ClinicRequest
from ketaclinic.patients import actions, forms, policies, queries
from ketaclinic.web.clinic_rules import back_link


@roles(*policies.SETTINGS_ROLES)
@require_http_methods(["GET", "POST"])
def chart_settings(request: ClinicRequest) -> HttpResponse:
    current = queries.trd_min_trials(request.clinic)
    form = forms.ChartSettingsForm(
        request.POST if request.method == "POST" else None,
        initial={"treatment_resistant_min_trials": current},
    )
    if request.method == "POST" and form.is_valid():
        try:
            changed = actions.update_chart_settings(
                request.membership,
                request.clinic,
                treatment_resistant_min_trials=form.cleaned_data["treatment_resistant_min_trials"],
                request=request,
            )
        except ValidationError as exc:
            form.add_error("treatment_resistant_min_trials", exc)
        else:
            messages.success(request, "Chart settings saved." if changed else "Nothing changed.")
            return redirect("patients:settings")
    return render(
        request,
        "patients/settings.html",
        {
            "form": form,
            "current": current,
            "default": queries.DEFAULT_TRD_MIN_TRIALS,
            **dict(zip(("back_url", "back_label"), back_link(request), strict=True)),
        },
    )
