"""How each pre-infusion checklist item is judged (clinical reference §3.3): what was entered
or found in, ``Outcome(result, detail, summary)`` out. The result is always computed here,
never taken from the form.

Limits come from the clinic's ``InfusionSettings`` (defaults and their sources in
``infusions.models.settings``): go/no-go blood pressure > 180/100 mmHg (§2.4 [E]; the SpO2 and
heart-rate limits only when the clinic set them, §2.4 gap), fasting 6 h solids / 2 h clear
liquids (§2.5 [C]), benzodiazepine held 24 h and last alcohol 24 h before (§3.3 [S]). At
exactly the limit an item passes: "held 24 h", "fasted 6 h" and "BP above 180/100" all admit
the boundary value.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError

from ketaclinic.access.zones import clinic_zone
from ketaclinic.consents.models import Kind
from ketaclinic.consents.queries import has_live_consent, live_consents
from ketaclinic.eligibility import screening
from ketaclinic.eligibility.facts import REPRODUCTIVE_SEXES
from ketaclinic.eligibility.models import Decision
from ketaclinic.infusions.models import InfusionSession, InfusionSettings
from ketaclinic.infusions.models.session import CheckResult
from ketaclinic.measurement.models import DueSend, RequestStatus, SendKind, SendStatus
from ketaclinic.measurement.safety import has_open_safety_alert
from ketaclinic.measurement.schedules import due_key, schedule_for
from ketaclinic.patients.forms import to_e164

PASS, FAIL, NA = CheckResult.PASS.value, CheckResult.FAIL.value, CheckResult.NOT_APPLICABLE.value

#: The emergency equipment of §3.3 (Ketalar label airway equipment; ACEP 2011; clinic
#: practice [E]/[S]), in the order a nurse walks the trolley.
EQUIPMENT: dict[str, str] = {
    "oxygen": "Oxygen",
    "suction": "Suction",
    "airway_adjuncts": "Airway adjuncts",
    "bag_valve_mask": "Bag-valve-mask",
    "aed_crash_cart": "AED / crash cart",
    "rescue_drugs": "Rescue drugs",
}

PREGNANCY: dict[str, str] = {
    "not_applicable": "Not applicable",
    "negative_test": "Negative pregnancy test",
    "reports_not_pregnant": "Patient reports not pregnant",
    "positive": "Positive pregnancy test",
}


@dataclass(frozen=True)
class Outcome:
    result: str
    summary: str
    detail: dict[str, Any] = field(default_factory=dict)


def _hm(delta: dt.timedelta) -> str:
    minutes = int(delta.total_seconds() // 60)
    return f"{minutes // 60} h {minutes % 60:02d} min"


def _local(session: InfusionSession, moment: dt.datetime) -> str:
    return moment.astimezone(clinic_zone(session.clinic)).strftime("%d %b %H:%M")


def _past(answers: Mapping[str, Any], name: str, now: dt.datetime) -> dt.datetime:
    value = answers.get(name)
    if not isinstance(value, dt.datetime):
        raise ValidationError({name: "Enter the date and time."})
    if value > now:
        raise ValidationError({name: "That time is in the future."})
    return value


def held_long_enough(since: dt.datetime, now: dt.datetime, hours: int) -> bool:
    """At least ``hours`` h between ``since`` and ``now`` (exactly ``hours`` passes)."""
    return now - since >= dt.timedelta(hours=hours)


def identity(session: InfusionSession, answers: Mapping[str, Any], **_: Any) -> Outcome:
    if not answers.get("confirmed"):
        raise ValidationError(
            {
                "confirmed": "Confirm the name and date of birth against the wristband or ID; "
                "if they do not match, do not go on."
            }
        )
    return Outcome(PASS, "Name and date of birth confirmed against the wristband or ID.")


def consents(session: InfusionSession, answers: Mapping[str, Any], **_: Any) -> Outcome:
    """A live off-label consent (§8.4 [E]), the one the day board asks for too."""
    ok = has_live_consent(session.patient, Kind.OFF_LABEL)
    kinds = sorted({c.template.kind for c in live_consents(session.patient)})
    if ok:
        return Outcome(PASS, "Off-label informed consent live.", {"live_kinds": kinds})
    return Outcome(FAIL, "No live off-label informed consent.", {"live_kinds": kinds})


def _labels(snapshot: Mapping[str, Any]) -> tuple[set[str], set[str]]:
    reasons = {
        ("A 42 CFR Part 2 item" if r.get("part2") else r.get("label", "")) for r in
        snapshot.get("reasons", [])
    }  # fmt: skip
    missing = {m.get("label", "") for m in snapshot.get("missing", [])}
    return reasons, missing


def eligibility(session: InfusionSession, answers: Mapping[str, Any], **_: Any) -> Outcome:
    """Rescreened now; passes when the signed decision is current (not stale, same
    fingerprint) and not "not eligible". What changed since the decision is listed."""
    patient = session.patient
    result = screening.screen(patient)
    decision = screening.current_decision(patient)
    detail: dict[str, Any] = {"status": result.status, "fingerprint": result.fingerprint}
    if decision is None:
        return Outcome(FAIL, f"No signed eligibility decision (rescreen: {result.status_label}).",
                       detail)  # fmt: skip
    stale = screening.decision_is_stale(patient, result=result)
    before_reasons, before_missing = _labels(decision.screening_snapshot)
    now_reasons, now_missing = _labels(result.as_json())
    changes = [f"new: {x}" for x in sorted(now_reasons - before_reasons)]
    changes += [f"no longer: {x}" for x in sorted(before_reasons - now_reasons)]
    changes += [f"now missing: {x}" for x in sorted(now_missing - before_missing)]
    changes += [f"now recorded: {x}" for x in sorted(before_missing - now_missing)]
    detail.update(decision=decision.pk, decision_value=decision.decision, stale=stale,
                  changes=changes)  # fmt: skip
    label = decision.get_decision_display()
    if stale:
        what = "; ".join(changes) or "the screening result changed"
        return Outcome(FAIL, f"Eligibility decision ({label}) out of date: {what}.", detail)
    if decision.decision == Decision.NOT_ELIGIBLE:
        return Outcome(FAIL, "The signed decision is: not eligible.", detail)
    signed = decision.signed_at.astimezone(clinic_zone(session.clinic)).strftime("%d %b %Y")
    return Outcome(PASS, f"Rescreened: unchanged since the decision ({label}, {signed}).", detail)


def medications(
    session: InfusionSession, answers: Mapping[str, Any], *, limits: InfusionSettings,
    now: dt.datetime, **_: Any,
) -> Outcome:  # fmt: skip
    changes = str(answers.get("changes") or "").strip()
    taken = answers.get("benzodiazepine_taken")
    if taken not in (True, False):
        raise ValidationError({"benzodiazepine_taken": "Answer yes or no."})
    detail: dict[str, Any] = {"changes": changes, "benzodiazepine_taken": taken}
    failed: list[str] = []
    parts = [f"Changes since last visit: {changes or 'none'}"]
    if taken:
        benzo_at = _past(answers, "benzodiazepine_at", now)
        detail["benzodiazepine_at"] = benzo_at.isoformat()
        held = held_long_enough(benzo_at, now, limits.benzodiazepine_hold_h)
        parts.append(
            f"benzodiazepine {_hm(now - benzo_at)} ago (hold {limits.benzodiazepine_hold_h} h)"
        )
        if not held:
            failed.append("benzodiazepine")
    else:
        parts.append("no benzodiazepine")
    if answers.get("alcohol_none"):
        detail["alcohol_at"] = None
        parts.append("no alcohol")
    else:
        alcohol_at = _past(answers, "alcohol_at", now)
        detail["alcohol_at"] = alcohol_at.isoformat()
        parts.append(f"last alcohol {_hm(now - alcohol_at)} ago (hold {limits.alcohol_hold_h} h)")
        if not held_long_enough(alcohol_at, now, limits.alcohol_hold_h):
            failed.append("alcohol")
    detail["failed"] = failed
    return Outcome(FAIL if failed else PASS, "; ".join(parts) + ".", detail)


def pregnancy(session: InfusionSession, answers: Mapping[str, Any], **_: Any) -> Outcome:
    """Where applicable by the record's sex at birth (the eligibility facts' rule)."""
    applicable = session.patient.sex_at_birth in REPRODUCTIVE_SEXES
    if not applicable:
        return Outcome(NA, "Not applicable (sex at birth on the record).", {"applicable": False})
    status = answers.get("status")
    if status not in PREGNANCY:
        raise ValidationError({"status": "Choose one."})
    detail = {"applicable": True, "status": status}
    result = {"positive": FAIL, "not_applicable": NA}.get(str(status), PASS)
    return Outcome(result, f"{PREGNANCY[str(status)]}.", detail)


def fasting(
    session: InfusionSession, answers: Mapping[str, Any], *, limits: InfusionSettings,
    now: dt.datetime, **_: Any,
) -> Outcome:  # fmt: skip
    solids = _past(answers, "solids_at", now)
    liquids = _past(answers, "clear_liquids_at", now)
    failed = []
    if not held_long_enough(solids, now, limits.fasting_solids_h):
        failed.append("solids")
    if not held_long_enough(liquids, now, limits.fasting_clear_liquids_h):
        failed.append("clear_liquids")
    summary = (
        f"Last solids {_local(session, solids)} ({_hm(now - solids)} before; "
        f"limit {limits.fasting_solids_h} h), last clear liquids {_local(session, liquids)} "
        f"({_hm(now - liquids)} before; limit {limits.fasting_clear_liquids_h} h)."
    )
    detail = {"solids_at": solids.isoformat(), "clear_liquids_at": liquids.isoformat(),
              "failed": failed}  # fmt: skip
    return Outcome(FAIL if failed else PASS, summary, detail)


#: Plausible ranges for catching typing mistakes (not limits; as the patient record's forms).
VITALS_RANGES: dict[str, tuple[int, int]] = {
    "systolic_mmhg": (50, 300),
    "diastolic_mmhg": (20, 200),
    "heart_rate_bpm": (20, 250),
    "spo2_percent": (50, 100),
    "resp_rate_per_min": (4, 60),
}


def vitals_values(answers: Mapping[str, Any]) -> dict[str, int]:
    values: dict[str, int] = {}
    errors: dict[str, str] = {}
    for name, (low, high) in VITALS_RANGES.items():
        value = answers.get(name)
        if not isinstance(value, int) or isinstance(value, bool):
            errors[name] = "Enter a whole number."
        elif not low <= value <= high:
            errors[name] = f"Between {low} and {high}: check the reading."
        else:
            values[name] = value
    if errors:
        raise ValidationError(errors)
    return values


def go_no_go(values: Mapping[str, int], limits: InfusionSettings) -> list[str]:
    """Which go/no-go limits the baseline breaks (§2.4): BP strictly above the clinic's
    maximum ("> 180/100" [E]); SpO2 below and heart rate above only where the clinic set a
    limit (no source gives one, §2.4 gap)."""
    out = []
    if values["systolic_mmhg"] > limits.max_systolic_mmhg:
        out.append(f"systolic above {limits.max_systolic_mmhg} mmHg")
    if values["diastolic_mmhg"] > limits.max_diastolic_mmhg:
        out.append(f"diastolic above {limits.max_diastolic_mmhg} mmHg")
    if limits.min_spo2_percent is not None and values["spo2_percent"] < limits.min_spo2_percent:
        out.append(f"SpO2 below {limits.min_spo2_percent}%")
    if (
        limits.max_heart_rate_bpm is not None
        and values["heart_rate_bpm"] > limits.max_heart_rate_bpm
    ):
        out.append(f"heart rate above {limits.max_heart_rate_bpm} bpm")
    return out


def vitals_summary(values: Mapping[str, Any], broken: list[str]) -> str:
    text = (
        f"BP {values['systolic_mmhg']}/{values['diastolic_mmhg']} mmHg, "
        f"HR {values['heart_rate_bpm']} bpm, SpO2 {values['spo2_percent']}%, "
        f"RR {values['resp_rate_per_min']}/min"
    )
    if values.get("temperature_c") is not None:
        text += f", T {values['temperature_c']} °C"
    return text + (f": {', '.join(broken)}." if broken else ": within the clinic's limits.")


def questionnaires(session: InfusionSession, answers: Mapping[str, Any], **_: Any) -> Outcome:
    """This visit's before-infusion send (the measurement schedule's due send for the
    booking's start) answered, and no open safety alert (§3.3, §6: PHQ-9 item 9 / C-SSRS)."""
    patient = session.patient
    problems: list[str] = []
    detail: dict[str, Any] = {}
    schedule = schedule_for(patient)
    due = None
    if schedule is not None and schedule.before_infusion:
        due_at = session.booking.starts_at - dt.timedelta(hours=schedule.before_infusion_hours)
        due = (
            DueSend.objects.filter(key=due_key(schedule.pk, SendKind.BEFORE_INFUSION, due_at))
            .select_related("questionnaire_request")
            .first()
        )
    if due is None or due.status == SendStatus.CANCELLED:
        detail["due_send"] = None
        found = "No pre-session questionnaire is due for this visit"
    else:
        req = due.questionnaire_request
        detail.update(due_send=due.pk, request=req.pk if req else None)
        if req is not None and req.status == RequestStatus.SUBMITTED:
            found = "Pre-session questionnaire answered"
        else:
            found = "Pre-session questionnaire not answered yet"
            problems.append("questionnaire")
    alert = has_open_safety_alert(patient)
    detail["open_safety_alert"] = alert
    if alert:
        problems.append("safety_alert")
    detail["failed"] = problems
    tail = "an open safety alert: a clinician must review it" if alert else "no open safety alert"
    return Outcome(FAIL if problems else PASS, f"{found}; {tail}.", detail)


