"""Pump arithmetic against clinical.md section 1.9 worked examples; plan validation."""

from __future__ import annotations

import numpy as np
import pytest

from ketaclinic.pharmacology.errors import PharmacologyInputError
from ketaclinic.pharmacology.plans import (
    ChartEntry,
    Container,
    DosePlan,
    Segment,
    dosing_weight_kg,
    ideal_body_weight_kg,
    plan_from_chart,
    pump_step,
    regimen,
    resume_rate_ml_per_h,
)


def test_whole_bag_with_added_volume() -> None:
    """80 kg, 0.5 mg/kg over 40 min, 40 mg in 104 mL (0.385 mg/mL) -> 156 mL/h."""
    s = pump_step(0.5, 80.0, 40.0, Container(40.0, 104.0))
    assert s.dose_mg == pytest.approx(40.0)
    assert s.concentration_mg_per_ml == pytest.approx(0.385, abs=5e-4)
    assert s.volume_ml == pytest.approx(104.0)
    assert s.rate_ml_per_h == pytest.approx(156.0)
    assert "156 mL/h" in s.arithmetic[-1] and "0.75 mg/kg/h" in s.arithmetic[-1]


def test_whole_bag_ignoring_added_volume_and_syringe() -> None:
    assert pump_step(0.5, 80.0, 40.0, Container(40.0, 100.0)).rate_ml_per_h == pytest.approx(150.0)
    syringe = pump_step(0.5, 80.0, 40.0, Container(50.0, 50.0))  # 1 mg/mL
    assert syringe.volume_ml == pytest.approx(40.0)
    assert syringe.rate_ml_per_h == pytest.approx(60.0)


def test_dakwar_two_step_program() -> None:
    """70 kg: 0.11 mg/kg = 7.7 mg over 2 min, then 0.6 mg/kg = 42 mg over 50 min, at 1 mg/mL:
    231 mL/h for 2 min then 50.4 mL/h for 50 min."""
    plan = regimen([(0.11, 2.0), (0.6, 50.0)], 70.0, Container(100.0, 100.0))
    assert [s.dose_mg for s in plan.steps] == pytest.approx([7.7, 42.0])
    assert [s.rate_ml_per_h for s in plan.steps] == pytest.approx([231.0, 50.4])
    assert [s.start_min for s in plan.steps] == [0.0, 2.0]
    assert plan.total_mg == pytest.approx(49.7)
    assert plan.delivered_mg([1.0, 2.0, 27.0, 60.0]) == pytest.approx([3.85, 7.7, 7.7 + 21.0, 49.7])


def test_pause_resume_and_charted_history() -> None:
    assert resume_rate_ml_per_h(30.0, 20.0) == pytest.approx(90.0)
    chart = [
        ChartEntry(0.0, "start", 60.0),
        ChartEntry(10.0, "pause"),
        ChartEntry(15.0, "resume"),
        ChartEntry(25.0, "rate", 90.0),
        ChartEntry(35.0, "stop"),
    ]
    plan = plan_from_chart(chart, Container(50.0, 50.0))
    # 60 mL/h x 10 min + 60 mL/h x 10 min + 90 mL/h x 10 min at 1 mg/mL
    assert plan.total_mg == pytest.approx(10.0 + 10.0 + 15.0)
    assert plan.delivered_mg([12.0]) == pytest.approx([10.0])
    with pytest.raises(PharmacologyInputError, match=r"^entries\[1\]\.time_min"):
        plan_from_chart(
            [ChartEntry(5.0, "start", 10.0), ChartEntry(1.0, "stop")], Container(1.0, 1.0)
        )
    with pytest.raises(PharmacologyInputError, match=r"^entries\[0\]\.rate_ml_per_h"):
        plan_from_chart(
            [ChartEntry(0.0, "start", 1500.0), ChartEntry(1.0, "stop")], Container(1.0, 1.0)
        )


def test_weight_bases() -> None:
    """Devine IBW (men 50 kg + 2.3 kg/inch over 60 in); adjusted = IBW + 0.4 (actual - IBW)."""
    ibw = ideal_body_weight_kg(180.0, "male")
    assert ibw == pytest.approx(50 + 2.3 * (180 / 2.54 - 60))
    assert ideal_body_weight_kg(140.0, "female") == 45.5
    assert dosing_weight_kg(120.0, "adjusted", 180.0, "male") == pytest.approx(
        ibw + 0.4 * (120 - ibw)
    )
    assert dosing_weight_kg(60.0, "adjusted", 180.0, "male") == 60.0
    assert dosing_weight_kg(90.0) == 90.0
    with pytest.raises(PharmacologyInputError, match="^height_cm"):
        dosing_weight_kg(90.0, "ideal")


@pytest.mark.parametrize(
    ("call", "field"),
    [
        (lambda: pump_step(0.5, 0.0, 40.0, Container(40.0, 100.0)), "weight_kg"),
        (lambda: pump_step(0.5, 80.0, 40.0, Container(40.0, 0.0)), "container.total_volume_ml"),
        (lambda: pump_step(0.5, 80.0, 0.0, Container(40.0, 100.0)), "duration_min"),
        (lambda: pump_step(0.5, 80.0, 1.0, Container(40.0, 400.0)), "rate_ml_per_h"),
        (
            lambda: DosePlan((Segment(0.0, 10.0, 1.0), Segment(5.0, 10.0, 1.0))),
            r"segments\[1\]\.start_min",
        ),
        (
            lambda: DosePlan((Segment(20.0, 10.0, 1.0), Segment(0.0, 10.0, 1.0))),
            r"segments\[1\]\.start_min",
        ),
        (lambda: DosePlan((Segment(0.0, 10.0, -1.0),)), r"segments\[0\]\.rate_mg_per_min"),
    ],
)
def test_invalid_input_names_the_field(call: object, field: str) -> None:
    with pytest.raises(PharmacologyInputError, match=f"^{field}"):
        call()  # type: ignore[operator]


def test_pump_maximum_is_a_parameter() -> None:
    """1600 mL/h fails at the default 1200 mL/h maximum, passes with a 2000 mL/h pump."""
    with pytest.raises(PharmacologyInputError):
        pump_step(1.0, 80.0, 3.0, Container(100.0, 100.0))
    ok = pump_step(1.0, 80.0, 3.0, Container(100.0, 100.0), pump_max_ml_per_h=2000.0)
    assert ok.rate_ml_per_h == pytest.approx(1600.0)
    assert np.isclose(ok.rate_mg_per_min, 80.0 / 3.0)


def test_ideal_weight_basis_never_exceeds_actual_weight() -> None:
    """clinical.md 1.3 chooses IBW to lower doses in heavier patients (consensus, BMI >= 30)
    and is silent on patients lighter than IBW; the ideal basis is min(actual, IBW)."""
    ibw = ideal_body_weight_kg(180.0, "male")  # 50 + 2.3 x (70.866 - 60) in
    assert ibw == pytest.approx(74.9921, abs=1e-4)
    assert dosing_weight_kg(100.0, "ideal", 180.0, "male") == pytest.approx(ibw)
    assert dosing_weight_kg(60.0, "ideal", 180.0, "male") == 60.0
    assert dosing_weight_kg(60.0, "adjusted", 180.0, "male") == 60.0
