"""A plan's dose, pump program and pharmacokinetic preview: one pure function, no Django.

The plan screen and ``ketaclinic plan preview`` both call :func:`preview`, so they print the
same numbers. Every computation is the pharmacology engine's:

* dosing weight: ``pharmacology.body_weight.dosing_weight_kg`` (clinical.md 1.3);
* dose, volume and pump rate per step: ``pharmacology.dose_plans.regimen`` /
  ``pump.pump_step`` (clinical.md 1.9), the arithmetic shown as the engine writes it;
* the typical patient's plasma and effect-site curves: ``pharmacology.simulate``;
* the 5-95 % band: ``pharmacology.population`` with the model's published between-subject
  variability (BSV).

The model is always scaled by the patient's ACTUAL weight, the covariate the published models
were fitted on (pharmacokinetics.md 1.1 notes on scaling), whatever weight the dose is computed
on: an ideal-weight dose in a heavy patient shows the lower concentration it really gives.

Domino 1984, the default adult model, has no published BSV. When the clinic allows it, Herd
2007's published CVs (V1 64 %, V2 51.7 %, CL 38.1 %, Q 19 %; a paediatric study) are applied
to the matching Domino volumes and clearances (:func:`borrowed_parameters`), and the band is
labelled as borrowed. This mapping onto Domino's micro-constants is our design decision, not a
published method.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ketaclinic.pharmacology.body_weight import WEIGHT_BASES, dosing_weight_kg
from ketaclinic.pharmacology.dose_plans import DosePlan, regimen
from ketaclinic.pharmacology.errors import PharmacologyInputError
from ketaclinic.pharmacology.library import HERD_2007, get_model
from ketaclinic.pharmacology.models import Patient as PKPatient
from ketaclinic.pharmacology.models import PKModel
from ketaclinic.pharmacology.population import population_percentiles, simulate_population
from ketaclinic.pharmacology.pump import Container
from ketaclinic.pharmacology.simulate import simulate

from . import library

BORROWED_LABEL = "5-95 % band with Herd 2007's variability, borrowed from a paediatric study"
PUBLISHED_LABEL = "5-95 % band with the model's published variability"
VIRTUAL_PATIENTS = 500
SEED = 20070622  # fixed: the same plan always shows the same band
DT_MIN = 0.5
AFTER_INFUSION_MIN = 80.0


class PreviewInputError(ValueError):
    """Bad input, naming the argument (``weight_kg``, ``height_cm``, ``dose_mg_per_kg``...)."""

    def __init__(self, argument: str, message: str) -> None:
        super().__init__(f"{argument}: {message}")
        self.argument = argument
        self.message = message


@dataclass(frozen=True)
class StepResult:
    label: str
    start_min: float
    duration_min: float
    dose_mg_per_kg: float
    dose_mg: float
    volume_ml: float
    rate_ml_per_h: float
    arithmetic: tuple[str, ...]


@dataclass(frozen=True)
class Preview:
    """Everything the plan screen and the command line show for one plan."""

    protocol_id: str
    dose_mg_per_kg: float
    weight_basis: str
    basis_reason: str
    actual_weight_kg: float
    weight_used_kg: float
    bmi: float | None
    dose_mg: float
    concentration_mg_per_ml: float
    container_volume_ml: float
    steps: tuple[StepResult, ...]
    mg_ceiling: float | None
    over_ceiling: bool
    model_id: str
    model_title: str
    model_citation: str
    validity_warnings: tuple[str, ...]
    times_min: np.ndarray = field(repr=False)
    plasma_ng_per_ml: np.ndarray = field(repr=False)
    effect_ng_per_ml: np.ndarray | None = field(repr=False)
    band: dict[str, np.ndarray] | None = field(repr=False)
    band_label: str
    band_source: str
    peak_plasma_ng_per_ml: float
    peak_time_min: float
    peak_effect_ng_per_ml: float | None
    peak_band_ng_per_ml: dict[str, float] | None
    threshold_ng_per_ml: float | None
    minutes_above_threshold: float | None

    @property
    def rate_ml_per_h(self) -> list[float]:
        return [s.rate_ml_per_h for s in self.steps]

    @property
    def infusion_min(self) -> float:
        return sum(s.duration_min for s in self.steps)

    def summary(self) -> dict[str, Any]:
        """The JSON the command line prints (and the plan version stores)."""
        return {
            "protocol": self.protocol_id,
            "dose_mg_per_kg": self.dose_mg_per_kg,
            "weight_basis": self.weight_basis,
            "weight_basis_reason": self.basis_reason,
            "actual_weight_kg": self.actual_weight_kg,
            "weight_used_kg": round(self.weight_used_kg, 3),
            "dose_mg": round(self.dose_mg, 3),
            "concentration_mg_per_ml": round(self.concentration_mg_per_ml, 4),
            "rate_ml_per_h": [round(r, 2) for r in self.rate_ml_per_h],
            "steps": [
                {
                    "label": s.label,
                    "dose_mg": round(s.dose_mg, 3),
                    "duration_min": s.duration_min,
                    "volume_ml": round(s.volume_ml, 3),
                    "rate_ml_per_h": round(s.rate_ml_per_h, 2),
                    "arithmetic": list(s.arithmetic),
                }
                for s in self.steps
            ],
            "mg_ceiling": self.mg_ceiling,
            "over_ceiling": self.over_ceiling,
            "model": self.model_id,
            "validity_warnings": list(self.validity_warnings),
            "peak_plasma_ng_per_ml": round(self.peak_plasma_ng_per_ml, 1),
            "peak_band_ng_per_ml": (
                {k: round(v, 1) for k, v in self.peak_band_ng_per_ml.items()}
                if self.peak_band_ng_per_ml is not None
                else None
            ),
            "band": self.band_label,
            "threshold_ng_per_ml": self.threshold_ng_per_ml,
            "minutes_above_threshold": self.minutes_above_threshold,
        }


def choose_basis(protocol: Mapping[str, Any], bmi: float | None) -> tuple[str, str]:
    """The weight basis for this patient: the protocol's, or the BMI trigger's when the
    patient's BMI reaches it (clinical.md 1.3 design note)."""
    trigger = protocol.get("bmi_trigger")
    if trigger and bmi is not None and bmi >= float(trigger["bmi_at_least"]):
        return str(trigger["basis"]), (
            f"BMI {bmi:.1f} >= {float(trigger['bmi_at_least']):g}: the protocol's BMI trigger "
            f"uses {trigger['basis']} weight"
        )
    return str(protocol["weight_basis"]), "the protocol's weight basis"


