"""The session note's content, built from the models as a JSON-ready dict (what is signed,
frozen and hashed). Times are written in the clinic's zone.

The REMS-style summary follows the Spravato Patient Monitoring Form fields (clinical reference
§2.7 [E]): total monitoring duration, blood pressure before dosing, about 40 minutes after the
start and before discharge, and whether sedation, dissociation or respiratory depression
occurred. What counts as "occurred" is our rule [D], written into the note:

* sedation: any reading with MOAA/S below 5 (§2.6);
* dissociation: an adverse event of dissociation or emergence, or a dissociation score above 0;
* respiratory depression: an adverse event of respiratory depression.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any

from ketaclinic.access.zones import clinic_zone
from ketaclinic.infusions import pk
from ketaclinic.infusions.models import (
    AfterEffectsCheck,
    InfusionSession,
    RecoveryAssessment,
    VitalsReading,
)
from ketaclinic.infusions.models.entries import EventKind, Phase
from ketaclinic.infusions.models.session import CheckItem
from ketaclinic.infusions.queries import settings_for
from ketaclinic.instruments.session_scales import AFTER_EFFECT_SYMPTOMS

REMS_RULES = (
    "Sedation: MOAA/S below 5 on any reading. Dissociation: an adverse event of dissociation "
    "or emergence, or a dissociation score above 0. Respiratory depression: an adverse event of "
    "that kind. (Spravato REMS monitoring form fields, clinical reference §2.7; rule [D].)"
)
SEVERITY_WORDS = {0: "none", 1: "mild", 2: "moderate", 3: "severe"}


def canonical_json(content: dict[str, Any]) -> str:
    return json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def sha256_of(content: dict[str, Any]) -> str:
    return hashlib.sha256(canonical_json(content).encode("utf-8")).hexdigest()


def _name(user: Any) -> str:
    return "" if user is None else str(user.full_name or user.email)


def note_content(session: InfusionSession) -> dict[str, Any]:
    """Everything the note says about ``session`` (see the module docstring)."""
    zone = clinic_zone(session.clinic)

    def t(when: dt.datetime | None) -> str:
        return "" if when is None else f"{when.astimezone(zone):%Y-%m-%d %H:%M}"

    late_min = settings_for(session.clinic).late_entry_min
    patient = session.patient
    readings = list(
        session.readings.select_related("entered_by", "struck_by").order_by("clinical_at", "id")
    )
    clinicians: dict[str, str] = {}

    def who(user: Any, role: str) -> str:
        name = _name(user)
        if name:
            clinicians.setdefault(name, role)
        return name

    def reading_row(r: VitalsReading) -> dict[str, Any]:
        late = (r.entered_at - r.clinical_at) >= dt.timedelta(minutes=late_min)
        return {
            "id": r.pk,
            "at": t(r.clinical_at),
            "entered_at": t(r.entered_at),
            "phase": r.get_phase_display(),
            "bp": f"{r.systolic_mmhg}/{r.diastolic_mmhg}",
            "hr": r.heart_rate_bpm,
            "spo2": r.spo2_percent,
            "rr": r.resp_rate_per_min,
            "temp": str(r.temperature_c) if r.temperature_c is not None else "",
            "moaas": r.moaas,
            "dissociation": r.dissociation,
            "on_oxygen": r.on_oxygen,
            "symptoms": list(r.symptoms or []),
            "by": who(r.entered_by, "charted"),
            "late": late,
            "struck": r.is_struck,
            "strike_reason": r.strike_reason,
            "struck_by": _name(r.struck_by),
            "replaces": r.replaces_id,
        }

    live = [r for r in readings if not r.is_struck]
    plan = session.plan_version
    plan_part: dict[str, Any] | None = None
    if plan is not None:
        plan_part = {
            "version": plan.number,
            "indication": plan.indication,
            "dose_mg_per_kg": plan.dose_mg_per_kg,
            "dose_mg": round(plan.dose_mg, 2),
            "weight_kg": plan.weight_kg,
            "weight_basis": plan.get_weight_basis_display(),
            "weight_used_kg": plan.weight_used_kg,
            "signed_at": t(plan.signed_at),
            "signed_by": _name(plan.signed_by),
        }
    labels = dict(CheckItem.choices)
    newest: dict[str, Any] = {}
    for c in session.checks.select_related("recorded_by").order_by("recorded_at", "id"):
        newest[c.item] = c
    prechecks = [
        {
            "item": labels.get(c.item, c.item),
            "result": c.get_result_display(),
            "summary": c.summary,
            "at": t(c.recorded_at),
            "by": _name(c.recorded_by),
        }
        for c in newest.values()
    ]
    overrides = [
        {
            "item": "Discharge" if o.item == "discharge" else labels.get(o.item, o.item),
            "reason": o.reason,
            "at": t(o.at),
            "physician": who(o.by, "physician"),
        }
        for o in session.overrides.select_related("by").order_by("at", "id")
    ]
    pump = [
        {
            "at": t(p.clinical_at),
            "kind": p.get_kind_display(),
            "rate_ml_per_h": p.rate_ml_per_h,
            "reason": p.reason,
            "by": who(p.entered_by, "charted"),
            "firing": p.firing_id,
            "adverse_event": p.adverse_event_id,
            "struck": p.is_struck,
            "strike_reason": p.strike_reason,
        }
        for p in session.pump.select_related("entered_by").order_by("clinical_at", "id")
    ]
    firings = [
        {
            "id": f.pk,
            "at": t(f.fired_at),
            "rule": f.rule_text,
            "reading": (
                f"{t(f.reading.clinical_at)} BP {f.reading.systolic_mmhg}/"
                f"{f.reading.diastolic_mmhg}, HR {f.reading.heart_rate_bpm}, "
                f"SpO2 {f.reading.spo2_percent}"
                if f.reading is not None
                else ""
            ),
            "response": f.response,
            "response_note": f.response_note,
            "responded_at": t(f.responded_at),
            "responded_by": _name(f.responded_by),
        }
        for f in session.firings.select_related("reading", "responded_by").order_by("fired_at")
    ]
    events = list(session.events.select_related("entered_by").order_by("clinical_at", "id"))
    event_rows = [
        {
            "id": e.pk,
            "at": t(e.clinical_at),
            "kind": e.get_kind_display(),
            "description": e.description,
            "severity": e.get_severity_display(),
            "outcome": e.outcome,
            "resolved_at": t(e.resolved_at),
            "by": who(e.entered_by, "charted"),
            "struck": e.is_struck,
        }
        for e in events
    ]
    rescues = []
    for d in session.rescues.select_related(
        "drug", "entered_by", "ordered_by", "adverse_event", "reading", "firing"
    ).order_by("clinical_at", "id"):
        trigger = []
        if d.adverse_event is not None:
            trigger.append(
                f"adverse event: {d.adverse_event.get_kind_display()} at "
                f"{t(d.adverse_event.clinical_at)}"
            )
        if d.firing is not None:
            trigger.append(f"rule fired: {d.firing.rule_text}")
        if d.reading is not None:
            trigger.append(
                f"reading at {t(d.reading.clinical_at)} "
                f"(BP {d.reading.systolic_mmhg}/{d.reading.diastolic_mmhg})"
            )
        rescues.append(
            {
                "at": t(d.clinical_at),
                "drug": d.drug.name,
                "dose_mg": d.dose_mg,
                "route": d.route,
                "given_by": who(d.entered_by, "gave"),
                "ordered_by": who(d.ordered_by, "ordered"),
                "trigger": "; ".join(trigger),
                "adverse_event": d.adverse_event_id,
                "dose_warnings": list(d.dose_warnings or []),
                "override_reason": d.override_reason,
                "response": d.response,
                "struck": d.is_struck,
            }
        )
    prediction = pk.session_prediction(session)
    pk_part: dict[str, Any] | None = None
    if prediction is not None:
        pk_part = {
            "delivered_mg": round(prediction.delivered_mg, 2),
            "peak_plasma_ng_per_ml": round(prediction.peak_plasma_ng_per_ml, 1),
            "peak_plasma_time_min": round(prediction.peak_plasma_time_min, 1),
            "peak_effect_ng_per_ml": (
                None
                if prediction.peak_effect_ng_per_ml is None
                else round(prediction.peak_effect_ng_per_ml, 1)
            ),
            "model_id": prediction.model_id,
        }
    assessments = [
        _assessment_row(a, t)
        for a in session.assessments.select_related("entered_by").order_by("clinical_at", "id")
    ]
    after_effects = [
        _after_effects_row(a, t)
        for a in AfterEffectsCheck.objects.filter(session=session)
        .select_related("response", "entered_by")
        .order_by("clinical_at", "id")
    ]
    return {
        "patient": {
            "name": patient.legal_name,
            "date_of_birth": patient.date_of_birth.isoformat(),
            "sex_at_birth": patient.get_sex_at_birth_display(),
            "mrn": patient.mrn,
        },
        "clinic": session.clinic.name,
        "zone": str(zone),
        "date": t(session.booking.starts_at)[:10],
        "chair": session.booking.chair.name,
        "state": session.state_label,
        "plan": plan_part,
        "prechecks": prechecks,
        "overrides": overrides,
        "preparation": {
            "drug": session.drug_name,
            "lot": session.vial_lot,
            "expiry": session.vial_expiry.isoformat() if session.vial_expiry else "",
            "container_drug_mg": session.container_drug_mg,
            "container_volume_ml": session.container_volume_ml,
            "concentration_mg_per_ml": session.concentration_mg_per_ml,
            "ordered_dose_mg": session.ordered_dose_mg,
            "ordered_duration_min": session.ordered_duration_min,
            "rate_ml_per_h": session.ordered_rate_ml_per_h,
            "arithmetic": [str(x) for x in (session.rate_arithmetic or [])],
            "prepared_at": t(session.prepared_at),
            "prepared_by": who(session.prepared_by, "prepared"),
        },
        "times": {
            "checked_in": t(session.checked_in_at),
            "started": t(session.started_at),
            "infusion_ended": t(session.infusion_ended_at),
            "recovery_started": t(session.recovery_started_at),
            "discharged": t(session.discharged_at),
        },
        "stop_reason": session.stop_reason,
        "readings": [reading_row(r) for r in readings],
        "pump": pump,
        "firings": firings,
        "events": event_rows,
        "rescues": rescues,
        "prediction": pk_part,
        "assessments": assessments,
        "after_effects": after_effects,
        "discharge": {
            "at": t(session.discharged_at),
            "escort_name": session.escort_name,
            "escort_relationship": session.escort_relationship,
            "escort_phone": session.escort_phone,
            "override_reason": session.discharge_override_reason,
            "override_by": _name(session.discharge_override_by),
            "instructions_sent_at": t(session.instructions_sent_at),
        },
        "rems": _rems(session, live, events, t),
        "clinicians": [{"name": n, "role": r} for n, r in clinicians.items()],
    }


def _assessment_row(a: RecoveryAssessment, t: Any) -> dict[str, Any]:
    return {
        "at": t(a.clinical_at),
        "aldrete_total": a.aldrete_total,
        "aldrete_items": _item_scores(a.aldrete_items),
        "bp_variant": a.aldrete_items.get("bp_variant", "mmhg"),
        "padss_total": a.padss_total,
        "padss_items": _item_scores(a.padss_items),
        "by": _name(a.entered_by),
        "struck": a.is_struck,
    }


def _item_scores(items: dict[str, Any]) -> dict[str, int]:
    return {k: v for k, v in items.items() if isinstance(v, int) and not isinstance(v, bool)}


def _after_effects_row(a: AfterEffectsCheck, t: Any) -> dict[str, Any]:
    sub = a.response.subscores or {}
    return {
        "at": t(a.clinical_at),
        "by": _name(a.entered_by),
        "symptoms": [
            {
                "symptom": s,
                "severity": SEVERITY_WORDS.get(int(sub[s]), "?")
                if sub.get(s) is not None
                else "not answered",
            }
            for s in AFTER_EFFECT_SYMPTOMS
        ],
        "struck": a.response.is_struck,
    }


def _bp(r: VitalsReading | None, t: Any) -> str:
    return "" if r is None else f"{r.systolic_mmhg}/{r.diastolic_mmhg} mmHg at {t(r.clinical_at)}"


def _rems(
    session: InfusionSession, live: list[VitalsReading], events: list[Any], t: Any
) -> dict[str, Any]:
    baseline = [r for r in live if r.phase == Phase.BASELINE]
    pre = baseline[-1] if baseline else None
    at40: VitalsReading | None = None
    if session.started_at is not None:
        target = session.started_at + dt.timedelta(minutes=40)
        after = [r for r in live if r.clinical_at >= session.started_at]
        if after:
            at40 = min(after, key=lambda r: abs((r.clinical_at - target).total_seconds()))
    end = session.discharged_at
    before_discharge = [r for r in live if end is None or r.clinical_at <= end]
    last = before_discharge[-1] if before_discharge else None
    first_at = session.started_at or (live[0].clinical_at if live else None)
    last_at = end or (live[-1].clinical_at if live else None)
    duration = int((last_at - first_at).total_seconds() // 60) if first_at and last_at else None
    kinds = {e.kind for e in events if not e.is_struck}
    return {
        "monitoring_min": duration,
        "bp_pre_dose": _bp(pre, t),
        "bp_40_min": _bp(at40, t),
        "bp_before_discharge": _bp(last, t),
        "sedation": any(r.moaas is not None and r.moaas < 5 for r in live),
        "dissociation": bool(kinds & {EventKind.DISSOCIATION, EventKind.EMERGENCE})
        or any((r.dissociation or 0) > 0 for r in live),
        "respiratory_depression": EventKind.RESPIRATORY in kinds,
        "rules": REMS_RULES,
    }
