"""Modified Aldrete (1995) and PADSS (Chung 1995) at every band edge (clinical reference
§5.1, §5.2)."""

from __future__ import annotations

import pytest

from ketaclinic.infusions import scores
from ketaclinic.infusions.scores import Vitals

BASE = Vitals(systolic_mmhg=120, heart_rate_bpm=70, spo2_percent=98)


def _v(systolic: int = 120, hr: int = 70, spo2: int = 98, o2: bool = False) -> Vitals:
    return Vitals(systolic_mmhg=systolic, heart_rate_bpm=hr, spo2_percent=spo2, on_oxygen=o2)


@pytest.mark.parametrize(
    ("systolic", "expected"),
    [
        (140, 2),  # +20 mmHg: within ±20
        (141, 1),  # +21
        (100, 2),  # -20
        (99, 1),  # -21
        (170, 1),  # +50
        (171, 0),  # +51
        (70, 1),  # -50
        (69, 0),  # -51
    ],
)
def test_aldrete_circulation_mmhg_edges(systolic: int, expected: int) -> None:
    assert scores.aldrete_circulation(120, systolic) == expected


@pytest.mark.parametrize(
    ("systolic", "expected"),
    [
        (120, 2),  # baseline 100: +20 % exactly
        (121, 1),  # +21 %
        (80, 2),  # -20 %
        (150, 1),  # +50 %
        (151, 0),  # +51 %
        (49, 0),  # -51 %
    ],
)
def test_aldrete_circulation_percent_variant(systolic: int, expected: int) -> None:
    assert scores.aldrete_circulation(100, systolic, variant="percent") == expected


def test_the_variants_differ_where_they_should() -> None:
    # Baseline 160: +30 mmHg is band 1 in mmHg, but 18.75 % is band 2 in percent.
    assert scores.aldrete_circulation(160, 190) == 1
    assert scores.aldrete_circulation(160, 190, variant="percent") == 2


def test_unknown_variant_refused() -> None:
    with pytest.raises(ValueError):
        scores.aldrete_circulation(120, 120, variant="kpa")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("spo2", "o2", "expected"),
    [
        (93, False, 2),  # > 92 on room air
        (92, False, 1),  # not > 92: would need oxygen
        (99, True, 1),  # on oxygen, whatever the number
        (90, True, 1),  # 90 is not < 90
        (90, False, 1),
        (89, True, 0),  # < 90 even with oxygen
        (89, False, 0),
    ],
)
def test_aldrete_spo2_edges(spo2: int, o2: bool, expected: int) -> None:
    assert scores.aldrete_spo2(spo2, on_oxygen=o2) == expected


def test_aldrete_total() -> None:
    full = scores.aldrete(BASE, _v(), activity=2, respiration=2, consciousness=2)
    assert full.total == 10
    assert full.items == {
        "activity": 2,
        "respiration": 2,
        "circulation": 2,
        "consciousness": 2,
        "spo2": 2,
    }
    # Arousable on calling (1) and on oxygen (1): 8.
    eight = scores.aldrete(BASE, _v(o2=True), activity=2, respiration=2, consciousness=1)
    assert eight.total == 8


def test_aldrete_refuses_an_item_out_of_range() -> None:
    with pytest.raises(ValueError):
        scores.aldrete(BASE, _v(), activity=3, respiration=2, consciousness=2)


@pytest.mark.parametrize(
    ("systolic", "hr", "expected"),
    [
        (120, 84, 2),  # pulse +20 % of 70 = 84 exactly
        (120, 85, 1),  # +21.4 %
        (144, 70, 2),  # systolic +20 % of 120
        (145, 70, 1),  # +20.8 %
        (168, 70, 1),  # +40 % exactly
        (169, 70, 0),  # +40.8 %
        (120, 98, 1),  # pulse +40 %
        (120, 99, 0),  # +41.4 %
        (72, 70, 1),  # systolic -40 %
        (71, 70, 0),  # -40.8 %
    ],
)
def test_padss_vital_signs_edges(systolic: int, hr: int, expected: int) -> None:
    assert scores.padss_vital_signs(BASE, _v(systolic=systolic, hr=hr)) == expected


def test_padss_vital_signs_percent_edges_on_a_baseline_of_100() -> None:
    base = _v(systolic=100, hr=100)
    assert scores.padss_vital_signs(base, _v(systolic=120, hr=100)) == 2  # 20 %
    assert scores.padss_vital_signs(base, _v(systolic=121, hr=100)) == 1  # 21 %
    assert scores.padss_vital_signs(base, _v(systolic=140, hr=100)) == 1  # 40 %
    assert scores.padss_vital_signs(base, _v(systolic=141, hr=100)) == 0  # 41 %


def test_padss_observation_items_and_total() -> None:
    assert scores.padss_activity_mental(oriented=True, steady_gait=True) == 2
    assert scores.padss_activity_mental(oriented=True, steady_gait=False) == 1
    assert scores.padss_activity_mental(oriented=False, steady_gait=False) == 0
    assert scores.padss_intake_output(took_fluids=False, voided=True) == 1
    full = scores.padss(
        BASE, _v(), oriented=True, steady_gait=True, pain_nausea=2, took_fluids=True, voided=True
    )
    assert full.total == 10 and full.items["bleeding"] == 2  # non-surgical default
    # Moderate nausea (1) and fluids taken but not voided (1): 8.
    eight = scores.padss(
        BASE, _v(), oriented=True, steady_gait=True, pain_nausea=1, took_fluids=True, voided=False
    )
    assert eight.total == 8
