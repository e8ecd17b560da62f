"""Exact propagation of a linear system over constant-rate intervals (the solver kernels).

For constant input rate ``r`` on an interval of length ``s``:

* modal form, ``A = V diag(l) V^-1``: each mode is a scalar first-order system
  ``z(t0+s) = e^{l s} z(t0) + (e^{l s} - 1)/l g r`` with ``g = V^-1 b``
  (Abuhelwa AY, Foster DJR, Upton RN. J Pharmacol Toxicol Methods
  2015;73:42-48; Bailey JM, Shafer SL. IEEE Trans Biomed Eng 1991;38:522-525);
* matrix exponential of the augmented matrix ``[[A, b], [0, 0]] s``, which gives
  both ``e^{A s}`` and ``int_0^s e^{A v} b dv``; used when the eigen-decomposition
  is defective or ill conditioned (for example an effect-site rate equal to a
  disposition eigenvalue) and for systems with a zero eigenvalue.

No Euler stepping.  Shared by :func:`ketaclinic.pharmacology.linear.solve`, the
uniform-grid path (:mod:`~ketaclinic.pharmacology.grid`) and TCI.  Units: min,
mg, mg/min; states in mg (effect site in mg/L); outputs in mg/L.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import scipy.linalg
from numpy.typing import NDArray

from .schedule import Schedule
from .systems import FloatArray, LinearSystem, Modal

#: Distinct interval lengths whose propagators are kept per system.
MAX_CACHED_PROPAGATORS = 256


def _phi(lam: FloatArray | NDArray[np.complex128], s: FloatArray) -> FloatArray:
    """``(e^{l s} - 1)/l`` with the limit ``s`` at ``l = 0``."""
    x = lam * s
    safe = np.where(lam == 0, 1.0, lam)
    return np.where(lam == 0, s, np.expm1(x) / safe) if np.isrealobj(x) else (np.exp(x) - 1) / safe


def augmented_expm(system: LinearSystem, dt_min: float) -> tuple[FloatArray, FloatArray]:
    """Exact one-interval propagators ``Phi = e^{A dt}`` and ``Gamma = int_0^dt e^{A v} b dv``.

    Parameters
    ----------
    system : LinearSystem
        Batch of ``N`` patients.
    dt_min : float
        Interval length in min.

    Returns
    -------
    phi : ndarray, shape (N, n, n)
        State transition over ``dt_min`` (dimensionless).
    gamma : ndarray, shape (N, n)
        State increment per mg/min of constant infusion over ``dt_min`` (mg per mg/min
        for mass states).
    """

    def compute() -> tuple[FloatArray, FloatArray]:
        n = system.n_states
        aug = np.zeros((system.n_patients, n + 1, n + 1))
        aug[:, :n, :n] = system.a_per_min * dt_min
        aug[:, :n, n] = system.input_per_mg * dt_min
        e = scipy.linalg.expm(aug)
        return np.ascontiguousarray(e[:, :n, :n]), np.ascontiguousarray(e[:, :n, n])

    return system.cached(f"expm:{dt_min!r}", compute, MAX_CACHED_PROPAGATORS)


def modal_outputs(
    system: LinearSystem, modal: Modal, schedule: Schedule, t: FloatArray, outputs: Sequence[str]
) -> dict[str, FloatArray]:
    """Outputs directly in modal coordinates: ``y = sum_i w_i (e^{l_i s} (z_i + c_i) - c_i)``.

    ``c = g r / l`` is the modal steady state of the current rate; requires no
    zero eigenvalue (guaranteed when ``modal.usable``).

    Parameters
    ----------
    system, modal
        The batch and its usable decomposition.
    schedule : Schedule
        Dose plan (min, mg/min, mg).
    t : ndarray, shape (T,)
        Output times in min (>= 0, any order).
    outputs : sequence of str
        Output names of ``system.outputs``.

    Returns
    -------
    dict of str to ndarray, shape (N, T)
        Concentrations in mg/L.
    """
    n_pat = system.n_patients
    ev, rates, boluses = schedule.events(n_pat)
    lam = modal.eigenvalues_per_min
    g = np.einsum("nij,nj->ni", modal.inverse, system.input_per_mg)
    z_ev = modal_event_states(lam, g, ev, rates, boluses)  # (N, E, n)
    c_ev = g[:, None, :] * rates[:, :, None] / lam[:, None, :]  # (N, E, n)
    idx = np.clip(np.searchsorted(ev, t, side="right") - 1, 0, None)
    s = t - ev[idx]
    res = {}
    for name in outputs:
        w = np.einsum("nk,nki->ni", system.outputs[name], modal.vectors)  # (N, n)
        a = w[:, None, :] * (z_ev + c_ev)  # (N, E, n)
        const = np.sum(w[:, None, :] * c_ev, axis=2)  # (N, E)
        out = np.empty((n_pat, len(t)))
        step = max(1, (1 << 21) // max(1, len(t) * lam.shape[1]))
        for p0 in range(0, n_pat, step):
            p1 = min(n_pat, p0 + step)
            e = np.exp(s[None, :, None] * lam[p0:p1, None, :])  # (P, T, n)
            out[p0:p1] = np.real(
                np.einsum("ptk,ptk->pt", e, a[p0:p1][:, idx]) - const[p0:p1][:, idx]
            )
        res[name] = out
    return res


def modal_event_states(
    lam: FloatArray | NDArray[np.complex128],
    g: FloatArray | NDArray[np.complex128],
    ev: FloatArray,
    rates: FloatArray,
    boluses: FloatArray,
) -> NDArray[Any]:
    """Modal state just after each event (after its bolus).

    Parameters
    ----------
    lam : ndarray, shape (N, n)
        Eigenvalues in 1/min.
    g : ndarray, shape (N, n)
        Modal input per mg, ``V^-1 b``.
    ev, rates, boluses
        Event times (min), rates (mg/min) and boluses (mg) from :meth:`Schedule.events`.

    Returns
    -------
    ndarray, shape (N, E, n)
        Modal states (mg for mass modes) after each event.
    """
    n_pat, n = g.shape
    z_ev = np.zeros((n_pat, len(ev), n), dtype=lam.dtype)
    z = np.zeros((n_pat, n), dtype=lam.dtype)
    for e in range(len(ev)):
        if e > 0:
            s = ev[e] - ev[e - 1]
            z = np.exp(lam * s) * z + g * rates[:, e - 1, None] * _phi(
                lam, np.full_like(lam.real, s)
            )
        z = z + g * boluses[:, e, None]
        z_ev[:, e] = z
    return z_ev


def modal_states(
    system: LinearSystem, modal: Modal, schedule: Schedule, t: FloatArray
) -> FloatArray:
    """States at times ``t`` (min) by the modal closed form; shape (N, T, n), mg (Ce in mg/L)."""
    n_pat, n = system.n_patients, system.n_states
    ev, rates, boluses = schedule.events(n_pat)
    lam, vec, inv = modal.eigenvalues_per_min, modal.vectors, modal.inverse
    g = np.einsum("nij,nj->ni", inv, system.input_per_mg)  # modal input per mg
    z_ev = modal_event_states(lam, g, ev, rates, boluses)
    idx = np.clip(np.searchsorted(ev, t, side="right") - 1, 0, None)
    s = (t - ev[idx])[None, :, None]  # (1, T, 1)
    zt = np.exp(lam[:, None, :] * s) * z_ev[:, idx] + g[:, None, :] * rates[:, idx, None] * _phi(
        lam[:, None, :], np.broadcast_to(s, (n_pat, len(t), n))
    )
    x = np.einsum("nij,ntj->nti", vec, zt)
    return np.ascontiguousarray(x.real)


def expm_states(system: LinearSystem, schedule: Schedule, t: FloatArray) -> FloatArray:
    """States at times ``t`` (min) by interval matrix exponentials; shape (N, T, n).

    Works for every system (defective, ill conditioned, zero eigenvalue).
    """
    n_pat, n = system.n_patients, system.n_states
    ev, rates, boluses = schedule.events(n_pat)
    order = np.argsort(t, kind="stable")
    t_sorted = t[order]
    grid = np.unique(np.concatenate([ev, t_sorted]))
    out = np.zeros((n_pat, len(t), n))
    x = np.zeros((n_pat, n))
    ev_idx = 0
    t_ptr = 0
    prev = 0.0
    for tg in grid:
        if tg > prev:
            seg = np.searchsorted(ev, prev, side="right") - 1
            phi, gam = augmented_expm(system, float(tg - prev))
            x = np.einsum("nij,nj->ni", phi, x) + gam * rates[:, seg, None]
            prev = float(tg)
        while ev_idx < len(ev) and ev[ev_idx] <= tg:
            x = x + system.input_per_mg * boluses[:, ev_idx, None]
            ev_idx += 1
        while t_ptr < len(t_sorted) and t_sorted[t_ptr] <= tg:
            out[:, order[t_ptr]] = x
            t_ptr += 1
    return out


def exact_outputs(
    system: LinearSystem,
    modal: Modal | None,
    schedule: Schedule,
    t: FloatArray,
    outputs: Sequence[str],
) -> dict[str, FloatArray]:
    """Outputs (mg/L) at times ``t`` (min): modal closed form when ``modal`` is usable, else expm.

    Returns
    -------
    dict of str to ndarray, shape (N, T)
    """
    if modal is not None and modal.usable:
        return modal_outputs(system, modal, schedule, t, outputs)
    states = expm_states(system, schedule, t)
    return {name: np.einsum("nk,ntk->nt", system.outputs[name], states) for name in outputs}
