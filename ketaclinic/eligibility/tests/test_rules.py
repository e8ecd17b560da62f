"""Every rule, table-driven: a case that fires it and one that does not, on pure facts; the
per-clinic variants at their boundaries."""

from __future__ import annotations

import dataclasses
from decimal import Decimal
from typing import Any

import pytest

from ketaclinic.eligibility.models import EligibilitySettings
from ketaclinic.eligibility.rules import RULES, RULES_BY_ID, RuleClass
from ketaclinic.eligibility.screening import evaluate, limits_of
from ketaclinic.eligibility.tests.base import ELIGIBLE_FACTS
from ketaclinic.patients.conditions import ConditionCode

DEFAULTS = limits_of(EligibilitySettings())


def _answers(**changed: str) -> dict[str, Any]:
    return {"answers": {**ELIGIBLE_FACTS.answers, **changed}}


def _yes(code: str) -> tuple[dict[str, Any], dict[str, Any]]:
    return _answers(**{code: "yes"}), _answers(**{code: "no"})


# rule id -> (facts that fire it, facts that do not), as changes to an eligible record.
CASES: dict[str, tuple[dict[str, Any], dict[str, Any]]] = {
    "hypersensitivity": (
        {"allergies_recorded": True, "allergy_substances": ("Esketamine (Spravato)",)},
        {"allergy_substances": ("Penicillin",)},
    ),
    **{
        rule_id: _yes(rule_id)
        for rule_id in (
            "bp_rise_hazard",
            "aneurysm_or_avm",
            "intracerebral_haemorrhage",
            "uncontrolled_hypertension",
            "pre_eclampsia",
            "severe_heart_disease",
            "stroke",
            "head_injury",
            "raised_intracranial_pressure",
            "raised_eye_pressure",
            "ischaemic_heart_disease",
            "arrhythmia",
            "psychosis_current",
            "psychosis_past",
            "mania_current",
            "bipolar",
            "liver_disease",
            "urinary_symptoms",
        )
    },
    "resting_bp_above_limit": ({"latest_bp": (181, 90)}, {"latest_bp": (180, 100)}),
    "pregnancy": ({"pregnant": "yes"}, {"pregnant": "yes", "reproductive_applicable": False}),
    "breastfeeding": ({"breastfeeding": "yes"}, {"breastfeeding": "no"}),
    "current_substance_use": (
        {"current_substances": ("Alcohol",), "used_substances": ("Alcohol",)},
        {"used_substances": ("Alcohol",)},  # in the past only
    ),
    "ketamine_or_pcp_misuse": (
        {"used_substances": ("Ketamine (recreational)",)},
        {"used_substances": ("Cannabis",)},
    ),
    "theophylline": ({"medication_flags": frozenset({"theophylline"})}, {}),
    "benzodiazepine_above_limit": (
        {
            "medication_flags": frozenset({"benzodiazepine"}),
            "benzodiazepine_lorazepam_mg_per_day": Decimal("3.5"),
        },
        {
            "medication_flags": frozenset({"benzodiazepine"}),
            "benzodiazepine_lorazepam_mg_per_day": Decimal("3"),
        },
    ),
    "maoi": ({"medication_flags": frozenset({"maoi"})}, {"medication_flags": frozenset()}),
    "cns_depressant": (
        {"medication_flags": frozenset({"opioid"})},
        {"medication_flags": frozenset({"lamotrigine"})},
    ),
    "psychostimulant": (
        {"medication_flags": frozenset({"stimulant"})},
        {"medication_flags": frozenset({"naltrexone"})},
    ),
}

# What the reference's class column makes each rule with the defaults (clinical.md §3.1).
ABSOLUTE = {
    "hypersensitivity",
    "bp_rise_hazard",
    "aneurysm_or_avm",
    "intracerebral_haemorrhage",
    "uncontrolled_hypertension",
    "resting_bp_above_limit",
    "pre_eclampsia",
    "severe_heart_disease",
    "stroke",
    "head_injury",
    "psychosis_current",
}


def test_every_rule_has_a_case_and_the_rule_set_covers_the_adult_rows() -> None:
    assert set(CASES) == set(RULES_BY_ID)
    assert len(RULES) == 29
    per_clinic = {r.id for r in RULES if r.per_clinic}
    assert per_clinic == {
        "resting_bp_above_limit",
        "psychosis_current",
        "psychosis_past",
        "benzodiazepine_above_limit",
    }


def test_every_rule_names_its_source_and_status() -> None:
    for rule in RULES:
        assert rule.source and rule.status.startswith("["), rule.id
        assert rule.reads, rule.id


def test_the_eligible_record_fires_nothing() -> None:
    result = evaluate(ELIGIBLE_FACTS, DEFAULTS)
    assert (result.status, result.reasons, result.missing) == ("eligible", (), ())


@pytest.mark.parametrize("rule_id", sorted(CASES))
def test_the_rule_fires_on_its_case(rule_id: str) -> None:
    fires, _ = CASES[rule_id]
    result = evaluate(dataclasses.replace(ELIGIBLE_FACTS, **fires), DEFAULTS)
    assert [r.rule_id for r in result.reasons] == [rule_id]
    expected = RuleClass.ABSOLUTE if rule_id in ABSOLUTE else RuleClass.RELATIVE
    assert result.reasons[0].rule_class == expected
    assert result.status == ("not_eligible" if rule_id in ABSOLUTE else "physician_review")


