"""Response and remission rules (clinical.md 6.10) with their documented alternatives."""

from __future__ import annotations

import pytest

from ketaclinic.instruments import REMISSION_RULES, RESPONSE_RULES
from ketaclinic.instruments.outcomes import percent_change, remission, response


def test_fifty_percent_response() -> None:
    assert response("phq9", 20, 10) is True
    assert response("phq9", 20, 11) is False
    assert response("qids-sr16", 15, 7) is True  # 53%
    assert response("qids-sr16", 15, 8) is False  # 47%
    assert response("madrs", 31, 15) is True and response("madrs", 31, 16) is False
    assert response("phq9", 0, 0) is None  # a percentage of zero is undefined
    assert response("cadss", 20, 0) is None  # no response rule defined


def test_pcl5_response_is_a_ten_point_drop() -> None:
    assert response("pcl5", 50, 40) is True and response("pcl5", 50, 41) is False


def test_remission_defaults() -> None:
    assert remission("phq9", 4) is True and remission("phq9", 5) is False
    assert remission("qids-sr16", 5) is True and remission("qids-sr16", 6) is False
    assert remission("madrs", 9) is True and remission("madrs", 10) is False  # Hawley < 10
    assert remission("gad7", 4) is True and remission("gad7", 5) is False
    assert remission("audit", 0) is None


@pytest.mark.parametrize(
    ("source", "total", "expected"),
    [
        ("KetECT", 10, True),
        ("KetECT", 11, False),
        ("esketamine", 12, True),
        ("stricter", 5, False),
        ("stricter", 4, True),
    ],
)
def test_madrs_remission_alternatives(source: str, total: int, expected: bool) -> None:
    (rule,) = [r for r in REMISSION_RULES["madrs"] if source in r.source]
    assert rule.status == "[C]"
    assert remission("madrs", total, rule) is expected


def test_every_rule_names_a_source_and_a_status() -> None:
    for table in (RESPONSE_RULES, REMISSION_RULES):
        for rules in table.values():
            for rule in rules:
                assert rule.source and rule.status in ("[E]", "[C]", "[S]", "[U]")
                assert rule.label


def test_percent_change() -> None:
    assert percent_change(20, 10) == -50.0
    assert percent_change(10, 12) == 20.0
    assert percent_change(0, 3) is None
