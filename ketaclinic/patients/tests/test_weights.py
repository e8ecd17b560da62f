"""Derived weights against values worked by hand (clinical reference section 1.3)."""

from __future__ import annotations

import pytest

from ketaclinic.patients.weights import adjusted_body_weight_kg, bmi, derived_weights


def by_label(height: float | None, weight: float | None, sex: str) -> dict[str, object]:
    return {d.label: d.value for d in derived_weights(height, weight, sex)}


def test_bmi_by_hand() -> None:
    # 80 kg / (1.75 m)^2 = 80 / 3.0625 = 26.122...
    assert bmi(175, 80) == pytest.approx(26.1224, abs=1e-4)
    assert by_label(175, 80, "male")["BMI"] == 26.1


def test_devine_for_a_man() -> None:
    # 177.8 cm = 70 in: 50 + 2.3 x 10 = 73.0 kg; 100 kg > 73: ABW = 73 + 0.4 x 27 = 83.8 kg
    values = by_label(177.8, 100, "male")
    assert values["Ideal body weight (Devine)"] == 73.0
    assert values["Adjusted body weight"] == 83.8


def test_devine_for_a_woman() -> None:
    # 165.1 cm = 65 in: 45.5 + 2.3 x 5 = 57.0 kg
    assert by_label(165.1, 60, "female")["Ideal body weight (Devine)"] == 57.0


def test_at_or_under_60_inches_the_base_value() -> None:
    # 147.32 cm = 58 in: the base value, not 45.5 - 4.6
    derived = derived_weights(147.32, 50, "female")
    ibw = derived[1]
    assert ibw.value == 45.5
    assert "60 in" in ibw.note
    assert by_label(150, 60, "male")["Ideal body weight (Devine)"] == 50.0


def test_adjusted_only_when_actual_is_above_ideal() -> None:
    assert adjusted_body_weight_kg(57.0, 57.0) is None
    assert adjusted_body_weight_kg(50.0, 57.0) is None
    # 57 + 0.4 x (90 - 57) = 57 + 13.2 = 70.2
    assert adjusted_body_weight_kg(90.0, 57.0) == pytest.approx(70.2)
    assert by_label(165.1, 55, "female")["Adjusted body weight"] is None


def test_intersex_or_unknown_asks_for_a_formula() -> None:
    for sex in ("intersex", "unknown"):
        derived = derived_weights(170, 70, sex)
        assert derived[1].value is None
        assert "needs a sex" in derived[1].note
        assert derived[2].value is None


def test_each_names_its_source() -> None:
    sources = [d.source for d in derived_weights(170, 70, "male")]
    assert "Devine BJ. Drug Intell Clin Pharm 1974;8:650" in sources[1]
    assert "not validated for ketamine" in sources[2]
