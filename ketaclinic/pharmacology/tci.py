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
  on the analytic derivative (see
  :class:`~ketaclinic.pharmacology.effect_planner.EffectPlanner`).
* Rate cap: every API function takes ``max_rate_mg_per_min``; ``None`` means
  uncapped.  :func:`max_rate_from_pump` derives a cap from the pump limit and
  the concentration; the command line always applies one.
* Switch to plasma targeting when Ce is within 5 % and Cp within 20 % of the
  target (rule of R package tci ``tci_effect``, Jarrett; GitHub jarretrt/tci),
  which stops the schedule from pulsing (pharmacokinetics.md section 2.3).
* Round-off: a rate whose contribution to the targeted concentration is below
  :data:`ROUNDOFF_RELATIVE` (1e-7) of the target is set to 0 (:func:`is_roundoff`),
  a rule relative to the target so that a schedule scales with its target.

The shared vocabulary (:class:`TCIResult`, defaults, cap, round-off rule) lives
in :mod:`~ketaclinic.pharmacology.tci_schedule` and is re-exported here.

All rates are mg/min, periods and times in s, targets in ng/mL at the API and
mg/L inside (1 mg/L = 1000 ng/mL).
"""

from __future__ import annotations

import math

import numpy as np

from .effect_planner import EffectPlanner
from .errors import PharmacologyInputError
from .propagation import augmented_expm
from .systems import FloatArray, LinearSystem
from .tci_schedule import (
    DEFAULT_HORIZON_S,
    DEFAULT_PERIOD_S,
    DEFAULT_SWITCH_EFFECT_TOLERANCE,
    DEFAULT_SWITCH_PLASMA_TOLERANCE,
    ROUNDOFF_RELATIVE,
    TargetSpec,
    TCIResult,
    is_roundoff,
    max_rate_from_pump,
    period_grid,
    rate_cap_mg_per_min,
    targets_mg_per_l,
)

__all__ = [
    "DEFAULT_HORIZON_S",
    "DEFAULT_PERIOD_S",
    "DEFAULT_SWITCH_EFFECT_TOLERANCE",
    "DEFAULT_SWITCH_PLASMA_TOLERANCE",
    "ROUNDOFF_RELATIVE",
    "TCIResult",
    "TargetSpec",
    "effect_tci",
    "is_roundoff",
    "max_rate_from_pump",
    "plasma_tci",
]


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
    starts, durs = period_grid(duration_s, period_s)
    targets = targets_mg_per_l(target_ng_per_ml, starts)
    cap = rate_cap_mg_per_min(max_rate_mg_per_min)
    cp = system.outputs["plasma"]
    x = np.zeros((system.n_patients, system.n_states))
    rates = np.zeros((system.n_patients, len(starts)))
    for k, d in enumerate(durs):
        phi, gam = augmented_expm(system, d / 60.0)
        free = np.einsum("nij,nj->ni", phi, x)
        need = targets[k] - np.einsum("ni,ni->n", cp, free)  # mg/L still missing at period end
        r = need / np.einsum("ni,ni->n", cp, gam)
        r[need < ROUNDOFF_RELATIVE * targets[k]] = 0.0  # is_roundoff, per patient
        r = np.clip(r, 0.0, cap)
        x = free + gam * r[:, None]
        rates[:, k] = r
    return TCIResult(starts, durs, rates, ("plasma",) * len(starts))


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
        :meth:`~ketaclinic.pharmacology.systems.LinearSystem.with_effect_site`).
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
    starts, durs = period_grid(duration_s, period_s)
    if not (math.isfinite(horizon_s) and horizon_s > period_s):
        raise PharmacologyInputError("horizon_s", "must exceed period_s")
    if not (math.isfinite(grid_s) and 0 < grid_s <= horizon_s):
        raise PharmacologyInputError("grid_s", "must be > 0 s and not exceed horizon_s")
    targets = targets_mg_per_l(target_ng_per_ml, starts)
    cap = rate_cap_mg_per_min(max_rate_mg_per_min)
    cp = system.outputs["plasma"][0]
    ce = system.outputs["effect"][0]
    grid: FloatArray = (np.arange(1, int(horizon_s / grid_s) + 1) * grid_s / 60.0).astype(
        np.float64
    )
    propagators: dict[float, tuple[FloatArray, FloatArray]] = {}
    planners: dict[float, EffectPlanner] = {}
    for d in set(durs.tolist()):
        phi, gam = augmented_expm(system, d / 60.0)
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
                planner = planners[d] = EffectPlanner(system, d / 60.0, grid)
            r = planner.rate(c_t, x)  # round-off already zeroed
        r = min(max(r, 0.0), cap)
        modes.append("plasma" if use_plasma else "effect")
        x = phi0 @ x + gam0 * r
        rates[k] = r
    return TCIResult(starts, durs, rates[None, :], tuple(modes))
