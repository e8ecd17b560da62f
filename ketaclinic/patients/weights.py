"""Weights derived from a height and weight, each with its formula and source, for the chart.

Sources (``shared/reference/clinical.md`` section 1.3):

* BMI = weight (kg) / height (m)^2: standard [E].
* Ideal body weight (Devine BJ, Drug Intell Clin Pharm 1974;8:650) [E]: men 50 kg, women
  45.5 kg, + 2.3 kg per inch over 60 in; at or under 60 in the base value (calculator
  convention [S]). Computed by ``pharmacology.body_weight.ideal_body_weight_kg``. Devine's
  formula needs a sex: for a sex at birth recorded as intersex or not known the chart says so
  and lets the clinician pick the formula.
* Adjusted body weight = IBW + 0.4 x (actual - IBW), only when actual > IBW: a pharmacy
  convention (aminoglycosides etc.), [S], not validated for ketamine.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from ketaclinic.pharmacology.body_weight import ADJUSTED_WEIGHT_FACTOR, ideal_body_weight_kg

CM_PER_INCH = 2.54
DEVINE_SOURCE = "Devine BJ. Drug Intell Clin Pharm 1974;8:650 (clinical reference section 1.3)"
BMI_SOURCE = "Standard definition (clinical reference section 1.3)"
ADJUSTED_SOURCE = (
    "Pharmacy convention (aminoglycosides and others), not validated for ketamine "
    "(clinical reference section 1.3)"
)


@dataclass(frozen=True)
class Derived:
    label: str
    value: float | None  # None: cannot be computed (``note`` says why)
    unit: str
    formula: str
    source: str
    note: str = ""


def bmi(height_cm: float, weight_kg: float) -> float:
    """Body-mass index, kg/m^2 (standard; clinical reference section 1.3)."""
    metres = height_cm / 100
    return weight_kg / (metres * metres)


def adjusted_body_weight_kg(actual_kg: float, ibw_kg: float) -> float | None:
    """IBW + 0.4 x (actual - IBW) when actual > IBW, else None (not applicable): pharmacy
    convention, not validated for ketamine (clinical reference section 1.3)."""
    if actual_kg <= ibw_kg:
        return None
    return ibw_kg + ADJUSTED_WEIGHT_FACTOR * (actual_kg - ibw_kg)


def derived_weights(
    height_cm: Decimal | float | None,
    weight_kg: Decimal | float | None,
    sex_at_birth: str,
) -> list[Derived]:
    """BMI, Devine IBW and adjusted body weight for the chart, each with formula and source.

    ``sex_at_birth`` other than male/female gives an IBW that says a sex is needed (the view
    passes the clinician's pick instead, when one was made)."""
    height = float(height_cm) if height_cm is not None else None
    weight = float(weight_kg) if weight_kg is not None else None
    out: list[Derived] = []
    missing = "Needs a height and a weight." if height is None or weight is None else ""
    out.append(
        Derived(
            "BMI",
            round(bmi(height, weight), 1) if height and weight else None,
            "kg/m²",
            "weight (kg) ÷ height (m)²",
            BMI_SOURCE,
            missing,
        )
    )
    base = {"male": "50", "female": "45.5"}.get(sex_at_birth)
    ibw_formula = (
        f"{base} kg + 2.3 kg × (height in inches − 60); at or under 60 in, {base} kg"
        if base
        else "50 kg (men) or 45.5 kg (women) + 2.3 kg × (height in inches − 60)"
    )
    ibw: float | None = None
    ibw_note = ""
    if height is None:
        ibw_note = "Needs a height."
    elif base is None:
        ibw_note = (
            "Devine's formula needs a sex (male or female); the record says neither. "
            "Choose which formula to use below."
        )
    else:
        ibw = ideal_body_weight_kg(height, sex_at_birth)
        if height / CM_PER_INCH <= 60:
            ibw_note = (
                "Height at or under 60 in (152.4 cm): the base value (calculator convention)."
            )
    out.append(
        Derived(
            "Ideal body weight (Devine)",
            round(ibw, 1) if ibw is not None else None,
            "kg",
            ibw_formula,
            DEVINE_SOURCE,
            ibw_note,
        )
    )
    abw: float | None = None
    abw_note = ""
    if ibw is None or weight is None:
        abw_note = "Needs the ideal body weight and a weight."
    else:
        abw = adjusted_body_weight_kg(weight, ibw)
        if abw is None:
            abw_note = "Not applicable: the actual weight is not above the ideal body weight."
    out.append(
        Derived(
            "Adjusted body weight",
            round(abw, 1) if abw is not None else None,
            "kg",
            "IBW + 0.4 × (actual − IBW), when actual > IBW",
            ADJUSTED_SOURCE,
            abw_note,
        )
    )
    return out
