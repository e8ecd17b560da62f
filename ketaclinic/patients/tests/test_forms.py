"""Bad input gives a message at its field and keeps the rest."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from ketaclinic.patients import forms

TODAY = dt.date(2026, 3, 2)


def test_phones_are_stored_in_e164() -> None:
    assert forms.to_e164("(415) 555-0142") == "+14155550142"
    assert forms.to_e164("+44 20 7946 0958") == "+442079460958"
    assert forms.to_e164("") == ""
    for bad in ("12", "555-12", "call me", "+1 000 000 0000"):
        with pytest.raises(ValidationError):
            forms.to_e164(bad)


@pytest.mark.parametrize(
    ("height", "weight", "field", "words"),
    [
        ("17", "80", "height_cm", "under 50 cm"),
        ("300", "80", "height_cm", "over 250 cm"),
        ("170", "1.5", "weight_kg", "under 2 kg"),
        ("170", "800", "weight_kg", "over 400 kg"),
    ],
)
def test_heights_and_weights_outside_human_ranges(
    height: str, weight: str, field: str, words: str
) -> None:
    form = forms.MeasurementForm(
        {
            "measured_on": "2026-03-01",
            "height_cm": height,
            "weight_kg": weight,
            "method": "measured",
        },
        today=TODAY,
    )
    assert not form.is_valid()
    assert list(form.errors) == [field]
    assert words in form.errors[field][0]
    assert form[("weight_kg" if field == "height_cm" else "height_cm")].value() in (height, weight)


def test_a_measurement_needs_a_value_and_a_past_date() -> None:
    form = forms.MeasurementForm({"measured_on": "2026-03-09", "method": "measured"}, today=TODAY)
    assert not form.is_valid()
    assert "measured_on" in form.errors
    form = forms.MeasurementForm({"measured_on": "2026-03-01", "method": "measured"}, today=TODAY)
    assert not form.is_valid() and "weight_kg" in form.errors


def test_blood_pressure_ranges() -> None:
    data = {
        "measured_at": "2026-03-01T09:00",
        "systolic_mmhg": "400",
        "diastolic_mmhg": "80",
        "method": "measured",
    }
    form = forms.BloodPressureForm(data)
    assert not form.is_valid() and list(form.errors) == ["systolic_mmhg"]
    form = forms.BloodPressureForm({**data, "systolic_mmhg": "80", "diastolic_mmhg": "90"})
    assert not form.is_valid() and list(form.errors) == ["diastolic_mmhg"]
    assert forms.BloodPressureForm(
        {**data, "systolic_mmhg": "150", "diastolic_mmhg": "95"}
    ).is_valid()


@pytest.mark.parametrize("code", ["F33.2", "f43.10", "F41.1", "F10.20", "Z63.0", "F32"])
def test_good_icd10_codes(code: str) -> None:
    form = forms.DiagnosisForm({"icd10_code": code, "description": "x"})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["icd10_code"] == code.upper()


@pytest.mark.parametrize("code", ["33.2", "F3", "F33.", "F33.12345", "FF3.2", "F33-2"])
def test_bad_icd10_codes(code: str) -> None:
    form = forms.DiagnosisForm({"icd10_code": code, "description": "kept"})
    assert not form.is_valid()
    assert list(form.errors) == ["icd10_code"]
    assert form["description"].value() == "kept"


def test_dates_of_birth() -> None:
    forms.check_date_of_birth(dt.date(1990, 1, 1), TODAY)
    forms.check_date_of_birth(TODAY, TODAY)
    for bad in (dt.date(2026, 3, 3), dt.date(1900, 1, 1)):
        with pytest.raises(ValidationError):
            forms.check_date_of_birth(bad, TODAY)


def test_benzodiazepine_needs_its_lorazepam_equivalent() -> None:
    form = forms.MedicationForm({"name": "Lorazepam", "flag": "benzodiazepine"})
    assert not form.is_valid() and list(form.errors) == ["lorazepam_equivalent_mg_per_day"]
    form = forms.MedicationForm(
        {"name": "Sertraline", "flag": "", "lorazepam_equivalent_mg_per_day": "1"}
    )
    assert not form.is_valid()
