"""Model library: transcribed parameters, scaling, reference predictions, validity, labels."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

from ketaclinic.pharmacology.errors import OutsideValidityWarning, PharmacologyInputError
from ketaclinic.pharmacology.library import MODELS, dose_factor, get_model
from ketaclinic.pharmacology.models import (
    Patient,
    custom_model,
    ke0_for_time_to_peak,
    micro_constants,
)
from ketaclinic.pharmacology.plans import infusion_plan
from ketaclinic.pharmacology.simulate import simulate

P70 = Patient(70.0)


def test_domino_matches_stanpumpr_test_values_at_70_kg() -> None:
    """stanpumpR tests/testthat/test-drugs-ketamine.R: V1 4.41, V2 10.56972, V3 178.2123 L,
    CL 1.93158 / 2.61072 / 2.6019 L/min (pharmacokinetics.md 1.1)."""
    p = get_model("domino1984").typical_parameters(P70)
    assert p["V1"] == pytest.approx(4.41)
    assert p["V1"] * p["k12"] / p["k21"] == pytest.approx(10.56972, rel=1e-6)
    assert p["V1"] * p["k13"] / p["k31"] == pytest.approx(178.2123, rel=1e-6)
    assert [p["V1"] * p[k] for k in ("k10", "k12", "k13")] == pytest.approx(
        [1.93158, 2.61072, 2.6019]
    )


@pytest.mark.parametrize(
    ("model_id", "expected"),
    [
        ("kamp2020", {"k10": 0.0560, "k12": 0.1073, "k13": 0.0527, "k21": 0.0479, "k31": 0.00839}),
        ("herd2007", {"k10": 0.0388, "k12": 0.0926, "k21": 0.0351}),
        ("sherwin2015", {"k10": 0.0715, "k12": 0.0710, "k21": 0.0066}),
        ("hornik2018", {"k10": 0.0198, "k12": 0.0279, "k21": 0.0060}),
        ("flint2017", {"k10": 0.2415, "k12": 0.4226, "k21": 0.0060}),
    ],
)
def test_micro_constants_match_reference_table(model_id: str, expected: dict[str, float]) -> None:
    """Derived 70 kg micro-constants of pharmacokinetics.md table 1.1 (3 significant digits)."""
    micro = micro_constants(get_model(model_id).typical_parameters(P70, warn=False))
    for k, v in expected.items():
        assert micro[k] == pytest.approx(v, rel=6e-3), k


def test_allometric_scaling_of_herd_clearances() -> None:
    p = get_model("herd2007").typical_parameters(Patient(35.0))
    assert p["V1"] == pytest.approx(38.7 / 2)
    assert p["CL1"] == pytest.approx(1.5 * 0.5**0.75)
    assert p["CL2"] == pytest.approx(215 / 60 * 0.5**0.75)


@pytest.mark.parametrize(
    ("model_id", "at_40_min"), [("domino1984", 240), ("kamp2020", 253), ("herd2007", 253)]
)
def test_predictions_after_half_mg_per_kg_over_40_min(model_id: str, at_40_min: float) -> None:
    """Reference section 0: 70 kg, 0.5 mg/kg over 40 min -> Domino 240, Kamp 253, Herd 253 ng/mL."""
    r = simulate(get_model(model_id), P70, infusion_plan(35.0, 40.0), [40.0])
    assert r.plasma_ng_per_ml[0] == pytest.approx(at_40_min, abs=0.6)


def test_ke0_for_one_minute_time_to_peak() -> None:
    """1-min time to peak at 70 kg: exact roots 0.65242 (Domino), 2.79146 (Kamp), 3.4034 (Herd);
    opentiva's 0.652 / 2.791 are their roundings; the defaults 0.653 / 2.790 are the reference's
    printed values (pharmacokinetics.md 1.3), which peak within 0.03 s of 1 min."""
    assert ke0_for_time_to_peak(get_model("domino1984"), P70) == pytest.approx(0.65242, abs=5e-6)
    assert ke0_for_time_to_peak(get_model("kamp2020"), P70) == pytest.approx(2.79146, abs=5e-6)
    assert ke0_for_time_to_peak(get_model("herd2007"), P70) == pytest.approx(3.4034, abs=5e-5)
    assert get_model("domino1984").default_ke0_per_min == 0.653
    assert get_model("kamp2020").default_ke0_per_min == 2.790
    assert "0.65242" in get_model("domino1984").ke0_source
    assert "2.79146" in get_model("kamp2020").ke0_source
    assert get_model("herd2007").default_ke0_per_min == pytest.approx(math.log(2) / (11 / 60))


def test_every_model_documents_provenance() -> None:
    for m in MODELS.values():
        assert m.citation and m.population and m.validity.note, m.model_id
        assert all(p.unit in ("L", "L/min", "1/min") for p in m.parameters)
        assert all(p.scaling in ("linear", "allometric", "none") for p in m.parameters)
        if m.default_ke0_per_min is not None:
            assert m.ke0_source
        if m.omega:
            assert m.omega_source
    special = {m.model_id for m in MODELS.values() if m.special_population}
    assert {"hornik2018", "clements1981", "hijazi2003", "herd2007"} <= special
    assert not MODELS["domino1984"].special_population and not MODELS["kamp2020"].special_population
    # Herd 2007 BSV percentages read as CVs: omega = sqrt(ln(1 + CV^2)), like Flint and
    # Perez-Ruixo (pharmacokinetics.md section 0 band); 64 % -> 0.5859, 19 % -> 0.1883
    herd = MODELS["herd2007"].omega
    assert herd == pytest.approx(
        {"V1": 0.58592, "V2": 0.48670, "CL1": 0.36816, "CL2": 0.18832}, abs=5e-5
    )
    assert "sqrt(ln(1 + CV^2))" in MODELS["herd2007"].omega_source


def test_validity_warnings() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        get_model("domino1984").typical_parameters(Patient(70.0, 40.0))
    with pytest.warns(OutsideValidityWarning, match="weight 90 kg"):
        get_model("herd2007").typical_parameters(Patient(90.0))
    with pytest.warns(OutsideValidityWarning, match="age 30 y"):
        get_model("herd2007").typical_parameters(Patient(40.0, 30.0))
    with pytest.warns(OutsideValidityWarning, match="age 10 y"):
        simulate(get_model("kamp2020"), Patient(30.0, 10.0), infusion_plan(10.0, 10.0), [5.0])


def test_racemic_dose_into_s_ketamine_model_is_halved_and_labelled() -> None:
    plan = infusion_plan(35.0, 40.0)
    for mid in ("flint2017", "perezruixo2021"):
        m = get_model(mid)
        rac = simulate(m, Patient(30.0, 10.0) if mid == "flint2017" else P70, plan, [10.0, 40.0])
        esk = simulate(
            m,
            Patient(30.0, 10.0) if mid == "flint2017" else P70,
            plan.scaled(0.5),
            [10.0, 40.0],
            product="esketamine",
        )
        np.testing.assert_allclose(rac.plasma_ng_per_ml, esk.plasma_ng_per_ml, rtol=1e-12)
        assert rac.analyte_label == "S-ketamine (half of the racemic dose)"
        assert rac.delivered_mg[-1] == pytest.approx(35.0)
    assert dose_factor(get_model("domino1984"), "racemic") == (1.0, "racemic ketamine")
    with pytest.raises(PharmacologyInputError, match="^product"):
        dose_factor(get_model("domino1984"), "esketamine")


def test_perez_ruixo_metabolite_and_age_covariate() -> None:
    m = get_model("perezruixo2021")
    r = simulate(m, P70, infusion_plan(28.0, 40.0), [40.0, 120.0], product="esketamine")
    assert r.metabolite_ng_per_ml is not None and np.all(r.metabolite_ng_per_ml > 0)
    young = m.typical_parameters(Patient(70.0, 50.0))
    old = m.typical_parameters(Patient(70.0, 70.0))
    assert young["Qh"] - old["Qh"] == pytest.approx(2.19 / 60 * 10)


def test_custom_model_from_clearances_equals_micro_constants() -> None:
    a = custom_model("mine", {"V1": 10.0, "CL1": 1.0, "V2": 20.0, "CL2": 2.0}, ke0_per_min=0.5)
    b = custom_model("mine2", {"V1": 10.0, "k10": 0.1, "k12": 0.2, "k21": 0.1})
    plan = infusion_plan(20.0, 10.0)
    ra = simulate(a, P70, plan, [5.0, 30.0])
    rb = simulate(b, P70, plan, [5.0, 30.0])
    np.testing.assert_allclose(ra.plasma_ng_per_ml, rb.plasma_ng_per_ml, rtol=1e-12)
    assert ra.effect_ng_per_ml is not None and rb.effect_ng_per_ml is None
    with pytest.raises(PharmacologyInputError, match="^V1"):
        custom_model("bad", {"V1": -1.0, "CL1": 1.0})
    with pytest.raises(PharmacologyInputError, match="^model"):
        get_model("nosuchmodel")
    with pytest.raises(PharmacologyInputError, match="^weight_kg"):
        Patient(0.0)


@pytest.mark.parametrize(
    ("model_id", "low", "high"), [("flint2017", 3.4, 35.0), ("sherwin2015", 1.3, 63.7)]
)
def test_childrens_models_have_weight_ranges_and_warn_for_70_kg(
    model_id: str, low: float, high: float
) -> None:
    """Flint 2017: 3.4-35 kg (Table 2 via nlmixr2lib). Sherwin 2015: the abstract gives no
    weight, so the range is an assumption and says so."""
    m = get_model(model_id)
    assert m.validity.weight_kg == (low, high)
    if model_id == "sherwin2015":
        assert m.validity.note.startswith("ASSUMED")
    with pytest.warns(
        OutsideValidityWarning, match=f"weight 70 kg outside the fitted range {low:g}-{high:g} kg"
    ):
        m.typical_parameters(Patient(70.0))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        m.typical_parameters(Patient(20.0, 5.0))


def test_perez_ruixo_age_that_stops_hepatic_flow_is_refused_naming_age() -> None:
    """Qh 151 L/h - 2.19 L/h per year above 60 reaches 0 at ~129 y (Perez-Ruixo 2021 Table 3)."""
    m = get_model("perezruixo2021")
    with pytest.warns(OutsideValidityWarning):
        assert m.typical_parameters(Patient(70.0, 128.0))["Qh"] == pytest.approx(
            (151 - 2.19 * 68) / 60
        )
    with (
        pytest.warns(OutsideValidityWarning),
        pytest.raises(PharmacologyInputError, match="^age_years"),
    ):
        m.typical_parameters(Patient(70.0, 200.0))
