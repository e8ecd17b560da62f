"""The live part of the session screen: status, chart and flowsheet panels.

All three are ``live=True`` panels: the htmx poll of ``/sessions/<pk>/live/`` re-renders them
every few seconds on any device, so what anyone charts appears on every open screen without
a reload. They hold no forms (a poll would wipe what someone is typing). They share one load
per request (``_data``): one query per table, whatever the number of rows.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.urls import URLPattern
from django.utils import timezone
from django.utils.safestring import mark_safe

from ketaclinic.access.request import ClinicRequest
from ketaclinic.access.zones import clinic_zone
from ketaclinic.infusions import chartsvg, due, flowsheet, pk, states
from ketaclinic.infusions.models import InfusionSession
from ketaclinic.infusions.models.settings import INTERVAL_SOURCE
from ketaclinic.infusions.panels import Panel, register_panel
from ketaclinic.infusions.queries import settings_for
from ketaclinic.treatment.models import OBSERVATION_SOURCE
from ketaclinic.treatment.queries import settings_for as treatment_settings_for

urlpatterns: list[URLPattern] = []

#: States with something charted (the chart and the flowsheet show).
CHARTED = frozenset(states.IN_CHAIR | {states.DISCHARGED, states.SIGNED})
#: Numeric rules drawn as threshold lines: measure -> the chart's series.
DRAWN = {"systolic": "systolic", "diastolic": "diastolic", "heart_rate": "heart_rate",
         "spo2": "spo2"}  # fmt: skip
COMPARISON_TEXT = {"ge": "≥", "le": "≤"}


@dataclass(frozen=True)
class LiveData:
    now: dt.datetime
    zone: dt.tzinfo
    loaded: flowsheet.Loaded
    prediction: pk.SessionPrediction | None
    planned_end: pk.PlannedEnd | None
    due: due.DueState | None
    observation_min: int


def _data(request: ClinicRequest, session: InfusionSession) -> LiveData:
    """Loaded once per request and shared by the three panels."""
    memo: dict[int, LiveData] = request.__dict__.setdefault("_infusions_live", {})
    if session.pk in memo:
        return memo[session.pk]
    session.clinic = request.clinic  # the same row (the session was found by clinic)
    now = timezone.now()
    chosen = settings_for(request.clinic)
    treatment = treatment_settings_for(request.clinic)
    loaded = flowsheet.load(session, chosen)
    prediction = pk.session_prediction(session, now, events=loaded.live_pump, chosen=treatment)
    newest = max((r.clinical_at for r in loaded.live_readings), default=None)
    memo[session.pk] = LiveData(
        now=now,
        zone=clinic_zone(request.clinic),
        loaded=loaded,
        prediction=prediction,
        planned_end=pk.planned_end_prediction(
            session, now, events=loaded.live_pump, chosen=treatment
        ),
        due=due.due_from(session, now, newest, chosen),
        observation_min=int(treatment.minimum_observation_min),
    )
    return memo[session.pk]


def _local(d: LiveData, t: dt.datetime | None) -> str:
    return t.astimezone(d.zone).strftime("%H:%M") if t is not None else ""


def pump_now(session: InfusionSession, d: LiveData) -> str:
    """What the pump does now, from the newest non-struck pump event."""
    events = d.loaded.live_pump
    if not events:
        return "Not started"
    entries = pk.charted_entries(session, d.now, events=events)
    segments = pk.segments_of(entries)
    last = events[-1]
    if last.kind == "stop" or session.state not in states.ON_PUMP:
        return "Stopped"
    if last.kind == "pause":
        return "Paused"
    rate = segments[-1][2] if segments else last.rate_ml_per_h
    return f"{rate:g} mL/h" if rate is not None else "Running"


def status_context(request: ClinicRequest, session: InfusionSession) -> dict[str, Any]:
    d = _data(request, session)
    p = d.prediction
    minutes_in = None
    if session.started_at is not None:
        end = session.infusion_ended_at or d.now
        minutes_in = max(int((end - session.started_at).total_seconds() // 60), 0)
    ordered = session.ordered_dose_mg or (
        session.plan_version.dose_mg if session.plan_version else None
    )
    delivered = (
        p.delivered_mg
        if p is not None
        else pk.delivered_mg(session, d.now, events=d.loaded.live_pump)
    )
    unanswered = [f for f in d.loaded.firings if not f.response]
    discharge_at = discharge_estimated = None
    if session.recovery_started_at is not None:
        discharge_at = session.recovery_started_at + dt.timedelta(minutes=d.observation_min)
    elif session.started_at is not None and session.ordered_duration_min:
        discharge_estimated = session.started_at + dt.timedelta(
            minutes=session.ordered_duration_min + d.observation_min
        )
    return {
        "phase": session.state_label,
        "minutes_in": minutes_in,
        "pump_now": pump_now(session, d),
        "delivered_mg": delivered,
        "ordered_mg": ordered,
        "delivered_pct": round(100 * delivered / ordered) if ordered else None,
        "due": d.due,
        "due_at": _local(d, d.due.due_at) if d.due else "",
        "due_in_min": (
            max(int((d.due.due_at - d.now).total_seconds() // 60), 0) if d.due else None
        ),
        "interval_source": INTERVAL_SOURCE,
        "unanswered": [(f, _local(d, f.fired_at)) for f in unanswered],
        "discharged_at": _local(d, session.discharged_at),
        "discharge_at": _local(d, discharge_at),
        "discharge_estimated": _local(d, discharge_estimated),
        "observation_min": d.observation_min,
        "observation_source": OBSERVATION_SOURCE,
        "prediction": p,
        "planned_end": d.planned_end,
        "planned_end_at": _local(d, d.planned_end.at) if d.planned_end else "",
        "on_pump": session.state in states.ON_PUMP,
    }


#: The reading field behind each drawn measure (for a rise over the baseline).
FIELD = {"systolic": "systolic_mmhg", "diastolic": "diastolic_mmhg",
         "heart_rate": "heart_rate_bpm", "spo2": "spo2_percent"}  # fmt: skip


def _thresholds(d: LiveData) -> list[chartsvg.ThresholdLine]:
    """The clinic's active numeric rules as lines: absolute limits as they read; a rise over
    the baseline drawn at the newest baseline reading's value plus the rise (none before a
    baseline is charted)."""
    baselines = [r for r in d.loaded.live_readings if r.phase == "baseline"]
    base = baselines[-1] if baselines else None
    out = []
    for rule in d.loaded.rules:
        if rule.measure not in DRAWN or rule.value is None:
            continue
        action = rule.get_action_display().lower()
        if rule.comparison in COMPARISON_TEXT:
            label = f"{rule.get_measure_display()} {COMPARISON_TEXT[rule.comparison]} "
            out.append(
                chartsvg.ThresholdLine(
                    DRAWN[rule.measure], rule.value, f"{label}{rule.value:g}: {action}"
                )
            )
        elif rule.comparison in ("rise", "rise_pct") and base is not None:
            start = float(getattr(base, FIELD[rule.measure]))
            unit = "%" if rule.comparison == "rise_pct" else ""
            value = start * (1 + rule.value / 100) if unit else start + rule.value
            label = (
                f"{rule.get_measure_display()} baseline {start:g} + {rule.value:g}{unit} "
                f"= {value:g}: {action}"
            )
            out.append(chartsvg.ThresholdLine(DRAWN[rule.measure], value, label))
    return out


def summary(session: InfusionSession, d: LiveData) -> str:
    """The chart's text alternative in a few sentences."""
    parts = []
    readings = d.loaded.live_readings
    if readings:
        r = readings[-1]
        parts.append(
            f"Latest reading at {_local(d, r.clinical_at)}: BP {r.systolic_mmhg}/"
            f"{r.diastolic_mmhg} mmHg, heart rate {r.heart_rate_bpm}/min, SpO2 "
            f"{r.spo2_percent} %. {len(readings)} readings charted."
        )
    else:
        parts.append("No readings charted yet.")
    parts.append(f"Pump: {pump_now(session, d)}.")
    p = d.prediction
    if p is not None:
        text = (
            f"Predicted plasma {p.analyte_label or 'ketamine'} now {p.plasma_now_ng_per_ml:.0f} "
            f"ng/mL; peak {p.peak_plasma_ng_per_ml:.0f} ng/mL at {p.peak_plasma_time_min:g} min"
        )
        if p.plan_plasma_ng_per_ml is not None:
            i = min(int(round(p.now_min / pk.DT_MIN)), len(p.times_min) - 1)
            text += f"; the plan's curve {float(p.plan_plasma_ng_per_ml[i]):.0f} ng/mL now"
        parts.append(text + f" ({p.model_title or p.model_id}, typical patient).")
    if d.planned_end is not None:
        parts.append(
            f"At the current rate, predicted plasma {d.planned_end.plasma_ng_per_ml:.0f} ng/mL "
            f"at the planned end ({_local(d, d.planned_end.at)})."
        )
    return " ".join(parts)


