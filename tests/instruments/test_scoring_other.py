"""CADSS, CADSS-6, BPRS+, AUDIT, AUDIT-C, DUDIT, PACS, MOAA/S and the after-effects checklist
scored against hand-worked examples (clinical.md 2.6, 6.7-6.9)."""

from __future__ import annotations

import pytest

from ketaclinic.instruments import InstrumentInputError, ScoringSettings, score

from .helpers import items_summing_to

# ---- CADSS, CADSS-6, BPRS+ (6.7, 6.8) ----------------------------------------------------


def test_cadss_and_cadss6() -> None:
    low = score("cadss", [0] * 23)
    assert low.total == 0 and low.subscores == {"cadss6": 0}
    high = score("cadss", [4] * 23)
    assert high.total == 92 and high.subscores == {"cadss6": 24}
    six_only = [1 if n in (1, 2, 6, 7, 15, 22) else 0 for n in range(1, 24)]
    assert score("cadss", six_only).total == 6 and score("cadss", six_only).subscores == {
        "cadss6": 6
    }
    other = [4 if n == 3 else 0 for n in range(1, 24)]
    assert score("cadss", other).total == 4 and score("cadss", other).subscores == {"cadss6": 0}
    assert score("cadss6", [0] * 6).total == 0 and score("cadss6", [4] * 6).total == 24
    assert score("cadss6", [1, 2, 3, 4, 0, 1]).total == 11
    with pytest.raises(InstrumentInputError, match="^answers: cadss6 takes 6 answers"):
        score("cadss6", [0] * 23)


def test_bprs_positive() -> None:
    assert score("bprs-positive", [1, 1, 1, 1]).total == 4
    assert score("bprs-positive", [7, 7, 7, 7]).total == 28
    assert score("bprs-positive", [2, 3, 4, 5]).total == 14
    with pytest.raises(InstrumentInputError, match="^item 2: 0 is not one of 1,"):
        score("bprs-positive", [1, 0, 1, 1])


# ---- AUDIT, AUDIT-C, DUDIT, PACS (6.9) ---------------------------------------------------


def test_audit() -> None:
    low = score("audit", [0] * 10)
    assert (low.total, low.severity, low.flags) == (0, "zone i", ())
    high = score("audit", [4] * 10)
    assert (high.total, high.severity, high.flags) == (40, "zone iv", ("hazardous-drinking",))
    assert high.subscores == {"audit-c": 12}
    # 2+1+1+0+0+0+0+0 + items 9-10 = 2, 2 -> 8: zone ii, hazardous
    ex = score("audit", [2, 1, 1, 0, 0, 0, 0, 0, 2, 2])
    assert (ex.total, ex.severity, ex.flags) == (8, "zone ii", ("hazardous-drinking",))
    seven_answers = [3, 2, 2, 0, 0, 0, 0, 0, 0, 0]
    seven = score("audit", seven_answers)
    assert (seven.total, seven.severity, seven.flags) == (7, "zone i", ())
    lower = ScoringSettings(audit_cutoff=7)
    assert score("audit", seven_answers, settings=lower).flags == ("hazardous-drinking",)
    for total, zone in ((15, "zone ii"), (16, "zone iii"), (19, "zone iii"), (20, "zone iv")):
        answers = items_summing_to(total, 8, 4) + [0, 0]
        assert score("audit", answers).severity == zone, total


def test_audit_items_9_and_10_score_0_2_4() -> None:
    for bad in (1, 3):
        with pytest.raises(InstrumentInputError, match=f"^item 9: {bad} is not one of 0, 2, 4$"):
            score("audit", [0] * 8 + [bad, 0])
    assert score("audit", [0] * 8 + [4, 2]).total == 6


def test_audit_c_sex_specific_cutoff() -> None:
    assert score("audit-c", [0, 0, 0]).total == 0 and score("audit-c", [0, 0, 0]).flags == ()
    assert score("audit-c", [4, 4, 4]).flags == ("positive-screen",)
    three = [1, 1, 1]
    assert score("audit-c", three, sex="female").flags == ("positive-screen",)
    assert score("audit-c", three, sex="male").flags == ()
    undecided = score("audit-c", three)
    assert undecided.flags == () and undecided.notes and "female >= 3" in undecided.notes[0]
    assert score("audit-c", [2, 1, 1]).flags == ("positive-screen",)  # 4: both sexes
    assert score("audit-c", [1, 1, 0]).notes == ()  # 2: negative for both
    with pytest.raises(InstrumentInputError, match="^sex:"):
        score("audit-c", three, sex="x")  # type: ignore[arg-type]


def test_dudit() -> None:
    assert score("dudit", [0] * 11).total == 0 and score("dudit", [0] * 11).flags == ()
    high = score("dudit", [4] * 11)
    assert high.total == 44 and high.flags == ("drug-related-problems", "probable-dependence")
    two = [2] + [0] * 10
    assert score("dudit", two, sex="female").flags == ("drug-related-problems",)
    assert score("dudit", two, sex="male").flags == ()
    assert score("dudit", two).notes
    six = [4, 2] + [0] * 9
    assert score("dudit", six).flags == ("drug-related-problems",)
    dep = [4] * 6 + [1, 0, 0] + [0, 0]
    assert score("dudit", dep).total == 25 and "probable-dependence" in score("dudit", dep).flags
    with pytest.raises(InstrumentInputError, match="^item 11: 3 is not one of 0, 2, 4$"):
        score("dudit", [0] * 10 + [3])


def test_pacs() -> None:
    assert score("pacs", [0] * 5).total == 0
    assert score("pacs", [6] * 5).total == 30 and score("pacs", [6] * 5).flags == ("craving",)
    assert score("pacs", [4] * 5).flags == ()  # 20: not > 20
    assert score("pacs", [5, 4, 4, 4, 4]).flags == ("craving",)  # 21
    assert score("pacs", [3] * 5, settings=ScoringSettings(pacs_cutoff=15)).flags == ("craving",)


# ---- MOAA/S (2.6), after-effects ---------------------------------------------------------


@pytest.mark.parametrize(("value", "sedated"), [(5, False), (4, False), (3, True), (0, True)])
def test_moaas(value: int, sedated: bool) -> None:
    result = score("moaas", [value])
    assert result.total == value and result.flags == (("sedated",) if sedated else ())


def test_moaas_out_of_range() -> None:
    with pytest.raises(InstrumentInputError, match="^item 1: 6 is not one of 5, 4, 3, 2, 1, 0$"):
        score("moaas", [6])


def test_after_effects_checklist() -> None:
    none = score("after-effects", [0] * 7)
    assert none.total is None and none.refused is None and none.severity is None
    assert none.subscores == {
        "floaty or unreal": 0,
        "tired": 0,
        "nausea or vomiting": 0,
        "headache": 0,
        "dizziness": 0,
        "anxiety": 0,
        "other": 0,
    }
    most = score("after-effects", [3, 2, 1, 0, 3, None, 0])
    assert most.subscores["floaty or unreal"] == 3 and most.subscores["anxiety"] is None
    with pytest.raises(InstrumentInputError, match="^item 2: 4 is not one of 0, 1, 2, 3$"):
        score("after-effects", [0, 4, 0, 0, 0, 0, 0])


def test_unknown_instrument() -> None:
    with pytest.raises(InstrumentInputError, match="^instrument: unknown id 'phq8'"):
        score("phq8", [0] * 8)