@pytest.mark.parametrize("rule_id", sorted(CASES))
def test_the_rule_does_not_fire_otherwise(rule_id: str) -> None:
    _, quiet = CASES[rule_id]
    result = evaluate(dataclasses.replace(ELIGIBLE_FACTS, **quiet), DEFAULTS)
    assert rule_id not in [r.rule_id for r in result.reasons]


@pytest.mark.parametrize(
    ("bp", "limit", "fires"),
    [
        ((180, 100), (180, 100), False),  # "> 180/100": at the limit is not above it
        ((181, 100), (180, 100), True),
        ((180, 101), (180, 100), True),
        ((140, 90), (140, 90), False),  # the Spravato alternative
        ((141, 85), (140, 90), True),
        ((135, 91), (140, 90), True),
        ((150, 95), (180, 100), False),
    ],
)
def test_the_resting_bp_limit_is_the_clinics(
    bp: tuple[int, int], limit: tuple[int, int], fires: bool
) -> None:
    limits = dataclasses.replace(
        DEFAULTS, resting_systolic_limit_mmhg=limit[0], resting_diastolic_limit_mmhg=limit[1]
    )
    result = evaluate(dataclasses.replace(ELIGIBLE_FACTS, latest_bp=bp), limits)
    assert ("resting_bp_above_limit" in [r.rule_id for r in result.absolute]) is fires


@pytest.mark.parametrize(
    ("dose", "limit", "fires"),
    [
        ("3", "3", False),
        ("3.01", "3", True),
        ("2", "2", False),
        ("2.5", "2", True),
        ("2.5", "3", False),
    ],
)
def test_the_benzodiazepine_limit_is_the_clinics(dose: str, limit: str, fires: bool) -> None:
    limits = dataclasses.replace(DEFAULTS, benzodiazepine_limit_lorazepam_mg_per_day=Decimal(limit))
    facts = dataclasses.replace(
        ELIGIBLE_FACTS,
        medication_flags=frozenset({"benzodiazepine"}),
        benzodiazepine_lorazepam_mg_per_day=Decimal(dose),
    )
    fired = [r.rule_id for r in evaluate(facts, limits).relative]
    assert ("benzodiazepine_above_limit" in fired) is fires


@pytest.mark.parametrize(
    ("code", "setting"),
    [
        (ConditionCode.PSYCHOSIS_PAST, "past_psychosis_class"),
        (ConditionCode.PSYCHOSIS_CURRENT, "current_psychosis_class"),
    ],
)
@pytest.mark.parametrize("chosen", [RuleClass.ABSOLUTE, RuleClass.RELATIVE])
def test_the_psychosis_class_is_the_clinics(code: str, setting: str, chosen: str) -> None:
    limits = dataclasses.replace(DEFAULTS, **{setting: chosen})  # type: ignore[arg-type]
    facts = dataclasses.replace(ELIGIBLE_FACTS, **_answers(**{code: "yes"}))
    result = evaluate(facts, limits)
    assert [r.rule_class for r in result.reasons] == [chosen]
    assert result.status == ("not_eligible" if chosen == "absolute" else "physician_review")


def test_defaults_past_psychosis_relative_current_absolute_bp_180_100_benzo_3() -> None:
    assert (DEFAULTS.past_psychosis_class, DEFAULTS.current_psychosis_class) == (
        "relative",
        "absolute",
    )
    assert (DEFAULTS.resting_systolic_limit_mmhg, DEFAULTS.resting_diastolic_limit_mmhg) == (
        180,
        100,
    )
    assert DEFAULTS.benzodiazepine_limit_lorazepam_mg_per_day == Decimal("3")


def test_an_absolute_still_lists_the_relatives_and_the_missing() -> None:
    facts = dataclasses.replace(
        ELIGIBLE_FACTS,
        answers={
            **ELIGIBLE_FACTS.answers,
            "stroke": "yes",
            "bipolar": "yes",
            "arrhythmia": "unknown",
        },
        latest_bp=None,
    )
    result = evaluate(facts, DEFAULTS)
    assert result.status == "not_eligible"
    assert [r.rule_id for r in result.absolute] == ["stroke"]
    assert [r.rule_id for r in result.relative] == ["bipolar"]
    assert [m.key for m in result.missing] == ["answer:arrhythmia", "resting_bp"]


def test_the_fingerprint_follows_the_result_not_the_numbers() -> None:
    a = evaluate(dataclasses.replace(ELIGIBLE_FACTS, latest_bp=(130, 80)), DEFAULTS)
    b = evaluate(dataclasses.replace(ELIGIBLE_FACTS, latest_bp=(150, 95)), DEFAULTS)
    c = evaluate(dataclasses.replace(ELIGIBLE_FACTS, latest_bp=(190, 95)), DEFAULTS)
    assert a.fingerprint == b.fingerprint != c.fingerprint
    assert len(a.fingerprint) == 64
