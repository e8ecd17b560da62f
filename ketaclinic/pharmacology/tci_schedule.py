"""TCI vocabulary shared by the plasma and effect-site algorithms.

Schedule result (:class:`TCIResult`), update periods and target steps, the rate
cap (from the pump: :func:`max_rate_from_pump`), the defaults of the peer
implementations and the round-off rule (:func:`is_roundoff`).  Rates are
mg/min, periods and times s, targets ng/mL at the API and mg/L inside
(1 mg/L = 1000 ng/mL).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .errors import PharmacologyInputError
from .pump import DEFAULT_PUMP_MAX_ML_PER_H
from .schedule import Schedule
from .systems import FloatArray

#: Default pump update period (s): 10 s in R tci, PAS TCIController and
#: opentiva examples (pharmacokinetics.md section 2.4).
DEFAULT_PERIOD_S = 10.0
#: Look-ahead (s) of the effect-site peak search: PyTCI 1.2.0 ``effect_target``
#: ``max_time=3600`` (pharmacokinetics.md section 2.3).  The update period must be shorter.
DEFAULT_HORIZON_S = 3600.0
#: Switch thresholds of R tci ``tci_effect`` (pharmacokinetics.md section 2.3).
DEFAULT_SWITCH_EFFECT_TOLERANCE = 0.05
DEFAULT_SWITCH_PLASMA_TOLERANCE = 0.20

TargetSpec = float | Sequence[tuple[float, float]]


@dataclass(frozen=True)
class TCIResult:
    """A TCI schedule.

    Attributes
    ----------
    start_s : ndarray, shape (P,)
        Period start times in s.
    duration_s : ndarray, shape (P,)
        Period lengths in s (the last may be shorter).
    rate_mg_per_min : ndarray, shape (N, P)
        Pump rate in each period, mg/min.
    mode : tuple of str
        ``"plasma"`` or ``"effect"`` per period (first patient).
    """

    start_s: FloatArray
    duration_s: FloatArray
    rate_mg_per_min: FloatArray
    mode: tuple[str, ...]

    @property
    def total_mg(self) -> FloatArray:
        """Total mg per patient, shape (N,)."""
        return np.asarray((self.rate_mg_per_min * self.duration_s / 60.0).sum(axis=1))

    def schedule(self) -> Schedule:
        """The schedule as a :class:`~ketaclinic.pharmacology.schedule.Schedule` (min)."""
        bps = np.concatenate([self.start_s, [self.start_s[-1] + self.duration_s[-1]]]) / 60.0
        return Schedule(
            bps, self.rate_mg_per_min, np.zeros(0), np.zeros((self.rate_mg_per_min.shape[0], 0))
        )


def period_grid(duration_s: float, period_s: float) -> tuple[FloatArray, FloatArray]:
    """Pump update periods covering ``duration_s``: full periods, then a shorter rest.

    Parameters
    ----------
    duration_s : float
        Schedule length in s (> 0).
    period_s : float
        Update period in s (> 0).

    Returns
    -------
    starts_s, durations_s : ndarray, shape (P,)
        Start times and lengths in s.
    """
    if not (math.isfinite(duration_s) and duration_s > 0):
        raise PharmacologyInputError("duration_s", "must be > 0 s")
    if not (math.isfinite(period_s) and period_s > 0):
        raise PharmacologyInputError("period_s", "must be > 0 s")
    n_full = int(math.floor(duration_s / period_s + 1e-9))
    durs = [period_s] * n_full
    rest = duration_s - n_full * period_s
    if rest > 1e-9:
        durs.append(rest)
    d = np.array(durs, dtype=float)
    return np.concatenate([[0.0], np.cumsum(d)[:-1]]), d


def targets_mg_per_l(target: TargetSpec, starts_s: FloatArray) -> FloatArray:
    """Target (mg/L) for each period from a constant or a list of (start_s, ng/mL) steps."""
    if isinstance(target, int | float):
        steps = [(0.0, float(target))]
    else:
        steps = [(float(a), float(b)) for a, b in target]
        if not steps or steps[0][0] != 0.0:
            raise PharmacologyInputError("target_ng_per_ml", "first step must start at 0 s")
        if any(b[0] <= a[0] for a, b in zip(steps, steps[1:], strict=False)):
            raise PharmacologyInputError("target_ng_per_ml", "step times must increase")
    for _, c in steps:
        if not (math.isfinite(c) and c >= 0):
            raise PharmacologyInputError("target_ng_per_ml", "must be a finite number >= 0 ng/mL")
    times = np.array([s[0] for s in steps])
    vals = np.array([s[1] for s in steps]) / 1000.0
    return vals[np.searchsorted(times, starts_s, side="right") - 1]


#: Round-off rule (dimensionless).  A computed rate ``r`` whose contribution to the
#: concentration it is chosen for, ``r x h`` (``h`` the response to 1 mg/min at the decision
#: point: end of the period for plasma targeting, the effect-site peak for effect-site
#: targeting), is below this fraction of the target is floating-point round-off of "give
#: nothing" and is set to 0.  Equivalently: the prediction without more drug already equals
#: the target to this relative precision.  Why relative: the error of ``target - prediction``
#: scales with the target (and with the eigenvector condition number of the modal path,
#: at most :data:`~ketaclinic.pharmacology.systems.MAX_EIGENVECTOR_CONDITION` = 1e8, times
#: 2.2e-16 = 2.2e-8), so a fixed mg/min floor kept round-off of large targets and of
#: near-defective systems (1.2e-9 mg/min next to a 50 mg/min load) and would zero real rates of
#: tiny ones; with a relative rule a schedule scales exactly with its target.  1e-7 of the
#: target is 4.5 times that worst-case error and clinically nothing (1.5e-5 ng/mL on a
#: 150 ng/mL target).
ROUNDOFF_RELATIVE = 1e-7


def is_roundoff(contribution_mg_per_l: float, target_mg_per_l: float) -> bool:
    """Whether a rate adding ``contribution_mg_per_l`` towards ``target_mg_per_l`` is round-off.

    Parameters
    ----------
    contribution_mg_per_l : float
        ``rate x unit response`` at the decision point, mg/L (equal to the target minus
        the prediction without more drug); negative when the target is already exceeded.
    target_mg_per_l : float
        The target, mg/L (>= 0).

    Returns
    -------
    bool
        ``True`` when the contribution is below :data:`ROUNDOFF_RELATIVE` x target; the rate
        is then 0.
    """
    return contribution_mg_per_l < ROUNDOFF_RELATIVE * target_mg_per_l


def rate_cap_mg_per_min(max_rate_mg_per_min: float | None) -> float:
    """The rate cap in mg/min as given (> 0), or ``inf`` for ``None`` (uncapped)."""
    if max_rate_mg_per_min is None:
        return math.inf
    if not (math.isfinite(max_rate_mg_per_min) and max_rate_mg_per_min > 0):
        raise PharmacologyInputError("max_rate_mg_per_min", "must be > 0 mg/min")
    return float(max_rate_mg_per_min)


def max_rate_from_pump(
    concentration_mg_per_ml: float, pump_max_ml_per_h: float = DEFAULT_PUMP_MAX_ML_PER_H
) -> float:
    """Drug rate cap (mg/min) from the pump limit (mL/h) and the concentration (mg/mL).

    ``cap = pump_max_ml_per_h x concentration_mg_per_ml / 60``.

    Parameters
    ----------
    concentration_mg_per_ml : float
        Product concentration in the syringe or bag, mg/mL (> 0); the command
        line defaults to :data:`~ketaclinic.pharmacology.pump.DEFAULT_CONCENTRATION_MG_PER_ML`
        (10 mg/mL, clinical.md section 1.8).
    pump_max_ml_per_h : float
        Pump limit, mL/h (> 0).  Default 1200 mL/h, the limit R tci
        (``maxrt``) and opentiva assume, "the common pump limit"
        (pharmacokinetics.md sections 0 and 2.4); PAS uses 500 mL/h.

    Returns
    -------
    float
        mg/min of product.
    """
    for name, value in (
        ("concentration_mg_per_ml", concentration_mg_per_ml),
        ("pump_max_ml_per_h", pump_max_ml_per_h),
    ):
        if not (math.isfinite(value) and value > 0):
            raise PharmacologyInputError(name, "must be a finite number > 0")
    return pump_max_ml_per_h * concentration_mg_per_ml / 60.0
