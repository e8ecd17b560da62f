"""Dose, pump rate and PK preview against hand-worked values (clinical.md 1.3 and 1.9)."""

from __future__ import annotations

import numpy as np
import pytest

from ketaclinic.treatment import library
from ketaclinic.treatment.preview import (
    BORROWED_LABEL,
    PUBLISHED_LABEL,
    PreviewInputError,
    choose_basis,
    preview,
)

DEPRESSION = library.builtin("depression")
# Devine (clinical.md 1.3): 170 cm = 66.929 in; men 50 + 2.3 x 6.929 = 65.937 kg.
IBW_MALE_170 = 50 + 2.3 * (170 / 2.54 - 60)
IBW_FEMALE_160 = 45.5 + 2.3 * (160 / 2.54 - 60)


def test_worked_example_whole_bag_with_the_added_volume() -> None:
    # clinical.md 1.9: 80 kg, 0.5 mg/kg over 40 min; 40 mg + 4 mL into 100 mL = 104 mL.
    r = preview(DEPRESSION, weight_kg=80, concentration_mg_per_ml=40 / 104, volume_ml=104)
    assert r.dose_mg == pytest.approx(40)
    assert r.rate_ml_per_h == [pytest.approx(156)]


def test_worked_example_dose_in_bag_product_adds_the_vial_volume() -> None:
    r = preview(DEPRESSION, weight_kg=80, product_key="dose_in_100ml")
    assert r.container_volume_ml == pytest.approx(104)
    assert r.rate_ml_per_h == [pytest.approx(156)]


def test_worked_example_ignoring_the_added_volume() -> None:
    # 100 mL over 40 min = 150 mL/h.
    r = preview(DEPRESSION, weight_kg=80, concentration_mg_per_ml=0.4, volume_ml=100)
    assert r.rate_ml_per_h == [pytest.approx(150)]


def test_worked_example_syringe_at_1_mg_per_ml() -> None:
    r = preview(DEPRESSION, weight_kg=80, product_key="syringe_1mg_ml")
    assert r.steps[0].volume_ml == pytest.approx(40)
    assert r.rate_ml_per_h == [pytest.approx(60)]
    assert r.steps[0].arithmetic[-1].startswith("infusion: rate = 40 mL / (40 min / 60) = 60 mL/h")


def test_worked_example_two_step_alcohol_protocol() -> None:
    # 70 kg: bolus 0.11 mg/kg = 7.7 mg over 2 min, then 0.6 mg/kg = 42 mg over 50 min;
    # at 1 mg/mL 231 mL/h for 2 min then 50.4 mL/h for 50 min.
    r = preview(library.builtin("alcohol_use_disorder"), weight_kg=70)
    assert [s.dose_mg for s in r.steps] == [pytest.approx(7.7), pytest.approx(42)]
    assert r.rate_ml_per_h == [pytest.approx(231), pytest.approx(50.4)]
    assert [s.start_min for s in r.steps] == [0, 2]
    assert r.dose_mg == pytest.approx(0.71 * 70)
    assert r.infusion_min == 52


@pytest.mark.parametrize("pid", sorted(library.BUILTIN))
def test_every_protocol_at_its_standard_dose(pid: str) -> None:
    protocol = library.builtin(pid)
    r = preview(protocol, weight_kg=70, concentration_mg_per_ml=1, volume_ml=500)
    for step, spec in zip(r.steps, protocol["steps"], strict=True):
        mg = spec["dose_mg_per_kg"] * 70
        assert step.dose_mg == pytest.approx(mg)
        assert step.rate_ml_per_h == pytest.approx(mg / 1 / (spec["duration_min"] / 60))
    assert protocol["source"] and protocol["series"]["source"]
    assert all(m["status"] == "not trial-established" for m in protocol["maintenance"])


def test_a_ladder_step_scales_the_dose() -> None:
    r = preview(DEPRESSION, weight_kg=80, dose_mg_per_kg=0.75, product_key="syringe_1mg_ml")
    assert r.dose_mg == pytest.approx(60)
    assert r.rate_ml_per_h == [pytest.approx(90)]


def test_ideal_and_adjusted_weight_bases() -> None:
    ideal = preview(DEPRESSION, weight_kg=120, basis="ideal", height_cm=170, sex="male")
    assert ideal.weight_used_kg == pytest.approx(IBW_MALE_170)
    assert ideal.weight_used_kg == pytest.approx(65.937, abs=1e-3)
    assert ideal.dose_mg == pytest.approx(0.5 * 65.937, abs=1e-3)
    adjusted = preview(DEPRESSION, weight_kg=120, basis="adjusted", height_cm=170, sex="male")
    assert adjusted.weight_used_kg == pytest.approx(IBW_MALE_170 + 0.4 * (120 - IBW_MALE_170))
    female = preview(DEPRESSION, weight_kg=90, basis="ideal", height_cm=160, sex="female")
    assert female.weight_used_kg == pytest.approx(IBW_FEMALE_160)
    assert female.weight_used_kg == pytest.approx(52.38, abs=0.01)