def container_for(
    chosen: Mapping[str, Any] | None,
    dose_mg: float,
    concentration: float | None,
    volume: float | None,
) -> Container:
    """The bag or syringe: given concentration and volume, else the stocked product (a dose
    added to a diluent bag adds its own volume: clinical.md 1.9 worked example)."""
    if concentration is not None or volume is not None:
        if concentration is None:
            raise PreviewInputError("concentration_mg_per_ml", "give it with the volume")
        if volume is None:
            raise PreviewInputError("volume_ml", "give it with the concentration")
        if not (concentration > 0 and math.isfinite(concentration)):
            raise PreviewInputError("concentration_mg_per_ml", "must be a positive number")
        if not (volume > 0 and math.isfinite(volume)):
            raise PreviewInputError("volume_ml", "must be a positive number")
        return Container(concentration * volume, volume)
    assert chosen is not None
    if chosen["kind"] == "dose_in_bag":
        drug_ml = dose_mg / float(chosen["vial_mg_per_ml"])
        return Container(dose_mg, float(chosen["volume_ml"]) + drug_ml)
    c, v = float(chosen["concentration_mg_per_ml"]), float(chosen["volume_ml"])
    return Container(c * v, v)


def borrowed_parameters(
    model: PKModel, patient: PKPatient, n: int, seed: int
) -> dict[str, np.ndarray]:
    """``n`` virtual patients of a micro-constant model (Domino 1984) with Herd 2007's CVs.

    Herd's BSV is on V1, V2, CL and Q (log-normal, SD of the log parameter as encoded in
    ``HERD_2007.omega``). Domino's parameters are V1 and rate constants, so each virtual
    patient's V1, V2 (= V1 k12/k21), CL (= k10 V1) and Q2 (= k12 V1) are drawn and turned back
    into rate constants; the third compartment's clearance and volume (Herd's model has only
    two) are kept at the typical values. Our design decision, labelled as borrowed.
    """
    typical = model.typical_parameters(patient, warn=False)
    om = HERD_2007.omega
    rng = np.random.default_rng(seed)
    eta = rng.standard_normal((4, n))
    v1 = typical["V1"] * np.exp(om["V1"] * eta[0])
    v2 = typical["V1"] * typical["k12"] / typical["k21"] * np.exp(om["V2"] * eta[1])
    cl = typical["k10"] * typical["V1"] * np.exp(om["CL1"] * eta[2])
    q2 = typical["k12"] * typical["V1"] * np.exp(om["CL2"] * eta[3])
    q3 = typical["k13"] * typical["V1"]
    return {
        "V1": v1,
        "k10": cl / v1,
        "k12": q2 / v1,
        "k21": q2 / v2,
        "k13": q3 / v1,
        "k31": np.full(n, typical["k31"]),
    }


