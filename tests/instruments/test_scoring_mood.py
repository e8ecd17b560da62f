"""PHQ-9, GAD-7, PCL-5, C-SSRS screener, QIDS-SR16 and MADRS scored against hand-worked
examples (clinical.md 6.1-6.6)."""

from __future__ import annotations

import pytest

from ketaclinic.instruments import InstrumentInputError, ScoringSettings, score
from ketaclinic.instruments.settings import MADRS_BANDS_MULLER_2003

from .helpers import items_summing_to

# ---- PHQ-9 (6.1) -------------------------------------------------------------------------


def test_phq9_minimum_maximum_and_worked_example() -> None:
    low = score("phq9", [0] * 9)
    assert (low.total, low.severity, low.flags, low.refused) == (0, "none/minimal", (), None)
    high = score("phq9", [3] * 9)
    assert (high.total, high.severity) == (27, "severe")
    assert high.flags == ("suicidal-ideation", "positive-screen")
    # 1+2+3+0+1+2+3+0+1 = 13: moderate, above the >= 10 screening cut-off, item 9 = 1.
    ex = score("phq9", [1, 2, 3, 0, 1, 2, 3, 0, 1])
    assert (ex.total, ex.severity) == (13, "moderate")
    assert ex.flags == ("suicidal-ideation", "positive-screen")
    assert ex.subscores == {} and ex.provisional_diagnosis is None and ex.risk_level is None


@pytest.mark.parametrize(
    ("total", "band"),
    [
        (4, "none/minimal"),
        (5, "mild"),
        (9, "mild"),
        (10, "moderate"),
        (14, "moderate"),
        (15, "moderately severe"),
        (19, "moderately severe"),
        (20, "severe"),
    ],
)
def test_phq9_band_edges(total: int, band: str) -> None:
    answers = items_summing_to(total, 8, 3) + [0]  # item 9 = 0: no flag from it
    result = score("phq9", answers)
    assert (result.total, result.severity) == (total, band)
    assert ("positive-screen" in result.flags) is (total >= 10)
    assert "suicidal-ideation" not in result.flags


def test_phq9_difficulty_item_is_optional_and_unscored() -> None:
    assert score("phq9", [0] * 9 + [3]).total == 0
    assert score("phq9", [1] * 9 + [None]).total == 9
    with pytest.raises(InstrumentInputError, match="^item 10: 4 is not one of 0, 1, 2, 3$"):
        score("phq9", [0] * 9 + [4])


def test_phq9_missing_item_refuses_the_total_but_keeps_the_item9_flag() -> None:
    result = score("phq9", [3, 3, None, 3, 3, 3, 3, 3, 2])
    assert result.total is None and result.severity is None
    assert result.refused is not None and "item 3" in result.refused
    assert result.flags == ("suicidal-ideation",)
    assert score("phq9", [None] * 9).flags == ()


def test_phq9_wrong_count_and_out_of_range() -> None:
    with pytest.raises(InstrumentInputError, match="^answers: phq9 takes 9 or 10 answers"):
        score("phq9", [0] * 8)
    with pytest.raises(InstrumentInputError, match="^answers:"):
        score("phq9", [0] * 11)
    with pytest.raises(InstrumentInputError, match="^item 5: -1 is not one of"):
        score("phq9", [0, 0, 0, 0, -1, 0, 0, 0, 0])
    with pytest.raises(InstrumentInputError, match="^item 1: True"):
        score("phq9", [True] + [0] * 8)


# ---- GAD-7 (6.2) -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("answers", "total", "band", "positive"),
    [
        ([0] * 7, 0, "minimal", False),
        ([3] * 7, 21, "severe", True),
        ([1, 1, 1, 1, 0, 0, 0], 4, "minimal", False),
        ([1, 1, 1, 1, 1, 0, 0], 5, "mild", False),
        ([2, 2, 2, 2, 1, 0, 0], 9, "mild", False),
        ([1, 1, 1, 1, 1, 2, 3], 10, "moderate", True),
        ([2, 2, 2, 2, 2, 2, 2], 14, "moderate", True),
        ([3, 3, 3, 3, 3, 0, 0], 15, "severe", True),
    ],
)
def test_gad7(answers: list[int], total: int, band: str, positive: bool) -> None:
    result = score("gad7", answers)
    assert (result.total, result.severity) == (total, band)
    assert result.flags == (("positive-screen",) if positive else ())


def test_gad7_missing_item() -> None:
    result = score("gad7", [3, 3, 3, 3, 3, 3, None])
    assert result.total is None and result.refused and "item 7" in result.refused


# ---- PCL-5 (6.3) -------------------------------------------------------------------------


def pcl5(endorse: dict[int, int]) -> list[int | None]:
    return [endorse.get(n, 0) for n in range(1, 21)]


