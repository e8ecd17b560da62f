"""Dose-range checks of a rescue drug given at the chair (pure: imports no Django).

The limits are the clinic's formulary fields (``infusions.models.FormularyDrug``), whose
defaults and sources are in ``infusions.formulary`` (clinical reference §4.2, label doses).
A check returns findings of two severities:

* ``"refuse"``: the dose is not given whatever anyone says (a dose that is not positive, or
  one that takes the session's total past the drug's maximum total, e.g. labetalol 300 mg
  [E] labetalol injection label).
* ``"override"``: the dose may be given only with a physician's reason (over the single-dose
  or per-kg limit, too soon after the last dose, a repeat the label reserves for a physician,
  a patient at or over the age from which the reference asks for a lower dose, or a drug for
  which the reference gives no dose at all).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

REFUSE = "refuse"
OVERRIDE = "override"

#: Floating-point slack for comparing doses in mg (0.1 µg): 0.03 mg/kg x 80 kg is 2.4 mg, and
#: binary arithmetic must not make 2.4 mg "over" a 2.4 mg limit.
EPSILON_MG = 1e-4


@dataclass(frozen=True)
class DrugLimits:
    """One drug's limits, every field optional (None: no such limit).

    Attributes
    ----------
    name : str
        The drug's name, for messages.
    usual_dose_mg : float | None
        The dose offered first, mg (not a limit).
    usual_mg_per_kg : float | None
        The weight-based dose offered first, mg/kg (not a limit).
    max_single_dose_mg : float | None
        Largest single dose without an override, mg.
    max_mg_per_kg : float | None
        Largest single dose per kg of body weight without an override, mg/kg.
    max_total_mg : float | None
        Largest total in one session, mg; past it the dose is refused.
    min_interval_min : float | None
        Least time between two doses without an override, minutes.
    reduced_from_age : int | None
        Age in years from which a lower dose applies.
    reduced_max_single_dose_mg : float | None
        The single-dose limit from ``reduced_from_age`` on, mg; None with an age set means the
        reference names no number, so every dose at that age needs an override.
    repeat_needs_override : bool
        A second dose in the session needs a physician's reason (ondansetron's label dose is a
        single 4 mg).
    """

    name: str
    usual_dose_mg: float | None = None
    usual_mg_per_kg: float | None = None
    max_single_dose_mg: float | None = None
    max_mg_per_kg: float | None = None
    max_total_mg: float | None = None
    min_interval_min: float | None = None
    reduced_from_age: int | None = None
    reduced_max_single_dose_mg: float | None = None
    repeat_needs_override: bool = False

    @property
    def has_reference_dose(self) -> bool:
        """Whether any dose limit is set (else the reference gave no dose: override always)."""
        return any(
            v is not None
            for v in (
                self.max_single_dose_mg,
                self.max_mg_per_kg,
                self.max_total_mg,
                self.reduced_max_single_dose_mg,
            )
        )


@dataclass(frozen=True)
class Finding:
    """One dose-range finding: ``code`` (stable, stored), ``message`` (for people) and
    ``severity`` (:data:`REFUSE` or :data:`OVERRIDE`)."""

    code: str
    message: str
    severity: str

    def as_dict(self) -> dict[str, str]:
        return {"code": self.code, "message": self.message, "severity": self.severity}


def _mg(value: float) -> str:
    return f"{value:g} mg"


def usual_dose(rule: DrugLimits, weight_kg: float | None) -> float | None:
    """The dose to offer first, mg: ``usual_mg_per_kg`` x weight (rounded to 0.1 mg) when both
    are known, else ``usual_dose_mg``."""
    if rule.usual_mg_per_kg is not None and weight_kg is not None:
        return round(rule.usual_mg_per_kg * weight_kg, 1)
    return rule.usual_dose_mg


def check(
    rule: DrugLimits,
    dose_mg: float,
    weight_kg: float | None,
    age_years: int | None,
    prior_doses: Sequence[tuple[float, float]],
) -> list[Finding]:
    """Check one dose against the drug's limits.

    Parameters
    ----------
    rule : DrugLimits
        The drug's limits (from the clinic's formulary).
    dose_mg : float
        The dose to give, mg.
    weight_kg : float | None
        The patient's body weight, kg (None: not known).
    age_years : int | None
        The patient's age in whole years on the day of the dose (None: not known).
    prior_doses : sequence of (minutes_before, mg)
        This session's earlier doses of the same drug that stand (not struck through):
        how many minutes before this dose each was given, and its mg.

    Returns
    -------
    list of Finding
        Empty when the dose is within every limit. Any :data:`REFUSE` finding means the dose
        must not be recorded as given; :data:`OVERRIDE` findings need a physician's reason.
    """
    findings: list[Finding] = []
    if dose_mg <= 0:
        return [Finding("not_positive", "A dose must be more than 0 mg.", REFUSE)]
    prior_total = sum(mg for _, mg in prior_doses)
    if rule.max_total_mg is not None and prior_total + dose_mg > rule.max_total_mg + EPSILON_MG:
        findings.append(
            Finding(
                "over_max_total",
                f"{_mg(dose_mg)} would make {_mg(prior_total + dose_mg)} of {rule.name} this "
                f"session, over the maximum total of {_mg(rule.max_total_mg)}.",
                REFUSE,
            )
        )
    if not rule.has_reference_dose:
        findings.append(
            Finding(
                "no_reference_dose",
                f"The clinical reference gives no dose for {rule.name} here: every dose needs a "
                "physician's reason.",
                OVERRIDE,
            )
        )
    if rule.max_single_dose_mg is not None and dose_mg > rule.max_single_dose_mg + EPSILON_MG:
        findings.append(
            Finding(
                "over_max_single",
                f"{_mg(dose_mg)} is over the single-dose limit of {_mg(rule.max_single_dose_mg)}.",
                OVERRIDE,
            )
        )
    if rule.max_mg_per_kg is not None:
        if weight_kg is None:
            findings.append(
                Finding(
                    "no_weight",
                    f"No body weight is known, so the {rule.max_mg_per_kg:g} mg/kg limit "
                    "cannot be checked.",
                    OVERRIDE,
                )
            )
        elif dose_mg > rule.max_mg_per_kg * weight_kg + EPSILON_MG:
            limit = round(rule.max_mg_per_kg * weight_kg, 2)
            findings.append(
                Finding(
                    "over_mg_per_kg",
                    f"{_mg(dose_mg)} is over {rule.max_mg_per_kg:g} mg/kg x {weight_kg:g} kg "
                    f"= {_mg(limit)}.",
                    OVERRIDE,
                )
            )
    if rule.reduced_from_age is not None:
        if age_years is None:
            findings.append(
                Finding(
                    "no_age",
                    f"The patient's age is not known; a lower dose applies from "
                    f"{rule.reduced_from_age} years.",
                    OVERRIDE,
                )
            )
        elif age_years >= rule.reduced_from_age:
            reduced = rule.reduced_max_single_dose_mg
            if reduced is None:
                findings.append(
                    Finding(
                        "age_reduced_no_number",
                        f"Aged {age_years}: a lower dose applies from {rule.reduced_from_age} "
                        "years, and the reference gives no number, so a physician decides.",
                        OVERRIDE,
                    )
                )
            elif dose_mg > reduced + EPSILON_MG:
                findings.append(
                    Finding(
                        "over_reduced_max",
                        f"Aged {age_years}: {_mg(dose_mg)} is over the limit of {_mg(reduced)} "
                        f"from {rule.reduced_from_age} years.",
                        OVERRIDE,
                    )
                )
    if prior_doses and rule.repeat_needs_override:
        findings.append(
            Finding(
                "repeat",
                f"{rule.name} was given already this session; a repeat needs a physician's reason.",
                OVERRIDE,
            )
        )
    if rule.min_interval_min is not None and prior_doses:
        nearest = min(abs(minutes) for minutes, _ in prior_doses)
        if nearest < rule.min_interval_min:
            findings.append(
                Finding(
                    "interval",
                    f"The last dose was {nearest:g} min before; wait at least "
                    f"{rule.min_interval_min:g} min between doses.",
                    OVERRIDE,
                )
            )
    return findings


def refusals(findings: Sequence[Finding]) -> list[Finding]:
    return [f for f in findings if f.severity == REFUSE]


def needs_override(findings: Sequence[Finding]) -> list[Finding]:
    return [f for f in findings if f.severity == OVERRIDE]
