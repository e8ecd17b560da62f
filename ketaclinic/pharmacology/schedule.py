"""Piecewise-constant infusion plus boluses: the input every solver takes.

Units: times in min, rates in mg/min, boluses in mg.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .systems import FloatArray


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
