"""The eligibility rule set, kept as data: one ``Rule`` per row of clinical reference §3.1 that
applies to an adult clinic (the paediatric neurotoxicity row does not).

Each rule names the facts it reads (``facts.Facts`` fields), its class, its source as the
reference gives it (with the status tag), and a pure evaluator of ``(Facts, Limits)``. Where
the reference tags a class or a number [C] or [S], the clinic chooses (``Limits``, from
``EligibilitySettings``) and the rule says so with ``clinic_setting``.

Classes decided here, from the table's class column:

* "Absolute" rows are ``absolute`` (not eligible).
* The UK-label contraindications (pre-eclampsia, severe heart disease, stroke, head injury:
  Ketalar UK SmPC 2019, [E] (UK)) are ``absolute``: they are a national label's
  contraindications, and the US label's own "any condition in which a significant rise in
  blood pressure would be a serious hazard" covers the cardiovascular ones; the stricter
  reading is kept for a clinic whose patients a physician screens anyway.
* "Caution", "caution-avoid", "trial exclusion", "not recommended" and "interaction" rows are
  ``relative`` (physician review, every reason listed).
* Psychosis (current or past) is "relative→absolute by clinic" [C]: a per-clinic class, current
  psychosis absolute and past psychosis relative unless the clinic chooses otherwise.
* Bipolar depression [C] and active substance use / ketamine or PCP misuse [C] are relative.

Change a rule, add one or change a class: bump ``RULESET_VERSION`` (decisions signed on an older
version then show as out of date, because the screening fingerprint includes it).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db import models

from ketaclinic.patients.conditions import ConditionCode

if TYPE_CHECKING:
    from ketaclinic.eligibility.facts import Facts

RULESET_VERSION = "2026.1"


class RuleClass(models.TextChoices):
    ABSOLUTE = "absolute", "Absolute contraindication"
    RELATIVE = "relative", "Relative contraindication (physician review)"


@dataclass(frozen=True)
class Limits:
    """The per-clinic choices the rules read (``EligibilitySettings``; defaults there)."""

    current_psychosis_class: str
    past_psychosis_class: str
    resting_systolic_limit_mmhg: int
    resting_diastolic_limit_mmhg: int
    benzodiazepine_limit_lorazepam_mg_per_day: Decimal


@dataclass(frozen=True)
class Rule:
    id: str
    label: str
    rule_class: str  # RuleClass, or "per_clinic" (then ``clinic_class`` decides)
    reads: tuple[str, ...]
    source: str
    status: str  # the reference's tag: [E], [C], [S], [E] (UK)
    fires: Callable[[Facts, Limits], bool]
    clinic_class: Callable[[Limits], str] | None = None
    clinic_setting: str = ""  # the EligibilitySettings field the clinic chooses, if any

    def class_for(self, limits: Limits) -> str:
        if self.clinic_class is not None:
            return self.clinic_class(limits)
        return self.rule_class

    @property
    def per_clinic(self) -> bool:
        return bool(self.clinic_setting)


def _yes(code: ConditionCode) -> Callable[[Facts, Limits], bool]:
    return lambda facts, limits: facts.answers.get(code.value) == "yes"


def _flag(flag: str) -> Callable[[Facts, Limits], bool]:
    return lambda facts, limits: flag in facts.medication_flags


def _hypersensitivity(facts: Facts, limits: Limits) -> bool:
    """Answered yes, or an allergy recorded to ketamine or esketamine."""
    named = any("ketamine" in substance.lower() for substance in facts.allergy_substances)
    return named or facts.answers.get(ConditionCode.KETAMINE_HYPERSENSITIVITY.value) == "yes"


def _resting_bp_above_limit(facts: Facts, limits: Limits) -> bool:
    """Above the limit ("BP >180/100 at rest", Swiss Ketalar label, §2.4): strictly greater."""
    if facts.latest_bp is None:
        return False
    systolic, diastolic = facts.latest_bp
    return (
        systolic > limits.resting_systolic_limit_mmhg
        or diastolic > limits.resting_diastolic_limit_mmhg
    )


def _benzodiazepine_above_limit(facts: Facts, limits: Limits) -> bool:
    """Daily lorazepam-equivalent above the limit ("> 2-3 mg/day", §3.1): strictly greater."""
    total = facts.benzodiazepine_lorazepam_mg_per_day
    return total is not None and total > limits.benzodiazepine_limit_lorazepam_mg_per_day


def _pregnant(facts: Facts, limits: Limits) -> bool:
    return facts.reproductive_applicable and facts.pregnant == "yes"


def _breastfeeding(facts: Facts, limits: Limits) -> bool:
    return facts.reproductive_applicable and facts.breastfeeding == "yes"


def _current_substance_use(facts: Facts, limits: Limits) -> bool:
    return bool(facts.current_substances)


def _ketamine_or_pcp_misuse(facts: Facts, limits: Limits) -> bool:
    """Answered yes, or a substance-use row (past or current) naming ketamine or PCP."""
    named = any(
        word in substance.lower()
        for substance in facts.used_substances
        for word in ("ketamine", "pcp", "phencyclidine")
    )
    return named or facts.answers.get(ConditionCode.KETAMINE_OR_PCP_MISUSE.value) == "yes"


A, R = RuleClass.ABSOLUTE.value, RuleClass.RELATIVE.value
ANSWERS = ("answers",)
KETALAR_US = "Ketalar US label"
SPRAVATO = "Spravato label"
UK_SMPC = "Ketalar UK SmPC 2019 (rxreasoner): contraindication in the UK label"
MILLER = "Miller's Anesthesia"


def _cond(rule_id: str, code: ConditionCode, cls: str, source: str, status: str) -> Rule:
    return Rule(rule_id, code.label, cls, ANSWERS, source, status, _yes(code))


RULES: tuple[Rule, ...] = (
    Rule(
        "hypersensitivity",
        "Hypersensitivity to ketamine or esketamine",
        A,
        ("answers", "allergy_substances"),
        f"{KETALAR_US}; {SPRAVATO}",
        "[E]",
        _hypersensitivity,
    ),
    _cond("bp_rise_hazard", ConditionCode.BP_RISE_HAZARD, A, KETALAR_US, "[E]"),
    _cond("aneurysm_or_avm", ConditionCode.ANEURYSM_OR_AVM, A, SPRAVATO, "[E]"),
    _cond("intracerebral_haemorrhage", ConditionCode.INTRACEREBRAL_HAEMORRHAGE, A, SPRAVATO, "[E]"),
    _cond(
        "uncontrolled_hypertension",
        ConditionCode.UNCONTROLLED_HYPERTENSION,
        A,
        "Swiss Ketalar label; RCT exclusions",
        "[E]",
    ),
    Rule(
        "resting_bp_above_limit",
        "Latest resting blood pressure above the clinic's limit (uncontrolled hypertension)",
        A,
        ("latest_bp",),
        "Swiss Ketalar label (>180/100 at rest, §2.4); Spravato label (>140/90: consider "
        "deferring, secondary)",
        "[E] / [S]",
        _resting_bp_above_limit,
        clinic_setting="resting_bp_limit",
    ),
    _cond("pre_eclampsia", ConditionCode.PRE_ECLAMPSIA, A, UK_SMPC, "[E] (UK)"),
    _cond("severe_heart_disease", ConditionCode.SEVERE_HEART_DISEASE, A, UK_SMPC, "[E] (UK)"),
    _cond("stroke", ConditionCode.STROKE, A, UK_SMPC, "[E] (UK)"),
    _cond("head_injury", ConditionCode.HEAD_INJURY, A, UK_SMPC, "[E] (UK)"),
    _cond(
        "raised_intracranial_pressure",
        ConditionCode.RAISED_INTRACRANIAL_PRESSURE,
        R,
        f"{KETALAR_US} warning (CSF pressure rise); {MILLER}: caution, avoid",
        "[E]",
    ),
    _cond(
        "raised_eye_pressure",
        ConditionCode.RAISED_EYE_PRESSURE,
        R,
        f"{MILLER}: caution, avoid",
        "[E]",
    ),
    _cond(
        "ischaemic_heart_disease",
        ConditionCode.ISCHAEMIC_HEART_DISEASE,
        R,
        f"{MILLER}; trial protocols (PMC10812090)",
        "[S]",
    ),
    _cond(
        "arrhythmia",
        ConditionCode.ARRHYTHMIA,
        R,
        f"{MILLER}; trial protocols (PMC10812090)",
        "[S]",
    ),
    Rule(
        "psychosis_current",
        ConditionCode.PSYCHOSIS_CURRENT.label,
        "per_clinic",
        ANSWERS,
        f"{MILLER}; Spravato caution; trial exclusions; consensus pre-evaluation includes "
        "psychosis history (relative to absolute by clinic)",
        "[C]",
        _yes(ConditionCode.PSYCHOSIS_CURRENT),
        clinic_class=lambda limits: limits.current_psychosis_class,
        clinic_setting="current_psychosis_class",
    ),
    Rule(
        "psychosis_past",
        ConditionCode.PSYCHOSIS_PAST.label,
        "per_clinic",
        ANSWERS,
        f"{MILLER}; Spravato caution; trial exclusions; consensus pre-evaluation includes "
        "psychosis history (relative to absolute by clinic)",
        "[C]",
        _yes(ConditionCode.PSYCHOSIS_PAST),
        clinic_class=lambda limits: limits.past_psychosis_class,
        clinic_setting="past_psychosis_class",
    ),
    _cond("mania_current", ConditionCode.MANIA_CURRENT, R, "PMC10812090: trial exclusion", "[S]"),
    _cond(
        "bipolar",
        ConditionCode.BIPOLAR,
        R,
        "Bipolar depression (not manic) studied (Zarate 2012; Grunebaum 2017)",
        "[C]",
    ),
    Rule(
        "pregnancy",
        "Pregnant",
        R,
        ("reproductive_applicable", "pregnant"),
        f"{SPRAVATO} (not recommended); trial protocols (exclusion)",
        "[E]",
        _pregnant,
    ),
    Rule(
        "breastfeeding",
        "Breastfeeding",
        R,
        ("reproductive_applicable", "breastfeeding"),
        f"{SPRAVATO} (not recommended)",
        "[E]",
        _breastfeeding,
    ),
    Rule(
        "current_substance_use",
        "Current substance use recorded (active substance use disorder?)",
        R,
        ("current_substances",),
        f"{SPRAVATO} (abuse potential); trial protocols (exclusion); but SUD is itself an "
        "indication in the Dakwar/KARE trials (Dakwar 2019/2020)",
        "[C]",
        _current_substance_use,
    ),
    Rule(
        "ketamine_or_pcp_misuse",
        "Misuse of ketamine or PCP, ever",
        R,
        ("answers", "used_substances"),
        f"{SPRAVATO} (abuse potential); trial protocols (exclusion)",
        "[C]",
        _ketamine_or_pcp_misuse,
    ),
    _cond(
        "liver_disease",
        ConditionCode.LIVER_DISEASE,
        R,
        f"{KETALAR_US}: drug-induced liver injury reported with recurrent or prolonged use",
        "[E]",
    ),
    _cond(
        "urinary_symptoms",
        ConditionCode.URINARY_SYMPTOMS,
        R,
        f"{KETALAR_US}: ulcerative or interstitial cystitis with chronic use",
        "[E]",
    ),
    Rule(
        "theophylline",
        "Takes theophylline or aminophylline (lowered seizure threshold)",
        R,
        ("medication_flags",),
        f"{KETALAR_US}: interaction",
        "[E]",
        _flag("theophylline"),
    ),
    Rule(
        "benzodiazepine_above_limit",
        "Benzodiazepine dose above the clinic's daily lorazepam-equivalent limit",
        R,
        ("benzodiazepine_lorazepam_mg_per_day",),
        "PMC10812090 (exclusion above 3 mg/day); Dutch trial (above 2 mg/day): possible "
        "attenuation of response",
        "[S]",
        _benzodiazepine_above_limit,
        clinic_setting="benzodiazepine_limit_lorazepam_mg_per_day",
    ),
    Rule(
        "maoi",
        "Takes an MAO inhibitor",
        R,
        ("medication_flags",),
        f"Dutch trial (exclusion); {SPRAVATO} (interaction: blood pressure)",
        "[S]/[E]",
        _flag("maoi"),
    ),
    Rule(
        "cns_depressant",
        "Takes an opioid or another sedative (CNS depressant)",
        R,
        ("medication_flags",),
        f"{SPRAVATO}: interaction (sedation)",
        "[E]",
        lambda facts, limits: bool({"opioid", "other_sedative"} & facts.medication_flags),
    ),
    Rule(
        "psychostimulant",
        "Takes a stimulant",
        R,
        ("medication_flags",),
        f"{SPRAVATO}: interaction (blood pressure)",
        "[E]",
        _flag("stimulant"),
    ),
)

RULES_BY_ID = {rule.id: rule for rule in RULES}
assert len(RULES_BY_ID) == len(RULES), "rule ids are unique"
