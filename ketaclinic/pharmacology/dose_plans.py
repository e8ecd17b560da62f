"""Dose plans: boluses and constant-rate segments, and the regimens built from pump steps.

A :class:`DosePlan` is what every simulation takes; :meth:`DosePlan.schedule`
turns it into the solvers' :class:`~ketaclinic.pharmacology.schedule.Schedule`.
Units: min, mg, mg/min.  Delivered mg is the sum over segments of rate x
duration plus the boluses (clinical.md section 1.9).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from .errors import PharmacologyInputError
from .pump import DEFAULT_PUMP_MAX_ML_PER_H, Container, PumpStep, pump_step
from .schedule import Schedule
from .validation import require_non_negative, require_positive


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
            require_non_negative(f"segments[{i}].start_min", s.start_min)
            require_positive(f"segments[{i}].duration_min", s.duration_min)
            require_non_negative(f"segments[{i}].rate_mg_per_min", s.rate_mg_per_min)
            if s.start_min < prev_end - 1e-9:
                raise PharmacologyInputError(
                    f"segments[{i}].start_min",
                    f"segment starts at {s.start_min:g} min, before the previous one ends "
                    f"({prev_end:g} min): overlapping or out of order",
                )
            prev_end = s.end_min
        prev_t = -math.inf
        for i, b in enumerate(self.boluses):
            require_non_negative(f"boluses[{i}].time_min", b.time_min)
            require_non_negative(f"boluses[{i}].dose_mg", b.dose_mg)
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
        """Piecewise-constant :class:`~ketaclinic.pharmacology.schedule.Schedule` of this plan."""
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
    dose = require_non_negative("dose_mg", dose_mg)
    over = require_positive("over_min", over_min)
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
