"""Population spread: virtual patients with log-normal between-subject variability.

Each virtual patient ``i`` gets ``P_i = P_typical x exp(omega x eta_i)`` with
``eta_i ~ N(0, 1)`` independent per parameter, using the model's published
``omega`` (SD of the log parameter) or user-supplied values.  Results are
reproducible for a given seed (``numpy.random.default_rng``).  Percentile bands
are computed in time chunks so memory stays bounded (float32 by default).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from .dose_plans import DosePlan
from .errors import PharmacologyInputError
from .grid import iter_grid
from .library import dose_factor
from .linear import solve
from .models import Patient, PKModel
from .schedule import Schedule
from .systems import FloatArray, LinearSystem

DEFAULT_PERCENTILES = (5.0, 50.0, 95.0)


def sample_parameters(
    model: PKModel,
    patient: Patient,
    n: int,
    seed: int | None = None,
    omega: Mapping[str, float] | None = None,
) -> dict[str, FloatArray]:
    """Draw ``n`` virtual patients' parameters.

    Parameters
    ----------
    model : PKModel
    patient : Patient
        Covariates of the typical patient.
    n : int
        Number of virtual patients (>= 1).
    seed : int, optional
        Seed for reproducibility.
    omega : mapping of str to float, optional
        SD of the log parameter per parameter name; default ``model.omega``
        (published variability, see ``model.omega_source``).

    Returns
    -------
    dict of str to ndarray, shape (n,)
        Parameter values in the model's table units.
    """
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise PharmacologyInputError("n", "must be an integer >= 1")
    om = dict(model.omega if omega is None else omega)
    if not om:
        raise PharmacologyInputError(
            "omega", f"{model.model_id} has no published variability; supply omega values"
        )
    typical = model.typical_parameters(patient)
    for name, w in om.items():
        if name not in typical:
            raise PharmacologyInputError(f"omega[{name}]", f"not a parameter of {model.model_id}")
        if not (np.isfinite(w) and w >= 0):
            raise PharmacologyInputError(f"omega[{name}]", "must be >= 0")
    rng = np.random.default_rng(seed)
    names = sorted(om)
    eta = rng.standard_normal((len(names), n))
    out = {k: np.full(n, v) for k, v in typical.items()}
    for j, name in enumerate(names):
        out[name] = typical[name] * np.exp(om[name] * eta[j])
    return out


@dataclass(frozen=True)
class PopulationResult:
    """Percentile bands of a simulated population.

    Attributes
    ----------
    times_min : ndarray, shape (T,)
    percentiles : dict of str to ndarray, shape (T,)
        Keys like ``"5"``, ``"50"``, ``"95"``; plasma concentrations in ng/mL.
    typical_ng_per_ml : ndarray, shape (T,)
        Typical-patient curve (all etas zero).
    n : int
    analyte_label : str
    """

    times_min: FloatArray
    percentiles: dict[str, FloatArray]
    typical_ng_per_ml: FloatArray
    n: int
    analyte_label: str


def _pct_key(p: float) -> str:
    return f"{p:g}"


def _percentile_rows(sorted_rows: np.ndarray, ps: Sequence[float]) -> np.ndarray:
    """Linear-interpolation percentiles (numpy's default method) of rows sorted along axis 1."""
    n = sorted_rows.shape[1]
    out = np.empty((len(ps), sorted_rows.shape[0]))
    for i, p in enumerate(ps):
        pos = p / 100.0 * (n - 1)
        lo = int(np.floor(pos))
        hi = min(lo + 1, n - 1)
        frac = pos - lo
        out[i] = sorted_rows[:, lo] * (1 - frac) + sorted_rows[:, hi] * frac
    return out


def population_percentiles(
    system: LinearSystem,
    schedule: Schedule,
    times_min: Sequence[float] | FloatArray | None = None,
    dt_min: float | None = None,
    n_points: int | None = None,
    percentiles: Sequence[float] = DEFAULT_PERCENTILES,
    output: str = "plasma",
    dtype: type[np.floating] = np.float32,
) -> tuple[FloatArray, dict[str, FloatArray]]:
    """Percentiles (mg/L) over patients of one output, at given times or on a uniform grid.

    Either ``times_min`` (arbitrary times, exact general solver) or ``dt_min``
    and ``n_points`` (uniform grid, fast chunked path of
    :func:`~ketaclinic.pharmacology.grid.iter_grid`).

    Returns
    -------
    times_min : ndarray, shape (T,)
    bands : dict of str to ndarray, shape (T,)
        Concentration percentiles in mg/L.
    """
    ps = [float(p) for p in percentiles]
    if any(not 0 <= p <= 100 for p in ps):
        raise PharmacologyInputError("percentiles", "must lie in 0-100")
    if times_min is not None:
        t: FloatArray = np.asarray(times_min, dtype=np.float64)
        y = solve(system, schedule, t, outputs=(output,))[output]
        bands = np.percentile(y, ps, axis=0)
        return t, {_pct_key(p): bands[i] for i, p in enumerate(ps)}
    if dt_min is None or n_points is None:
        raise PharmacologyInputError("times_min", "give times_min or dt_min and n_points")
    out = np.empty((len(ps), n_points))
    for j0, ys in iter_grid(system, schedule, dt_min, n_points, (output,), dtype=dtype):
        chunk = ys[output]
        np.maximum(chunk, 0, out=chunk)  # float32 cancellation can leave -1e-8 mg/L at C = 0
        chunk.sort(axis=1)
        out[:, j0 : j0 + chunk.shape[0]] = _percentile_rows(chunk, ps)
    grid: FloatArray = (np.arange(n_points) * dt_min).astype(np.float64)
    return grid, {_pct_key(p): out[i] for i, p in enumerate(ps)}


def simulate_population(
    model: PKModel,
    patient: Patient,
    plan: DosePlan,
    n: int,
    seed: int | None = None,
    times_min: Sequence[float] | FloatArray | None = None,
    dt_min: float | None = None,
    t_end_min: float | None = None,
    percentiles: Sequence[float] = DEFAULT_PERCENTILES,
    omega: Mapping[str, float] | None = None,
    product: str = "racemic",
) -> PopulationResult:
    """Percentile bands of plasma concentration (ng/mL) for ``n`` virtual patients.

    Parameters
    ----------
    model, patient, plan
        As in :func:`~ketaclinic.pharmacology.simulate.simulate`.
    n : int
        Number of virtual patients.
    seed : int, optional
        Random seed (same seed, same result).
    times_min : array_like, optional
        Output times (min).  Alternatively ``dt_min`` and ``t_end_min`` for a
        uniform grid from 0 to ``t_end_min`` inclusive.
    percentiles : sequence of float
        Default 5, 50, 95.
    omega : mapping, optional
        Overrides the published variability (SD of log parameter).
    product : {"racemic", "esketamine"}

    Returns
    -------
    PopulationResult
    """
    factor, label = dose_factor(model, product)
    params = sample_parameters(model, patient, n, seed, omega)
    system = model.system(params)
    schedule = plan.scaled(factor).schedule()
    if times_min is None:
        if dt_min is None or t_end_min is None or dt_min <= 0 or t_end_min <= 0:
            raise PharmacologyInputError(
                "times_min", "give times_min or positive dt_min and t_end_min"
            )
        n_points = int(round(t_end_min / dt_min)) + 1
        t, bands = population_percentiles(system, schedule, None, dt_min, n_points, percentiles)
    else:
        t, bands = population_percentiles(system, schedule, times_min, percentiles=percentiles)
    typ_sys = model.system(model.typical_parameters(patient, warn=False))
    typical = solve(typ_sys, schedule, t)["plasma"][0]
    return PopulationResult(
        times_min=t,
        percentiles={k: v * 1000.0 for k, v in bands.items()},
        typical_ng_per_ml=typical * 1000.0,
        n=n,
        analyte_label=label,
    )
