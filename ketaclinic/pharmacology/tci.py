"""Target-controlled infusion (TCI): plasma and effect-site targeting.

* Plasma targeting (Jacobs JR. IEEE Trans Biomed Eng 1990;37:107-109): with the
  exact one-period propagators ``Phi = e^{A T}``, ``Gamma = int_0^T e^{A s} b ds``,
  ``r_k = clamp((C_target - c Phi x_k) / (c Gamma), 0, r_max)``.
* Effect-site targeting (Shafer SL, Gregg KM. J Pharmacokinet Biopharm
  1992;20:147-169), non-iterative form: with ``b(t)`` the effect-site
  concentration if nothing more is given and ``h(t)`` the response to a unit
  rate for one period, ``r = min_{t>0} (C_target - b(t)) / h(t)`` (0 when the
  baseline already reaches the target).  The minimum is searched on a grid and
  refined continuously.
* Switch to plasma targeting when Ce is within 5 % and Cp within 20 % of the
  target (rule of R package tci ``tci_effect``, Jarrett; GitHub jarretrt/tci),
  which stops the schedule from pulsing (pharmacokinetics.md section 2.3).

All rates are mg/min, periods and times in s, targets in ng/mL at the API and
mg/L inside (1 mg/L = 1000 ng/mL).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy.optimize import minimize_scalar

from .errors import PharmacologyInputError
from .linear import FloatArray, LinearSystem, Schedule, _augmented_expm, modal_decomposition

#: Default pump update period (s): 10 s in R tci, PAS TCIController and
#: opentiva examples (pharmacokinetics.md section 2.4).
DEFAULT_PERIOD_S = 10.0
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
        """The schedule as a :class:`~ketaclinic.pharmacology.linear.Schedule` (min)."""
        bps = np.concatenate([self.start_s, [self.start_s[-1] + self.duration_s[-1]]]) / 60.0
        return Schedule(
            bps, self.rate_mg_per_min, np.zeros(0), np.zeros((self.rate_mg_per_min.shape[0], 0))
        )


def _periods(duration_s: float, period_s: float) -> tuple[FloatArray, FloatArray]:
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


def _targets_mg_per_l(target: TargetSpec, starts_s: FloatArray) -> FloatArray:
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


# Rates below this are floating-point round-off of "give nothing" (for example when the
# predicted effect-site peak equals the target to 15 digits). 1e-9 mg/min is a million times
# below what an infusion pump can resolve (0.1 mL/h of 1 mg/mL is 1.7e-3 mg/min).
ROUNDOFF_MG_PER_MIN = 1e-9


def _check_cap(max_rate_mg_per_min: float | None) -> float:
    if max_rate_mg_per_min is None:
        return math.inf
    if not (math.isfinite(max_rate_mg_per_min) and max_rate_mg_per_min > 0):
        raise PharmacologyInputError("max_rate_mg_per_min", "must be > 0 mg/min")
    return float(max_rate_mg_per_min)


def max_rate_from_pump(concentration_mg_per_ml: float, pump_max_ml_per_h: float = 1200.0) -> float:
    """Drug rate cap (mg/min) from the pump limit (mL/h) and the concentration (mg/mL).

    Default 1200 mL/h: limit assumed by R tci and opentiva (pharmacokinetics.md 2.4).
    """
    if not concentration_mg_per_ml > 0:
        raise PharmacologyInputError("concentration_mg_per_ml", "must be > 0")
    if not pump_max_ml_per_h > 0:
        raise PharmacologyInputError("pump_max_ml_per_h", "must be > 0")
    return pump_max_ml_per_h * concentration_mg_per_ml / 60.0


def plasma_tci(
    system: LinearSystem,
    target_ng_per_ml: TargetSpec,
    duration_s: float,
    period_s: float = DEFAULT_PERIOD_S,
    max_rate_mg_per_min: float | None = None,
) -> TCIResult:
    """Plasma-targeted schedule (Jacobs 1990), vectorised over patients.

    Parameters
    ----------
    system : LinearSystem
        Batch of ``N`` patients starting empty.
    target_ng_per_ml : float or sequence of (start_s, ng/mL)
        Constant target or a step function of time.
    duration_s : float
        Schedule length in s.
    period_s : float
        Pump update period in s (default 10 s).
    max_rate_mg_per_min : float, optional
        Rate cap; the first period is a capped infusion, never an uncapped bolus.

    Returns
    -------
    TCIResult
    """
    starts, durs = _periods(duration_s, period_s)
    targets = _targets_mg_per_l(target_ng_per_ml, starts)
    cap = _check_cap(max_rate_mg_per_min)
    cp = system.outputs["plasma"]
    x = np.zeros((system.n_patients, system.n_states))
    rates = np.zeros((system.n_patients, len(starts)))
    for k, d in enumerate(durs):
        phi, gam = _augmented_expm(system, d / 60.0)
        free = np.einsum("nij,nj->ni", phi, x)
        r = (targets[k] - np.einsum("ni,ni->n", cp, free)) / np.einsum("ni,ni->n", cp, gam)
        r = np.clip(r, 0.0, cap)
        r[r < ROUNDOFF_MG_PER_MIN] = 0.0
        x = free + gam * r[:, None]
        rates[:, k] = r
    return TCIResult(starts, durs, rates, ("plasma",) * len(starts))


class _EffectPredictor:
    """Effect-site free and unit responses for one patient (modal or expm)."""

    def __init__(self, system: LinearSystem, period_min: float) -> None:
        self.system = system
        self.period = period_min
        modal = modal_decomposition(system)
        self.modal = (
            modal if modal.usable and not np.iscomplexobj(modal.eigenvalues_per_min) else None
        )
        ce = system.outputs["effect"][0]
        if self.modal is not None:
            lam = np.asarray(self.modal.eigenvalues_per_min[0], dtype=float)
            self.lam = lam
            self.w = ce @ np.asarray(self.modal.vectors[0], dtype=float)
            self.inv = np.asarray(self.modal.inverse[0], dtype=float)
            g = self.inv @ system.input_per_mg[0]
            self.wg = self.w * g

    def free(self, t_min: FloatArray, x: FloatArray) -> FloatArray:
        """Ce (mg/L) at ``t_min`` from state ``x`` with no more drug."""
        if self.modal is not None:
            z = self.inv @ x
            return np.asarray(np.exp(np.multiply.outer(t_min, self.lam)) @ (self.w * z))
        return np.array([self._expm_free(float(t), x) for t in np.atleast_1d(t_min)])

    def unit(self, t_min: FloatArray) -> FloatArray:
        """Ce (mg/L) at ``t_min`` after 1 mg/min for one period from empty."""
        t = np.atleast_1d(np.asarray(t_min, dtype=float))
        if self.modal is not None:
            lam, p = self.lam, self.period
            inside = np.expm1(np.multiply.outer(np.minimum(t, p), lam)) / lam
            decay = np.exp(np.multiply.outer(np.maximum(t - p, 0.0), lam))
            return np.asarray((inside * decay) @ self.wg)
        out = []
        phi_p, gam_p = _augmented_expm(self.system, self.period)
        ce = self.system.outputs["effect"][0]
        for tt in t:
            if tt <= self.period:
                _, gam = _augmented_expm(self.system, float(tt)) if tt > 0 else (None, gam_p * 0)
                out.append(float(ce @ gam[0]))
            else:
                phi, _ = _augmented_expm(self.system, float(tt - self.period))
                out.append(float(ce @ (phi[0] @ gam_p[0])))
        return np.array(out)

    def _expm_free(self, t: float, x: FloatArray) -> float:
        if t <= 0:
            return float(self.system.outputs["effect"][0] @ x)
        phi, _ = _augmented_expm(self.system, t)
        return float(self.system.outputs["effect"][0] @ (phi[0] @ x))


def effect_tci(
    system: LinearSystem,
    target_ng_per_ml: TargetSpec,
    duration_s: float,
    period_s: float = DEFAULT_PERIOD_S,
    max_rate_mg_per_min: float | None = None,
    plasma_switch: bool = True,
    switch_effect_tolerance: float = DEFAULT_SWITCH_EFFECT_TOLERANCE,
    switch_plasma_tolerance: float = DEFAULT_SWITCH_PLASMA_TOLERANCE,
    horizon_s: float = 3600.0,
    grid_s: float = 1.0,
) -> TCIResult:
    """Effect-site-targeted schedule (Shafer & Gregg 1992) for one patient.

    Parameters
    ----------
    system : LinearSystem
        One patient with an ``"effect"`` output (see
        :meth:`~ketaclinic.pharmacology.linear.LinearSystem.with_effect_site`).
    target_ng_per_ml : float or sequence of (start_s, ng/mL)
        Effect-site target.
    duration_s, period_s, max_rate_mg_per_min
        As in :func:`plasma_tci`.
    plasma_switch : bool
        Use the plasma-targeting formula while Ce is within
        ``switch_effect_tolerance`` and Cp within ``switch_plasma_tolerance`` of
        the target (R tci rule); ``False`` gives the pure algorithm, which pulses.
    horizon_s : float
        Look-ahead for the effect-site peak (s); PyTCI uses 3600 s.
    grid_s : float
        Grid of the peak search (s) before continuous refinement.

    Returns
    -------
    TCIResult
    """
    if "effect" not in system.outputs:
        raise PharmacologyInputError(
            "ke0_per_min", "effect-site targeting needs an effect site (ke0)"
        )
    if system.n_patients != 1:
        raise PharmacologyInputError(
            "system", "effect-site TCI is computed for one patient at a time"
        )
    if not (horizon_s > period_s):
        raise PharmacologyInputError("horizon_s", "must exceed period_s")
    starts, durs = _periods(duration_s, period_s)
    targets = _targets_mg_per_l(target_ng_per_ml, starts)
    cap = _check_cap(max_rate_mg_per_min)
    cp = system.outputs["plasma"][0]
    ce = system.outputs["effect"][0]
    grid: FloatArray = (np.arange(1, int(horizon_s / grid_s) + 1) * grid_s / 60.0).astype(
        np.float64
    )
    predictors: dict[float, tuple[_EffectPredictor, FloatArray, FloatArray]] = {}
    x = np.zeros(system.n_states)
    rates = np.zeros(len(starts))
    modes = []
    for k, d in enumerate(durs):
        c_t = targets[k]
        phi, gam = _augmented_expm(system, d / 60.0)
        phi0, gam0 = phi[0], gam[0]
        cp_now, ce_now = float(cp @ x), float(ce @ x)
        use_plasma = (
            plasma_switch
            and c_t > 0
            and abs(ce_now - c_t) <= switch_effect_tolerance * c_t
            and abs(cp_now - c_t) <= switch_plasma_tolerance * c_t
        )
        if c_t == 0:
            r = 0.0
        elif use_plasma:
            r = (c_t - float(cp @ (phi0 @ x))) / float(cp @ gam0)
        else:
            if d not in predictors:
                pred = _EffectPredictor(system, d / 60.0)
                predictors[d] = (pred, pred.unit(grid), grid)
            pred, h, _ = predictors[d]
            r = _effect_rate(pred, x, c_t, h, grid)
        r = min(max(r, 0.0), cap)
        if r < ROUNDOFF_MG_PER_MIN:
            r = 0.0
        modes.append("plasma" if use_plasma else "effect")
        x = phi0 @ x + gam0 * r
        rates[k] = r
    return TCIResult(starts, durs, rates[None, :], tuple(modes))


def _effect_rate(
    pred: _EffectPredictor, x: FloatArray, c_t: float, h: FloatArray, grid: FloatArray
) -> float:
    """``min_t (C_t - b(t)) / h(t)`` with continuous refinement of each local minimum."""
    b = pred.free(grid, x)
    cand = (c_t - b) / h
    if np.any(cand <= 0):
        return 0.0
    best = float(cand.min())
    if len(cand) < 3:
        return best
    inner = np.flatnonzero((cand[1:-1] <= cand[:-2]) & (cand[1:-1] <= cand[2:])) + 1
    if cand[0] <= cand[1]:
        inner = np.concatenate([[0], inner])
    step = grid[1] - grid[0]
    for i in inner:
        if cand[i] > best * 1.01:
            continue
        lo = max(grid[i] - step, 1e-9)
        hi = grid[i] + step

        def f(t: float) -> float:
            return float((c_t - pred.free(np.array([t]), x)[0]) / pred.unit(np.array([t]))[0])

        res = minimize_scalar(f, bounds=(lo, hi), method="bounded", options={"xatol": 1e-9})
        best = min(best, float(res.fun))
    return best
