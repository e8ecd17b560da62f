"""Charting at the chair: the preparation and its pump rate, vitals readings and the threshold
rules they fire, strike-through, rate changes and the clinician's response to a firing.

Readings and pump events are appended once per form (``idempotency_key``); a wrong entry is
struck through with a reason and re-entered (:func:`strike`, ``record_reading(replaces=...)``),
never edited. A rate change moves the session's ``version``, so two people changing the rate
from the same screen cannot both win.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from ketaclinic.access.zones import clinic_today
from ketaclinic.accounts.models import Membership
from ketaclinic.audit.log import record
from ketaclinic.infusions import states
from ketaclinic.infusions.actions._base import (
    CONFLICT_MESSAGE,
    SessionConflict,
    append_once,
    bump,
    lock,
)
from ketaclinic.infusions.actions.charting_readings import (
    FUTURE_TOLERANCE,
    READING_RANGES,
    REQUIRED_READINGS,
    SYMPTOM_KEYS,
    _chart_open,
    _state,
    describe,
    record_reading,
    spec_of,
    strike,
    strike_reading,
    values_of,
)
from ketaclinic.infusions.models import (
    AdverseEvent,
    InfusionSession,
    PumpEvent,
    RuleFiring,
)
from ketaclinic.infusions.models.entries import PumpKind
from ketaclinic.pharmacology.errors import PharmacologyInputError
from ketaclinic.pharmacology.pump import DEFAULT_PUMP_MAX_ML_PER_H, Container, pump_step

__all__ = [
    "DEFAULT_PUMP_MAX_ML_PER_H", "DOSE_ROUNDING_MG", "FUTURE_TOLERANCE", "PREP_STATES",
    "READING_RANGES", "REQUIRED_READINGS", "RESPONSES", "SYMPTOM_KEYS", "change_rate",
    "current_rate_ml_per_h", "describe", "plan_duration_min", "prepare", "record_reading",
    "respond_to_firing", "spec_of", "strike", "strike_reading", "values_of",
]  # fmt: skip

PREP_STATES = frozenset({states.CHECKED_IN, states.PRECHECKS})
#: A dose typed to the whole mg matches the signed plan's (stored to the microgram) [D].
DOSE_ROUNDING_MG = 0.5

RESPONSES: dict[str, str] = {
    "paused": "Paused the infusion",
    "rate_lowered": "Lowered the rate",
    "stopped": "Stopped the infusion",
    "rechecked": "Rechecked the reading",
    "continued": "Continued unchanged",
}


def plan_duration_min(session: InfusionSession) -> float | None:
    """The pinned plan version's infusion minutes (the sum of its protocol steps)."""
    plan = session.plan_version
    if plan is None:
        return None
    computed = plan.computed or {}
    if "infusion_min" in computed:
        return float(computed["infusion_min"])
    steps = computed.get("steps") or []
    return float(sum(float(s["duration_min"]) for s in steps)) or None


