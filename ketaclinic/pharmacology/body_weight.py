"""Body-weight formulas: the weight (kg) a mg/kg dose is computed on.

Weight bases (``shared/reference/clinical.md`` section 1.3): actual; ideal
(Devine BJ. Drug Intell Clin Pharm 1974;8:650), never above the actual weight;
adjusted = IBW + 0.4 x (actual - IBW) when actual > IBW (pharmacy convention,
not validated for ketamine).
"""

from __future__ import annotations

from .errors import PharmacologyInputError
from .validation import require_positive

#: Adjusted-body-weight correction factor (pharmacy convention, clinical.md 1.3).
ADJUSTED_WEIGHT_FACTOR = 0.4

WEIGHT_BASES = ("actual", "ideal", "adjusted")


def ideal_body_weight_kg(height_cm: float, sex: str) -> float:
    """Devine ideal body weight in kg.

    ``50 kg (men) or 45.5 kg (women) + 2.3 kg per inch over 60 in``; heights at
    or below 60 in return the base value (calculator convention).  Source: Devine
    BJ. Drug Intell Clin Pharm 1974;8:650 (clinical.md section 1.3).

    Parameters
    ----------
    height_cm : float
        Height in cm (> 0).
    sex : {"male", "female"}
    """
    height_cm = require_positive("height_cm", height_cm)
    if sex not in ("male", "female"):
        raise PharmacologyInputError("sex", "must be 'male' or 'female'")
    base = 50.0 if sex == "male" else 45.5
    inches = height_cm / 2.54
    return base + 2.3 * max(0.0, inches - 60.0)


def dosing_weight_kg(
    actual_weight_kg: float,
    basis: str = "actual",
    height_cm: float | None = None,
    sex: str | None = None,
) -> float:
    """Weight (kg) used to compute a mg/kg dose.

    Parameters
    ----------
    actual_weight_kg : float
        Measured total body weight in kg (> 0).
    basis : {"actual", "ideal", "adjusted"}
        ``ideal``: min(actual, Devine IBW); ``adjusted``: IBW + 0.4 (actual -
        IBW) when actual > IBW, else actual (clinical.md 1.3).
    height_cm, sex
        Required for ``ideal`` and ``adjusted``.

    Notes
    -----
    clinical.md section 1.3 gives the IBW formula and the reason for choosing
    it (the 2017 consensus, as summarised by Singh et al. 2019: consider ideal
    weight, especially at BMI >= 30, because of hemodynamic concerns) but says
    nothing about a patient lighter than their IBW.  Dosing such a patient on
    IBW would give more mg than on actual weight, the opposite of that reason,
    and the same section applies the adjusted weight only when actual > IBW.
    So the ideal basis returns ``min(actual, IBW)``: it can only lower a dose.
    This is our design decision, not a published rule.
    """
    actual = require_positive("weight_kg", actual_weight_kg)
    if basis not in WEIGHT_BASES:
        raise PharmacologyInputError("weight_basis", f"must be one of {', '.join(WEIGHT_BASES)}")
    if basis == "actual":
        return actual
    if height_cm is None:
        raise PharmacologyInputError("height_cm", f"required for the {basis} weight basis")
    if sex is None:
        raise PharmacologyInputError("sex", f"required for the {basis} weight basis")
    ibw = ideal_body_weight_kg(height_cm, sex)
    if basis == "ideal":
        return min(actual, ibw)
    return ibw + ADJUSTED_WEIGHT_FACTOR * (actual - ibw) if actual > ibw else actual