def test_pcl5_minimum_and_maximum() -> None:
    low = score("pcl5", [0] * 20)
    assert low.total == 0 and low.subscores == {"B": 0, "C": 0, "D": 0, "E": 0}
    assert low.provisional_diagnosis is False and low.flags == () and low.severity is None
    high = score("pcl5", [4] * 20)
    assert high.total == 80 and high.subscores == {"B": 20, "C": 8, "D": 28, "E": 24}
    assert high.provisional_diagnosis is True and high.flags == ("probable-ptsd",)


def test_pcl5_cluster_scores_are_item_sums() -> None:
    # B items 1-5 = 1,2,3,4,0 -> 10; C 6-7 = 1,1 -> 2; D 8-14 = 0..3,0,1,2 -> 9; E 15-20 -> 13
    answers = [1, 2, 3, 4, 0, 1, 1, 0, 1, 2, 3, 0, 1, 2, 3, 3, 3, 2, 1, 1]
    result = score("pcl5", answers)
    assert result.subscores == {"B": 10, "C": 2, "D": 9, "E": 13}
    assert result.total == 34 == sum(answers)
    assert result.flags == ("probable-ptsd",)  # 34 >= 33


def test_pcl5_provisional_diagnosis_rule() -> None:
    # The least that meets it: one B, one C, two D, two E items rated 2 ("moderately").
    least = {1: 2, 6: 2, 8: 2, 9: 2, 15: 2, 16: 2}
    assert score("pcl5", pcl5(least)).provisional_diagnosis is True
    assert score("pcl5", pcl5(least)).total == 12  # diagnosis without the cut-off
    for drop in least:  # take away any one endorsement and the rule fails
        weaker = {**least, drop: 1}
        assert score("pcl5", pcl5(weaker)).provisional_diagnosis is False, drop
    # Ratings of 1 ("a little bit") never count, however many.
    ones = score("pcl5", [1] * 20)
    assert ones.total == 20 and ones.provisional_diagnosis is False
    # No C item endorsed: everything else at the maximum is still no diagnosis.
    no_c = score("pcl5", [4] * 5 + [1, 1] + [4] * 13)
    assert no_c.total == 74 and no_c.provisional_diagnosis is False


def test_pcl5_cutoff_default_and_setting() -> None:
    assert score("pcl5", items_summing_to(33, 20, 4)).flags == ("probable-ptsd",)
    assert score("pcl5", items_summing_to(32, 20, 4)).flags == ()
    lower = ScoringSettings(pcl5_cutoff=31)
    assert score("pcl5", items_summing_to(31, 20, 4), settings=lower).flags == ("probable-ptsd",)


def test_pcl5_missing_items() -> None:
    met = pcl5({1: 2, 6: 2, 8: 2, 9: 2, 15: 2, 16: 2})
    met[19] = None  # item 20 missing: the rule is already met
    result = score("pcl5", met)
    assert result.total is None and result.refused and "item 20" in result.refused
    assert result.provisional_diagnosis is True
    assert result.subscores == {"B": 2, "C": 2, "D": 4, "E": None}
    undecided = pcl5({1: 2, 8: 2, 9: 2, 15: 2, 16: 2})
    undecided[5] = None  # item 6 could still be the C endorsement
    assert score("pcl5", undecided).provisional_diagnosis is None
    impossible = pcl5({8: 2, 15: 2, 16: 2})
    impossible[0] = None  # only one D endorsed and no other D item missing
    assert score("pcl5", impossible).provisional_diagnosis is False


# ---- C-SSRS screener (6.4) ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("answers", "level"),
    [
        (["no", "no", None, None, None, "no"], "none"),
        (["yes", "no", None, None, None, "no"], "low"),
        (["no", "yes", "no", "no", "no", "no"], "low"),
        (["yes", "yes", "no", "no", "no", "no"], "low"),
        (["yes", "yes", "yes", "no", "no", "no"], "moderate"),
        (["yes", "yes", "no", "yes", "no", "no"], "high"),
        (["yes", "yes", "no", "no", "yes", "no"], "high"),
        (["no", "no", None, None, None, "yes-past"], "moderate"),
        (["no", "no", None, None, None, "yes-recent"], "high"),
        (["yes", "yes", "yes", "yes", "yes", "yes-recent"], "high"),
    ],
)
def test_cssrs_skip_logic_paths_and_triage(answers: list[str | None], level: str) -> None:
    result = score("cssrs-screener", answers)
    assert result.risk_level == level and result.refused is None
    assert result.total is None and result.severity is None and result.subscores == {}
    assert result.flags == (("suicide-risk",) if level in ("moderate", "high") else ())


def test_cssrs_questions_3_to_5_are_refused_when_question_2_is_no() -> None:
    for n in (3, 4, 5):
        answers: list[str | None] = ["yes", "no", None, None, None, "no"]
        answers[n - 1] = "no"
        with pytest.raises(InstrumentInputError, match=f"^item {n}: not asked when question 2"):
            score("cssrs-screener", answers)


