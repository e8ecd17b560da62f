"""Typical-patient concentration prediction for a dose plan."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .dose_plans import DosePlan
from .library import dose_factor
from .linear import solve
from .models import Patient, PKModel
from .systems import FloatArray

MG_PER_L_TO_NG_PER_ML = 1000.0


@dataclass(frozen=True)
class SimulationResult:
    """Predicted concentrations for one patient.

    Attributes
    ----------
    model_id : str
    analyte_label : str
        What the concentrations are of (``"S-ketamine (half of the racemic dose)"``).
    times_min : ndarray, shape (T,)
    plasma_ng_per_ml : ndarray, shape (T,)
    effect_ng_per_ml : ndarray or None
        ``None`` when the model has no effect site and no ke0 was given.
    metabolite_ng_per_ml : ndarray or None
        Parent-metabolite models only (noresketamine, apparent).
    delivered_mg : ndarray, shape (T,)
        Cumulative product mg delivered (before any racemic -> S scaling).
    warnings : tuple of str
        Validity-range problems.
    """

    model_id: str
    analyte_label: str
    times_min: FloatArray
    plasma_ng_per_ml: FloatArray
    effect_ng_per_ml: FloatArray | None
    metabolite_ng_per_ml: FloatArray | None
    delivered_mg: FloatArray
    warnings: tuple[str, ...]


def simulate(
    model: PKModel,
    patient: Patient,
    plan: DosePlan,
    times_min: Sequence[float] | FloatArray,
    ke0_per_min: float | None = None,
    product: str = "racemic",
) -> SimulationResult:
    """Exact typical-patient concentrations for ``plan`` at ``times_min``.

    Parameters
    ----------
    model : PKModel
        A library or custom model (see :mod:`ketaclinic.pharmacology.library`).
    patient : Patient
        Covariates; a patient outside the model's range triggers an
        :class:`~ketaclinic.pharmacology.errors.OutsideValidityWarning`.
    plan : DosePlan
        Product doses (mg, mg/min, min).
    times_min : array_like
        Output times in min.
    ke0_per_min : float, optional
        Effect-site rate constant (1/min); default the model's own (if any).
    product : {"racemic", "esketamine"}
        Product in the container; racemic into an S-ketamine model is halved
        (pharmacokinetics.md section 1.4).

    Returns
    -------
    SimulationResult
        Concentrations in ng/mL (= 1000 x mg/L).
    """
    factor, label = dose_factor(model, product)
    problems = model.check_validity(patient)
    params = model.typical_parameters(patient, warn=False)
    ke0 = ke0_per_min if ke0_per_min is not None else model.default_ke0_per_min
    system = model.system(params, ke0)
    t = np.asarray(times_min, dtype=float)
    outs = ["plasma"] + (["effect"] if "effect" in system.outputs else [])
    outs += ["metabolite"] if "metabolite" in system.outputs else []
    res = solve(system, plan.scaled(factor).schedule(), t, outputs=outs)
    return SimulationResult(
        model_id=model.model_id,
        analyte_label=label,
        times_min=t,
        plasma_ng_per_ml=res["plasma"][0] * MG_PER_L_TO_NG_PER_ML,
        effect_ng_per_ml=res["effect"][0] * MG_PER_L_TO_NG_PER_ML if "effect" in res else None,
        metabolite_ng_per_ml=res["metabolite"][0] * MG_PER_L_TO_NG_PER_ML
        if "metabolite" in res
        else None,
        delivered_mg=plan.delivered_mg(t),
        warnings=tuple(problems),
    )
