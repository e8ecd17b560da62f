"""The write layer for clinic settings, changed by the clinic admin."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.forms.models import model_to_dict
from django.http import Http404, HttpRequest

from ketaclinic.access.policy import acts_as
from ketaclinic.accounts.models import Membership, Role
from ketaclinic.audit.log import record
from ketaclinic.clinics.models import Clinic

# The settings a clinic admin may change, grouped as the settings page shows them.
SETTINGS_GROUPS: dict[str, tuple[str, ...]] = {
    "Clinic": ("name", "address", "phone", "email", "time_zone"),
    "Public page": (
        "public_intro",
        "public_who_it_helps",
        "public_how_a_visit_works",
        "public_what_it_feels_like",
        "public_afterwards",
        "crisis_resources",
    ),
    "Security": (
        "idle_timeout_min",
        "absolute_timeout_h",
        "break_glass_minutes",
        "staff_email_details",
    ),
}
SETTINGS_FIELDS = tuple(name for group in SETTINGS_GROUPS.values() for name in group)


def update_clinic_settings(
    by: Membership,
    clinic: Clinic,
    changes: dict[str, Any],
    *,
    request: HttpRequest | None = None,
) -> Clinic:
    """Apply validated ``changes`` (field -> value) to the admin's own clinic, audited."""
    if not acts_as(by, {Role.CLINIC_ADMIN}):
        raise PermissionDenied("Only the clinic admin changes clinic settings.")
    if clinic.pk != by.clinic_id:
        raise Http404("Not your clinic.")
    unknown = set(changes) - set(SETTINGS_FIELDS)
    if unknown:
        raise PermissionDenied(f"Not a clinic setting: {', '.join(sorted(unknown))}")
    with transaction.atomic():
        current = Clinic.objects.select_for_update().get(pk=clinic.pk)
        before = model_to_dict(current, fields=list(changes))
        for name, value in changes.items():
            setattr(current, name, value)
        current.full_clean()
        current.save(update_fields=list(changes))
        after = model_to_dict(current, fields=list(changes))
        changed = {k for k in changes if before.get(k) != after.get(k)}
        if changed:
            record(
                "clinic.settings.update",
                by=by,
                request=request,
                obj=current,
                before={k: before[k] for k in sorted(changed)},
                after={k: after[k] for k in sorted(changed)},
            )
    return current
