"""Screening a patient for IV ketamine: the one function the infusion check-in calls.

``screen(patient)`` evaluates every rule of ``rules.RULES`` against ``facts.gather(patient)``
with the clinic's ``Limits`` and returns a ``ScreeningResult``:

* ``not_eligible`` when any absolute contraindication fires,
* else ``physician_review`` when any relative one fires (every reason listed),
* else ``incomplete`` when something the rules need is missing (each item listed),
* else ``eligible``.

Whatever the status, the result lists every fired rule and every missing item.

The ``fingerprint`` is SHA-256 over the result (ruleset version, status, the fired rules with
their classes, the missing items), not over the raw record: a change that leaves the result as
it was (a new blood pressure still under the limit) keeps the fingerprint, so a physician's
decision goes out of date only when what they decided on changed.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from ketaclinic.audit.log import canonical_json
from ketaclinic.clinics.models import Clinic
from ketaclinic.eligibility.facts import Facts, gather
from ketaclinic.eligibility.models import EligibilityDecision, EligibilitySettings, ScreeningStatus
from ketaclinic.eligibility.rules import RULES, RULESET_VERSION, Limits, RuleClass
from ketaclinic.patients.conditions import ConditionCode, TriState
from ketaclinic.patients.models import Patient


def settings_for(clinic: Clinic) -> EligibilitySettings:
    """The clinic's settings, or the defaults unsaved (the row is made on the first change)."""
    found = EligibilitySettings.objects.filter(clinic=clinic).first()
    return found if found is not None else EligibilitySettings(clinic=clinic)


def limits_of(chosen: EligibilitySettings) -> Limits:
    return Limits(
        current_psychosis_class=chosen.current_psychosis_class,
        past_psychosis_class=chosen.past_psychosis_class,
        resting_systolic_limit_mmhg=chosen.resting_systolic_limit_mmhg,
        resting_diastolic_limit_mmhg=chosen.resting_diastolic_limit_mmhg,
        benzodiazepine_limit_lorazepam_mg_per_day=chosen.benzodiazepine_limit_lorazepam_mg_per_day,
    )


@dataclass(frozen=True)
class Reason:
    rule_id: str
    label: str
    rule_class: str
    source: str
    status: str
    per_clinic: bool
    part2: bool  # read from a 42 CFR Part 2 row: shown only to viewers who see Part 2

    @property
    def class_label(self) -> str:
        return RuleClass(self.rule_class).label


@dataclass(frozen=True)
class Missing:
    key: str
    label: str


@dataclass(frozen=True)
class ScreeningResult:
    status: str
    absolute: tuple[Reason, ...]
    relative: tuple[Reason, ...]
    missing: tuple[Missing, ...]
    ruleset_version: str
    fingerprint: str

    @property
    def status_label(self) -> str:
        return ScreeningStatus(self.status).label

    @property
    def reasons(self) -> tuple[Reason, ...]:
        return self.absolute + self.relative

    def as_json(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "ruleset_version": self.ruleset_version,
            "fingerprint": self.fingerprint,
            "reasons": [
                {
                    "rule_id": r.rule_id,
                    "label": r.label,
                    "class": r.rule_class,
                    "source": r.source,
                    "status": r.status,
                    "part2": r.part2,
                }
                for r in self.reasons
            ],
            "missing": [{"key": m.key, "label": m.label} for m in self.missing],
        }


def missing_items(facts: Facts) -> list[Missing]:
    """What the rules need and the record lacks (clinical reference §3.1, §3.3)."""
    out: list[Missing] = []
    for code in ConditionCode:
        answer = facts.answers.get(code.value)
        if answer is None:
            out.append(Missing(f"answer:{code.value}", f"Not answered: {code.label}"))
        elif answer == TriState.UNKNOWN:
            out.append(Missing(f"answer:{code.value}", f"Answered “not known”: {code.label}"))
    if not facts.allergies_recorded:
        out.append(Missing("allergies", "Allergies (or “no known allergies”) not recorded"))
    if not facts.medications_reviewed:
        out.append(Missing("medications", "Current medications not reviewed yet"))
    for name in facts.benzodiazepines_without_dose:
        out.append(
            Missing(f"benzodiazepine_dose:{name}", f"Lorazepam-equivalent daily dose of {name}")
        )
    if facts.latest_bp is None:
        out.append(Missing("resting_bp", "No resting blood pressure recorded"))
    if facts.reproductive_applicable:
        if facts.pregnant is None:
            out.append(Missing("pregnancy", "Pregnancy and breastfeeding status not recorded"))
        else:
            if facts.pregnant == TriState.UNKNOWN:
                out.append(Missing("pregnancy", "Pregnancy status not known"))
            if facts.breastfeeding == TriState.UNKNOWN:
                out.append(Missing("breastfeeding", "Breastfeeding status not known"))
    return out


def fingerprint_of(
    status: str, reasons: list[Reason], missing: list[Missing], ruleset_version: str
) -> str:
    content = {
        "ruleset_version": ruleset_version,
        "status": status,
        "fired": sorted(f"{r.rule_id}:{r.rule_class}" for r in reasons),
        "missing": sorted(m.key for m in missing),
    }
    return hashlib.sha256(canonical_json(content).encode()).hexdigest()


def evaluate(facts: Facts, limits: Limits) -> ScreeningResult:
    """The pure core of ``screen``: the result for these facts and limits."""
    reasons = [
        Reason(
            rule.id,
            rule.label,
            rule.class_for(limits),
            rule.source,
            rule.status,
            rule.per_clinic,
            bool(set(rule.reads) & facts.part2_facts),
        )
        for rule in RULES
        if rule.fires(facts, limits)
    ]
    absolute = [r for r in reasons if r.rule_class == RuleClass.ABSOLUTE]
    relative = [r for r in reasons if r.rule_class == RuleClass.RELATIVE]
    missing = missing_items(facts)
    if absolute:
        status = ScreeningStatus.NOT_ELIGIBLE
    elif relative:
        status = ScreeningStatus.PHYSICIAN_REVIEW
    elif missing:
        status = ScreeningStatus.INCOMPLETE
    else:
        status = ScreeningStatus.ELIGIBLE
    return ScreeningResult(
        status=status.value,
        absolute=tuple(absolute),
        relative=tuple(relative),
        missing=tuple(missing),
        ruleset_version=RULESET_VERSION,
        fingerprint=fingerprint_of(status.value, reasons, missing, RULESET_VERSION),
    )


def screen(patient: Patient, *, limits: Limits | None = None) -> ScreeningResult:
    """Screen ``patient`` now against the current rule set and their clinic's settings."""
    if limits is None:
        limits = limits_of(settings_for(patient.clinic))
    return evaluate(gather(patient), limits)


def current_decision(patient: Patient) -> EligibilityDecision | None:
    """The live decision: the newest signed one (a new one supersedes the old)."""
    return (
        EligibilityDecision.objects.filter(patient=patient)
        .select_related("signed_by")
        .order_by("-signed_at", "-id")
        .first()
    )


def decision_is_stale(patient: Patient, *, result: ScreeningResult | None = None) -> bool:
    """True when there is a live decision and the screening result has changed since it was
    signed (or it was already marked stale). False when there is no decision."""
    decision = current_decision(patient)
    if decision is None:
        return False
    if decision.is_stale:
        return True
    result = result if result is not None else screen(patient)
    return result.fingerprint != decision.fingerprint
