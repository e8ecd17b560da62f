"""Item order, wording and codes checked against the reference tables.

The tables below are transcribed from shared/reference/clinical.md: the item lists of 6.1
(PHQ-9) and 6.2 (GAD-7), and the LOINC tables of 6.11. A public codebase was found with GAD-7
items 6 and 7 swapped; the keyword checks catch that (item 6 is "easily annoyed or
irritable", item 7 "afraid as if something awful might happen").
"""

from __future__ import annotations

import re

import pytest

from ketaclinic.instruments import INSTRUMENTS, get

# (item, LOINC from 6.11, words of the reference's item description that the wording holds)
PHQ9_REFERENCE = [
    (1, "44250-9", ("interest", "pleasure")),
    (2, "44255-8", ("down", "depressed", "hopeless")),
    (3, "44259-0", ("asleep",)),
    (4, "44254-1", ("tired", "energy")),
    (5, "44251-7", ("appetite",)),
    (6, "44258-2", ("bad about yourself",)),
    (7, "44252-5", ("concentrating",)),
    (8, "44253-3", ("slowly", "restless")),
    (9, "44260-8", ("better off dead", "hurting yourself")),
    (10, "69722-7", ("difficult",)),
]
GAD7_REFERENCE = [
    (1, "69725-0", ("nervous", "anxious", "on edge")),
    (2, "68509-9", ("not being able to stop", "worrying")),
    (3, "69733-4", ("worrying too much",)),
    (4, "69734-2", ("relaxing",)),
    (5, "69735-9", ("restless",)),
    (6, "69689-8", ("annoyed", "irritable")),
    (7, "69736-7", ("afraid", "something awful might happen")),
]
PHQ_ANSWER_LOINC = {0: "LA6568-5", 1: "LA6569-3", 2: "LA6570-1", 3: "LA6571-9"}
LOINC_PATTERN = re.compile(r"^\d{4,5}-\d$")


@pytest.mark.parametrize(
    ("instrument_id", "table", "panel", "total"),
    [
        ("phq9", PHQ9_REFERENCE, "44249-1", "44261-6"),
        ("gad7", GAD7_REFERENCE, "69737-5", "70274-6"),
    ],
)
def test_item_order_wording_and_loinc(
    instrument_id: str, table: list[tuple[int, str, tuple[str, ...]]], panel: str, total: str
) -> None:
    inst = get(instrument_id)
    assert (inst.panel_code, inst.total_code) == (panel, total)
    assert [(it.number, it.code) for it in inst.items] == [(n, c) for n, c, _ in table]
    for item, (_, _, words) in zip(inst.items, table, strict=True):
        assert item.text is not None
        for word in words:
            assert word in item.text.lower(), (instrument_id, item.number, word)


def test_gad7_items_6_and_7_are_not_swapped() -> None:
    gad7 = get("gad7")
    six, seven = gad7.item(6), gad7.item(7)
    assert six.text == "Becoming easily annoyed or irritable" and six.code == "69689-8"
    assert seven.text == "Feeling afraid as if something awful might happen"
    assert seven.code == "69736-7"


def test_phq_answer_codes_and_scale() -> None:
    for item in get("phq9").items[:9]:
        assert {o.value: o.loinc for o in item.options} == PHQ_ANSWER_LOINC
        assert [o.label for o in item.options] == [
            "Not at all",
            "Several days",
            "More than half the days",
            "Nearly every day",
        ]
    assert not get("phq9").item(10).scored
    assert [it.number for it in get("phq9").scored_items] == list(range(1, 10))


def test_no_guessed_loinc_codes() -> None:
    """clinical.md 6.11: LOINC was found for PHQ-9 and GAD-7 only; do not guess the others."""
    for inst in INSTRUMENTS.values():
        codes = [inst.panel_code, inst.total_code] + [it.code for it in inst.items]
        assert len(set(codes)) == len(codes), inst.id
        if inst.id in ("phq9", "gad7"):
            assert all(LOINC_PATTERN.match(c) for c in codes), inst.id
        else:
            assert all(c.startswith("ketaclinic-") for c in codes), inst.id
            assert not inst.uses_loinc


def test_the_fifteen_ids_and_their_item_counts() -> None:
    counts = {i.id: len(i.items) for i in INSTRUMENTS.values()}
    assert counts == {
        "phq9": 10,
        "gad7": 7,
        "pcl5": 20,
        "cssrs-screener": 6,
        "qids-sr16": 16,
        "madrs": 10,
        "cadss": 23,
        "cadss6": 6,
        "bprs-positive": 4,
        "audit": 10,
        "audit-c": 3,
        "dudit": 11,
        "pacs": 5,
        "moaas": 1,
        "after-effects": 7,
    }


def test_wording_is_reproduced_only_where_declared() -> None:
    for inst in INSTRUMENTS.values():
        assert inst.licence and inst.citation and inst.version
        texts = [it.text for it in inst.items]
        if inst.wording == "published" and inst.rater != "observer":
            assert all(texts), inst.id
        elif inst.wording == "published":  # MOAA/S: the published wording is the descriptors
            assert inst.item(1).options[0].label.startswith("Responds readily")
        else:
            assert not any(texts), inst.id
        for it in inst.items:
            values = it.values
            assert len(set(values)) == len(values), (inst.id, it.number)
    licence_restricted = {"madrs", "cadss", "cadss6", "bprs-positive", "cssrs-screener"}
    assert {i.id for i in INSTRUMENTS.values() if i.wording == "labels"} >= licence_restricted


def test_pcl5_clusters_and_scale() -> None:
    pcl5 = get("pcl5")
    assert [o.label for o in pcl5.item(1).options] == [
        "Not at all",
        "A little bit",
        "Moderately",
        "Quite a bit",
        "Extremely",
    ]
    assert "Trouble falling or staying asleep" in (pcl5.item(20).text or "")
    assert pcl5.recall_period == "in the past month"


def test_audit_and_dudit_item_values() -> None:
    audit = get("audit")
    assert [it.values for it in audit.items[:8]] == [(0, 1, 2, 3, 4)] * 8
    assert audit.item(9).values == audit.item(10).values == (0, 2, 4)
    dudit = get("dudit")
    assert [it.values for it in dudit.items[:9]] == [(0, 1, 2, 3, 4)] * 9
    assert dudit.item(10).values == dudit.item(11).values == (0, 2, 4)
    assert [it.text for it in get("audit-c").items] == [it.text for it in audit.items[:3]]
