"""Writing a clinic's measurement settings (audited, before and after)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from ketaclinic.accounts.models import Membership, Role
from ketaclinic.audit.log import record
from ketaclinic.clinics.models import Clinic
from ketaclinic.measurement import policies
from ketaclinic.measurement.models import MeasurementSettings


def update_settings(
    by: Membership,
    clinic: Clinic,
    *,
    minutes: int,
    on_call: Membership | None,
    request: HttpRequest | None = None,
) -> bool:
    """Save the escalation delay and the on-call physician; True if anything changed."""
    if not policies.can_edit_settings(by) or by.clinic_id != clinic.pk:
        raise PermissionDenied("Only the clinic admin or a physician changes these settings.")
    if not 1 <= minutes <= 24 * 60:
        raise ValidationError({"safety_escalation_minutes": "Between 1 and 1440 minutes."})
    if on_call is not None and (
        on_call.clinic_id != clinic.pk or on_call.role != Role.PHYSICIAN or not on_call.is_active
    ):
        raise ValidationError({"on_call_physician": "Choose an active physician of this clinic."})
    with transaction.atomic():
        row, _ = MeasurementSettings.objects.select_for_update().get_or_create(clinic=clinic)
        before = {
            "safety_escalation_minutes": row.safety_escalation_minutes,
            "on_call_physician": row.on_call_physician_id,
        }
        after = {
            "safety_escalation_minutes": minutes,
            "on_call_physician": on_call.pk if on_call else None,
        }
        if before == after:
            return False
        row.safety_escalation_minutes = minutes
        row.on_call_physician = on_call
        row.updated_at = timezone.now()
        row.save()
        record("measurement.settings", request=request, by=by, obj=row, before=before, after=after)
    return True
