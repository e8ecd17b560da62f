"""Dosing workflows, one import point: body weight, pump arithmetic, dose plans, charted history.

The code lives in one module per workflow; this module re-exports their public
names so existing ``from ketaclinic.pharmacology.plans import ...`` keeps working:

* :mod:`~ketaclinic.pharmacology.body_weight`: dosing weight (actual, Devine
  ideal, adjusted; clinical.md section 1.3);
* :mod:`~ketaclinic.pharmacology.pump`: container concentration, mg/kg to mL/h,
  resume rate after a pause (clinical.md section 1.9), pump defaults;
* :mod:`~ketaclinic.pharmacology.dose_plans`: boluses, segments, plans and
  regimens;
* :mod:`~ketaclinic.pharmacology.chart`: charted rate changes, pauses and stops
  to the plan delivered.
"""

from __future__ import annotations

from .body_weight import (
    ADJUSTED_WEIGHT_FACTOR,
    WEIGHT_BASES,
    dosing_weight_kg,
    ideal_body_weight_kg,
)
from .chart import ChartEntry, plan_from_chart
from .dose_plans import Bolus, DosePlan, Segment, infusion_plan, regimen
from .pump import (
    DEFAULT_CONCENTRATION_MG_PER_ML,
    DEFAULT_PUMP_MAX_ML_PER_H,
    Container,
    PumpStep,
    pump_step,
    resume_rate_ml_per_h,
)

__all__ = [
    "ADJUSTED_WEIGHT_FACTOR",
    "DEFAULT_CONCENTRATION_MG_PER_ML",
    "DEFAULT_PUMP_MAX_ML_PER_H",
    "WEIGHT_BASES",
    "Bolus",
    "ChartEntry",
    "Container",
    "DosePlan",
    "PumpStep",
    "Segment",
    "dosing_weight_kg",
    "ideal_body_weight_kg",
    "infusion_plan",
    "plan_from_chart",
    "pump_step",
    "regimen",
    "resume_rate_ml_per_h",
]
