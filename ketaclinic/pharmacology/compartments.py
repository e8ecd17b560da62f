"""Mammillary compartment systems from volumes and clearances or micro-constants.

Units: volumes in L, clearances in L/min, micro-constants in 1/min; states are
drug amounts in mg and the plasma output ``A1 / V1`` is in mg/L.
``k10 = CL1/V1``, ``k1i = CLi/V1``, ``ki1 = CLi/Vi`` (the definitions of the
micro-constants of a mammillary model, used for every clearance-form model of
``shared/reference/pharmacokinetics.md`` section 1).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from .errors import PharmacologyInputError
from .systems import FloatArray, LinearSystem


def _require_rates(arrs: Mapping[str, FloatArray], names: tuple[str, ...]) -> None:
    for name in names:
        v = arrs.get(name)
        if v is None:
            raise PharmacologyInputError(name, "parameter missing")
        if np.any(~np.isfinite(v)) or np.any(v < 0):
            raise PharmacologyInputError(name, "must be a finite non-negative number")
    if np.any(arrs["V1"] <= 0):
        raise PharmacologyInputError("V1", "must be > 0 L")


def mammillary_from_micro(arrs: Mapping[str, FloatArray]) -> LinearSystem:
    """Mammillary 1-3 compartment system from V1 (L) and micro-constants (1/min).

    States are amounts (mg) in the central and peripheral compartments; the
    plasma output is ``A1 / V1`` (mg/L).  Parameters ``k12, k21`` (and
    ``k13, k31``) are optional; a missing pair removes that compartment.

    Parameters
    ----------
    arrs : mapping
        ``V1`` (L), ``k10`` (1/min) and optional ``k12, k21, k13, k31`` (1/min),
        each an array of shape (N,).
    """
    names = ["V1", "k10"] + [k for k in ("k12", "k21", "k13", "k31") if k in arrs]
    stacked = np.stack([np.asarray(arrs.get(k, np.nan), dtype=float) for k in names])
    if not (np.all(np.isfinite(stacked)) and np.all(stacked >= 0) and np.all(stacked[0] > 0)):
        _require_rates(arrs, tuple(names))  # raises naming the field
    pairs = [(kin, kout) for kin, kout in (("k12", "k21"), ("k13", "k31")) if kin in arrs]
    for kin, kout in pairs:
        if kout not in arrs:
            raise PharmacologyInputError(kout, f"required together with {kin}")
        if np.any(arrs[kout] <= 0):
            raise PharmacologyInputError(kout, "must be > 0 1/min")
    n_pat = len(arrs["V1"])
    n = 1 + len(pairs)
    a = np.zeros((n_pat, n, n))
    a[:, 0, 0] = -arrs["k10"]
    for i, (kin, kout) in enumerate(pairs, start=1):
        a[:, 0, 0] -= arrs[kin]
        a[:, i, 0] = arrs[kin]
        a[:, 0, i] = arrs[kout]
        a[:, i, i] = -arrs[kout]
    b = np.zeros((n_pat, n))
    b[:, 0] = 1.0
    c = np.zeros((n_pat, n))
    c[:, 0] = 1.0 / arrs["V1"]
    names_s = ("central", "peripheral_1", "peripheral_2")[:n]
    return LinearSystem(a, b, {"plasma": c}, names_s, (True,) * n)


def mammillary_from_clearances(arrs: Mapping[str, FloatArray]) -> LinearSystem:
    """Mammillary system from volumes (L) and clearances (L/min).

    ``k10 = CL1/V1``, ``k12 = CL2/V1``, ``k21 = CL2/V2``, ``k13 = CL3/V1``,
    ``k31 = CL3/V3``.

    Parameters
    ----------
    arrs : mapping
        ``V1``, ``CL1`` and optional ``V2, CL2, V3, CL3``; arrays of shape (N,).
    """
    for name, v in arrs.items():
        if np.any(~np.isfinite(v)) or np.any(v <= 0):
            raise PharmacologyInputError(name, "must be a positive finite number")
    if "V1" not in arrs or "CL1" not in arrs:
        raise PharmacologyInputError("V1" if "V1" not in arrs else "CL1", "parameter missing")
    micro: dict[str, FloatArray] = {"V1": arrs["V1"], "k10": arrs["CL1"] / arrs["V1"]}
    for i in ("2", "3"):
        if f"CL{i}" in arrs or f"V{i}" in arrs:
            if f"CL{i}" not in arrs or f"V{i}" not in arrs:
                raise PharmacologyInputError(f"V{i}", f"V{i} and CL{i} must be given together")
            micro[f"k1{i}"] = arrs[f"CL{i}"] / arrs["V1"]
            micro[f"k{i}1"] = arrs[f"CL{i}"] / arrs[f"V{i}"]
    return mammillary_from_micro(micro)


def micro_constants(params: Mapping[str, float]) -> dict[str, float]:
    """Convert volumes (L) and clearances (L/min) to V1 (L) and micro-constants (1/min).

    ``k10 = CL1/V1``, ``k1i = CLi/V1``, ``ki1 = CLi/Vi``; a set already in
    micro-constant form is returned unchanged.

    Parameters
    ----------
    params : mapping of str to float

    Returns
    -------
    dict of str to float
    """
    if "k10" in params:
        return {k: float(v) for k, v in params.items()}
    out = {"V1": float(params["V1"]), "k10": params["CL1"] / params["V1"]}
    for i in ("2", "3"):
        if f"CL{i}" in params:
            out[f"k1{i}"] = params[f"CL{i}"] / params["V1"]
            out[f"k{i}1"] = params[f"CL{i}"] / params[f"V{i}"]
    return out