def _band(
    model: PKModel, patient: PKPatient, plan: DosePlan, t_end: float, borrow: bool
) -> tuple[dict[str, np.ndarray] | None, str, str]:
    if model.omega:
        pop = simulate_population(
            model, patient, plan, VIRTUAL_PATIENTS, SEED, dt_min=DT_MIN, t_end_min=t_end
        )
        return pop.percentiles, PUBLISHED_LABEL, model.omega_source
    source = (
        "Herd D, Anderson BJ. Paediatr Anaesth 2007;17:622-629 (54 children): "
        + HERD_2007.omega_source
    )
    names = {p.name for p in model.parameters}
    if borrow and set(HERD_2007.omega) <= names:  # the same parameters (Kamp 2020): as named
        pop = simulate_population(
            model, patient, plan, VIRTUAL_PATIENTS, SEED, dt_min=DT_MIN, t_end_min=t_end,
            omega=HERD_2007.omega,
        )  # fmt: skip
        return pop.percentiles, BORROWED_LABEL, source
    if not borrow or model.structure != "mammillary-micro" or len(model.parameters) != 6:
        return None, "no band: the model has no published variability", ""
    system = model.system(borrowed_parameters(model, patient, VIRTUAL_PATIENTS, SEED))
    n_points = int(round(t_end / DT_MIN)) + 1
    _, bands = population_percentiles(system, plan.schedule(), None, DT_MIN, n_points)
    return {k: v * 1000.0 for k, v in bands.items()}, BORROWED_LABEL, source


