"""Pump arithmetic: container concentration, dose to volume and rate, resuming after a pause.

Arithmetic of ``shared/reference/clinical.md`` section 1.9::

    dose_mg          = dose_mg_per_kg x dosing_weight_kg
    concentration    = total_mg_in_container / total_volume_mL     (mg/mL)
    volume_to_infuse = dose_mg / concentration                      (mL)
    rate_mL_per_h    = volume_to_infuse / (duration_min / 60)
    resume rate      = remaining_mL / remaining_min x 60            (mL/h)
"""

from __future__ import annotations

from dataclasses import dataclass

from .errors import PharmacologyInputError
from .validation import require_non_negative, require_positive

#: Default pump maximum rate (mL/h).  1200 mL/h is the limit assumed by R tci
#: (``maxrt = 1200``, "permitted by existing TCI pumps") and opentiva
#: (``max_infusion_rate = 1200``); PAS TCIController uses 500 mL/h
#: (pharmacokinetics.md section 2.4).  Contested: always a parameter.
DEFAULT_PUMP_MAX_ML_PER_H = 1200.0
#: Default product concentration (mg/mL) for pump-rate limits when none is given:
#: 10 mg/mL is the weakest ketamine HCl injection vial strength (10 mg/mL 20 mL vial;
#: the others are 50 and 100 mg/mL, all as ketamine base; Ketalar US label, clinical.md
#: section 1.8), i.e. undiluted product.  The label's infusion dilutions are 1 or
#: 2 mg/mL (500 mg in 500 or 250 mL), which at the same pump limit give 10 or 5 times
#: lower mg/min caps: give the real concentration when it is known.
DEFAULT_CONCENTRATION_MG_PER_ML = 10.0


@dataclass(frozen=True)
class Container:
    """Bag or syringe contents.

    Parameters
    ----------
    drug_mg : float
        Ketamine in the container, mg (as base, clinical.md 1.8).
    total_volume_ml : float
        Total volume including diluent and drug volume, mL.
    """

    drug_mg: float
    total_volume_ml: float

    def __post_init__(self) -> None:
        require_positive("container.drug_mg", self.drug_mg)
        require_positive("container.total_volume_ml", self.total_volume_ml)

    @property
    def concentration_mg_per_ml(self) -> float:
        """Concentration in mg/mL."""
        return self.drug_mg / self.total_volume_ml


@dataclass(frozen=True)
class PumpStep:
    """One programmed pump step with its arithmetic.

    Attributes are in the units their names say; ``arithmetic`` lists each
    computation as text for display and audit.
    """

    start_min: float
    duration_min: float
    dose_mg: float
    concentration_mg_per_ml: float
    volume_ml: float
    rate_ml_per_h: float
    rate_mg_per_min: float
    arithmetic: tuple[str, ...]


def pump_step(
    dose_mg_per_kg: float,
    weight_kg: float,
    duration_min: float,
    container: Container,
    start_min: float = 0.0,
    pump_max_ml_per_h: float = DEFAULT_PUMP_MAX_ML_PER_H,
    label: str = "step",
) -> PumpStep:
    """Dose in mg and pump rate in mL/h for one constant-rate step.

    Parameters
    ----------
    dose_mg_per_kg : float
        Prescribed dose, mg per kg of dosing weight (>= 0).
    weight_kg : float
        Dosing weight in kg (see :func:`dosing_weight_kg`).
    duration_min : float
        Infusion duration in min (> 0).
    container : Container
        Bag or syringe contents.
    start_min : float
        Start time of the step, min from the start of the session.
    pump_max_ml_per_h : float
        Maximum pump rate; default 1200 mL/h (see :data:`DEFAULT_PUMP_MAX_ML_PER_H`).
    label : str
        Name of the step used in the arithmetic text.

    Raises
    ------
    PharmacologyInputError
        Naming ``weight_kg``, ``duration_min``, ``dose_mg_per_kg``, container
        fields or ``rate_ml_per_h`` (above the pump maximum).
    """
    dose_per_kg = require_non_negative("dose_mg_per_kg", dose_mg_per_kg)
    w = require_positive("weight_kg", weight_kg)
    dur = require_positive("duration_min", duration_min)
    pmax = require_positive("pump_max_ml_per_h", pump_max_ml_per_h)
    start = require_non_negative("start_min", start_min)
    conc = container.concentration_mg_per_ml
    dose = dose_per_kg * w
    vol = dose / conc
    rate = vol / (dur / 60.0)
    if rate > pmax * (1 + 1e-12):
        raise PharmacologyInputError(
            "rate_ml_per_h", f"{rate:.4g} mL/h for {label} exceeds the pump maximum {pmax:g} mL/h"
        )
    lines = (
        f"{label}: dose = {dose_per_kg:g} mg/kg x {w:g} kg = {dose:.4g} mg",
        f"{label}: concentration = {container.drug_mg:g} mg / {container.total_volume_ml:g} mL "
        f"= {conc:.4g} mg/mL",
        f"{label}: volume = {dose:.4g} mg / {conc:.4g} mg/mL = {vol:.4g} mL",
        f"{label}: rate = {vol:.4g} mL / ({dur:g} min / 60) = {rate:.4g} mL/h "
        f"({dose / dur:.4g} mg/min; {dose_per_kg / (dur / 60):.4g} mg/kg/h)",
    )
    return PumpStep(start, dur, dose, conc, vol, rate, dose / dur, lines)


def resume_rate_ml_per_h(remaining_ml: float, remaining_min: float) -> float:
    """Rate (mL/h) that finishes ``remaining_ml`` mL in ``remaining_min`` min after a pause.

    ``remaining_mL / remaining_min x 60`` (clinical.md 1.9).
    """
    return (
        require_non_negative("remaining_ml", remaining_ml)
        / require_positive("remaining_min", remaining_min)
        * 60.0
    )
