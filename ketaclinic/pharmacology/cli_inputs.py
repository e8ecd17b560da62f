"""``ketaclinic pk``: parsed options turned into engine inputs (pump limit, plan, patient, model).

Every refusal names the command-line option (:func:`~ketaclinic.pharmacology.cli_args.fail`).
The pump limit is ``--pump-max-ml-per-h`` x ``--concentration-mg-per-ml`` / 60 mg/min of
product (defaults 1200 mL/h and 10 mg/mL: pharmacokinetics.md sections 0 and 2.4,
clinical.md section 1.8); a plan whose rate exceeds it is refused.
"""

from __future__ import annotations

import argparse
import math

import numpy as np

from .cli_args import MAX_MINUTES, as_arg_error, fail
from .dose_plans import Bolus, DosePlan, Segment, infusion_plan
from .errors import PharmacologyInputError
from .library import dose_factor, get_model
from .models import Patient, PKModel
from .tci_schedule import max_rate_from_pump


class Pump:
    """The pump rate limit of a command: mL/h and mg/mL give mg/min of product."""

    def __init__(self, args: argparse.Namespace) -> None:
        if not args.concentration_mg_per_ml > 0:
            fail("--concentration-mg-per-ml", "must be > 0 mg/mL")
        if not args.pump_max_ml_per_h > 0:
            fail("--pump-max-ml-per-h", "must be > 0 mL/h")
        self.conc = args.concentration_mg_per_ml
        self.ml_per_h = args.pump_max_ml_per_h
        self.mg_per_min = max_rate_from_pump(self.conc, self.ml_per_h)

    def describe(self) -> str:
        """The limit as text for error messages (mg/min, mL/h, mg/mL)."""
        return (
            f"the pump maximum of {self.mg_per_min:g} mg/min "
            f"({self.ml_per_h:g} mL/h at {self.conc:g} mg/mL)"
        )

    def exceeded(self, rate_mg_per_min: float) -> bool:
        """Whether ``rate_mg_per_min`` of product is above the limit (1e-12 relative slack)."""
        return rate_mg_per_min > self.mg_per_min * (1 + 1e-12)


def plan_from_args(args: argparse.Namespace, pump: Pump) -> DosePlan:
    """The dose plan of ``--dose-mg-per-kg``/``--over-min`` or ``--segments``/``--bolus-mg``.

    Rates (mg/min) above ``pump`` are refused; plans last at most ``MAX_MINUTES`` min.
    """
    dose_opts = args.dose_mg_per_kg is not None or args.over_min is not None
    alt = args.segments is not None or args.bolus_mg is not None
    if dose_opts and alt:
        fail("--segments/--bolus-mg", "not allowed with --dose-mg-per-kg/--over-min")
    if dose_opts:
        if args.dose_mg_per_kg is None:
            fail("--dose-mg-per-kg", "required with --over-min")
        if args.over_min is None:
            fail("--over-min", "required with --dose-mg-per-kg")
        if not args.dose_mg_per_kg >= 0:
            fail("--dose-mg-per-kg", "must be >= 0 mg/kg")
        if not 0 < args.over_min <= MAX_MINUTES:
            fail("--over-min", f"must be > 0 and <= {MAX_MINUTES:g} min")
        dose_mg = args.dose_mg_per_kg * args.weight_kg
        rate = dose_mg / args.over_min
        if pump.exceeded(rate):
            fail(
                "--dose-mg-per-kg",
                f"implied rate {rate:g} mg/min ({args.dose_mg_per_kg:g} mg/kg x "
                f"{args.weight_kg:g} kg over {args.over_min:g} min) exceeds {pump.describe()}",
            )
        try:
            return infusion_plan(dose_mg, args.over_min)
        except PharmacologyInputError as exc:
            raise as_arg_error(exc, {"dose_mg": "--dose-mg-per-kg"}) from None
    if not alt:
        fail("--dose-mg-per-kg", "a dose is required (or --segments / --bolus-mg)")
    segs = []
    t = 0.0
    for i, (rate, minutes) in enumerate(args.segments or []):
        if not (math.isfinite(rate) and rate >= 0):
            fail("--segments", f"rate of segment {i + 1} must be a finite number >= 0 mg/min")
        if not (math.isfinite(minutes) and minutes > 0):
            fail("--segments", f"minutes of segment {i + 1} must be a finite number > 0")
        if pump.exceeded(rate):
            fail("--segments", f"segment {i + 1} rate {rate:g} mg/min exceeds {pump.describe()}")
        segs.append(Segment(t, minutes, rate))
        t += minutes
    if t > MAX_MINUTES:
        fail("--segments", f"segments last {t:g} min in total; at most {MAX_MINUTES:g} min")
    boluses: tuple[Bolus, ...] = ()
    if args.bolus_mg is not None:
        if not args.bolus_mg >= 0:
            fail("--bolus-mg", "must be >= 0 mg")
        boluses = (Bolus(0.0, args.bolus_mg),)
    try:
        return DosePlan(tuple(segs), boluses)
    except PharmacologyInputError as exc:
        raise as_arg_error(exc) from None


def patient_from_args(args: argparse.Namespace) -> Patient:
    """The patient of ``--weight-kg`` (kg) and ``--age-years`` (years)."""
    if not args.weight_kg > 0:
        fail("--weight-kg", "must be > 0 kg")
    if args.age_years is not None and not args.age_years >= 0:
        fail("--age-years", "must be >= 0 years")
    return Patient(args.weight_kg, args.age_years)


def model_from_args(args: argparse.Namespace) -> PKModel:
    """The library model named by ``--model``."""
    try:
        return get_model(args.model)
    except PharmacologyInputError as exc:
        raise as_arg_error(exc) from None


def analyte_factor(
    model: PKModel, args: argparse.Namespace, notes: list[str], tci: bool = False
) -> float:
    """Dose factor of ``--product`` into ``model``; notes the racemic -> S-ketamine halving."""
    try:
        factor, _ = dose_factor(model, args.product)
    except PharmacologyInputError as exc:
        raise as_arg_error(exc) from None
    if factor != 1.0:
        if tci:
            notes.append(
                f"S-ketamine model ({model.model_id}): the target is an S-ketamine "
                "concentration; the rates are racemic product, twice the S-ketamine rate"
            )
        else:
            notes.append(
                f"S-ketamine model ({model.model_id}): the racemic dose was halved; "
                "concentrations are S-ketamine"
            )
    return factor


def output_times(args: argparse.Namespace, plan: DosePlan) -> list[float]:
    """``--at`` times (min), else every minute to 60 min after the plan's last input."""
    if args.at is not None:
        return list(args.at)
    end = plan.end_min + 60.0
    return [float(v) for v in np.arange(0.0, end + 1e-9, 1.0)]


def segments_min(plan: DosePlan) -> list[tuple[float, float]]:
    """(start, end) in min of each infusion segment, for shading plots."""
    return [(s.start_min, s.end_min) for s in plan.segments]


def plot_title(model: PKModel, label: str, weight_kg: float) -> str:
    """Plot title: model, analyte label and weight (kg)."""
    return f"{model.title} - {label} - {weight_kg:g} kg"