def prepare(
    by: Membership,
    session: InfusionSession,
    *,
    drug_name: str,
    vial_lot: str,
    vial_expiry: dt.date | None,
    container_drug_mg: float | None,
    container_volume_ml: float | None,
    ordered_dose_mg: float | None = None,
    ordered_duration_min: float | None = None,
    expected_version: int | None,
    request: HttpRequest | None = None,
) -> InfusionSession:
    """Record what hangs on the pump and compute its rate (clinical reference §1.8, §1.9):
    ``rate_ml_per_h = dose_mg / (drug_mg / volume_ml) / (duration_min / 60)``, by the
    pharmacology engine (``pump.pump_step``), its arithmetic stored for the screen and note.

    The dose and duration default to the pinned signed plan version's; a dose other than the
    plan's (beyond :data:`DOSE_ROUNDING_MG`) is refused: changing it is a plan change."""
    _chart_open(by, session)
    with transaction.atomic():
        locked = lock(session, expected_version)
        _state(locked, PREP_STATES, "Preparing the infusion")
        plan = locked.plan_version
        if plan is None or not plan.is_signed:
            raise ValidationError({"__all__": "No signed plan is pinned to this session: "
                                              "the physician signs the plan first."})  # fmt: skip
        errors: dict[str, str] = {}
        if not drug_name.strip():
            errors["drug_name"] = "Enter the drug as labelled."
        if not vial_lot.strip():
            errors["vial_lot"] = "Enter the vial's lot number."
        today = clinic_today(locked.clinic)
        if vial_expiry is None:
            errors["vial_expiry"] = "Enter the vial's expiry date."
        elif vial_expiry < today:
            errors["vial_expiry"] = (
                f"This vial expired on {vial_expiry:%d %b %Y}; do not use it, take another."
            )
        dose_mg = plan.dose_mg if ordered_dose_mg is None else ordered_dose_mg
        duration_min = (
            plan_duration_min(locked) if ordered_duration_min is None else ordered_duration_min
        )
        for name, value in (
            ("container_drug_mg", container_drug_mg),
            ("container_volume_ml", container_volume_ml),
            ("ordered_dose_mg", dose_mg),
            ("ordered_duration_min", duration_min),
        ):
            if value is None or not value > 0:
                errors[name] = "Enter a number above 0."
        if "ordered_dose_mg" not in errors and abs(dose_mg - plan.dose_mg) > DOSE_ROUNDING_MG:
            errors["ordered_dose_mg"] = (
                f"The signed plan orders {plan.dose_mg:.4g} mg. A different dose is a plan "
                "change, not a chair decision: the physician changes and signs the plan."
            )
        if (
            not errors
            and container_drug_mg is not None
            and container_drug_mg < dose_mg - DOSE_ROUNDING_MG
        ):
            errors["container_drug_mg"] = (
                f"The container holds {container_drug_mg:g} mg, less than the {dose_mg:.4g} mg "
                "ordered."
            )
        if errors:
            raise ValidationError(errors)
        assert container_drug_mg and container_volume_ml and duration_min  # checked above
        try:
            step = pump_step(
                dose_mg / plan.weight_used_kg,
                plan.weight_used_kg,
                duration_min,
                Container(container_drug_mg, container_volume_ml),
                label="infusion",
            )
        except PharmacologyInputError as exc:
            field = "container_volume_ml" if exc.field == "rate_ml_per_h" else "__all__"
            raise ValidationError({field: exc.reason}) from None
        before = _prep_values(locked)
        locked.drug_name = drug_name.strip()
        locked.vial_lot = vial_lot.strip()
        locked.vial_expiry = vial_expiry
        locked.container_drug_mg = container_drug_mg
        locked.container_volume_ml = container_volume_ml
        locked.ordered_dose_mg = dose_mg
        locked.ordered_duration_min = duration_min
        locked.ordered_rate_ml_per_h = round(step.rate_ml_per_h, 2)
        locked.rate_arithmetic = list(step.arithmetic)
        steps = (plan.computed or {}).get("steps") or []
        if len(steps) > 1:
            # A stepped protocol (a bolus then an infusion, §1.9's Dakwar row) is programmed
            # step by step from the plan; one rate over the whole time is only its average.
            programme = "; ".join(
                f"{s['label']} {s['rate_ml_per_h']:g} mL/h for {s['duration_min']:g} min"
                for s in steps
            )
            locked.rate_arithmetic.append(
                f"The plan has {len(steps)} steps ({programme} at the plan's concentration): "
                "the rate above is their average; program the pump by the plan's steps."
            )
        locked.prepared_at = timezone.now()
        locked.prepared_by = by.user
        bump(locked, [*_PREP_FIELDS, "rate_arithmetic", "prepared_at", "prepared_by"])
        record(
            "infusions.session.prepare",
            request=request, by=by, clinic=locked.clinic, obj=locked,
            patient_ref=locked.patient_id, before=before, after=_prep_values(locked),
        )  # fmt: skip
    return locked


_PREP_FIELDS = [
    "drug_name", "vial_lot", "vial_expiry", "container_drug_mg", "container_volume_ml",
    "ordered_dose_mg", "ordered_duration_min", "ordered_rate_ml_per_h",
]  # fmt: skip


def _prep_values(session: InfusionSession) -> dict[str, Any]:
    values = {f: getattr(session, f) for f in _PREP_FIELDS}
    values["vial_expiry"] = session.vial_expiry.isoformat() if session.vial_expiry else None
    return values


def current_rate_ml_per_h(session: InfusionSession) -> float | None:
    """The rate the pump runs at: the newest start, rate or resume event's (None before the
    start; 0 while paused)."""
    newest = (
        PumpEvent.objects.filter(session=session, struck_at__isnull=True)
        .order_by("-clinical_at", "-id")
        .first()
    )
    if newest is None:
        return None
    if newest.kind in (PumpKind.PAUSE, PumpKind.STOP):
        return 0.0
    return newest.rate_ml_per_h


