"""Properties over all valid answer sets (hypothesis)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from ketaclinic.instruments import INSTRUMENTS, Instrument, score
from ketaclinic.instruments.settings import RISK_ORDER

WITH_TOTAL = [i for i in INSTRUMENTS.values() if i.total_range is not None]
# Every instrument with a total is monotone in each item: sums, and QIDS domain maxima.
ADDITIVE = [i.id for i in WITH_TOTAL]


@st.composite
def answer_sets(draw: st.DrawFn, inst: Instrument) -> list[int]:
    return [
        draw(st.sampled_from([v for v in it.values if isinstance(v, int)])) for it in inst.items
    ]


@st.composite
def instrument_and_answers(draw: st.DrawFn) -> tuple[Instrument, list[int]]:
    inst = draw(st.sampled_from(WITH_TOTAL))
    return inst, draw(answer_sets(inst))


@settings(max_examples=400, deadline=None)
@given(instrument_and_answers())
def test_total_always_in_range(case: tuple[Instrument, list[int]]) -> None:
    inst, answers = case
    result = score(inst.id, answers)
    assert inst.total_range is not None and result.total is not None
    low, high = inst.total_range
    assert low <= result.total <= high
    if inst.bands and inst.id != "madrs":
        assert result.severity is not None
    if inst.id == "pcl5":
        assert sum(v for v in result.subscores.values() if v is not None) == result.total


@settings(max_examples=400, deadline=None)
@given(instrument_and_answers(), st.data())
def test_raising_one_item_never_lowers_the_total(
    case: tuple[Instrument, list[int]], data: st.DataObject
) -> None:
    inst, answers = case
    assert inst.id in ADDITIVE
    index = data.draw(st.integers(0, len(answers) - 1))
    item = inst.items[index]
    higher = [v for v in item.values if isinstance(v, int) and v > answers[index]]
    if not higher:
        return
    raised = list(answers)
    raised[index] = data.draw(st.sampled_from(higher))
    before, after = score(inst.id, answers), score(inst.id, raised)
    assert before.total is not None and after.total is not None
    assert after.total >= before.total
    if item.scored and inst.id != "qids-sr16":  # a sum: it rises by exactly the difference
        assert after.total - before.total == raised[index] - answers[index]


@settings(max_examples=300, deadline=None)
@given(instrument_and_answers(), st.data())
def test_a_missing_scored_item_always_refuses_the_total(
    case: tuple[Instrument, list[int]], data: st.DataObject
) -> None:
    inst, answers = case
    index = data.draw(st.sampled_from([i for i, it in enumerate(inst.items) if it.scored]))
    gapped: list[int | None] = list(answers)
    gapped[index] = None
    result = score(inst.id, gapped)
    assert result.total is None and result.severity is None
    assert result.refused is not None and f"item {inst.items[index].number}" in result.refused


YES_NO = st.sampled_from(["yes", "no"])


@st.composite
def cssrs_answers(draw: st.DrawFn) -> list[str | None]:
    q1, q2 = draw(YES_NO), draw(YES_NO)
    middle: list[str | None] = [draw(YES_NO) for _ in range(3)] if q2 == "yes" else [None] * 3
    return [q1, q2, *middle, draw(st.sampled_from(["yes-recent", "yes-past", "no"]))]


@settings(max_examples=300, deadline=None)
@given(cssrs_answers(), st.integers(0, 5))
def test_cssrs_a_further_yes_never_lowers_the_risk(answers: list[str | None], index: int) -> None:
    result = score("cssrs-screener", answers)
    assert result.risk_level in RISK_ORDER and result.total is None
    assert ("suicide-risk" in result.flags) is (result.risk_level in ("moderate", "high"))
    if answers[index] != "no" or (index in (2, 3, 4) and answers[1] != "yes"):
        return
    worse = list(answers)
    worse[index] = "yes-recent" if index == 5 else "yes"
    if index == 1:  # question 2 turned yes: questions 3-5 are now asked
        worse[2:5] = ["no", "no", "no"]
    raised = score("cssrs-screener", worse).risk_level
    assert raised is not None and result.risk_level is not None
    assert RISK_ORDER.index(raised) >= RISK_ORDER.index(result.risk_level)
