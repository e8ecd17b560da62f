"""Linear state-space systems of the pharmacokinetic models and their eigen-decomposition.

Every pharmacokinetic model in this package is a linear system

    x'(t) = A x(t) + b u(t),   y(t) = c x(t)

with ``x`` the drug amounts in mg (the effect site, when present, is a
concentration state in mg/L), ``u`` the infusion rate in mg/min and ``y`` a
concentration in mg/L (1 mg/L = 1 ug/mL = 1000 ng/mL).  All arrays carry a
leading patient axis ``N`` so that many patients are solved at once.  The
solvers are in :mod:`~ketaclinic.pharmacology.linear` (any times) and
:mod:`~ketaclinic.pharmacology.grid` (uniform grids), both on the kernels of
:mod:`~ketaclinic.pharmacology.propagation`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar, cast

import numpy as np
from numpy.typing import NDArray

from .errors import PharmacologyInputError

FloatArray = NDArray[np.float64]
_T = TypeVar("_T")

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

    def cached(self, key: str, compute: Callable[[], _T], max_entries: int | None = None) -> _T:
        """Value of ``compute()`` memoised on this system under ``key``.

        Parameters
        ----------
        key : str
            Cache key (for example ``"modal"`` or ``"expm:<dt_min>"``).
        compute : callable
            Computes the value when it is not cached yet.
        max_entries : int, optional
            Do not store a new entry once the cache holds this many (bounds the memory of
            callers that key on a continuous value such as a step length).
        """
        if key in self._cache:
            return cast(_T, self._cache[key])
        value = compute()
        if max_entries is None or len(self._cache) < max_entries:
            self._cache[key] = value
        return value

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
    return system.cached("modal", lambda: _decompose(system))


def _decompose(system: LinearSystem) -> Modal:
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
    return Modal(lam, vec, inv, usable)
