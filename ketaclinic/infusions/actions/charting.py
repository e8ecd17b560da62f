"""Charting at the chair: the preparation and its pump rate, vitals readings and the threshold
rules they fire, strike-through, rate changes and the clinician's response to a firing.

Readings and pump events are appended once per form (``idempotency_key``); a wrong entry is
struck through with a reason and re-entered (:func:`strike`, ``record_reading(replaces=...)``),
never edited. A rate change moves the session's ``version``, so two people changing the rate
from the same screen cannot both win.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.http import HttpRequest
from django.utils import timezone

from ketaclinic.access.zones import clinic_today
from ketaclinic.accounts.models import Membership
from ketaclinic.audit.log import record
from ketaclinic.infusions import defaults, policies, rules, states
from ketaclinic.infusions.actions._base import (
    CONFLICT_MESSAGE,
    SessionConflict,
    append_once,
    bump,
    lock,
    require,
)
from ketaclinic.infusions.models import (
    AdverseEvent,
    InfusionSession,
    PumpEvent,
    RuleFiring,
    ThresholdRule,
    VitalsReading,
)
from ketaclinic.infusions.models.entries import Phase, PumpKind
from ketaclinic.pharmacology.errors import PharmacologyInputError
from ketaclinic.pharmacology.pump import DEFAULT_PUMP_MAX_ML_PER_H, Container, pump_step

PREP_STATES = frozenset({states.CHECKED_IN, states.PRECHECKS})
#: A dose typed to the whole mg matches the signed plan's (stored to the microgram) [D].
DOSE_ROUNDING_MG = 0.5
#: A device clock a little ahead of the server's is not "the future" [D].
FUTURE_TOLERANCE = dt.timedelta(minutes=2)

#: Plausible ranges (field -> (low, high), inclusive): a typing slip is caught at the field.
#: Data-entry limits, not clinical thresholds [D]; MOAA/S 0-5 (§2.6) [E] and CADSS-6 0-24
#: (six items of 0-4, §6.7) [S] are the scales' own ranges.
READING_RANGES: dict[str, tuple[float, float]] = {
    "systolic_mmhg": (50, 300),
    "diastolic_mmhg": (20, 200),
    "heart_rate_bpm": (20, 250),
    "spo2_percent": (50, 100),
    "resp_rate_per_min": (0, 60),
    "temperature_c": (33.0, 42.0),
    "moaas": (0, 5),
    "dissociation": (0, 24),
}
RESPONSES: dict[str, str] = {
    "paused": "Paused the infusion",
    "rate_lowered": "Lowered the rate",
    "stopped": "Stopped the infusion",
    "rechecked": "Rechecked the reading",
    "continued": "Continued unchanged",
}
SYMPTOM_KEYS = frozenset(k for k, _ in defaults.SYMPTOM_CHOICES)
#: Blood pressure, heart rate, SpO2 and respiratory rate at every reading (§2.1).
REQUIRED_READINGS = frozenset(
    {"systolic_mmhg", "diastolic_mmhg", "heart_rate_bpm", "spo2_percent", "resp_rate_per_min"}
)


def _chart_open(by: Membership, session: InfusionSession) -> None:
    require(policies.can_chart(by, session), "Your role does not chart infusions.")


def _state(session: InfusionSession, allowed: Iterable[str], what: str) -> None:
    if session.state not in allowed:
        raise ValidationError({"__all__": f"{what} is not possible while the session is "
                                          f"{session.state_label.lower()}."})  # fmt: skip


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


def _phase(state: str) -> str:
    if state == states.PRECHECKS:
        return Phase.BASELINE
    if state in states.ON_PUMP:
        return Phase.INFUSION
    return Phase.RECOVERY


def _check_reading(values: dict[str, Any], symptoms: Iterable[str]) -> list[str]:
    errors: dict[str, str] = {}
    for name, (low, high) in READING_RANGES.items():
        value = values.get(name)
        if value is None:
            if name in REQUIRED_READINGS:
                errors[name] = "Enter the reading."
        elif not low <= float(value) <= high:
            errors[name] = f"Check the value: {low:g} to {high:g} is expected."
    sys, dia = values.get("systolic_mmhg"), values.get("diastolic_mmhg")
    if not errors and sys is not None and dia is not None and dia >= sys:
        errors["diastolic_mmhg"] = "Diastolic must be below systolic: check the two numbers."
    chosen = list(dict.fromkeys(symptoms))
    if any(s not in SYMPTOM_KEYS for s in chosen):
        errors["symptoms"] = "Choose symptoms from the list."
    if errors:
        raise ValidationError(errors)
    return chosen


def record_reading(
    by: Membership,
    session: InfusionSession,
    *,
    clinical_at: dt.datetime | None = None,
    systolic_mmhg: int | None,
    diastolic_mmhg: int | None,
    heart_rate_bpm: int | None,
    spo2_percent: int | None,
    resp_rate_per_min: int | None,
    temperature_c: Decimal | float | None = None,
    moaas: int | None = None,
    dissociation: int | None = None,
    symptoms: Iterable[str] = (),
    on_oxygen: bool = False,
    idempotency_key: str,
    replaces: VitalsReading | None = None,
    request: HttpRequest | None = None,
) -> tuple[VitalsReading, list[RuleFiring]]:
    """Chart one set of vitals (clinical reference §2.1) and fire the clinic's threshold rules
    on it (§2.3, :mod:`infusions.rules`); returns the reading and the rules it fired. The same
    ``idempotency_key`` again returns the stored reading and its firings, firing nothing new.

    The rules see the session's baseline (its newest baseline-phase reading) and its readings
    up to this one in clinical time, so a late reading is judged where it belongs in time."""
    _chart_open(by, session)
    values: dict[str, Any] = {
        "systolic_mmhg": systolic_mmhg, "diastolic_mmhg": diastolic_mmhg,
        "heart_rate_bpm": heart_rate_bpm, "spo2_percent": spo2_percent,
        "resp_rate_per_min": resp_rate_per_min, "temperature_c": temperature_c,
        "moaas": moaas, "dissociation": dissociation,
    }  # fmt: skip
    with transaction.atomic():
        locked = lock(session)
        stored = VitalsReading.objects.filter(session=locked, idempotency_key=idempotency_key)
        found = stored.first()
        if found is not None:
            return found, list(found.firings.select_related("rule"))
        _state(locked, states.IN_CHAIR, "Charting vitals")
        chosen = _check_reading(values, symptoms)
        now = timezone.now()
        at = clinical_at or now
        if at > now + FUTURE_TOLERANCE:
            raise ValidationError({"clinical_at": "That time is in the future."})
        if locked.checked_in_at is not None and at < locked.checked_in_at:
            raise ValidationError({"clinical_at": "That time is before the patient checked in."})
        if replaces is not None and (replaces.session_id != locked.pk or not replaces.is_struck):
            raise ValidationError({"__all__": "Only a struck reading of this session can be "
                                              "re-entered."})  # fmt: skip
        if values["temperature_c"] is not None:
            values["temperature_c"] = Decimal(str(values["temperature_c"])).quantize(Decimal("0.1"))
        reading, created = append_once(
            VitalsReading, session=locked, idempotency_key=idempotency_key,
            clinical_at=at, entered_at=now, entered_by=by.user, phase=_phase(locked.state),
            symptoms=chosen, on_oxygen=on_oxygen, replaces=replaces, **values,
        )  # fmt: skip
        if not created:
            return reading, list(reading.firings.select_related("rule"))
        record(
            "infusions.reading.record",
            request=request, by=by, clinic=locked.clinic, obj=reading,
            patient_ref=locked.patient_id,
            after={**_reading_values(reading), "phase": reading.phase,
                   "clinical_at": at.isoformat(),
                   "replaces": replaces.pk if replaces is not None else None},
        )  # fmt: skip
        firings = _fire(by, locked, reading, request)
    return reading, firings


def _reading_values(reading: VitalsReading) -> dict[str, Any]:
    out: dict[str, Any] = {name: getattr(reading, name) for name in READING_RANGES}
    if out["temperature_c"] is not None:
        out["temperature_c"] = str(out["temperature_c"])
    out["symptoms"] = list(reading.symptoms)
    out["on_oxygen"] = reading.on_oxygen
    return out


def values_of(reading: VitalsReading) -> rules.ReadingValues:
    """A stored reading as the pure evaluator's values."""
    temperature = reading.temperature_c
    return rules.ReadingValues(
        systolic_mmhg=reading.systolic_mmhg,
        diastolic_mmhg=reading.diastolic_mmhg,
        heart_rate_bpm=reading.heart_rate_bpm,
        spo2_percent=reading.spo2_percent,
        resp_rate_per_min=reading.resp_rate_per_min,
        temperature_c=float(temperature) if temperature is not None else None,
        moaas=reading.moaas,
        dissociation=reading.dissociation,
        symptoms=frozenset(reading.symptoms or ()),
    )


