"""Concentrations on a uniform time grid, fast: the per-mode powers of one step are
tabulated once per patient, so each constant-rate stretch of the grid is a product of tables.

This is the same exact modal solution as :func:`ketaclinic.pharmacology.linear.solve`
(Abuhelwa AY, Foster DJR, Upton RN. J Pharmacol Toxicol Methods 2015;73:42-48), organised for
dense grids: output is produced in time chunks so memory stays bounded for many patients.
Units: min, mg/min, mg; concentrations in mg/L.  Builds on ``systems``, ``schedule`` and
``propagation`` only (``linear.solve`` uses this module, not the other way round).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import numpy as np
from numpy.typing import NDArray

from .errors import PharmacologyInputError
from .propagation import exact_outputs, modal_event_states
from .schedule import Schedule
from .systems import FloatArray, LinearSystem, Modal, modal_decomposition


def _power_table(lam: FloatArray, dt_min: float, length: int) -> FloatArray:
    """``exp(lam * m * dt)`` for ``m = 0..length-1``; shape (modes, length, N).

    Two-level table: ``m = a B + b`` with ``B ~ sqrt(length)``, so only
    ``~2 sqrt(length)`` exponentials per mode are evaluated and the rest are
    products (relative error ~1e-15).
    """
    big = max(1, int(np.ceil(np.sqrt(length))))
    n_hi = -(-length // big)
    lt = lam.T  # (modes, N)
    lo = np.exp(lt[:, None, :] * (np.arange(big) * dt_min)[None, :, None])  # (modes, B, N)
    hi = np.exp(lt[:, None, :] * (np.arange(n_hi) * big * dt_min)[None, :, None])  # (modes, A, N)
    if lt.shape[1] == 1:  # keep the inner loop long for a single patient
        flat = (hi[:, :, None, 0] * lo[:, None, :, 0]).reshape(lt.shape[0], n_hi * big)
        return flat[:, :length, None]
    table = (hi[:, :, None, :] * lo[:, None, :, :]).reshape(lt.shape[0], n_hi * big, lt.shape[1])
    return table[:, :length]


def iter_grid(
    system: LinearSystem,
    schedule: Schedule,
    dt_min: float,
    n_points: int,
    outputs: Sequence[str] = ("plasma",),
    dtype: type[np.floating] = np.float64,
    t_start_min: float = 0.0,
    max_block_elements: int = 1 << 22,
) -> Iterator[tuple[int, dict[str, NDArray[np.floating]]]]:
    """Stream outputs on the uniform grid ``t_j = t_start_min + j dt_min``, ``j = 0..n_points-1``.

    Fast path for dense output (reference pharmacokinetics.md section 5): with a
    fixed step the powers ``q^m = e^{l m dt}`` of every mode are tabulated once
    per patient for one chunk length, and each constant-rate block becomes a sum
    over modes of ``coefficient x q^m`` (``z(s) = e^{l s} (z0 + c) - c`` with
    ``c = g r / l``).  Memory is bounded by chunking over time
    (``max_block_elements`` table entries).  Falls back to the exact solution at
    the grid times (:func:`~ketaclinic.pharmacology.propagation.exact_outputs`) when
    the modal path is unusable or complex.

    Parameters
    ----------
    system, schedule
        As in :func:`ketaclinic.pharmacology.linear.solve`.
    dt_min : float
        Output step in min (> 0).
    n_points : int
        Number of grid points.
    outputs : sequence of str
        Output names (concentrations in mg/L).
    dtype : numpy floating type
        ``np.float32`` halves memory; relative error ~1e-6.
    t_start_min : float
        Time of the first grid point in min (>= 0).
    max_block_elements : int
        Upper bound on the elements of the per-chunk table (modes x steps x N).

    Yields
    ------
    start : int
        Index of the first grid point of the chunk.
    values : dict of str to ndarray, shape (L, N)
        Concentrations in mg/L, time-major.
    """
    if not dt_min > 0:
        raise PharmacologyInputError("dt_min", "must be > 0")
    if n_points < 1:
        raise PharmacologyInputError("n_points", "must be >= 1")
    if not t_start_min >= 0:
        raise PharmacologyInputError("t_start_min", "must be >= 0")
    for name in outputs:
        if name not in system.outputs:
            raise PharmacologyInputError("outputs", f"model has no {name!r} output")
    modal = modal_decomposition(system)
    n_pat = system.n_patients
    lam = modal.eigenvalues_per_min
    if not modal.usable or np.iscomplexobj(lam):
        step = max(1, max_block_elements // max(1, n_pat * system.n_states))
        for j0 in range(0, n_points, step):
            j1 = min(n_points, j0 + step)
            t_chunk = (t_start_min + np.arange(j0, j1) * dt_min).astype(np.float64)
            ys = exact_outputs(system, modal, schedule, t_chunk, outputs)
            yield j0, {k: ys[k].T.astype(dtype) for k in outputs}
        return
    lam = np.asarray(lam, dtype=np.float64)
    g_full = np.einsum("nij,nj->ni", modal.inverse, system.input_per_mg)
    w_all = {k: np.einsum("nk,nki->ni", system.outputs[k], modal.vectors) for k in outputs}
    reach = np.zeros(lam.shape[1], dtype=bool)
    for w in w_all.values():
        reach |= np.any(np.abs(w * g_full) > 0, axis=0)  # modes that reach an output
    lam, g = lam[:, reach], g_full[:, reach]
    ws = {k: w[:, reach] for k, w in w_all.items()}
    n_modes = lam.shape[1]
    ev, rates, boluses = schedule.events(n_pat)
    z_ev = modal_event_states(lam, g, ev, rates, boluses)  # (N, E, modes)
    chunk = int(max(1, min(n_points, 4096, max_block_elements // max(1, n_pat * n_modes))))
    table = _power_table(lam, dt_min, chunk).astype(dtype, copy=False)  # (modes, chunk, N)
    # first grid index at or after each event (exact comparison, as in solve())
    first_in_block = np.searchsorted(t_start_min + np.arange(n_points) * dt_min, ev, side="left")
    for j0 in range(0, n_points, chunk):
        j1 = min(n_points, j0 + chunk)
        outs = {k: np.empty((j1 - j0, n_pat), dtype=dtype) for k in outputs}
        for e in range(len(ev)):
            a = max(j0, int(first_in_block[e]))
            b = min(j1, int(first_in_block[e + 1]) if e + 1 < len(ev) else j1)
            if b <= a:
                continue
            c = g * rates[:, e, None] / lam  # (N, modes)
            s0 = t_start_min + a * dt_min - ev[e]
            shifted = (z_ev[:, e] + c) * np.exp(lam * s0)
            if n_pat == 1:  # all outputs in one matrix product
                w1 = np.stack([ws[name][0] for name in outputs])  # (outputs, modes)
                block = (w1 * shifted[0]) @ table[:, : b - a, 0] - (w1 @ c[0])[:, None]
                for i, name in enumerate(outputs):
                    outs[name][a - j0 : b - j0, 0] = block[i]
                continue
            for name in outputs:
                w = ws[name]
                coef = (w * shifted).astype(dtype)  # (N, modes)
                const = np.sum(w * c, axis=1).astype(dtype)
                piece = outs[name][a - j0 : b - j0]
                np.multiply(table[0, : b - a], coef[None, :, 0], out=piece)
                for i in range(1, n_modes):
                    piece += table[i, : b - a] * coef[None, :, i]
                piece -= const[None, :]
        yield j0, outs


def solve_grid(
    system: LinearSystem,
    schedule: Schedule,
    dt_min: float,
    n_points: int,
    outputs: Sequence[str] = ("plasma",),
    dtype: type[np.floating] = np.float64,
    t_start_min: float = 0.0,
    times_min: FloatArray | None = None,
) -> dict[str, NDArray[np.floating]]:
    """Concentrations (mg/L) on the grid ``t_start_min + j dt_min``; each of shape (N, n_points).

    See :func:`iter_grid` for the algorithm; this collects all chunks.  ``times_min``
    (the caller's own grid values, single patient) decides exactly which side of
    a bolus each point lies on.
    """
    modal = modal_decomposition(system)
    if system.n_patients == 1 and modal.usable and not np.iscomplexobj(modal.eigenvalues_per_min):
        block = _grid_single(
            system, modal, schedule, dt_min, n_points, outputs, t_start_min, times_min
        )
        return {k: block[i][None, :].astype(dtype, copy=False) for i, k in enumerate(outputs)}
    res = {k: np.empty((system.n_patients, n_points), dtype=dtype) for k in outputs}
    for j0, ys in iter_grid(system, schedule, dt_min, n_points, outputs, dtype, t_start_min):
        for k, y in ys.items():
            res[k][:, j0 : j0 + y.shape[0]] = y.T
    return res


def _grid_single(
    system: LinearSystem,
    modal: Modal,
    schedule: Schedule,
    dt_min: float,
    n_points: int,
    outputs: Sequence[str],
    t_start_min: float,
    times_min: FloatArray | None = None,
    chunk: int = 4096,
) -> FloatArray:
    """One patient on a uniform grid: per block and chunk one small matrix product.

    Same algorithm as :func:`iter_grid`; returns shape (len(outputs), n_points) in mg/L.
    """
    lam = np.asarray(modal.eigenvalues_per_min, dtype=float)
    g = np.einsum("nij,nj->ni", modal.inverse, system.input_per_mg)
    w = np.stack(
        [system.outputs[k][0] @ np.asarray(modal.vectors[0], dtype=float) for k in outputs]
    )
    ev, rates, boluses = schedule.events(1)
    z_ev = modal_event_states(lam, g, ev, rates, boluses)[0]  # (E, modes)
    lam1, g1 = lam[0], g[0]
    chunk = max(1, min(chunk, n_points))
    table = _power_table(lam, dt_min, chunk)[:, :, 0]  # (modes, chunk)
    grid = t_start_min + np.arange(n_points) * dt_min if times_min is None else times_min
    first = np.searchsorted(grid, ev, side="left")
    out = np.empty((len(outputs), n_points))
    for e in range(len(ev)):
        a = int(first[e])
        b = int(first[e + 1]) if e + 1 < len(ev) else n_points
        if b <= a:
            continue
        c = g1 * rates[0, e] / lam1
        coef = w * (z_ev[e] + c)
        const = (w @ c)[:, None]
        for j in range(a, b, chunk):
            n_j = min(chunk, b - j)
            shift = np.exp(lam1 * (t_start_min + j * dt_min - ev[e]))
            out[:, j : j + n_j] = (coef * shift) @ table[:, :n_j] - const
    return out


def uniform_grid(times_min: FloatArray) -> tuple[float, float] | None:
    """``(t_start, dt)`` if ``times_min`` is an increasing uniform grid (>= 3 points), else None."""
    t = np.asarray(times_min, dtype=float)
    if t.ndim != 1 or len(t) < 3:
        return None
    dt = (t[-1] - t[0]) / (len(t) - 1)
    if not dt > 0:
        return None
    d = np.diff(t)
    if d.max() - d.min() > 1e-9 * dt:
        return None
    return float(t[0]), float(dt)