def test_bmi_trigger_switches_the_basis() -> None:
    protocol = library.builtin("depression")
    protocol["bmi_trigger"] = {"bmi_at_least": 30, "basis": "ideal"}
    heavy = preview(protocol, weight_kg=102, height_cm=160, sex="female")  # BMI 39.8
    assert heavy.weight_basis == "ideal"
    assert "BMI 39.8" in heavy.basis_reason
    lean = preview(protocol, weight_kg=68, height_cm=165, sex="female")  # BMI 25.0
    assert lean.weight_basis == "actual" and lean.weight_used_kg == 68
    assert choose_basis(protocol, None) == ("actual", "the protocol's weight basis")


def test_mg_ceiling() -> None:
    r = preview(DEPRESSION, weight_kg=120, dose_mg_per_kg=1.0, mg_ceiling=100)
    assert r.dose_mg == pytest.approx(120) and r.over_ceiling
    assert not preview(DEPRESSION, weight_kg=120, mg_ceiling=100).over_ceiling  # 60 mg
    capped = library.builtin("depression")
    capped["mg_ceiling"] = 50
    assert preview(capped, weight_kg=120).over_ceiling  # the protocol's own ceiling


def test_model_takes_actual_weight_so_ideal_dosing_of_a_heavy_patient_peaks_lower() -> None:
    actual = preview(DEPRESSION, weight_kg=120, height_cm=170, sex="male", basis="actual")
    ideal = preview(DEPRESSION, weight_kg=120, height_cm=170, sex="male", basis="ideal")
    assert ideal.peak_plasma_ng_per_ml < actual.peak_plasma_ng_per_ml
    # Domino scales linearly with the (actual) weight: the peak falls with the dose.
    ratio = ideal.peak_plasma_ng_per_ml / actual.peak_plasma_ng_per_ml
    assert ratio == pytest.approx(IBW_MALE_170 / 120, rel=1e-6)


def test_domino_at_70_kg_matches_the_reference() -> None:
    # pharmacokinetics.md section 0: Domino 240 ng/mL at 40 min after 0.5 mg/kg over 40 min.
    r = preview(DEPRESSION, weight_kg=70)
    assert r.peak_plasma_ng_per_ml == pytest.approx(240, abs=1)
    assert r.peak_time_min == 40


def test_band_is_ordered_and_labelled_as_borrowed() -> None:
    r = preview(DEPRESSION, weight_kg=70)
    assert r.band is not None and r.band_label == BORROWED_LABEL
    assert "paediatric" in r.band_label and "Herd" in r.band_source
    during = slice(1, None)
    assert np.all(r.band["5"][during] < r.band["50"][during])
    assert np.all(r.band["50"][during] < r.band["95"][during])
    peak = r.peak_band_ng_per_ml
    assert peak is not None and peak["5"] < r.peak_plasma_ng_per_ml < peak["95"]


def test_no_band_without_borrowing_and_a_published_band_for_herd() -> None:
    assert preview(DEPRESSION, weight_kg=70, borrow_bsv=False).band is None
    herd = preview(DEPRESSION, weight_kg=40, age_years=12, model_id="herd2007")
    assert herd.band_label == PUBLISHED_LABEL and herd.validity_warnings == ()


def test_validity_warning_outside_the_model_range() -> None:
    r = preview(DEPRESSION, weight_kg=70, age_years=16)
    assert any("age" in w for w in r.validity_warnings)


def test_time_above_the_threshold() -> None:
    r = preview(DEPRESSION, weight_kg=70, threshold_ng_per_ml=100)
    above = r.plasma_ng_per_ml >= 100
    assert r.minutes_above_threshold == pytest.approx(np.count_nonzero(above) * 0.5)
    assert 30 < (r.minutes_above_threshold or 0) < 80


@pytest.mark.parametrize(
    ("kwargs", "argument"),
    [
        ({"weight_kg": -1}, "weight_kg"),
        ({"weight_kg": 80, "basis": "ideal"}, "height_cm"),
        ({"weight_kg": 80, "basis": "ideal", "height_cm": 170}, "sex"),
        ({"weight_kg": 80, "basis": "lean"}, "basis"),
        ({"weight_kg": 80, "concentration_mg_per_ml": 1}, "volume_ml"),
        ({"weight_kg": 80, "dose_mg_per_kg": 9}, "dose_mg_per_kg"),
        ({"weight_kg": 80, "model_id": "nope"}, "model"),
    ],
)
def test_bad_input_names_the_argument(kwargs: dict[str, object], argument: str) -> None:
    with pytest.raises(PreviewInputError) as caught:
        preview(DEPRESSION, **kwargs)  # type: ignore[arg-type]
    assert caught.value.argument == argument