def change_rate(
    by: Membership,
    session: InfusionSession,
    *,
    rate_ml_per_h: float | None,
    reason: str,
    expected_version: int | None,
    clinical_at: dt.datetime | None = None,
    firing: RuleFiring | None = None,
    adverse_event: AdverseEvent | None = None,
    idempotency_key: str,
    request: HttpRequest | None = None,
) -> PumpEvent:
    """Set a new pump rate (clinical reference §1.9: "log each segment", who and why). The
    session's version moves, so a second change drawn from the same screen gets the conflict
    message. A firing named and not yet answered is answered "rate lowered" (when lower)."""
    _chart_open(by, session)
    with transaction.atomic():
        locked = lock(session)
        found = PumpEvent.objects.filter(session=locked, idempotency_key=idempotency_key).first()
        if found is not None:
            return found
        if expected_version is not None and locked.version != expected_version:
            raise SessionConflict({"__all__": CONFLICT_MESSAGE.format(what=locked.state_label)})
        _state(locked, {states.INFUSING}, "Changing the rate")
        errors: dict[str, str] = {}
        if rate_ml_per_h is None:
            errors["rate_ml_per_h"] = "Enter the new rate in mL/h."
        elif rate_ml_per_h <= 0:
            errors["rate_ml_per_h"] = "A rate of 0 is a pause: use Pause instead."
        elif rate_ml_per_h > DEFAULT_PUMP_MAX_ML_PER_H:
            errors["rate_ml_per_h"] = (
                f"Above the pump's maximum of {DEFAULT_PUMP_MAX_ML_PER_H:g} mL/h."
            )
        if not reason.strip():
            errors["reason"] = "Give the reason for the change."
        if errors:
            raise ValidationError(errors)
        for linked in (firing, adverse_event):
            if linked is not None and linked.session_id != locked.pk:
                raise ValidationError({"__all__": "That entry belongs to another session."})
        now = timezone.now()
        at = clinical_at or now
        if at > now + FUTURE_TOLERANCE:
            raise ValidationError({"clinical_at": "That time is in the future."})
        before = current_rate_ml_per_h(locked)
        event, _ = append_once(
            PumpEvent, session=locked, idempotency_key=idempotency_key, kind=PumpKind.RATE,
            rate_ml_per_h=rate_ml_per_h, reason=reason.strip(), clinical_at=at, entered_at=now,
            entered_by=by.user, firing=firing, adverse_event=adverse_event,
        )  # fmt: skip
        bump(locked, [])
        record(
            "infusions.pump.rate",
            request=request, by=by, clinic=locked.clinic, obj=event,
            patient_ref=locked.patient_id, reason=event.reason,
            before={"rate_ml_per_h": before},
            after={"rate_ml_per_h": rate_ml_per_h, "firing": firing.pk if firing else None,
                   "adverse_event": adverse_event.pk if adverse_event else None},
        )  # fmt: skip
        assert rate_ml_per_h is not None
        lowered = before is not None and rate_ml_per_h < before
        open_firing = (
            firing is not None and RuleFiring.objects.filter(pk=firing.pk, response="").exists()
        )
        if firing is not None and open_firing and lowered:
            try:
                respond_to_firing(
                    by, firing, response="rate_lowered", note=event.reason, pump_event=event,
                    request=request,
                )  # fmt: skip
            except ValidationError:
                pass  # answered by someone else meanwhile: the rate change still stands

    session.version = locked.version
    return event


def respond_to_firing(
    by: Membership,
    firing: RuleFiring,
    *,
    response: str,
    note: str = "",
    pump_event: PumpEvent | None = None,
    request: HttpRequest | None = None,
) -> RuleFiring:
    """Record what the clinician did about a fired rule (§2.3: "all rule firings logged with
    the reading that triggered them and the clinician action"), once."""
    _chart_open(by, firing.session)
    if response not in RESPONSES:
        raise ValidationError({"response": "Choose what was done."})
    if response == "continued" and not note.strip():
        raise ValidationError({"note": "Say why the infusion continues unchanged."})
    with transaction.atomic():
        row = RuleFiring.objects.select_for_update().get(pk=firing.pk)
        if row.response:
            raise ValidationError({"__all__": "This alert was answered already."})
        if pump_event is not None and pump_event.session_id != row.session_id:
            raise ValidationError({"__all__": "That pump event belongs to another session."})
        row.response = response
        row.response_note = note.strip()
        row.responded_at = timezone.now()
        row.responded_by = by.user
        row.save(update_fields=["response", "response_note", "responded_at", "responded_by"])
        record(
            "infusions.rule.respond",
            request=request, by=by, clinic=firing.session.clinic, obj=row,
            patient_ref=firing.session.patient_id, reason=row.response_note,
            after={"response": response,
                   "pump_event": pump_event.pk if pump_event is not None else None},
        )  # fmt: skip
    for name in ("response", "response_note", "responded_at", "responded_by"):
        setattr(firing, name, getattr(row, name))
    return row
