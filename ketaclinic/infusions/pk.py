"""Delivered ketamine and the predicted concentration from what was charted.

Every number is the pharmacology engine's (``ketaclinic.pharmacology``):

* the charted pump events become ``chart.ChartEntry`` rows (minutes from the first start), and
  ``chart.plan_from_chart`` turns them into the dose plan actually given; its ``total_mg`` is
  the delivered mg, Σ rate_mL_per_h × segment_h × concentration (clinical reference §1.9);
* ``simulate.simulate`` predicts the typical patient's plasma and effect-site concentration
  (ng/mL) of that plan with the clinic's model (``TreatmentSettings.pk_model_id``), scaled by
  the ACTUAL weight of the pinned plan version and the patient's age, as the plan preview does
  (``treatment.preview``: the models were fitted on actual weight);
* the PLAN's curve, from the pinned version's steps (``PlanVersion.computed``: each step's mg
  over its minutes, back to back, as ``dose_plans.regimen`` built them), on the same grid, so
  the chair sees what was given beside what was ordered.

While the pump runs, the open segment is closed at "now" (a virtual pause): the prediction is
of what has gone in so far, the curve after "now" is what the body does if nothing more is
given. The grid runs from 0 to the later of the charted and planned ends plus the clinic's
minimum observation time (``TreatmentSettings.minimum_observation_min``, default 60 min,
§5.3 [S]).

The live poll calls this every 5 s per open screen, so the simulations are memoised by VALUE
(the entries, container, model, weight, age and grid: a new or struck pump event or a later
"now" is a new key), never by session id: nothing stale can be served.

Contract other workflows code against: ``session_prediction(session)`` returns a
``SessionPrediction`` or ``None`` when nothing was given yet, the session has no preparation
recorded, or no plan version (no weight to scale the model by).
"""

from __future__ import annotations

import datetime as dt
import warnings
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
from django.utils import timezone

from ketaclinic.access.zones import clinic_today
from ketaclinic.infusions import states
from ketaclinic.infusions.models import InfusionSession, PumpEvent
from ketaclinic.pharmacology.chart import ChartEntry, plan_from_chart
from ketaclinic.pharmacology.dose_plans import DosePlan, Segment
from ketaclinic.pharmacology.errors import PharmacologyInputError
from ketaclinic.pharmacology.library import get_model
from ketaclinic.pharmacology.models import Patient as PKPatient
from ketaclinic.pharmacology.pump import Container
from ketaclinic.pharmacology.simulate import simulate
from ketaclinic.treatment.models import TreatmentSettings
from ketaclinic.treatment.queries import settings_for

#: Grid step of the predicted curves, min (the plan preview's, ``treatment.preview.DT_MIN``).
DT_MIN = 0.5
#: How far past the observation time the grid stretches to reach "now", min (display only).
LATE_VIEW_MIN = 120.0


@dataclass(frozen=True)
class SessionPrediction:
    """What was given and what it predicts (ng/mL, min from the first pump start).

    ``times_min``, ``plasma_ng_per_ml`` and ``effect_ng_per_ml`` are the charted curve;
    ``plan_plasma_ng_per_ml``/``plan_effect_ng_per_ml`` the plan's on the same grid (None
    without steps). ``now_min`` is where "now" falls; ``plasma_now_ng_per_ml`` the value there.
    """

    delivered_mg: float
    peak_plasma_ng_per_ml: float
    peak_plasma_time_min: float
    peak_effect_ng_per_ml: float | None
    model_id: str
    model_title: str = ""
    analyte_label: str = ""
    planned_mg: float | None = None
    now_min: float = 0.0
    infusion_end_min: float = 0.0
    plasma_now_ng_per_ml: float = 0.0
    effect_now_ng_per_ml: float | None = None
    times_min: np.ndarray = field(default_factory=lambda: np.zeros(0), repr=False)
    plasma_ng_per_ml: np.ndarray = field(default_factory=lambda: np.zeros(0), repr=False)
    effect_ng_per_ml: np.ndarray | None = field(default=None, repr=False)
    plan_plasma_ng_per_ml: np.ndarray | None = field(default=None, repr=False)
    plan_effect_ng_per_ml: np.ndarray | None = field(default=None, repr=False)
    segments: tuple[tuple[float, float, float], ...] = ()  # (start_min, end_min, mL/h)
    warnings: tuple[str, ...] = ()