def spec_of(rule: ThresholdRule) -> rules.RuleSpec:
    return rules.RuleSpec(
        id=rule.pk, measure=rule.measure, comparison=rule.comparison, value=rule.value,
        symptom=rule.symptom, consecutive=rule.consecutive,
    )  # fmt: skip


def describe(rule: ThresholdRule) -> str:
    """The rule in words, as frozen on a firing."""
    if rule.comparison == "present":
        label = dict(defaults.SYMPTOM_CHOICES).get(rule.symptom, rule.symptom)
        test = f"{label} reported"
    else:
        test = f"{rule.get_measure_display()} {rule.get_comparison_display()} {rule.value:g}"
        if rule.comparison == "rise_pct":
            test += " %"
    running = f" on {rule.consecutive} readings running" if rule.consecutive > 1 else ""
    return f"{rule.name}: {test}{running} → {rule.get_action_display()}. Source: {rule.source}"


def _fire(
    by: Membership, session: InfusionSession, reading: VitalsReading, request: HttpRequest | None
) -> list[RuleFiring]:
    defaults.ensure_default_rules(session.clinic)
    active = list(ThresholdRule.objects.filter(clinic=session.clinic, is_active=True))
    live = VitalsReading.objects.filter(session=session, struck_at__isnull=True)
    baseline = live.filter(phase=Phase.BASELINE).order_by("-clinical_at", "-id").first()
    upto = live.filter(
        models.Q(clinical_at__lt=reading.clinical_at)
        | models.Q(clinical_at=reading.clinical_at, id__lte=reading.pk)
    ).order_by("clinical_at", "id")
    fired = set(
        rules.evaluate(
            [spec_of(r) for r in active],
            values_of(baseline) if baseline is not None else None,
            [values_of(r) for r in upto],
        )
    )
    firings = []
    for rule in active:
        if rule.pk not in fired:
            continue
        firing = RuleFiring.objects.create(
            session=session, rule=rule, reading=reading, rule_text=describe(rule)
        )
        record(
            "infusions.rule.fire",
            request=request, by=by, clinic=session.clinic, obj=firing,
            patient_ref=session.patient_id,
            after={"rule": rule.pk, "action": rule.action, "reading": reading.pk,
                   "rule_text": firing.rule_text},
        )  # fmt: skip
        firings.append(firing)
    return firings