def preview(
    protocol: Mapping[str, Any],
    *,
    weight_kg: float,
    dose_mg_per_kg: float | None = None,
    basis: str | None = None,
    height_cm: float | None = None,
    sex: str | None = None,
    age_years: float | None = None,
    product_key: str | None = None,
    concentration_mg_per_ml: float | None = None,
    volume_ml: float | None = None,
    model_id: str = "domino1984",
    borrow_bsv: bool = True,
    threshold_ng_per_ml: float | None = None,
    mg_ceiling: float | None = None,
) -> Preview:
    """Dose, pump program and PK preview of ``protocol`` for one patient.

    ``basis`` None: the protocol's basis, or its BMI trigger's (needs height). ``mg_ceiling``
    None: the protocol's. Raises :class:`PreviewInputError` naming the bad argument.
    """
    if not (isinstance(weight_kg, int | float) and math.isfinite(weight_kg) and weight_kg > 0):
        raise PreviewInputError("weight_kg", "must be a positive number of kg")
    if height_cm is not None and not (math.isfinite(height_cm) and 50 <= height_cm <= 260):
        raise PreviewInputError("height_cm", "must be between 50 and 260 cm")
    if sex is not None and sex not in ("female", "male"):
        raise PreviewInputError("sex", "must be female or male")
    if basis is not None and basis not in WEIGHT_BASES:
        raise PreviewInputError("basis", f"must be one of {', '.join(WEIGHT_BASES)}")
    standard = library.standard_dose_mg_per_kg(dict(protocol))
    dose_per_kg = standard if dose_mg_per_kg is None else float(dose_mg_per_kg)
    if not (math.isfinite(dose_per_kg) and 0 < dose_per_kg <= 5):
        raise PreviewInputError("dose_mg_per_kg", "must be between 0 and 5 mg/kg")
    bmi = weight_kg / (height_cm / 100) ** 2 if height_cm else None
    if basis is None:
        basis, reason = choose_basis(protocol, bmi)
    else:
        reason = "chosen for this plan"
    if basis != "actual" and (height_cm is None or sex is None):
        missing = "height_cm" if height_cm is None else "sex"
        raise PreviewInputError(missing, f"needed for the {basis} weight basis")
    try:
        used_kg = dosing_weight_kg(weight_kg, basis, height_cm, sex)
        factor = dose_per_kg / standard
        steps = [
            (float(s["dose_mg_per_kg"]) * factor, float(s["duration_min"]))
            for s in protocol["steps"]
        ]
        dose_mg = dose_per_kg * used_kg
        try:
            chosen = (
                None
                if concentration_mg_per_ml or volume_ml
                else library.product(dict(protocol), product_key)
            )
        except KeyError:
            raise PreviewInputError("product", f"{product_key!r} is not stocked") from None
        container = container_for(chosen, dose_mg, concentration_mg_per_ml, volume_ml)
        plan = regimen(steps, used_kg, container)
        model = get_model(model_id)
    except PharmacologyInputError as exc:
        raise PreviewInputError(exc.field, exc.reason) from None
    labels = [str(s["label"]) for s in protocol["steps"]]
    step_results = tuple(
        StepResult(
            labels[i],
            p.start_min,
            p.duration_min,
            steps[i][0],
            p.dose_mg,
            p.volume_ml,
            p.rate_ml_per_h,
            tuple(line.replace(f"step {i + 1}:", f"{labels[i]}:", 1) for line in p.arithmetic),
        )
        for i, p in enumerate(plan.steps)
    )
    # The model takes the ACTUAL weight whatever the dose basis (see the module docstring).
    pk_patient = PKPatient(weight_kg=weight_kg, age_years=age_years)
    t_end = plan.end_min + AFTER_INFUSION_MIN
    times = np.arange(0.0, t_end + DT_MIN / 2, DT_MIN)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        problems = tuple(model.check_validity(pk_patient))
        typical = simulate(model, pk_patient, plan, times)
        band, band_label, band_source = _band(model, pk_patient, plan, t_end, borrow_bsv)
    plasma = typical.plasma_ng_per_ml
    i_peak = int(np.argmax(plasma))
    ceiling = mg_ceiling if mg_ceiling is not None else protocol.get("mg_ceiling")
    above = None
    if threshold_ng_per_ml is not None:
        above = float(np.count_nonzero(plasma >= threshold_ng_per_ml) * DT_MIN)
    return Preview(
        protocol_id=str(protocol.get("id", "")),
        dose_mg_per_kg=dose_per_kg,
        weight_basis=basis,
        basis_reason=reason,
        actual_weight_kg=float(weight_kg),
        weight_used_kg=used_kg,
        bmi=bmi,
        dose_mg=dose_mg,
        concentration_mg_per_ml=container.concentration_mg_per_ml,
        container_volume_ml=container.total_volume_ml,
        steps=step_results,
        mg_ceiling=float(ceiling) if ceiling is not None else None,
        over_ceiling=ceiling is not None and dose_mg > float(ceiling) + 1e-9,
        model_id=model.model_id,
        model_title=model.title,
        model_citation=model.citation,
        validity_warnings=problems,
        times_min=times,
        plasma_ng_per_ml=plasma,
        effect_ng_per_ml=typical.effect_ng_per_ml,
        band=band,
        band_label=band_label,
        band_source=band_source,
        peak_plasma_ng_per_ml=float(plasma[i_peak]),
        peak_time_min=float(times[i_peak]),
        peak_effect_ng_per_ml=(
            float(np.max(typical.effect_ng_per_ml))
            if typical.effect_ng_per_ml is not None
            else None
        ),
        peak_band_ng_per_ml=(
            {k: float(np.max(v)) for k, v in band.items()} if band is not None else None
        ),
        threshold_ng_per_ml=threshold_ng_per_ml,
        minutes_above_threshold=above,
    )


def preview_svg(result: Preview) -> str:
    """The preview's plot (the engine's SVG: typical plasma, effect site, band, threshold)."""
    from ketaclinic.pharmacology.plots import concentration_svg

    band = None
    if result.band is not None:
        band = (result.band["5"], result.band["95"])
    return concentration_svg(
        result.times_min,
        result.plasma_ng_per_ml,
        band_ng_per_ml=band,
        band_label=result.band_label,
        effect_ng_per_ml=result.effect_ng_per_ml,
        infusion_segments_min=[(s.start_min, s.start_min + s.duration_min) for s in result.steps],
        target_ng_per_ml=result.threshold_ng_per_ml,
        title=(
            f"{result.model_title}: {result.dose_mg:.1f} mg, "
            f"model at {result.actual_weight_kg:g} kg"
        ),
    )
