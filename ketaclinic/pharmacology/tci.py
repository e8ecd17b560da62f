"""Target-controlled infusion (TCI): plasma and effect-site targeting.

* Plasma targeting (Jacobs JR. IEEE Trans Biomed Eng 1990;37:107-109): with the
  exact one-period propagators ``Phi = e^{A T}``, ``Gamma = int_0^T e^{A s} b ds``,
  ``r_k = clamp((C_target - c Phi x_k) / (c Gamma), 0, r_max)``.
* Effect-site targeting (Shafer SL, Gregg KM. J Pharmacokinet Biopharm
  1992;20:147-169), non-iterative form: with ``b(t)`` the effect-site
  concentration if nothing more is given and ``h(t)`` the response to a unit
  rate for one period, ``r = min_{t>0} (C_target - b(t)) / h(t)`` (0 when the
  baseline already reaches the target).  The minimum is searched on a 1-s grid
  over a 3600-s look-ahead (as PyTCI) with one precomputed matrix per period
  length (one matrix-vector product per period), then refined by Newton steps
  on the analytic derivative (see :class:`_EffectPlanner`).
* Rate cap: every API function takes ``max_rate_mg_per_min``; ``None`` means
  uncapped.  :func:`max_rate_from_pump` derives a cap from the pump limit and
  the concentration; the command line always applies one.
* Switch to plasma targeting when Ce is within 5 % and Cp within 20 % of the
  target (rule of R package tci ``tci_effect``, Jarrett; GitHub jarretrt/tci),
  which stops the schedule from pulsing (pharmacokinetics.md section 2.3).
* Round-off: a rate whose contribution to the targeted concentration is below
  :data:`ROUNDOFF_RELATIVE` (1e-7) of the target is set to 0 (:func:`is_roundoff`),
  a rule relative to the target so that a schedule scales with its target.

All rates are mg/min, periods and times in s, targets in ng/mL at the API and
mg/L inside (1 mg/L = 1000 ng/mL).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import scipy.linalg

from .errors import PharmacologyInputError
from .linear import FloatArray, LinearSystem, Schedule, _augmented_expm, modal_decomposition
from .plans import DEFAULT_PUMP_MAX_ML_PER_H

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


#: Round-off rule (dimensionless).  A computed rate ``r`` whose contribution to the
#: concentration it is chosen for, ``r x h`` (``h`` the response to 1 mg/min at the decision
#: point: end of the period for plasma targeting, the effect-site peak for effect-site
#: targeting), is below this fraction of the target is floating-point round-off of "give
#: nothing" and is set to 0.  Equivalently: the prediction without more drug already equals
#: the target to this relative precision.  Why relative: the error of ``target - prediction``
#: scales with the target (and with the eigenvector condition number of the modal path,
#: at most :data:`~ketaclinic.pharmacology.linear.MAX_EIGENVECTOR_CONDITION` = 1e8, times
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


def _check_cap(max_rate_mg_per_min: float | None) -> float:
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
        line defaults to :data:`~ketaclinic.pharmacology.plans.DEFAULT_CONCENTRATION_MG_PER_ML`
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
        Rate cap in mg/min of the system's analyte; the first period is then a
        capped infusion, never an uncapped bolus.  ``None`` (the default) means
        **uncapped**: rates may exceed what any pump delivers.  Derive a cap
        from the pump with :func:`max_rate_from_pump` (the command line always
        applies one).

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
        need = targets[k] - np.einsum("ni,ni->n", cp, free)  # mg/L still missing at period end
        r = need / np.einsum("ni,ni->n", cp, gam)
        r[need < ROUNDOFF_RELATIVE * targets[k]] = 0.0  # is_roundoff, per patient
        r = np.clip(r, 0.0, cap)
        x = free + gam * r[:, None]
        rates[:, k] = r
    return TCIResult(starts, durs, rates, ("plasma",) * len(starts))


class _EffectPlanner:
    """Shafer-Gregg rate for one patient and one period length, precomputed once.

    On the look-ahead grid ``t_j`` (min) the candidate rates are
    ``(C - b(t_j)) / h(t_j) = C / h(t_j) - (c_e e^{A t_j} / h(t_j)) x``, so with
    the matrix ``K = [1/h, -c_e e^{A t_j}/h]`` (grid x (1 + states)), computed once
    per period length, one period costs one matrix-vector product and an argmin.
    ``b`` and ``h`` come from the modal closed form (real, well-conditioned
    eigenvectors) or, otherwise, from batched matrix exponentials.  The grid
    minimum is refined by safeguarded Newton steps on the analytic derivative
    ``g = -b' h - (C - b) h'`` (zero at the minimum of ``(C - b)/h``).
    """

    def __init__(self, system: LinearSystem, period_min: float, grid_min: FloatArray) -> None:
        self.period = period_min
        self.step = float(grid_min[1] - grid_min[0]) if len(grid_min) > 1 else float(grid_min[0])
        self.ce = np.asarray(system.outputs["effect"][0], dtype=float)
        self.a = np.asarray(system.a_per_min[0], dtype=float)
        self.b_in = np.asarray(system.input_per_mg[0], dtype=float)
        modal = modal_decomposition(system)
        self.modal = modal.usable and not np.iscomplexobj(modal.eigenvalues_per_min)
        if self.modal:
            lam = np.asarray(modal.eigenvalues_per_min[0], dtype=float)
            inv = np.asarray(modal.inverse[0], dtype=float)
            w = self.ce @ np.asarray(modal.vectors[0], dtype=float)
            wg = w * (inv @ self.b_in)
            p = period_min
            inside = np.expm1(np.multiply.outer(np.minimum(grid_min, p), lam)) / lam
            decay = np.exp(np.multiply.outer(np.maximum(grid_min - p, 0.0), lam))
            h = (inside * decay) @ wg
            free_rows = (np.exp(np.multiply.outer(grid_min, lam)) * w) @ inv
            self.lam = [float(v) for v in lam]
            self.w_inv = w[:, None] * inv  # modal weights of b: (w * (V^-1 x))_i
            self.wg = [float(v) for v in wg]
            # unit response after the period: sum_i wg_i (e^{lam_i p} - 1)/lam_i e^{lam_i (t - p)}
            self.wg_after = [float(v) for v in wg * np.expm1(lam * p) / lam]
        else:
            n = system.n_states
            aug = np.zeros((len(grid_min), n + 1, n + 1))
            aug[:, :n, :n] = self.a
            aug[:, :n, n] = self.b_in
            inside_t = np.minimum(grid_min, period_min)
            e_in = scipy.linalg.expm(aug * inside_t[:, None, None])
            gam_t = e_in[:, :n, n]  # Gamma(min(t, p))
            e_after = scipy.linalg.expm(
                self.a[None] * np.maximum(grid_min - period_min, 0.0)[:, None, None]
            )
            h = np.einsum("i,jik,jk->j", self.ce, e_after, gam_t)
            free_rows = np.einsum(
                "i,jik->jk", self.ce, scipy.linalg.expm(self.a[None] * grid_min[:, None, None])
            )
            self.gam_p = scipy.linalg.expm(
                np.block([[self.a, self.b_in[:, None]], [np.zeros((1, n + 1))]]) * period_min
            )[:n, n]
        valid = h > 0
        if not valid.any():
            raise PharmacologyInputError(
                "system", "the effect-site unit response is not positive on the look-ahead"
            )
        self.grid = grid_min[valid]
        self.h = h[valid]
        # K transposed (1 + states, grid) and C-contiguous: v @ K^T is the fastest product
        self.kt = np.ascontiguousarray(
            np.hstack([(1.0 / self.h)[:, None], -free_rows[valid] / self.h[:, None]]).T
        )
        self._v = np.empty(1 + system.n_states)

    def candidates(self, c_t: float, x: FloatArray) -> FloatArray:
        """``(C - b(t_j)) / h(t_j)`` on the grid (mg/min) for target ``c_t`` (mg/L)."""
        v = self._v
        v[0] = c_t
        v[1:] = x
        return np.asarray(v @ self.kt)

    def _derivatives(
        self, t: float, coef: Sequence[float]
    ) -> tuple[float, float, float, float, float, float]:
        """``b, b', b'', h, h', h''`` at ``t`` (min); ``coef`` are the modal weights of ``b``."""
        b0 = b1 = b2 = h0 = h1 = h2 = 0.0
        p = self.period
        for lam, a, c, d in zip(self.lam, coef, self.wg, self.wg_after, strict=True):
            e = math.exp(lam * t)
            b0 += a * e
            b1 += a * lam * e
            b2 += a * lam * lam * e
            if t <= p:
                h0 += c * math.expm1(lam * t) / lam
                h1 += c * e
                h2 += c * lam * e
            else:
                f = d * math.exp(lam * (t - p))
                h0 += f
                h1 += f * lam
                h2 += f * lam * lam
        return b0, b1, b2, h0, h1, h2

    def _derivatives_expm(
        self, t: float, x: FloatArray
    ) -> tuple[float, float, float, float, float, float]:
        e = scipy.linalg.expm(self.a * t)
        bx = e @ x
        a_bx = self.a @ bx
        b0, b1, b2 = float(self.ce @ bx), float(self.ce @ a_bx), float(self.ce @ (self.a @ a_bx))
        if t <= self.period:
            n = len(x)
            aug = np.zeros((n + 1, n + 1))
            aug[:n, :n] = self.a * t
            aug[:n, n] = self.b_in * t
            gam = scipy.linalg.expm(aug)[:n, n]
            v = e @ self.b_in  # h' = c_e e^{At} b
            return b0, b1, b2, float(self.ce @ gam), float(self.ce @ v), float(self.ce @ self.a @ v)
        v = scipy.linalg.expm(self.a * (t - self.period)) @ self.gam_p
        av = self.a @ v
        return b0, b1, b2, float(self.ce @ v), float(self.ce @ av), float(self.ce @ (self.a @ av))

    def refine(
        self, i: int, cand: FloatArray, c_t: float, x: FloatArray, coef: Sequence[float]
    ) -> tuple[float, float]:
        """Minimum of ``(C - b(t))/h(t)`` near grid point ``i``, and ``C - b`` there.

        Starts at the vertex of the parabola through the three grid values around
        ``i``, then takes safeguarded Newton steps on ``g(t) = -b' h - (C - b) h'``
        (the numerator of the derivative; ``g' = -b'' h - (C - b) h''``), kept
        within one grid step of ``t_i``, until the value error of the current
        point, ``f'' s^2 / 2`` for the Newton step ``s``, is below 1e-13 of the
        value plus 1e-13 of ``C / h`` (both scale with the target, so refined
        schedules scale with it too), or the point is round-off (:func:`is_roundoff`; the
        caller rounds it to 0).  Returns the smallest candidate value evaluated, an upper
        bound of the minimum like every evaluated point, with its ``C - b`` (mg/L).
        """
        step = self.step
        t0 = float(self.grid[i])
        lo, hi = max(t0 - step, 1e-9), t0 + step
        t = t0
        if 0 < i < len(cand) - 1:
            fm, f0, fp = float(cand[i - 1]), float(cand[i]), float(cand[i + 1])
            curv = fm - 2.0 * f0 + fp
            if curv > 0:
                t = t0 + 0.5 * step * (fm - fp) / curv
        best, need = math.inf, math.inf
        for _ in range(8):
            if self.modal:
                b0, b1, b2, h0, h1, h2 = self._derivatives(t, coef)
            else:
                b0, b1, b2, h0, h1, h2 = self._derivatives_expm(t, x)
            if not h0 > 0:
                break
            if (c_t - b0) / h0 < best:
                best, need = (c_t - b0) / h0, c_t - b0
            if is_roundoff(need, c_t):
                break  # the caller rounds this to 0; refining further cannot change that
            g = -b1 * h0 - (c_t - b0) * h1
            gp = -b2 * h0 - (c_t - b0) * h2
            if not gp > 0:
                break
            s = -g / gp
            # value error at t ~ f'' s^2 / 2 with f'' = g'/h^2: stop when it is below
            # 1e-13 (f + C/h), relative to the target as the round-off rule is
            if 0.5 * gp * s * s <= 1e-13 * ((c_t - b0) + c_t) * h0:
                break
            t_new = min(max(t + s, lo), hi)
            if t_new == t:
                break
            t = t_new
        return best, need

    def rate(self, c_t: float, x: FloatArray) -> float:
        """Shafer-Gregg rate (mg/min) from state ``x`` for effect-site target ``c_t`` (mg/L).

        0 when the baseline alone reaches the target somewhere on the horizon, and
        when the minimum is round-off (:func:`is_roundoff` of ``C - b`` at the minimising
        time: the baseline peak equals the target to relative round-off).
        Every grid local minimum within 1 % of the grid minimum is refined.
        """
        cand = self.candidates(c_t, x)
        i = int(cand.argmin())
        best = float(cand[i])
        if best <= 0:
            return 0.0
        need = best * float(self.h[i])  # C - b at the grid minimum
        m = len(cand)
        if m < 3:
            return 0.0 if is_roundoff(need, c_t) else best
        close = (cand <= best * 1.01).nonzero()[0]
        first, last = int(close[0]), int(close[-1])
        if last - first + 1 == len(close) and last < m - 1:
            # One run of grid points within 1 % around the minimum: a single basin
            # when the run falls to i and rises after it (no interior bump).
            d = cand[first + 1 : last + 1] - cand[first:last]
            j = i - first
            one_basin = bool((d[:j] <= 0).all() and (d[j:] >= 0).all())
        else:
            one_basin = False
        if one_basin:
            local = [i]
        else:
            left = cand[np.maximum(close - 1, 0)]
            right = cand[np.minimum(close + 1, m - 1)]
            mine = cand[close]
            local = [int(j) for j in close[(mine <= left) & (mine <= right) & (close < m - 1)]]
        coef: Sequence[float] = (self.w_inv @ x).tolist() if self.modal else ()
        for j in local:
            value, at = self.refine(j, cand, c_t, x, coef)
            if value < best:
                best, need = value, at
        return 0.0 if is_roundoff(need, c_t) else best


def effect_tci(
    system: LinearSystem,
    target_ng_per_ml: TargetSpec,
    duration_s: float,
    period_s: float = DEFAULT_PERIOD_S,
    max_rate_mg_per_min: float | None = None,
    plasma_switch: bool = True,
    switch_effect_tolerance: float = DEFAULT_SWITCH_EFFECT_TOLERANCE,
    switch_plasma_tolerance: float = DEFAULT_SWITCH_PLASMA_TOLERANCE,
    horizon_s: float = DEFAULT_HORIZON_S,
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
    duration_s, period_s
        As in :func:`plasma_tci`.
    max_rate_mg_per_min : float, optional
        Rate cap in mg/min of the system's analyte.  ``None`` (the default)
        means **uncapped**: the first period may then ask for a rate no pump can
        deliver.  Derive a cap from the pump with :func:`max_rate_from_pump`
        (the command line always does).
    plasma_switch : bool
        Use the plasma-targeting formula while Ce is within
        ``switch_effect_tolerance`` and Cp within ``switch_plasma_tolerance`` of
        the target (R tci rule); ``False`` gives the pure algorithm, which pulses.
    horizon_s : float
        Look-ahead for the effect-site peak (s); PyTCI uses 3600 s.
    grid_s : float
        Grid of the peak search (s) before the Newton refinement.

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
    starts, durs = _periods(duration_s, period_s)
    if not (math.isfinite(horizon_s) and horizon_s > period_s):
        raise PharmacologyInputError("horizon_s", "must exceed period_s")
    if not (math.isfinite(grid_s) and 0 < grid_s <= horizon_s):
        raise PharmacologyInputError("grid_s", "must be > 0 s and not exceed horizon_s")
    targets = _targets_mg_per_l(target_ng_per_ml, starts)
    cap = _check_cap(max_rate_mg_per_min)
    cp = system.outputs["plasma"][0]
    ce = system.outputs["effect"][0]
    grid: FloatArray = (np.arange(1, int(horizon_s / grid_s) + 1) * grid_s / 60.0).astype(
        np.float64
    )
    propagators: dict[float, tuple[FloatArray, FloatArray]] = {}
    planners: dict[float, _EffectPlanner] = {}
    for d in set(durs.tolist()):
        phi, gam = _augmented_expm(system, d / 60.0)
        propagators[d] = (phi[0], gam[0])
    x = np.zeros(system.n_states)
    rates = np.zeros(len(starts))
    modes = []
    for k, d in enumerate(durs.tolist()):
        c_t = float(targets[k])
        phi0, gam0 = propagators[d]
        use_plasma = False
        if plasma_switch and c_t > 0:
            cp_now, ce_now = float(cp @ x), float(ce @ x)
            use_plasma = (
                abs(ce_now - c_t) <= switch_effect_tolerance * c_t
                and abs(cp_now - c_t) <= switch_plasma_tolerance * c_t
            )
        if c_t == 0:
            r = 0.0
        elif use_plasma:
            need = c_t - float(cp @ (phi0 @ x))  # mg/L still missing at period end
            r = 0.0 if is_roundoff(need, c_t) else need / float(cp @ gam0)
        else:
            planner = planners.get(d)
            if planner is None:
                planner = planners[d] = _EffectPlanner(system, d / 60.0, grid)
            r = planner.rate(c_t, x)  # round-off already zeroed
        r = min(max(r, 0.0), cap)
        modes.append("plasma" if use_plasma else "effect")
        x = phi0 @ x + gam0 * r
        rates[k] = r
    return TCIResult(starts, durs, rates[None, :], tuple(modes))
