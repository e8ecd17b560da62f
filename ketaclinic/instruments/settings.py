"""Contested and single-source scoring choices, with the default's source.

Every number here is tagged [C] or [S] in clinical.md section 6, so the Django side makes each a
per-clinic setting and shows the source. The pure core takes them as a
:class:`ScoringSettings` (defaults below) and never hard-wires them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from .model import Band

RiskLevel = Literal["none", "low", "moderate", "high"]
RISK_ORDER: tuple[RiskLevel, ...] = ("none", "low", "moderate", "high")


@dataclass(frozen=True)
class Choice:
    """One documented alternative of a contested value: the value, its source, its tag."""

    value: object
    source: str
    status: str


#: MADRS bands, Snaith et al. 1986 (clinical.md 6.5, [E]): 0-6 normal, 7-19 mild,
#: 20-34 moderate, >= 35 severe.
MADRS_BANDS_SNAITH_1986 = (
    Band(0, 6, "normal"),
    Band(7, 19, "mild"),
    Band(20, 34, "moderate"),
    Band(35, 60, "severe"),
)
#: The same bands with the moderate/severe split at 31 (Müller et al. 2003; clinical.md 6.5 [C]).
MADRS_BANDS_MULLER_2003 = (
    Band(0, 6, "normal"),
    Band(7, 19, "mild"),
    Band(20, 30, "moderate"),
    Band(31, 60, "severe"),
)

#: Documented alternatives per setting: what the clinic may choose and where each comes from.
CHOICES: dict[str, tuple[Choice, ...]] = {
    "pcl5_cutoff": (
        Choice(33, "NCPTSD current guidance 31-33 (upper end); Bovin et al. 2016", "[E] range"),
        Choice(32, "NCPTSD current guidance 31-33; Bovin et al. 2016", "[E] range"),
        Choice(31, "NCPTSD current guidance 31-33 (lower end); Bovin et al. 2016", "[E] range"),
        Choice(38, "early NCPTSD guidance", "[C]"),
    ),
    "madrs_bands": (
        Choice(MADRS_BANDS_SNAITH_1986, "Snaith et al. 1986", "[E]"),
        Choice(MADRS_BANDS_MULLER_2003, "moderate/severe split at 31, Müller et al. 2003", "[C]"),
    ),
    "audit_cutoff": (
        Choice(8, "WHO AUDIT manual, Babor et al. 2001 (hazardous drinking >= 8)", "[E]"),
        Choice(7, "some services, for women or older adults (clinical.md 6.9)", "[C]"),
    ),
    "pacs_cutoff": (
        Choice(21, "> 20 as a DSM-5 craving stand-in, Hartwell et al. 2019", "[S]"),
        Choice(15, ">= 15 optimal in community heavy drinkers, Hartwell et al. 2019", "[S]"),
    ),
}


@dataclass(frozen=True)
class CssrsTriage:
    """C-SSRS screener triage: the risk level each "yes" raises the result to.

    The result is the highest level among the yes answers, ``none`` when all are no.

    Default (clinical.md 6.4, [S], "Screener with Triage Points" as in secondary
    implementations): Q1-2 yes = low; Q3 yes = moderate; Q4-5 yes = high; Q6 yes more than
    3 months ago = moderate; Q6 yes within 3 months = high. Its "high" rows agree with the
    Columbia Lighthouse triage page ([E]: yes to Q4 or Q5, or suicidal behaviour within 3
    months, needs immediate safety measures).
    """

    q1: RiskLevel = "low"
    q2: RiskLevel = "low"
    q3: RiskLevel = "moderate"
    q4: RiskLevel = "high"
    q5: RiskLevel = "high"
    q6_past: RiskLevel = "moderate"
    q6_recent: RiskLevel = "high"
    source: str = (
        "C-SSRS Screener with Triage Points as in secondary implementations (clinical.md 6.4 "
        "[S]); high rows as the Columbia Lighthouse triage page [E]"
    )


@dataclass(frozen=True)
class ScoringSettings:
    """The per-clinic scoring choices (defaults and sources in :data:`CHOICES`).

    Attributes
    ----------
    pcl5_cutoff : int
        PCL-5 total at or above which ``probable-ptsd`` is flagged. Default 33.
    madrs_bands : tuple of Band
        Default Snaith 1986; alternative :data:`MADRS_BANDS_MULLER_2003`.
    audit_cutoff : int
        AUDIT total at or above which ``hazardous-drinking`` is flagged. Default 8.
    pacs_cutoff : int
        PACS total at or above which ``craving`` is flagged. Default 21 (> 20).
    cssrs_triage : CssrsTriage
    """

    pcl5_cutoff: int = 33
    madrs_bands: tuple[Band, ...] = MADRS_BANDS_SNAITH_1986
    audit_cutoff: int = 8
    pacs_cutoff: int = 21
    cssrs_triage: CssrsTriage = field(default_factory=CssrsTriage)


DEFAULT_SETTINGS = ScoringSettings()