def pump_events(session: InfusionSession) -> list[PumpEvent]:
    """The session's non-struck pump events in clinical order (one query)."""
    return list(
        PumpEvent.objects.filter(session=session, struck_at__isnull=True).order_by(
            "clinical_at", "id"
        )
    )


def _minutes(a: dt.datetime, b: dt.datetime) -> float:
    return (b - a).total_seconds() / 60.0


def origin(events: list[PumpEvent]) -> dt.datetime | None:
    """The clinical time of the first start: minute 0 of every curve."""
    return next((e.clinical_at for e in events if e.kind == "start"), None)


def _close_at(session: InfusionSession, at: dt.datetime | None) -> dt.datetime:
    ended = session.infusion_ended_at
    if session.state not in states.ON_PUMP and ended is not None and (at is None or ended <= at):
        return ended
    return at if at is not None else timezone.now()


def charted_entries(
    session: InfusionSession,
    at: dt.datetime | None = None,
    *,
    events: list[PumpEvent] | None = None,
) -> list[ChartEntry]:
    """The session's pump history as the engine's chart entries, minutes from the first start.

    Events before the first start and after a stop are left out (the engine refuses them; a
    wrong one is struck and re-entered). With ``at``, only what happened by then counts. A
    segment still open (the pump running: no pause or stop after the last rate) is closed by a
    virtual pause at ``at``, else at the end of infusion once the session left the pump, else
    now, so the engine can close it.
    """
    rows = pump_events(session) if events is None else events
    zero = origin(rows)
    if zero is None:
        return []
    out: list[ChartEntry] = []
    running = False
    for e in rows:
        if e.clinical_at < zero or (at is not None and e.clinical_at > at):
            continue
        t = _minutes(zero, e.clinical_at)
        if e.kind in ("start", "rate"):
            out.append(ChartEntry(t, "start" if not out else "rate", e.rate_ml_per_h))
            running = (e.rate_ml_per_h or 0) > 0
        elif e.kind == "resume":
            out.append(ChartEntry(t, "resume", e.rate_ml_per_h))
            running = True
        elif e.kind == "pause":
            out.append(ChartEntry(t, "pause"))
            running = False
        elif e.kind == "stop":
            out.append(ChartEntry(t, "stop"))
            running = False
            break
    if running:
        close = _close_at(session, at)
        out.append(ChartEntry(max(_minutes(zero, close), out[-1].time_min), "pause"))
    return out


def container_of(session: InfusionSession) -> Container | None:
    if not session.container_drug_mg or not session.container_volume_ml:
        return None
    return Container(session.container_drug_mg, session.container_volume_ml)


def given_plan(session: InfusionSession, entries: list[ChartEntry]) -> DosePlan | None:
    container = container_of(session)
    if container is None or not entries:
        return None
    try:
        return plan_from_chart(entries, container)
    except PharmacologyInputError:
        return None


def delivered_mg(
    session: InfusionSession,
    at: dt.datetime | None = None,
    *,
    events: list[PumpEvent] | None = None,
) -> float:
    """Ketamine mg delivered by ``at`` (default: now or the end of infusion): the engine's
    ``plan_from_chart(...).total_mg``, Σ rate_mL_per_h × segment_h × concentration (§1.9).
    0 before a start or without a preparation."""
    plan = given_plan(session, charted_entries(session, at, events=events))
    return plan.total_mg if plan is not None else 0.0


