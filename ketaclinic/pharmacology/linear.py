"""Linear state-space systems and their exact solution for piecewise-constant input.

Every pharmacokinetic model in this package is a linear system

    x'(t) = A x(t) + b u(t),   y(t) = c x(t)

with ``x`` the drug amounts in mg (the effect site, when present, is a
concentration state in mg/L), ``u`` the infusion rate in mg/min and ``y`` a
concentration in mg/L (1 mg/L = 1 ug/mL = 1000 ng/mL).  Any dose plan made of
boluses and constant-rate segments is solved exactly per segment:

* ``modal`` path: ``A = V diag(l) V^-1``; each mode is a scalar first-order
  system ``z(t0+s) = e^{l s} z(t0) + (e^{l s} - 1)/l g r`` (Abuhelwa AY, Foster
  DJR, Upton RN. J Pharmacol Toxicol Methods 2015;73:42-48; Bailey JM, Shafer SL.
  IEEE Trans Biomed Eng 1991;38:522-525).
* ``expm`` path: the matrix exponential of the augmented matrix
  ``[[A, b], [0, 0]] s`` gives both ``e^{A s}`` and ``int_0^s e^{A v} b dv``.
  It is used when the eigen-decomposition is defective or ill conditioned (for
  example an effect-site rate equal to a disposition eigenvalue) and for
  systems with a zero eigenvalue.

No Euler stepping is used anywhere.  All arrays carry a leading patient axis
``N`` so that many patients are solved at once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import scipy.linalg
from numpy.typing import NDArray

from .errors import PharmacologyInputError

FloatArray = NDArray[np.float64]

#: Eigen-decompositions with a condition number above this use the expm path.
MAX_EIGENVECTOR_CONDITION = 1e8
#: Relative eigenvalue gap below which a decomposition is treated as defective.
MIN_RELATIVE_EIGEN_GAP = 1e-7


@dataclass(frozen=True)
class LinearSystem:
    """A batch of linear compartmental systems (one per patient).

    Parameters
    ----------
    a_per_min : ndarray, shape (N, n, n)
        System matrix in 1/min.
    input_per_mg : ndarray, shape (N, n)
        State increment per mg of drug given (the ``b`` vector); a bolus of
        ``D`` mg adds ``D * b`` and an infusion of ``r`` mg/min adds ``r * b`` per
        minute.
    outputs : dict of str to ndarray, shape (N, n)
        Output rows mapping the state to a concentration in mg/L; names used in
        this package: ``"plasma"``, ``"effect"``, ``"metabolite"``.
    state_names : tuple of str
        Names of the ``n`` states.
    mass_states : tuple of bool
        ``True`` for states that are drug amounts in mg (used for mass balance;
        the effect site has negligible volume and is not a mass state).
    """

    a_per_min: FloatArray
    input_per_mg: FloatArray
    outputs: dict[str, FloatArray]
    state_names: tuple[str, ...]
    mass_states: tuple[bool, ...]
    _cache: dict[str, object] = field(default_factory=dict, compare=False, repr=False)

    @property
    def n_patients(self) -> int:
        """Number of patients ``N`` in the batch."""
        return int(self.a_per_min.shape[0])

    @property
    def n_states(self) -> int:
        """Number of states ``n``."""
        return int(self.a_per_min.shape[1])

    def elimination_rates_per_min(self) -> FloatArray:
        """Rate constants (1/min) of loss from each mass state to outside the system.

        Returns
        -------
        ndarray, shape (N, n)
            ``-sum_j A[j, i]`` over mass states ``j`` for each mass state ``i``
            (zero for non-mass states).
        """
        mask = np.asarray(self.mass_states, dtype=bool)
        out = np.zeros((self.n_patients, self.n_states))
        col = -self.a_per_min[:, mask, :].sum(axis=1)
        out[:, mask] = col[:, mask]
        return out

    def with_elimination_accumulator(self) -> LinearSystem:
        """Return a copy with one extra mass state counting eliminated drug (mg).

        The extra state integrates ``elimination_rates_per_min() @ x``; with it,
        delivered mg equals the sum of all mass states at every time.
        """
        n = self.n_states
        big = np.zeros((self.n_patients, n + 1, n + 1))
        big[:, :n, :n] = self.a_per_min
        big[:, n, :n] = self.elimination_rates_per_min()
        b = np.concatenate([self.input_per_mg, np.zeros((self.n_patients, 1))], axis=1)
        outs = {
            k: np.concatenate([v, np.zeros((self.n_patients, 1))], axis=1)
            for k, v in self.outputs.items()
        }
        return LinearSystem(
            big, b, outs, (*self.state_names, "eliminated"), (*self.mass_states, True)
        )

    def with_effect_site(self, ke0_per_min: float | FloatArray) -> LinearSystem:
        """Append an effect-site state driven by the plasma output.

        ``dCe/dt = ke0 (Cp - Ce)`` with ``Ce`` in mg/L (Sheiner LB et al. Clin
        Pharmacol Ther 1979;25:358-371).

        Parameters
        ----------
        ke0_per_min : float or ndarray, shape (N,)
            Effect-site equilibration rate constant in 1/min (must be > 0).
        """
        ke0 = np.broadcast_to(np.asarray(ke0_per_min, dtype=float), (self.n_patients,))
        if np.any(~np.isfinite(ke0)) or np.any(ke0 <= 0):
            raise PharmacologyInputError("ke0_per_min", "must be a positive number (1/min)")
        n = self.n_states
        cp = self.outputs["plasma"]
        big = np.zeros((self.n_patients, n + 1, n + 1))
        big[:, :n, :n] = self.a_per_min
        big[:, n, :n] = ke0[:, None] * cp
        big[:, n, n] = -ke0
        b = np.concatenate([self.input_per_mg, np.zeros((self.n_patients, 1))], axis=1)
        outs = {
            k: np.concatenate([v, np.zeros((self.n_patients, 1))], axis=1)
            for k, v in self.outputs.items()
            if k != "effect"
        }
        eff = np.zeros((self.n_patients, n + 1))
        eff[:, n] = 1.0
        outs["effect"] = eff
        return LinearSystem(
            big, b, outs, (*self.state_names, "effect_site"), (*self.mass_states, False)
        )

    def select(self, index: NDArray[np.intp] | slice) -> LinearSystem:
        """Return the sub-batch of patients ``index``."""
        return LinearSystem(
            self.a_per_min[index],
            self.input_per_mg[index],
            {k: v[index] for k, v in self.outputs.items()},
            self.state_names,
            self.mass_states,
        )


@dataclass(frozen=True)
class Modal:
    """Eigen-decomposition of a :class:`LinearSystem` (real-mode case or complex)."""

    eigenvalues_per_min: NDArray[np.complex128] | FloatArray  # (N, n)
    vectors: NDArray[np.complex128] | FloatArray  # (N, n, n)
    inverse: NDArray[np.complex128] | FloatArray  # (N, n, n)
    usable: bool


def modal_decomposition(system: LinearSystem) -> Modal:
    """Diagonalise every patient's system matrix.

    Parameters
    ----------
    system : LinearSystem
        The batch to decompose.

    Returns
    -------
    Modal
        ``usable`` is ``False`` when any patient's eigenvector matrix is ill
        conditioned (condition number > :data:`MAX_EIGENVECTOR_CONDITION`), two
        eigenvalues nearly coincide (relative gap < :data:`MIN_RELATIVE_EIGEN_GAP`),
        or an eigenvalue is zero; the caller then uses the expm path.
    """
    cached = system._cache.get("modal")
    if isinstance(cached, Modal):
        return cached
    lam, vec = np.linalg.eig(system.a_per_min)
    usable = True
    if np.all(np.abs(lam.imag) <= 1e-12 * np.maximum(1.0, np.abs(lam.real))):
        lam = lam.real
        vec = vec.real
    scale = np.max(np.abs(lam), axis=1, keepdims=True)
    if np.any(scale == 0) or np.any(np.abs(lam) <= 1e-12 * scale):
        usable = False
    n = lam.shape[1]
    if usable and n > 1:
        if np.isrealobj(lam):
            gap = np.diff(np.sort(lam, axis=1), axis=1).min(axis=1)
        else:
            gaps = np.abs(lam[:, :, None] - lam[:, None, :])
            gaps[:, np.arange(n), np.arange(n)] = np.inf
            gap = gaps.min(axis=(1, 2))
        if np.any(gap < MIN_RELATIVE_EIGEN_GAP * scale[:, 0]):
            usable = False
    inv = vec
    if usable:
        try:
            inv = np.linalg.inv(vec)
        except np.linalg.LinAlgError:
            usable = False
        else:  # 1-norm condition number
            cond = np.abs(vec).sum(axis=1).max(axis=1) * np.abs(inv).sum(axis=1).max(axis=1)
            if np.any(~np.isfinite(cond)) or np.any(cond > MAX_EIGENVECTOR_CONDITION):
                usable = False
                inv = vec
    result = Modal(lam, vec, inv, usable)
    system._cache["modal"] = result
    return result


@dataclass(frozen=True)
class Schedule:
    """Piecewise-constant infusion plus boluses, the input of every solver.

    Parameters
    ----------
    breakpoints_min : ndarray, shape (K+1,)
        Strictly increasing times in min; the rate ``rates_mg_per_min[k]`` applies
        on ``[breakpoints_min[k], breakpoints_min[k+1])``.  The rate is 0 before
        the first and after the last breakpoint.
    rates_mg_per_min : ndarray, shape (K,) or (N, K)
        Infusion rates in mg/min (same for all patients or one row per patient).
    bolus_times_min : ndarray, shape (B,)
        Times of instantaneous boluses in min (>= 0).
    bolus_mg : ndarray, shape (B,) or (N, B)
        Bolus amounts in mg.
    """

    breakpoints_min: FloatArray
    rates_mg_per_min: FloatArray
    bolus_times_min: FloatArray
    bolus_mg: FloatArray

    @staticmethod
    def empty() -> Schedule:
        """A schedule with no drug."""
        return Schedule(np.array([0.0]), np.zeros(0), np.zeros(0), np.zeros(0))

    def events(self, n_patients: int) -> tuple[FloatArray, FloatArray, FloatArray]:
        """Merge breakpoints and boluses into one event list.

        Returns
        -------
        times_min : ndarray, shape (E,)
            Sorted unique event times, starting at 0.
        rates : ndarray, shape (N, E)
            Rate in mg/min on ``[times[e], times[e+1])``.
        boluses : ndarray, shape (N, E)
            Bolus mg given at ``times[e]``.
        """
        bp = np.asarray(self.breakpoints_min, dtype=float)
        bt = np.asarray(self.bolus_times_min, dtype=float)
        times = np.unique(np.concatenate([[0.0], bp, bt]))
        rates_k = np.broadcast_to(
            np.atleast_2d(np.asarray(self.rates_mg_per_min, dtype=float)),
            (n_patients, max(len(bp) - 1, 0)),
        )
        seg = np.searchsorted(bp, times, side="right") - 1
        inside = (seg >= 0) & (seg < len(bp) - 1)
        rates = np.zeros((n_patients, len(times)))
        rates[:, inside] = rates_k[:, seg[inside]]
        boluses = np.zeros((n_patients, len(times)))
        if len(bt):
            bm = np.broadcast_to(
                np.atleast_2d(np.asarray(self.bolus_mg, dtype=float)), (n_patients, len(bt))
            )
            idx = np.searchsorted(times, bt)
            for j in range(len(bt)):
                boluses[:, idx[j]] += bm[:, j]
        return times, rates, boluses

    def delivered_mg(self, times_min: FloatArray, n_patients: int = 1) -> FloatArray:
        """Cumulative mg delivered up to and including each time (boluses at ``t`` count).

        Returns
        -------
        ndarray, shape (N, T)
        """
        t = np.asarray(times_min, dtype=float)
        bp = np.asarray(self.breakpoints_min, dtype=float)
        rates = np.broadcast_to(
            np.atleast_2d(np.asarray(self.rates_mg_per_min, dtype=float)),
            (n_patients, max(len(bp) - 1, 0)),
        )
        cum_bp = np.concatenate(
            [np.zeros((n_patients, 1)), np.cumsum(rates * np.diff(bp), axis=1)], axis=1
        )
        out = np.stack([np.interp(t, bp, cum_bp[p]) for p in range(n_patients)])
        bt = np.asarray(self.bolus_times_min, dtype=float)
        if len(bt):
            bm = np.broadcast_to(
                np.atleast_2d(np.asarray(self.bolus_mg, dtype=float)), (n_patients, len(bt))
            )
            order = np.argsort(bt, kind="stable")
            cum_b = np.concatenate(
                [np.zeros((n_patients, 1)), np.cumsum(bm[:, order], axis=1)], axis=1
            )
            out = out + cum_b[:, np.searchsorted(bt[order], t, side="right")]
        return out


def _check_times(times_min: FloatArray) -> FloatArray:
    t = np.asarray(times_min, dtype=float).ravel()
    if t.size == 0 or np.any(~np.isfinite(t)) or np.any(t < 0):
        raise PharmacologyInputError("times_min", "must be a non-empty list of finite times >= 0")
    return t


def _phi(lam: FloatArray | NDArray[np.complex128], s: FloatArray) -> FloatArray:
    """``(e^{l s} - 1)/l`` with the limit ``s`` at ``l = 0``."""
    x = lam * s
    safe = np.where(lam == 0, 1.0, lam)
    return np.where(lam == 0, s, np.expm1(x) / safe) if np.isrealobj(x) else (np.exp(x) - 1) / safe


def _augmented_expm(system: LinearSystem, dt_min: float) -> tuple[FloatArray, FloatArray]:
    """Exact one-interval propagators ``Phi = e^{A dt}`` and ``Gamma = int_0^dt e^{A v} b dv``.

    Returns
    -------
    phi : ndarray, shape (N, n, n)
    gamma : ndarray, shape (N, n)
    """
    key = f"expm:{dt_min!r}"
    cached = system._cache.get(key)
    if isinstance(cached, tuple):
        return cached
    n = system.n_states
    aug = np.zeros((system.n_patients, n + 1, n + 1))
    aug[:, :n, :n] = system.a_per_min * dt_min
    aug[:, :n, n] = system.input_per_mg * dt_min
    e = scipy.linalg.expm(aug)
    result = (np.ascontiguousarray(e[:, :n, :n]), np.ascontiguousarray(e[:, :n, n]))
    if len(system._cache) < 256:
        system._cache[key] = result
    return result


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
        # Imported here: the grid module builds on this one.
        from .grid import solve_grid, uniform_grid

        grid = uniform_grid(t) if len(t) >= 64 else None
        if grid is not None and not np.iscomplexobj(modal.eigenvalues_per_min):
            if system.n_patients == 1:
                ys = solve_grid(system, schedule, grid[1], len(t), outputs, np.float64, grid[0], t)
                return {k: np.asarray(v, dtype=np.float64) for k, v in ys.items()}
        return _outputs_modal(system, modal, schedule, t, outputs)
    if modal is not None and modal.usable:
        states = _solve_modal(system, modal, schedule, t)
    else:
        states = _solve_expm(system, schedule, t)
    res = {name: np.einsum("nk,ntk->nt", system.outputs[name], states) for name in outputs}
    if return_states:
        res["states"] = states
    return res


def _outputs_modal(
    system: LinearSystem, modal: Modal, schedule: Schedule, t: FloatArray, outputs: Sequence[str]
) -> dict[str, FloatArray]:
    """Outputs directly in modal coordinates: ``y = sum_i w_i (e^{l_i s} (z_i + c_i) - c_i)``.

    ``c = g r / l`` is the modal steady state of the current rate; requires no
    zero eigenvalue (guaranteed when ``modal.usable``).
    """
    n_pat = system.n_patients
    ev, rates, boluses = schedule.events(n_pat)
    lam = modal.eigenvalues_per_min
    g = np.einsum("nij,nj->ni", modal.inverse, system.input_per_mg)
    z_ev = _modal_event_states(lam, g, ev, rates, boluses)  # (N, E, n)
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


def _modal_event_states(
    lam: FloatArray | NDArray[np.complex128],
    g: FloatArray | NDArray[np.complex128],
    ev: FloatArray,
    rates: FloatArray,
    boluses: FloatArray,
) -> NDArray[Any]:
    """Modal state just after each event (after its bolus); shape (N, E, n)."""
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


def _solve_modal(
    system: LinearSystem, modal: Modal, schedule: Schedule, t: FloatArray
) -> FloatArray:
    n_pat, n = system.n_patients, system.n_states
    ev, rates, boluses = schedule.events(n_pat)
    lam, vec, inv = modal.eigenvalues_per_min, modal.vectors, modal.inverse
    g = np.einsum("nij,nj->ni", inv, system.input_per_mg)  # modal input per mg
    z_ev = _modal_event_states(lam, g, ev, rates, boluses)
    idx = np.clip(np.searchsorted(ev, t, side="right") - 1, 0, None)
    s = (t - ev[idx])[None, :, None]  # (1, T, 1)
    zt = np.exp(lam[:, None, :] * s) * z_ev[:, idx] + g[:, None, :] * rates[:, idx, None] * _phi(
        lam[:, None, :], np.broadcast_to(s, (n_pat, len(t), n))
    )
    x = np.einsum("nij,ntj->nti", vec, zt)
    return np.ascontiguousarray(x.real)


def _solve_expm(system: LinearSystem, schedule: Schedule, t: FloatArray) -> FloatArray:
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
            phi, gam = _augmented_expm(system, float(tg - prev))
            x = np.einsum("nij,nj->ni", phi, x) + gam * rates[:, seg, None]
            prev = float(tg)
        while ev_idx < len(ev) and ev[ev_idx] <= tg:
            x = x + system.input_per_mg * boluses[:, ev_idx, None]
            ev_idx += 1
        while t_ptr < len(t_sorted) and t_sorted[t_ptr] <= tg:
            out[:, order[t_ptr]] = x
            t_ptr += 1
    return out