def test_cssrs_unanswered_questions() -> None:
    # Q2 yes but Q4 unanswered: undetermined unless already high.
    gap = score("cssrs-screener", ["yes", "yes", "yes", None, "no", "no"])
    assert gap.risk_level is None and gap.flags == ()
    assert gap.refused is not None and "4" in gap.refused
    high = score("cssrs-screener", ["yes", "yes", "no", None, "yes", "no"])
    assert high.risk_level == "high" and high.flags == ("suicide-risk",)
    assert score("cssrs-screener", ["yes", "no", None, None, None, None]).risk_level is None
    assert score("cssrs-screener", [None, "no", None, None, None, "no"]).risk_level is None


def test_cssrs_values_per_question() -> None:
    with pytest.raises(InstrumentInputError, match="^item 1: 'yes-recent' is not one of yes, no"):
        score("cssrs-screener", ["yes-recent", "no", None, None, None, "no"])
    with pytest.raises(InstrumentInputError, match="^item 6: 'yes' is not one of yes-recent"):
        score("cssrs-screener", ["no", "no", None, None, None, "yes"])


# ---- QIDS-SR16 (6.6) ---------------------------------------------------------------------


def test_qids_minimum_maximum() -> None:
    assert (score("qids-sr16", [0] * 16).total, score("qids-sr16", [0] * 16).severity) == (
        0,
        "none",
    )
    high = score("qids-sr16", [3] * 16)
    assert (high.total, high.severity) == (27, "very severe")  # not 48: domains count once


def test_qids_domain_maxima() -> None:
    # sleep 1-4 = 1,3,0,2 -> 3; sad 2; appetite/weight 6-9 = 0,2,1,3 -> 3; concentration 1;
    # self 2; suicide 1; interest 2; energy 3; psychomotor 15-16 = 2,1 -> 2. Total 19, severe.
    answers = [1, 3, 0, 2, 2, 0, 2, 1, 3, 1, 2, 1, 2, 3, 2, 1]
    result = score("qids-sr16", answers)
    assert result.subscores == {
        "sleep": 3,
        "sad mood": 2,
        "appetite/weight": 3,
        "concentration": 1,
        "view of self": 2,
        "thoughts of death or suicide": 1,
        "interest": 2,
        "energy": 3,
        "psychomotor": 2,
    }
    assert (result.total, result.severity) == (19, "severe")
    assert sum(answers) == 26  # the plain sum would be wrong
    # Raising a non-maximal item of a domain changes nothing.
    same = list(answers)
    same[0] = 3  # item 1 up to the sleep maximum
    same[6] = 3  # item 7 up to the appetite maximum
    same[15] = 2  # item 16 up to the psychomotor maximum
    assert score("qids-sr16", same).total == 19


@pytest.mark.parametrize(
    ("total", "band"),
    [(5, "none"), (6, "mild"), (10, "mild"), (11, "moderate"), (15, "moderate"), (16, "severe")]
    + [(20, "severe"), (21, "very severe")],
)
def test_qids_bands(total: int, band: str) -> None:
    # One item per domain (items 1, 5, 6, 10-14, 15), the rest 0.
    singles = items_summing_to(total, 9, 3)
    answers = [0] * 16
    for value, n in zip(singles, (1, 5, 6, 10, 11, 12, 13, 14, 15), strict=True):
        answers[n - 1] = value
    assert (score("qids-sr16", answers).total, score("qids-sr16", answers).severity) == (
        total,
        band,
    )


def test_qids_missing_item() -> None:
    answers: list[int | None] = [0] * 16
    answers[2] = None
    result = score("qids-sr16", answers)
    assert result.total is None and result.subscores["sleep"] is None
    assert result.subscores["sad mood"] == 0


# ---- MADRS (6.5) -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("total", "snaith", "muller"),
    [
        (0, "normal", "normal"),
        (6, "normal", "normal"),
        (7, "mild", "mild"),
        (19, "mild", "mild"),
        (20, "moderate", "moderate"),
        (30, "moderate", "moderate"),
        (31, "moderate", "severe"),
        (34, "moderate", "severe"),
        (35, "severe", "severe"),
        (60, "severe", "severe"),
    ],
)
def test_madrs_bands_default_and_alternative(total: int, snaith: str, muller: str) -> None:
    answers = items_summing_to(total, 10, 6)
    assert score("madrs", answers).total == total
    assert score("madrs", answers).severity == snaith
    alt = ScoringSettings(madrs_bands=MADRS_BANDS_MULLER_2003)
    assert score("madrs", answers, settings=alt).severity == muller


def test_madrs_out_of_range() -> None:
    with pytest.raises(
        InstrumentInputError, match="^item 10: 7 is not one of 0, 1, 2, 3, 4, 5, 6$"
    ):
        score("madrs", [0] * 9 + [7])