def planned_steps(computed: dict[str, object]) -> tuple[tuple[float, float], ...]:
    """(dose_mg, duration_min) of each step of a plan version's stored preview."""
    steps = computed.get("steps") or []
    assert isinstance(steps, list)
    return tuple(
        (float(s["dose_mg"]), float(s["duration_min"]))
        for s in steps
        if float(s.get("duration_min", 0)) > 0
    )


def plan_dose_plan(steps: tuple[tuple[float, float], ...]) -> DosePlan:
    """The plan's steps back to back (each its mg over its minutes, as ``regimen`` runs them)."""
    segs, t = [], 0.0
    for dose_mg, minutes in steps:
        segs.append(Segment(t, minutes, dose_mg / minutes))
        t += minutes
    return DosePlan(tuple(segs))


Curve = tuple[np.ndarray, np.ndarray | None, str, tuple[str, ...]]


@lru_cache(maxsize=256)
def _curve(
    segments: tuple[tuple[float, float, float], ...],
    model_id: str,
    weight_kg: float,
    age_years: float | None,
    t_end: float,
) -> Curve:
    """Plasma and effect-site ng/mL on the grid 0..t_end (memoised by value)."""
    plan = DosePlan(tuple(Segment(a, d, r) for a, d, r in segments))
    model = get_model(model_id)
    times = grid(t_end)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = simulate(model, PKPatient(weight_kg=weight_kg, age_years=age_years), plan, times)
    # Shared between requests: frozen so no caller can alter a memoised curve.
    result.plasma_ng_per_ml.setflags(write=False)
    if result.effect_ng_per_ml is not None:
        result.effect_ng_per_ml.setflags(write=False)
    return result.plasma_ng_per_ml, result.effect_ng_per_ml, result.analyte_label, result.warnings


def grid(t_end: float) -> np.ndarray:
    return np.arange(0.0, t_end + DT_MIN / 2, DT_MIN)


def _key(plan: DosePlan) -> tuple[tuple[float, float, float], ...]:
    return tuple((s.start_min, s.duration_min, s.rate_mg_per_min) for s in plan.segments)


def session_prediction(
    session: InfusionSession,
    at: dt.datetime | None = None,
    *,
    events: list[PumpEvent] | None = None,
    chosen: TreatmentSettings | None = None,
) -> SessionPrediction | None:
    """Delivered mg and the predicted curves of what was charted by ``at`` (default now),
    with the plan's curve beside them; ``None`` before a start, without a preparation or a
    pinned plan version. Costs two queries (the non-struck pump events and the clinic's
    treatment settings) unless the caller passes them in ``events`` and ``chosen``."""
    version = session.plan_version
    container = container_of(session)
    if version is None or container is None:
        return None
    events = pump_events(session) if events is None else events
    zero = origin(events)
    if zero is None:
        return None
    entries = charted_entries(session, at, events=events)
    plan = given_plan(session, entries)
    if plan is None:
        return None
    chosen = chosen if chosen is not None else settings_for(session.clinic)
    model = get_model(chosen.pk_model_id)
    steps = planned_steps(version.computed)
    ordered = plan_dose_plan(steps) if steps else None
    now = at or timezone.now()
    now_min = max(_minutes(zero, now), 0.0)
    end_min = entries[-1].time_min
    planned_end = ordered.end_min if ordered is not None else 0.0
    # The clinic's observation time after the later end; a "now" past it stretches the grid
    # to show the marker, by at most LATE_VIEW_MIN (a session reopened days later does not).
    t_end = max(end_min, planned_end) + float(chosen.minimum_observation_min)
    t_end = max(t_end, min(now_min, t_end + LATE_VIEW_MIN))
    t_end = float(np.ceil(t_end / DT_MIN) * DT_MIN)
    age = float(session.patient.age_on(clinic_today(session.clinic)))
    weight = float(version.weight_kg)
    plasma, effect, label, problems = _curve(_key(plan), model.model_id, weight, age, t_end)
    plan_plasma = plan_effect = None
    if ordered is not None:
        plan_plasma, plan_effect, _, _ = _curve(_key(ordered), model.model_id, weight, age, t_end)
    times = grid(t_end)
    i_peak = int(np.argmax(plasma))
    i_now = min(int(round(now_min / DT_MIN)), len(times) - 1)
    return SessionPrediction(
        delivered_mg=plan.total_mg,
        peak_plasma_ng_per_ml=float(plasma[i_peak]),
        peak_plasma_time_min=float(times[i_peak]),
        peak_effect_ng_per_ml=float(np.max(effect)) if effect is not None else None,
        model_id=model.model_id,
        model_title=model.title,
        analyte_label=label,
        planned_mg=ordered.total_mg if ordered is not None else None,
        now_min=now_min,
        infusion_end_min=end_min,
        plasma_now_ng_per_ml=float(plasma[i_now]),
        effect_now_ng_per_ml=float(effect[i_now]) if effect is not None else None,
        times_min=times,
        plasma_ng_per_ml=plasma,
        effect_ng_per_ml=effect,
        plan_plasma_ng_per_ml=plan_plasma,
        plan_effect_ng_per_ml=plan_effect,
        segments=segments_of(entries),
        warnings=problems,
    )


