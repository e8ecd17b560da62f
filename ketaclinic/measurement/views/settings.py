"""The clinic's measurement settings: how long a safety alert may wait before escalation, and
who is on call. Linked from the "Clinical defaults" settings page."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from ketaclinic.access.policy import roles
from ketaclinic.access.request import ClinicRequest
from ketaclinic.measurement import forms, policies, settings_actions
from ketaclinic.measurement.models import DEFAULT_ESCALATION_MINUTES
from ketaclinic.measurement.safety import settings_for

EDITORS = tuple(str(r) for r in policies.SETTINGS_ROLES)


@roles(*EDITORS)
@require_http_methods(["GET", "HEAD", "POST"])
def measurement_settings(request: ClinicRequest) -> HttpResponse:
    if not policies.can_edit_settings(request.membership):
        raise PermissionDenied
    current = settings_for(request.clinic)
    form = forms.SettingsForm(request.POST or None, instance=current, clinic=request.clinic)
    if request.method == "POST" and form.is_valid():
        changed = settings_actions.update_settings(
            request.membership,
            request.clinic,
            minutes=form.cleaned_data["safety_escalation_minutes"],
            on_call=form.cleaned_data["on_call_physician"],
            request=request,
        )
        messages.success(request, "Measurement settings saved." if changed else "Nothing changed.")
        return redirect("measurement:settings")
    context = {"form": form, "default_minutes": DEFAULT_ESCALATION_MINUTES}
    return render(request, "measurement/settings.html", context, status=200)