def strike(by: Membership, entry: Any, reason: str, *, request: HttpRequest | None = None) -> Any:
    """Strike a charted entry through with a reason (any ``Entry`` model: readings, pump
    events, adverse events, rescue doses...). Nothing is deleted; a correction is re-entered
    as a new entry. Refused for an entry already struck and once the note is signed (then the
    correction is an addendum)."""
    session = entry.session
    _chart_open(by, session)
    if not reason.strip():
        raise ValidationError({"reason": "Give the reason for striking this entry through."})
    with transaction.atomic():
        locked_session = lock(session)
        if locked_session.state in states.FINAL:
            raise ValidationError({"__all__": "The session is closed: correct the record with "
                                              "an addendum to the note."})  # fmt: skip
        row = type(entry)._default_manager.select_for_update().get(pk=entry.pk)
        if row.struck_at is not None:
            raise ValidationError({"__all__": "This entry is already struck through."})
        row.struck_at = timezone.now()
        row.struck_by = by.user
        row.strike_reason = reason.strip()
        row.save(update_fields=["struck_at", "struck_by", "strike_reason"])
        record(
            "infusions.entry.strike",
            request=request, by=by, clinic=locked_session.clinic, obj=row,
            patient_ref=locked_session.patient_id, reason=row.strike_reason,
            after={"struck_at": row.struck_at.isoformat()},
        )  # fmt: skip
    for name in ("struck_at", "struck_by", "strike_reason"):
        setattr(entry, name, getattr(row, name))
    return row


def strike_reading(
    by: Membership, reading: VitalsReading, *, reason: str, request: HttpRequest | None = None
) -> VitalsReading:
    """Strike a wrong reading through; re-enter it with ``record_reading(replaces=reading)``."""
    struck: VitalsReading = strike(by, reading, reason, request=request)
    return struck


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
        if firing is not None and not firing.response and lowered:
            respond_to_firing(
                by, firing, response="rate_lowered", note=event.reason, pump_event=event,
                request=request,
            )  # fmt: skip
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
