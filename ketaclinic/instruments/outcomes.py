"""Response and remission per instrument (clinical.md 6.10), with contested definitions as
documented options.

The Django side stores a clinic's choice per instrument; here each rule carries its source and
status tag so the screen can show them. Response compares a later total with the baseline;
remission looks at one total.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, TypeVar

Comparison = Literal["<", "<="]
T = TypeVar("T")


@dataclass(frozen=True)
class RemissionRule:
    """Remission when the total is ``< threshold`` or ``<= threshold``."""

    comparison: Comparison
    threshold: int
    source: str
    status: str

    @property
    def label(self) -> str:
        return f"total {self.comparison} {self.threshold}"

    def met(self, total: int) -> bool:
        return total < self.threshold if self.comparison == "<" else total <= self.threshold


@dataclass(frozen=True)
class ResponseRule:
    """Response: a fall of at least ``percent`` % from baseline, or of ``points`` points."""

    source: str
    status: str
    percent: float | None = None
    points: int | None = None

    @property
    def label(self) -> str:
        if self.percent is not None:
            return f">= {self.percent:g}% reduction from baseline"
        return f">= {self.points}-point reduction from baseline"

    def met(self, baseline: int, current: int) -> bool | None:
        """None where a percentage of a zero baseline is undefined."""
        if self.points is not None:
            return baseline - current >= self.points
        if baseline <= 0 or self.percent is None:
            return None
        return (baseline - current) * 100 >= self.percent * baseline


_HALF = "RCT convention (>= 50% reduction)"
#: Response rules per instrument; the first is the default.
RESPONSE_RULES: dict[str, tuple[ResponseRule, ...]] = {
    "phq9": (ResponseRule("McInnes 2022; general usage", "[E]", percent=50),),
    "qids-sr16": (ResponseRule("Rush 2003; McIntyre 2020; ELEKT-D", "[E]", percent=50),),
    "madrs": (ResponseRule(_HALF, "[E]", percent=50),),
    "gad7": (ResponseRule("convention, by analogy with PHQ-9", "[U]", percent=50),),
    "pcl5": (ResponseRule("NCPTSD: >= 10-point drop clinically meaningful", "[S]", points=10),),
}

#: Remission rules per instrument; the first is the default.
REMISSION_RULES: dict[str, tuple[RemissionRule, ...]] = {
    "phq9": (RemissionRule("<", 5, "McInnes 2022; Kroenke 2001", "[E]"),),
    "qids-sr16": (RemissionRule("<=", 5, "Rush 2003 (STAR*D < 6, equivalent)", "[E]"),),
    "madrs": (
        RemissionRule("<", 10, "Hawley et al. 2002", "[C]"),
        RemissionRule("<=", 9, "Zimmerman et al. 2004", "[C]"),
        RemissionRule("<=", 4, "Zimmerman et al. 2004 (stricter)", "[C]"),
        RemissionRule("<=", 10, "KetECT, Ekstrand et al. 2022", "[C]"),
        RemissionRule("<=", 12, "some esketamine / R-107 trials", "[C]"),
    ),
    "gad7": (RemissionRule("<", 5, "convention, by analogy with PHQ-9", "[U]"),),
    "pcl5": (
        RemissionRule("<", 33, "below the NCPTSD probable-PTSD cut-off 31-33 (upper end)", "[S]"),
        RemissionRule("<", 31, "below the NCPTSD probable-PTSD cut-off 31-33 (lower end)", "[S]"),
    ),
}


def percent_change(baseline: int, current: int) -> float | None:
    """(current - baseline) / baseline x 100; None for a zero baseline."""
    if baseline == 0:
        return None
    return (current - baseline) * 100.0 / baseline


def response(
    instrument_id: str, baseline: int, current: int, rule: ResponseRule | None = None
) -> bool | None:
    """Whether ``current`` is a response from ``baseline`` under ``rule`` (default: the
    instrument's first rule). None where no response rule is defined or it is undefined."""
    chosen = rule or _first(RESPONSE_RULES, instrument_id)
    return None if chosen is None else chosen.met(baseline, current)


def remission(instrument_id: str, total: int, rule: RemissionRule | None = None) -> bool | None:
    """Whether ``total`` is a remission under ``rule`` (default: the instrument's first
    rule). None where no remission rule is defined."""
    chosen = rule or _first(REMISSION_RULES, instrument_id)
    return None if chosen is None else chosen.met(total)


def _first(table: dict[str, tuple[T, ...]], instrument_id: str) -> T | None:
    rules = table.get(instrument_id, ())
    return rules[0] if rules else None
