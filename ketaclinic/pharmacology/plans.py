"""Dose plans, dosing weight and pump arithmetic.

Arithmetic of ``shared/reference/clinical.md`` section 1.9::

    dose_mg          = dose_mg_per_kg x dosing_weight_kg
    concentration    = total_mg_in_container / total_volume_mL     (mg/mL)
    volume_to_infuse = dose_mg / concentration                      (mL)
    rate_mL_per_h    = volume_to_infuse / (duration_min / 60)
    delivered_mg     = sum over segments of rate_mL_per_h x segment_h x concentration

Weight bases (clinical.md section 1.3): actual; ideal (Devine BJ. Drug Intell
Clin Pharm 1974;8:650), never above the actual weight; adjusted = IBW + 0.4 x
(actual - IBW) when actual > IBW (pharmacy convention, not validated for
ketamine).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from .errors import PharmacologyInputError
from .linear import Schedule

#: Default pump maximum rate (mL/h).  1200 mL/h is the limit assumed by R tci
#: (``maxrt = 1200``, "permitted by existing TCI pumps") and opentiva
#: (``max_infusion_rate = 1200``); PAS TCIController uses 500 mL/h
#: (pharmacokinetics.md section 2.4).  Contested: always a parameter.
DEFAULT_PUMP_MAX_ML_PER_H = 1200.0
#: Default product concentration (mg/mL) for pump-rate limits when none is given:
#: 10 mg/mL is the weakest ketamine HCl injection vial strength (10 mg/mL 20 mL vial;
#: the others are 50 and 100 mg/mL, all as ketamine base; Ketalar US label, clinical.md
#: section 1.8), i.e. undiluted product.  The label's infusion dilutions are 1 or
#: 2 mg/mL (500 mg in 500 or 250 mL), which at the same pump limit give 10 or 5 times
#: lower mg/min caps: give the real concentration when it is known.
DEFAULT_CONCENTRATION_MG_PER_ML = 10.0
#: Adjusted-body-weight correction factor (pharmacy convention, clinical.md 1.3).
ADJUSTED_WEIGHT_FACTOR = 0.4

WEIGHT_BASES = ("actual", "ideal", "adjusted")


def _positive(field_name: str, value: float) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise PharmacologyInputError(field_name, "must be a finite number")
    if value <= 0:
        raise PharmacologyInputError(field_name, "must be > 0")
    return float(value)


def _non_negative(field_name: str, value: float) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise PharmacologyInputError(field_name, "must be a finite number")
    if value < 0:
        raise PharmacologyInputError(field_name, "must be >= 0")
    return float(value)


def ideal_body_weight_kg(height_cm: float, sex: str) -> float:
    """Devine ideal body weight in kg.

    ``50 kg (men) or 45.5 kg (women) + 2.3 kg per inch over 60 in``; heights at
    or below 60 in return the base value (calculator convention).  Source: Devine
    BJ. Drug Intell Clin Pharm 1974;8:650 (clinical.md section 1.3).

    Parameters
    ----------
    height_cm : float
        Height in cm (> 0).
    sex : {"male", "female"}
    """
    height_cm = _positive("height_cm", height_cm)
    if sex not in ("male", "female"):
        raise PharmacologyInputError("sex", "must be 'male' or 'female'")
    base = 50.0 if sex == "male" else 45.5
    inches = height_cm / 2.54
    return base + 2.3 * max(0.0, inches - 60.0)


def dosing_weight_kg(
    actual_weight_kg: float,
    basis: str = "actual",
    height_cm: float | None = None,
    sex: str | None = None,
) -> float:
    """Weight (kg) used to compute a mg/kg dose.

    Parameters
    ----------
    actual_weight_kg : float
        Measured total body weight in kg (> 0).
    basis : {"actual", "ideal", "adjusted"}
        ``ideal``: min(actual, Devine IBW); ``adjusted``: IBW + 0.4 (actual -
        IBW) when actual > IBW, else actual (clinical.md 1.3).
    height_cm, sex
        Required for ``ideal`` and ``adjusted``.

    Notes
    -----
    clinical.md section 1.3 gives the IBW formula and the reason for choosing
    it (the 2017 consensus, as summarised by Singh et al. 2019: consider ideal
    weight, especially at BMI >= 30, because of hemodynamic concerns) but says
    nothing about a patient lighter than their IBW.  Dosing such a patient on
    IBW would give more mg than on actual weight, the opposite of that reason,
    and the same section applies the adjusted weight only when actual > IBW.
    So the ideal basis returns ``min(actual, IBW)``: it can only lower a dose.
    This is our design decision, not a published rule.
    """
    actual = _positive("weight_kg", actual_weight_kg)
    if basis not in WEIGHT_BASES:
        raise PharmacologyInputError("weight_basis", f"must be one of {', '.join(WEIGHT_BASES)}")
    if basis == "actual":
        return actual
    if height_cm is None:
        raise PharmacologyInputError("height_cm", f"required for the {basis} weight basis")
    if sex is None:
        raise PharmacologyInputError("sex", f"required for the {basis} weight basis")
    ibw = ideal_body_weight_kg(height_cm, sex)
    if basis == "ideal":
        return min(actual, ibw)
    return ibw + ADJUSTED_WEIGHT_FACTOR * (actual - ibw) if actual > ibw else actual


@dataclass(frozen=True)
class Container:
    """Bag or syringe contents.

    Parameters
    ----------
    drug_mg : float
        Ketamine in the container, mg (as base, clinical.md 1.8).
    total_volume_ml : float
        Total volume including diluent and drug volume, mL.
    """

    drug_mg: float
    total_volume_ml: float

    def __post_init__(self) -> None:
        _positive("container.drug_mg", self.drug_mg)
        _positive("container.total_volume_ml", self.total_volume_ml)

    @property
    def concentration_mg_per_ml(self) -> float:
        """Concentration in mg/mL."""
        return self.drug_mg / self.total_volume_ml


@dataclass(frozen=True)
class PumpStep:
    """One programmed pump step with its arithmetic.

    Attributes are in the units their names say; ``arithmetic`` lists each
    computation as text for display and audit.
    """

    start_min: float
    duration_min: float
    dose_mg: float
    concentration_mg_per_ml: float
    volume_ml: float
    rate_ml_per_h: float
    rate_mg_per_min: float
    arithmetic: tuple[str, ...]


def pump_step(
    dose_mg_per_kg: float,
    weight_kg: float,
    duration_min: float,
    container: Container,
    start_min: float = 0.0,
    pump_max_ml_per_h: float = DEFAULT_PUMP_MAX_ML_PER_H,
    label: str = "step",
) -> PumpStep:
    """Dose in mg and pump rate in mL/h for one constant-rate step.

    Parameters
    ----------
    dose_mg_per_kg : float
        Prescribed dose, mg per kg of dosing weight (>= 0).
    weight_kg : float
        Dosing weight in kg (see :func:`dosing_weight_kg`).
    duration_min : float
        Infusion duration in min (> 0).
    container : Container
        Bag or syringe contents.
    start_min : float
        Start time of the step, min from the start of the session.
    pump_max_ml_per_h : float
        Maximum pump rate; default 1200 mL/h (see :data:`DEFAULT_PUMP_MAX_ML_PER_H`).
    label : str
        Name of the step used in the arithmetic text.

    Raises
    ------
    PharmacologyInputError
        Naming ``weight_kg``, ``duration_min``, ``dose_mg_per_kg``, container
        fields or ``rate_ml_per_h`` (above the pump maximum).
    """
    dose_per_kg = _non_negative("dose_mg_per_kg", dose_mg_per_kg)
    w = _positive("weight_kg", weight_kg)
    dur = _positive("duration_min", duration_min)
    pmax = _positive("pump_max_ml_per_h", pump_max_ml_per_h)
    start = _non_negative("start_min", start_min)
    conc = container.concentration_mg_per_ml
    dose = dose_per_kg * w
    vol = dose / conc
    rate = vol / (dur / 60.0)
    if rate > pmax * (1 + 1e-12):
        raise PharmacologyInputError(
            "rate_ml_per_h", f"{rate:.4g} mL/h for {label} exceeds the pump maximum {pmax:g} mL/h"
        )
    lines = (
        f"{label}: dose = {dose_per_kg:g} mg/kg x {w:g} kg = {dose:.4g} mg",
        f"{label}: concentration = {container.drug_mg:g} mg / {container.total_volume_ml:g} mL "
        f"= {conc:.4g} mg/mL",
        f"{label}: volume = {dose:.4g} mg / {conc:.4g} mg/mL = {vol:.4g} mL",
        f"{label}: rate = {vol:.4g} mL / ({dur:g} min / 60) = {rate:.4g} mL/h "
        f"({dose / dur:.4g} mg/min; {dose_per_kg / (dur / 60):.4g} mg/kg/h)",
    )
    return PumpStep(start, dur, dose, conc, vol, rate, dose / dur, lines)


@dataclass(frozen=True)
class Segment:
    """Constant-rate infusion segment.

    Parameters
    ----------
    start_min : float
        Start, min from session start (>= 0).
    duration_min : float
        Length in min (> 0).
    rate_mg_per_min : float
        Drug rate in mg/min (>= 0).
    """

    start_min: float
    duration_min: float
    rate_mg_per_min: float

    @property
    def end_min(self) -> float:
        """End time in min."""
        return self.start_min + self.duration_min


@dataclass(frozen=True)
class Bolus:
    """Instantaneous bolus of ``dose_mg`` mg at ``time_min`` min."""

    time_min: float
    dose_mg: float


@dataclass(frozen=True)
class DosePlan:
    """Boluses and non-overlapping constant-rate segments, in time order.

    Validation names the offending field (``segments[i].start_min`` etc.).
    Overlapping or out-of-order segments are rejected.
    """

    segments: tuple[Segment, ...] = ()
    boluses: tuple[Bolus, ...] = ()
    steps: tuple[PumpStep, ...] = field(default=(), compare=False)

    def __post_init__(self) -> None:
        prev_end = -math.inf
        for i, s in enumerate(self.segments):
            _non_negative(f"segments[{i}].start_min", s.start_min)
            _positive(f"segments[{i}].duration_min", s.duration_min)
            _non_negative(f"segments[{i}].rate_mg_per_min", s.rate_mg_per_min)
            if s.start_min < prev_end - 1e-9:
                raise PharmacologyInputError(
                    f"segments[{i}].start_min",
                    f"segment starts at {s.start_min:g} min, before the previous one ends "
                    f"({prev_end:g} min): overlapping or out of order",
                )
            prev_end = s.end_min
        prev_t = -math.inf
        for i, b in enumerate(self.boluses):
            _non_negative(f"boluses[{i}].time_min", b.time_min)
            _non_negative(f"boluses[{i}].dose_mg", b.dose_mg)
            if b.time_min < prev_t:
                raise PharmacologyInputError(f"boluses[{i}].time_min", "boluses out of time order")
            prev_t = b.time_min

    @property
    def end_min(self) -> float:
        """Time of the last drug input in min."""
        ends = [s.end_min for s in self.segments] + [b.time_min for b in self.boluses]
        return max(ends, default=0.0)

    @property
    def total_mg(self) -> float:
        """Total mg in the plan."""
        return sum(s.rate_mg_per_min * s.duration_min for s in self.segments) + sum(
            b.dose_mg for b in self.boluses
        )

    def scaled(self, factor: float) -> DosePlan:
        """Plan with every dose multiplied by ``factor`` (for example 0.5 racemic -> S)."""
        return DosePlan(
            tuple(
                Segment(s.start_min, s.duration_min, s.rate_mg_per_min * factor)
                for s in self.segments
            ),
            tuple(Bolus(b.time_min, b.dose_mg * factor) for b in self.boluses),
            self.steps,
        )

    def schedule(self) -> Schedule:
        """Piecewise-constant :class:`~ketaclinic.pharmacology.linear.Schedule` of this plan."""
        bps: list[float] = []
        rates: list[float] = []
        for s in self.segments:
            if bps and abs(bps[-1] - s.start_min) <= 1e-12:
                bps.append(s.end_min)
            else:
                if bps:
                    rates.append(0.0)
                bps.extend([s.start_min, s.end_min])
            rates.append(s.rate_mg_per_min)
        if not bps:
            bps = [0.0]
        return Schedule(
            np.array(bps, dtype=float),
            np.array(rates, dtype=float),
            np.array([b.time_min for b in self.boluses], dtype=float),
            np.array([b.dose_mg for b in self.boluses], dtype=float),
        )

    def delivered_mg(self, times_min: Sequence[float] | np.ndarray) -> np.ndarray:
        """Cumulative mg delivered by each time (min); shape (T,)."""
        return self.schedule().delivered_mg(np.asarray(times_min, dtype=float))[0]


def infusion_plan(dose_mg: float, over_min: float, start_min: float = 0.0) -> DosePlan:
    """Constant-rate infusion plan.

    Parameters
    ----------
    dose_mg : float
        Total dose in mg (>= 0).
    over_min : float
        Duration in min (> 0); rate = dose_mg / over_min mg/min.
    start_min : float
        Start time in min.

    Returns
    -------
    DosePlan
    """
    dose = _non_negative("dose_mg", dose_mg)
    over = _positive("over_min", over_min)
    return DosePlan((Segment(start_min, over, dose / over),))


def regimen(
    steps: Sequence[tuple[float, float]],
    weight_kg: float,
    container: Container,
    pump_max_ml_per_h: float = DEFAULT_PUMP_MAX_ML_PER_H,
) -> DosePlan:
    """Multi-step regimen run back to back, for example a 2-min bolus then a 50-min infusion.

    Parameters
    ----------
    steps : sequence of (dose_mg_per_kg, duration_min)
        Steps in order; each starts when the previous ends.
    weight_kg : float
        Dosing weight in kg.
    container : Container
    pump_max_ml_per_h : float
        Pump maximum (mL/h), default 1200.

    Returns
    -------
    DosePlan
        With ``steps`` holding the per-step pump arithmetic.
    """
    if not steps:
        raise PharmacologyInputError("steps", "at least one step is required")
    t = 0.0
    out = []
    for i, (dpk, dur) in enumerate(steps):
        out.append(
            pump_step(dpk, weight_kg, dur, container, t, pump_max_ml_per_h, label=f"step {i + 1}")
        )
        t += dur
    return DosePlan(
        tuple(Segment(s.start_min, s.duration_min, s.rate_mg_per_min) for s in out), (), tuple(out)
    )


@dataclass(frozen=True)
class ChartEntry:
    """One charted pump event.

    Parameters
    ----------
    time_min : float
        Minutes from session start.
    action : {"start", "rate", "pause", "resume", "stop"}
        ``start``/``rate`` set the rate; ``pause`` sets 0 until ``resume``
        (which restores the last rate unless ``rate_ml_per_h`` is given);
        ``stop`` ends the infusion.
    rate_ml_per_h : float or None
        Programmed rate for ``start``, ``rate`` and optionally ``resume``.
    """

    time_min: float
    action: str
    rate_ml_per_h: float | None = None


def plan_from_chart(
    entries: Sequence[ChartEntry],
    container: Container,
    pump_max_ml_per_h: float = DEFAULT_PUMP_MAX_ML_PER_H,
) -> DosePlan:
    """Convert a charted history of rate changes, pauses and stops to a dose plan.

    Parameters
    ----------
    entries : sequence of ChartEntry
        In non-decreasing time order.
    container : Container
        Bag or syringe contents (gives mg/mL).
    pump_max_ml_per_h : float
        Pump maximum (mL/h), default 1200.

    Returns
    -------
    DosePlan
        Its ``total_mg`` is the delivered mg
        (sum of rate_mL_per_h x segment_h x concentration, clinical.md 1.9).
    """
    conc = container.concentration_mg_per_ml
    pmax = _positive("pump_max_ml_per_h", pump_max_ml_per_h)
    segs: list[Segment] = []
    rate = 0.0
    last_rate = 0.0
    t_prev: float | None = None
    stopped = False
    for i, e in enumerate(entries):
        t = _non_negative(f"entries[{i}].time_min", e.time_min)
        if t_prev is not None and t < t_prev:
            raise PharmacologyInputError(
                f"entries[{i}].time_min", "chart entries out of time order"
            )
        if stopped:
            raise PharmacologyInputError(f"entries[{i}].action", "entry after stop")
        if t_prev is not None and t > t_prev and rate > 0:
            segs.append(Segment(t_prev, t - t_prev, rate * conc / 60.0))
        if e.action in ("start", "rate", "resume"):
            if e.rate_ml_per_h is None and e.action != "resume":
                raise PharmacologyInputError(f"entries[{i}].rate_ml_per_h", "required")
            new = (
                last_rate
                if e.rate_ml_per_h is None
                else _non_negative(f"entries[{i}].rate_ml_per_h", e.rate_ml_per_h)
            )
            if new > pmax:
                raise PharmacologyInputError(
                    f"entries[{i}].rate_ml_per_h",
                    f"{new:g} mL/h exceeds the pump maximum {pmax:g} mL/h",
                )
            rate = last_rate = new
        elif e.action == "pause":
            rate = 0.0
        elif e.action == "stop":
            rate = 0.0
            stopped = True
        else:
            raise PharmacologyInputError(f"entries[{i}].action", f"unknown action {e.action!r}")
        t_prev = t
    if rate > 0:
        raise PharmacologyInputError(
            "entries", "infusion still running: chart must end with pause or stop"
        )
    return DosePlan(tuple(segs))


def resume_rate_ml_per_h(remaining_ml: float, remaining_min: float) -> float:
    """Rate (mL/h) that finishes ``remaining_ml`` mL in ``remaining_min`` min after a pause.

    ``remaining_mL / remaining_min x 60`` (clinical.md 1.9).
    """
    return (
        _non_negative("remaining_ml", remaining_ml)
        / _positive("remaining_min", remaining_min)
        * 60.0
    )