def segments_of(entries: list[ChartEntry]) -> tuple[tuple[float, float, float], ...]:
    """(start_min, end_min, rate mL/h) of each charted stretch, pauses at 0 mL/h included."""
    out: list[tuple[float, float, float]] = []
    rate = last = 0.0
    for a, b in zip(entries, entries[1:], strict=False):
        if a.action in ("start", "rate", "resume"):
            rate = last if a.rate_ml_per_h is None else float(a.rate_ml_per_h)
            last = rate
        else:
            rate = 0.0
        if b.time_min > a.time_min:
            out.append((a.time_min, b.time_min, rate))
    return tuple(out)


@dataclass(frozen=True)
class PlannedEnd:
    """The prediction at the planned end of the infusion if the pump goes on as it is now.

    ``at`` is the planned end (the first start plus the ordered minutes), ``plasma_ng_per_ml``
    the predicted plasma concentration then (ng/mL), with the running segment carried on at
    its rate until then (a paused pump stays paused). Lowering the rate lowers it at once,
    where "now" on the as-given curve only bends.
    """

    at: dt.datetime
    minutes: float
    plasma_ng_per_ml: float


def planned_end_prediction(
    session: InfusionSession,
    at: dt.datetime | None = None,
    *,
    events: list[PumpEvent] | None = None,
    chosen: TreatmentSettings | None = None,
) -> PlannedEnd | None:
    """The predicted plasma concentration at the planned end of the infusion, the pump going on
    as it is at ``at`` (default now); ``None`` off the pump, past the planned end, without a
    preparation, an ordered duration or a pinned plan version. No query when ``events`` and
    ``chosen`` are passed in; memoised by value (the charted segments, not "now")."""
    version = session.plan_version
    container = container_of(session)
    minutes = session.ordered_duration_min
    if session.state not in states.ON_PUMP or version is None or container is None:
        return None
    events = pump_events(session) if events is None else events
    zero = origin(events)
    if zero is None or not minutes:
        return None
    end = zero + dt.timedelta(minutes=float(minutes))
    if (at or timezone.now()) >= end:
        return None
    # Every event so far is before the planned end; a running segment closes there.
    plan = given_plan(session, charted_entries(session, end, events=events))
    if plan is None:
        return None
    chosen = chosen if chosen is not None else settings_for(session.clinic)
    model = get_model(chosen.pk_model_id)
    t_end = float(np.ceil(float(minutes) / DT_MIN) * DT_MIN)
    age = float(session.patient.age_on(clinic_today(session.clinic)))
    plasma, _, _, _ = _curve(_key(plan), model.model_id, float(version.weight_kg), age, t_end)
    i_end = min(int(round(float(minutes) / DT_MIN)), len(plasma) - 1)
    return PlannedEnd(at=end, minutes=float(minutes), plasma_ng_per_ml=float(plasma[i_end]))
