"""Exact concentrations at any times for a piecewise-constant dose plan.

Every pharmacokinetic model here is a linear system ``x' = A x + b u``,
``y = c x`` (:mod:`~ketaclinic.pharmacology.systems`; mg, mg/min, min, mg/L).
Any plan of boluses and constant-rate segments is solved exactly per segment,
by the modal closed form or, for defective, ill-conditioned or singular
systems, by matrix exponentials of the augmented matrix
(:mod:`~ketaclinic.pharmacology.propagation`; Abuhelwa AY, Foster DJR, Upton
RN. J Pharmacol Toxicol Methods 2015;73:42-48).  Dense uniform grids of one
patient go through :mod:`~ketaclinic.pharmacology.grid`.  No Euler stepping.

This module is also the stable import point of the system and schedule types
(:class:`LinearSystem`, :class:`Modal`, :func:`modal_decomposition`,
:class:`Schedule`, ``FloatArray``), which live in ``systems`` and ``schedule``.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .errors import PharmacologyInputError
from .grid import solve_grid, uniform_grid
from .propagation import expm_states, modal_outputs, modal_states
from .schedule import Schedule
from .systems import (
    MAX_EIGENVECTOR_CONDITION,
    MIN_RELATIVE_EIGEN_GAP,
    FloatArray,
    LinearSystem,
    Modal,
    modal_decomposition,
)

__all__ = [
    "MAX_EIGENVECTOR_CONDITION",
    "MIN_RELATIVE_EIGEN_GAP",
    "FloatArray",
    "LinearSystem",
    "Modal",
    "Schedule",
    "modal_decomposition",
    "solve",
]


def _check_times(times_min: FloatArray) -> FloatArray:
    t = np.asarray(times_min, dtype=float).ravel()
    if t.size == 0 or np.any(~np.isfinite(t)) or np.any(t < 0):
        raise PharmacologyInputError("times_min", "must be a non-empty list of finite times >= 0")
    return t


def solve(
    system: LinearSystem,
    schedule: Schedule,
    times_min: Sequence[float] | FloatArray,
    outputs: Sequence[str] = ("plasma",),
    method: str = "auto",
    return_states: bool = False,
) -> dict[str, FloatArray]:
    """Exact concentrations at arbitrary times for a piecewise-constant plan.

    Parameters
    ----------
    system : LinearSystem
        Batch of ``N`` patients, starting with all states at zero at t = 0 min.
    schedule : Schedule
        Dose plan (mg, mg/min, min).
    times_min : array_like, shape (T,)
        Output times in min (>= 0, any order).  A bolus at time ``t`` is
        included in the output at ``t``.
    outputs : sequence of str
        Output names of ``system.outputs`` to return.
    method : {"auto", "modal", "expm"}
        ``auto`` uses the modal closed form unless the decomposition is
        defective, ill conditioned or has a zero eigenvalue.
    return_states : bool
        Also return the state trajectories under the key ``"states"``
        (shape (N, T, n); mg for mass states, mg/L for the effect site).

    Returns
    -------
    dict of str to ndarray, shape (N, T)
        Concentrations in mg/L for every requested output.
    """
    t = _check_times(np.asarray(times_min, dtype=float))
    for name in outputs:
        if name not in system.outputs:
            raise PharmacologyInputError("outputs", f"model has no {name!r} output")
    if method not in ("auto", "modal", "expm"):
        raise PharmacologyInputError("method", "must be 'auto', 'modal' or 'expm'")
    modal = modal_decomposition(system) if method != "expm" else None
    if method == "modal" and modal is not None and not modal.usable:
        raise PharmacologyInputError(
            "method", "modal path unavailable: defective or singular system"
        )
    if modal is not None and modal.usable and not return_states:
        grid = uniform_grid(t) if len(t) >= 64 else None
        if grid is not None and not np.iscomplexobj(modal.eigenvalues_per_min):
            if system.n_patients == 1:
                ys = solve_grid(system, schedule, grid[1], len(t), outputs, np.float64, grid[0], t)
                return {k: np.asarray(v, dtype=np.float64) for k, v in ys.items()}
        return modal_outputs(system, modal, schedule, t, outputs)
    if modal is not None and modal.usable:
        states = modal_states(system, modal, schedule, t)
    else:
        states = expm_states(system, schedule, t)
    res = {name: np.einsum("nk,ntk->nt", system.outputs[name], states) for name in outputs}
    if return_states:
        res["states"] = states
    return res
