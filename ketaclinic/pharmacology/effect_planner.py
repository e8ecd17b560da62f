"""Effect-site rate of one TCI period (Shafer SL, Gregg KM. J Pharmacokinet Biopharm
1992;20:147-169), non-iterative form, precomputed once per patient and period length.

With ``b(t)`` the effect-site concentration if nothing more is given and
``h(t)`` the response to 1 mg/min for one period, the rate is
``r = min_{t>0} (C_target - b(t)) / h(t)`` (0 when the baseline already reaches
the target), searched on a 1-s grid over the look-ahead (3600 s as PyTCI) and
refined by Newton steps on the analytic derivative.  Units: t in min inside,
rates mg/min, concentrations mg/L.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import scipy.linalg

from .errors import PharmacologyInputError
from .systems import FloatArray, LinearSystem, modal_decomposition
from .tci_schedule import is_roundoff


class EffectPlanner:
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
