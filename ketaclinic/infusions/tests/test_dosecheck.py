"""Dose-range checks at their boundaries (clinical reference §4.2), with the default formulary's
limits (``infusions.formulary.DEFAULT_FORMULARY``)."""

from __future__ import annotations

import pytest

from ketaclinic.infusions.dosecheck import OVERRIDE, REFUSE, DrugLimits, check, usual_dose
from ketaclinic.infusions.formulary import DEFAULT_FORMULARY

_LIMIT_KEYS = set(DrugLimits.__dataclass_fields__) - {"name"}


def limits(key: str) -> DrugLimits:
    spec = next(s for s in DEFAULT_FORMULARY if s["key"] == key)
    return DrugLimits(name=spec["name"], **{k: v for k, v in spec.items() if k in _LIMIT_KEYS})


def codes(findings: list) -> list[tuple[str, str]]:
    return [(f.code, f.severity) for f in findings]


ONDANSETRON = limits("ondansetron")
MIDAZOLAM = limits("midazolam")
LABETALOL = limits("labetalol")
DIAZEPAM = limits("diazepam")


# Ondansetron: 4 mg IV is the label dose and the single-dose maximum.
def test_ondansetron_4_mg_is_within_its_limits() -> None:
    assert check(ONDANSETRON, 4.0, 80.0, 45, []) == []


def test_ondansetron_4_5_mg_needs_an_override() -> None:
    assert codes(check(ONDANSETRON, 4.5, 80.0, 45, [])) == [("over_max_single", OVERRIDE)]


def test_a_second_ondansetron_dose_needs_an_override() -> None:
    assert codes(check(ONDANSETRON, 4.0, 80.0, 45, [(30.0, 4.0)])) == [("repeat", OVERRIDE)]


# Midazolam, 80 kg: 0.03 mg/kg = 2.4 mg (the usual dose); 2.5 mg is the initial cap.
def test_midazolam_usual_dose_for_80_kg_is_2_4_mg() -> None:
    assert usual_dose(MIDAZOLAM, 80.0) == pytest.approx(2.4)


@pytest.mark.parametrize("dose_mg", [2.4, 2.5])
def test_midazolam_up_to_2_5_mg_under_60_is_within_limits(dose_mg: float) -> None:
    assert check(MIDAZOLAM, dose_mg, 80.0, 59, []) == []


def test_midazolam_2_6_mg_is_over_the_2_5_mg_initial_cap() -> None:
    assert codes(check(MIDAZOLAM, 2.6, 80.0, 59, [])) == [("over_max_single", OVERRIDE)]


def test_midazolam_at_60_years_needs_an_override_as_the_reference_gives_no_number() -> None:
    assert codes(check(MIDAZOLAM, 2.4, 80.0, 60, [])) == [("age_reduced_no_number", OVERRIDE)]


def test_midazolam_steps_less_than_2_min_apart_need_an_override() -> None:
    assert check(MIDAZOLAM, 1.0, 80.0, 40, [(2.0, 2.4)]) == []
    assert codes(check(MIDAZOLAM, 1.0, 80.0, 40, [(1.5, 2.4)])) == [("interval", OVERRIDE)]


# Labetalol: 20 mg, then 40-80 mg every 10 min, at most 300 mg in all.
def test_labetalol_20_then_80_ten_minutes_later_is_within_limits() -> None:
    assert check(LABETALOL, 20.0, 80.0, 50, []) == []
    assert check(LABETALOL, 80.0, 80.0, 50, [(10.0, 20.0)]) == []


def test_labetalol_9_minutes_after_the_last_dose_needs_an_override() -> None:
    assert codes(check(LABETALOL, 80.0, 80.0, 50, [(9.0, 20.0)])) == [("interval", OVERRIDE)]


def test_labetalol_past_300_mg_in_all_is_refused() -> None:
    given = [(40.0, 20.0), (30.0, 80.0), (20.0, 80.0), (10.0, 80.0)]  # 260 mg so far
    # 260 + 40 = 300: exactly the maximum total, allowed.
    assert check(LABETALOL, 40.0, 80.0, 50, given) == []
    # 260 + 41 = 301 mg: refused.
    assert codes(check(LABETALOL, 41.0, 80.0, 50, given)) == [("over_max_total", REFUSE)]


def test_labetalol_over_80_mg_in_one_dose_needs_an_override() -> None:
    assert codes(check(LABETALOL, 81.0, 80.0, 50, [])) == [("over_max_single", OVERRIDE)]


# Diazepam: the reference (Ketalar label) names no dose.
def test_every_diazepam_dose_needs_an_override() -> None:
    assert codes(check(DIAZEPAM, 2.0, 80.0, 40, [])) == [("no_reference_dose", OVERRIDE)]


def test_a_dose_of_zero_is_refused() -> None:
    assert codes(check(ONDANSETRON, 0.0, 80.0, 40, [])) == [("not_positive", REFUSE)]


def test_a_per_kg_limit_needs_a_weight() -> None:
    rule = DrugLimits(name="Test", max_mg_per_kg=0.05)
    # 0.05 mg/kg x 60 kg = 3 mg.
    assert check(rule, 3.0, 60.0, 40, []) == []
    assert codes(check(rule, 3.1, 60.0, 40, [])) == [("over_mg_per_kg", OVERRIDE)]
    assert codes(check(rule, 3.0, None, 40, [])) == [("no_weight", OVERRIDE)]


def test_a_reduced_maximum_applies_from_its_age() -> None:
    rule = DrugLimits(
        name="Test", max_single_dose_mg=2.5, reduced_from_age=60, reduced_max_single_dose_mg=1.0
    )
    assert check(rule, 2.0, 70.0, 59, []) == []
    assert codes(check(rule, 2.0, 70.0, 60, [])) == [("over_reduced_max", OVERRIDE)]
    assert check(rule, 1.0, 70.0, 60, []) == []
