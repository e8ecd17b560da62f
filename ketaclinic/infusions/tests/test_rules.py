"""The pure threshold-rule evaluator at its boundary values (clinical reference §2.3, §2.6;
the default rules of ``infusions.defaults``)."""

from __future__ import annotations

from ketaclinic.infusions.rules import ReadingValues, RuleSpec, evaluate, meets

SYSTOLIC_180 = RuleSpec(1, "systolic", "ge", 180)  # Marhefka 2016 crisis ≥ 180 (§2.3)
RISE_40_TWICE = RuleSpec(2, "systolic", "rise", 40, consecutive=2)  # Spravato +40 (§2.3)
SPO2_STOP = RuleSpec(3, "spo2", "le", 89)  # Aldrete: < 90 % scores 0 (§5.1)
SPO2_ALERT = RuleSpec(4, "spo2", "le", 92)  # Aldrete: full marks only > 92 % (§5.1)
SEDATION = RuleSpec(5, "moaas", "le", 3)  # esketamine label: MOAA/S ≤ 3 is sedation (§2.6)
CHEST_PAIN = RuleSpec(6, "symptom", "present", symptom="chest_pain")  # §2.3 stop_if
RISE_20_PCT = RuleSpec(7, "systolic", "rise_pct", 20)


def bp(systolic: float, **extra: object) -> ReadingValues:
    values: dict[str, object] = {
        "systolic_mmhg": systolic, "diastolic_mmhg": 80, "heart_rate_bpm": 80,
        "spo2_percent": 98, "resp_rate_per_min": 14, **extra,
    }  # fmt: skip
    return ReadingValues(**values)  # type: ignore[arg-type]


BASE = bp(120)


def test_systolic_179_does_not_fire_and_180_does() -> None:
    assert evaluate([SYSTOLIC_180], BASE, [bp(179)]) == []
    assert evaluate([SYSTOLIC_180], BASE, [bp(180)]) == [1]


def test_a_rise_of_39_never_fires_and_40_fires_only_on_the_second_reading_running() -> None:
    # Baseline 120: 159 is +39, 160 is +40 mmHg.
    assert evaluate([RISE_40_TWICE], BASE, [BASE, bp(160)]) == []  # one reading at +40
    assert evaluate([RISE_40_TWICE], BASE, [BASE, bp(160), bp(160)]) == [2]
    assert evaluate([RISE_40_TWICE], BASE, [BASE, bp(159), bp(159)]) == []
    assert evaluate([RISE_40_TWICE], BASE, [BASE, bp(160), bp(159)]) == []
    assert evaluate([RISE_40_TWICE], BASE, [BASE, bp(159), bp(160)]) == []


def test_fewer_readings_than_consecutive_never_fire() -> None:
    assert evaluate([RISE_40_TWICE], BASE, [bp(200)]) == []
    assert evaluate([RISE_40_TWICE], BASE, []) == []


def test_spo2_boundaries() -> None:
    rules = [SPO2_STOP, SPO2_ALERT]
    assert evaluate(rules, BASE, [bp(120, spo2_percent=93)]) == []
    assert evaluate(rules, BASE, [bp(120, spo2_percent=92)]) == [4]
    assert evaluate(rules, BASE, [bp(120, spo2_percent=90)]) == [4]
    assert evaluate(rules, BASE, [bp(120, spo2_percent=89)]) == [3, 4]


def test_moaas_4_is_not_sedation_3_is_and_missing_does_not_meet() -> None:
    assert evaluate([SEDATION], BASE, [bp(120, moaas=4)]) == []
    assert evaluate([SEDATION], BASE, [bp(120, moaas=3)]) == [5]
    assert evaluate([SEDATION], BASE, [bp(120)]) == []  # MOAA/S not entered


def test_a_symptom_fires_whatever_the_numbers() -> None:
    calm = bp(118, symptoms=frozenset({"chest_pain"}))
    assert evaluate([CHEST_PAIN, SYSTOLIC_180], BASE, [calm]) == [6]
    assert evaluate([CHEST_PAIN], BASE, [bp(118, symptoms=frozenset({"severe_headache"}))]) == []


def test_a_rise_needs_a_baseline() -> None:
    assert evaluate([RISE_40_TWICE, RISE_20_PCT], None, [bp(200), bp(200)]) == []


def test_rise_percent_boundary() -> None:
    # 20 % over 120 mmHg is 144 exactly; 143 is 19.2 %.
    assert meets(RISE_20_PCT, bp(144), BASE)
    assert not meets(RISE_20_PCT, bp(143), BASE)


def test_only_the_newest_reading_is_judged() -> None:
    assert evaluate([SYSTOLIC_180], BASE, [bp(190), bp(150)]) == []
