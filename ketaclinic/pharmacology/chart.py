"""Charted pump history (rate changes, pauses, stops) turned into the dose plan given.

Delivered mg = sum over segments of rate_mL_per_h x segment_h x concentration
(``shared/reference/clinical.md`` section 1.9).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from .dose_plans import DosePlan, Segment
from .errors import PharmacologyInputError
from .pump import DEFAULT_PUMP_MAX_ML_PER_H, Container
from .validation import require_non_negative, require_positive


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
    pmax = require_positive("pump_max_ml_per_h", pump_max_ml_per_h)
    segs: list[Segment] = []
    rate = 0.0
    last_rate = 0.0
    t_prev: float | None = None
    stopped = False
    for i, e in enumerate(entries):
        t = require_non_negative(f"entries[{i}].time_min", e.time_min)
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
                else require_non_negative(f"entries[{i}].rate_ml_per_h", e.rate_ml_per_h)
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