def chart_context(request: ClinicRequest, session: InfusionSession) -> dict[str, Any]:
    d = _data(request, session)
    p = d.prediction
    zero = pk.origin(d.loaded.live_pump) or session.started_at
    vitals = []
    for r in d.loaded.live_readings:
        t = (r.clinical_at - zero).total_seconds() / 60 if zero is not None else 0.0
        if zero is None:
            t = (r.clinical_at - d.now).total_seconds() / 60
        vitals.append(
            chartsvg.VitalsPoint(
                t, r.systolic_mmhg, r.diastolic_mmhg, r.heart_rate_bpm, r.spo2_percent,
                _local(d, r.clinical_at),
            )
        )  # fmt: skip
    curves = None
    if p is not None:
        curves = chartsvg.Curves(
            p.times_min, p.plasma_ng_per_ml, p.effect_ng_per_ml, p.plan_plasma_ng_per_ml,
            p.analyte_label,
        )  # fmt: skip
    now_min = p.now_min if p is not None else None
    if now_min is None and zero is not None:
        now_min = (d.now - zero).total_seconds() / 60
    text = summary(session, d)
    svg = chartsvg.live_chart_svg(
        chart_id=f"live-chart-{session.pk}",
        title=f"Live chart of {session.patient.display_name}'s infusion",
        desc=text,
        vitals=vitals,
        thresholds=_thresholds(d),
        segments=p.segments if p is not None else (),
        curves=curves,
        now_min=now_min,
    )
    return {
        "svg": mark_safe(svg),  # noqa: S308  (built by chartsvg, every text XML-escaped)
        "summary": text,
        "prediction": p,
        "planned_end": d.planned_end,
        "warnings": p.warnings if p is not None else (),
    }


def flowsheet_context(request: ClinicRequest, session: InfusionSession) -> dict[str, Any]:
    d = _data(request, session)
    return {"rows": flowsheet.rows(d.loaded, d.zone), "zone": d.zone}


register_panel(
    Panel("status", "Status", "infusions/panels/_live_status.html", status_context, order=5,
          states=CHARTED | {states.CHECKED_IN}, live=True)
)  # fmt: skip
register_panel(
    Panel("chart", "Live chart", "infusions/panels/_live_chart.html", chart_context, order=15,
          states=CHARTED, live=True)
)  # fmt: skip
register_panel(
    Panel("flowsheet", "Flowsheet", "infusions/panels/_live_flowsheet.html", flowsheet_context,
          order=16, states=CHARTED, live=True)
)  # fmt: skip
