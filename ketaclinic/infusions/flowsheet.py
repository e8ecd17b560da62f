"""The session's flowsheet: every charted row in clinical-time order, and the live screen's
loaded data (one query per table, whatever the number of rows).

Readings (with MOAA/S, dissociation and symptoms), pump events, rule firings and the
clinician's response, adverse events and rescue doses. Struck entries stay, struck through
with the reason and who struck them; a re-entered reading names the one it replaces; an
entry charted ``late_entry_min`` or more after its clinical time is marked late (the
clinic's setting, ``InfusionSettings``; a design choice [D]).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from ketaclinic.accounts.models import User
from ketaclinic.infusions.defaults import SYMPTOM_CHOICES
from ketaclinic.infusions.models import (
    AdverseEvent,
    InfusionSession,
    InfusionSettings,
    PumpEvent,
    RescueDose,
    RuleFiring,
    ThresholdRule,
    VitalsReading,
)
from ketaclinic.infusions.models.entries import Entry

SYMPTOMS = dict(SYMPTOM_CHOICES)
KIND_ORDER = {"reading": 0, "pump": 1, "firing": 2, "event": 3, "rescue": 4}


@dataclass
class Loaded:
    """Everything the live panels read, loaded once per request."""

    readings: list[VitalsReading]
    pump: list[PumpEvent]
    firings: list[RuleFiring]
    events: list[AdverseEvent]
    rescues: list[RescueDose]
    rules: list[ThresholdRule]
    settings: InfusionSettings
    extra: dict[str, object] = field(default_factory=dict)

    @property
    def live_readings(self) -> list[VitalsReading]:
        return [r for r in self.readings if r.struck_at is None]

    @property
    def live_pump(self) -> list[PumpEvent]:
        return [p for p in self.pump if p.struck_at is None]


def load(session: InfusionSession, settings: InfusionSettings) -> Loaded:
    who = ("entered_by", "struck_by")
    return Loaded(
        readings=list(VitalsReading.objects.filter(session=session).select_related(*who)),
        pump=list(PumpEvent.objects.filter(session=session).select_related(*who)),
        firings=list(
            RuleFiring.objects.filter(session=session).select_related("rule", "responded_by")
        ),
        events=list(AdverseEvent.objects.filter(session=session).select_related(*who)),
        rescues=list(
            RescueDose.objects.filter(session=session).select_related(*who, "drug", "ordered_by")
        ),
        rules=list(ThresholdRule.objects.filter(clinic_id=session.clinic_id, is_active=True)),
        settings=settings,
    )


@dataclass(frozen=True)
class Row:
    at: dt.datetime
    kind: str
    kind_label: str
    what: str
    detail: str
    anchor: str
    entered_by: str = ""
    late: bool = False
    struck: bool = False
    strike_reason: str = ""
    struck_by: str = ""
    replaces_anchor: str = ""
    replaces_label: str = ""
    alert: bool = False
    sort_id: int = 0


def _name(user: User | None) -> str:
    return (user.full_name or user.email) if user is not None else ""


def _entry(e: Entry, settings: InfusionSettings) -> dict[str, object]:
    late = (e.entered_at - e.clinical_at) >= dt.timedelta(minutes=settings.late_entry_min)
    return {
        "at": e.clinical_at,
        "entered_by": _name(e.entered_by),
        "late": late,
        "struck": e.struck_at is not None,
        "strike_reason": e.strike_reason,
        "struck_by": _name(e.struck_by) if e.struck_at is not None else "",
        "sort_id": e.pk,
    }


def reading_text(r: VitalsReading) -> tuple[str, str]:
    what = (
        f"BP {r.systolic_mmhg}/{r.diastolic_mmhg} mmHg · HR {r.heart_rate_bpm}/min · "
        f"SpO2 {r.spo2_percent} %{' on O2' if r.on_oxygen else ''} · RR {r.resp_rate_per_min}/min"
    )
    parts = []
    if r.temperature_c is not None:
        parts.append(f"{r.temperature_c} °C")
    if r.moaas is not None:
        parts.append(f"MOAA/S {r.moaas}")
    if r.dissociation is not None:
        parts.append(f"dissociation (CADSS-6) {r.dissociation}")
    if r.symptoms:
        parts.append("symptoms: " + ", ".join(SYMPTOMS.get(s, s) for s in r.symptoms))
    return what, " · ".join(parts)


def rows(data: Loaded, zone: dt.tzinfo) -> list[Row]:
    """Every charted row, in clinical-time order (ties: readings, pump, firings, events,
    rescues, then entry order)."""
    s = data.settings
    out: list[Row] = []
    by_pk = {r.pk: r for r in data.readings}
    for r in data.readings:
        what, detail = reading_text(r)
        replaced = by_pk.get(r.replaces_id) if r.replaces_id else None
        out.append(
            Row(
                kind="reading", kind_label=f"Vitals ({r.get_phase_display().lower()})",
                what=what, detail=detail, anchor=f"flow-reading-{r.pk}",
                replaces_anchor=f"flow-reading-{replaced.pk}" if replaced else "",
                replaces_label=(
                    f"the {replaced.clinical_at.astimezone(zone):%H:%M} reading"
                    if replaced else ""
                ),
                **_entry(r, s),  # type: ignore[arg-type]
            )
        )  # fmt: skip
    for p in data.pump:
        rate = f" at {p.rate_ml_per_h:g} mL/h" if p.rate_ml_per_h is not None else ""
        out.append(
            Row(
                kind="pump", kind_label="Pump", what=f"{p.get_kind_display()}{rate}",
                detail=f"Reason: {p.reason}" if p.reason else "", anchor=f"flow-pump-{p.pk}",
                **_entry(p, s),  # type: ignore[arg-type]
            )
        )  # fmt: skip
    for f in data.firings:
        if f.response:
            answer = f"Response: {f.response.replace('_', ' ')}"
            answer += f" — {f.response_note}" if f.response_note else ""
            answer += f" ({_name(f.responded_by)})" if f.responded_by else ""
        else:
            answer = "No response recorded yet"
        out.append(
            Row(
                at=f.fired_at, kind="firing", kind_label="Rule fired", what=f.rule_text,
                detail=answer, anchor=f"flow-firing-{f.pk}", alert=not f.response,
                sort_id=f.pk,
            )
        )  # fmt: skip
    for e in data.events:
        bits = [e.get_severity_display()]
        if e.description:
            bits.append(e.description)
        if e.outcome:
            bits.append(f"Outcome: {e.outcome}")
        if e.resolved_at:
            bits.append(f"resolved {e.resolved_at.astimezone(zone):%H:%M}")
        out.append(
            Row(
                kind="event", kind_label="Adverse event", what=e.get_kind_display(),
                detail=" · ".join(bits), anchor=f"flow-event-{e.pk}",
                **_entry(e, s),  # type: ignore[arg-type]
            )
        )  # fmt: skip
    for d in data.rescues:
        notes = [f"ordered by {_name(d.ordered_by)}"]
        if d.adverse_event_id:
            notes.append("for the adverse event")
        if d.firing_id:
            notes.append("for the rule that fired")
        if d.response:
            notes.append(f"Response: {d.response}")
        if d.override_reason:
            notes.append(f"Given despite the dose check: {d.override_reason}")
        out.append(
            Row(
                kind="rescue", kind_label="Rescue drug",
                what=f"{d.drug.name} {d.dose_mg:g} mg {d.route}", detail=" · ".join(notes),
                anchor=f"flow-rescue-{d.pk}",
                **_entry(d, s),  # type: ignore[arg-type]
            )
        )  # fmt: skip
    return sorted(out, key=lambda r: (r.at, KIND_ORDER[r.kind], r.sort_id))