def escort(session: InfusionSession, answers: Mapping[str, Any], **_: Any) -> Outcome:
    """A responsible adult takes the patient home (Ketalar label, §5.3 [E])."""
    name = str(answers.get("name") or "").strip()
    relationship = str(answers.get("relationship") or "").strip()
    errors: dict[str, str] = {}
    if not name:
        errors["name"] = "Enter the escort's name."
    try:
        phone = to_e164(str(answers.get("phone") or ""))
    except ValidationError as exc:
        errors["phone"] = exc.messages[0]
        phone = ""
    if not phone and "phone" not in errors:
        errors["phone"] = "Enter the escort's phone number."
    if errors:
        raise ValidationError(errors)
    detail = {"name": name, "relationship": relationship, "phone": phone}
    who = f"{name} ({relationship})" if relationship else name
    return Outcome(PASS, f"Escort home: {who}, {phone}.", detail)


def equipment(session: InfusionSession, answers: Mapping[str, Any], **_: Any) -> Outcome:
    missing = [label for key, label in EQUIPMENT.items() if not answers.get(key)]
    detail = {key: bool(answers.get(key)) for key in EQUIPMENT}
    if missing:
        return Outcome(FAIL, f"Not checked: {', '.join(missing)}.", detail)
    return Outcome(PASS, "Emergency equipment checked: " + ", ".join(EQUIPMENT.values()) + ".",
                   detail)  # fmt: skip
