"""Charting vitals at the chair: a reading with its plausible ranges and times, the clinic's
threshold rules fired on it (clinical reference §2.3, ``infusions.rules``), and strike-through
of any charted entry. Re-exported by ``infusions.actions.charting``."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.http import HttpRequest
from django.utils import timezone

from ketaclinic.accounts.models import Membership
from ketaclinic.audit.log import record
from ketaclinic.infusions import defaults, policies, rules, states
from ketaclinic.infusions.actions._base import (
    append_once,
    lock,
    require,
)
from ketaclinic.infusions.models import (
    InfusionSession,
    RuleFiring,
    ThresholdRule,
    VitalsReading,
)
from ketaclinic.infusions.models.entries import Phase

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
    # A rule looks at most at its last ``consecutive`` readings: read only that many, so a
    # reading costs the same late in a long session as early on.
    window = max((r.consecutive for r in active), default=1)
    newest_first = live.filter(
        models.Q(clinical_at__lt=reading.clinical_at)
        | models.Q(clinical_at=reading.clinical_at, id__lte=reading.pk)
    ).order_by("-clinical_at", "-id")[:window]
    upto = list(newest_first)[::-1]
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
