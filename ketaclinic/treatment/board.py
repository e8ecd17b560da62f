"""What the treatment app adds to the day board: each visit's planned dose.

``plan_doses(bookings)`` reads the newest version of each patient's newest plan in one query
for the whole day (``scheduling.board.register_board_detail``) and says, for example,
"0.5 mg/kg · 38.0 mg (signed)" or "0.5 mg/kg · 38.0 mg (not signed yet)".
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from ketaclinic.scheduling.models import Booking
from ketaclinic.treatment.models import PlanVersion


def plan_doses(bookings: Sequence[Booking]) -> Mapping[int, str]:
    patient_ids = {b.patient_id for b in bookings}
    if not patient_ids:
        return {}
    newest: dict[int, PlanVersion] = {}
    versions = PlanVersion.objects.filter(plan__patient_id__in=patient_ids).order_by(
        "plan__patient_id", "-plan__created_at", "-plan_id", "-number"
    )
    for version in versions.only(
        "dose_mg_per_kg", "dose_mg", "signed_at", "plan__patient_id", "number"
    ).select_related("plan"):
        newest.setdefault(version.plan.patient_id, version)
    out = {}
    for booking in bookings:
        found = newest.get(booking.patient_id)
        if found is None:
            continue
        state = "signed" if found.is_signed else "not signed yet"
        out[booking.pk] = f"{found.dose_mg_per_kg:g} mg/kg \u00b7 {found.dose_mg:.1f} mg ({state})"
    return out
