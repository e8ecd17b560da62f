"""Instruments as versioned data, and the result of scoring one.

An :class:`Instrument` holds its items in published order. An item's ``text`` is the exact
published wording where the licence allows reproducing it and where this project holds it from
the published form; otherwise ``text`` is ``None`` and only the short ``label`` (from
clinical.md section 6) is stored, and ``Instrument.wording`` says so.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from .settings import ScoringSettings

Answer = int | str | None
Rater = Literal["self", "clinician", "observer"]
Wording = Literal["published", "labels"]
Sex = Literal["female", "male"]

#: Prefix of the local codes used where no LOINC code was found (clinical.md 6.11: "do not
#: guess"). ``system`` of these codes in FHIR exports: :data:`LOCAL_CODE_SYSTEM`.
LOCAL_PREFIX = "ketaclinic-"
LOCAL_CODE_SYSTEM = "https://ketaclinic.org/fhir/CodeSystem/instruments"
LOINC_SYSTEM = "http://loinc.org"


@dataclass(frozen=True)
class AnswerOption:
    """One published answer option: the value entered and scored, and its wording."""

    value: int | str
    label: str
    loinc: str | None = None


@dataclass(frozen=True)
class Item:
    """One item, numbered as published (CADSS-6 keeps the CADSS item numbers).

    ``code`` is the item's LOINC code, or a local ``ketaclinic-...`` code when none was found.
    ``scored`` is False for an item outside the total (the PHQ-9 difficulty question).
    """

    number: int
    code: str
    label: str
    options: tuple[AnswerOption, ...]
    text: str | None = None
    scored: bool = True
    optional: bool = False

    @property
    def values(self) -> tuple[int | str, ...]:
        return tuple(o.value for o in self.options)

    @property
    def is_local_code(self) -> bool:
        return self.code.startswith(LOCAL_PREFIX)


@dataclass(frozen=True)
class Band:
    """A severity band: totals ``low``..``high`` inclusive are ``name`` (lower case)."""

    low: int
    high: int
    name: str


@dataclass(frozen=True)
class Score:
    """The result of scoring one set of answers.

    Attributes
    ----------
    instrument : str
        Instrument id.
    total : int or None
        None where the manual refuses a score (a missing item, no prorating allowed) or the
        instrument has no total.
    severity : str or None
        Band name in lower case, None where the instrument has no bands or no total.
    subscores : mapping of str to int or None
        Cluster, domain or item scores; a subscore with a missing item is None.
    flags : tuple of str
        Safety and screening flags (``suicidal-ideation``, ``suicide-risk``,
        ``positive-screen`` ...). Set from the answered items even when the total is refused.
    provisional_diagnosis : bool or None
        PCL-5 only; None elsewhere and where missing items leave it undecided.
    risk_level : str or None
        C-SSRS screener only: ``none``, ``low``, ``moderate``, ``high``.
    refused : str or None
        Why ``total`` is None although the instrument has a total.
    notes : tuple of str
        Anything else the reader must know (an undetermined sex-specific cut-off ...).
    """

    instrument: str
    total: int | None
    severity: str | None = None
    subscores: Mapping[str, int | None] = field(default_factory=dict)
    flags: tuple[str, ...] = ()
    provisional_diagnosis: bool | None = None
    risk_level: str | None = None
    refused: str | None = None
    notes: tuple[str, ...] = ()

    def as_json(self) -> dict[str, object]:
        """The command-line JSON object (exactly its seven keys)."""
        return {
            "instrument": self.instrument,
            "total": self.total,
            "severity": self.severity,
            "subscores": dict(self.subscores),
            "flags": list(self.flags),
            "provisional_diagnosis": self.provisional_diagnosis,
            "risk_level": self.risk_level,
        }


Scorer = Callable[["Instrument", tuple[Answer, ...], "ScoringSettings", "Sex | None"], Score]


@dataclass(frozen=True)
class Instrument:
    """An instrument as versioned data.

    Attributes
    ----------
    id, name, version : str
        ``version`` is this project's version of the data (item wording, options, codes);
        a stored response keeps it.
    citation : str
        The published source of the instrument and of its scoring.
    rater : {"self", "clinician", "observer"}
    recall_period : str or None
        As published; None where the reference gives none.
    instructions : str or None
        The published stem shown above the items (where ``wording == "published"``).
    items : tuple of Item
    panel_code, total_code : str
        LOINC where found (clinical.md 6.11), else local ``ketaclinic-...`` codes.
    wording : {"published", "labels"}
    licence : str
        Licence terms, and why wording is or is not reproduced.
    total_range : (int, int) or None
        Range of the total; None where the instrument has no total.
    bands : tuple of Band
        Default severity bands (empty where the authors give none).
    scorer : callable
        ``scorer(instrument, answers, settings, sex) -> Score`` on validated answers.
    """

    id: str
    name: str
    version: str
    citation: str
    rater: Rater
    recall_period: str | None
    instructions: str | None
    items: tuple[Item, ...]
    panel_code: str
    total_code: str
    wording: Wording
    licence: str
    total_range: tuple[int, int] | None
    scorer: Scorer
    bands: tuple[Band, ...] = ()

    def item(self, number: int) -> Item:
        for it in self.items:
            if it.number == number:
                return it
        raise KeyError(number)

    @property
    def scored_items(self) -> tuple[Item, ...]:
        return tuple(it for it in self.items if it.scored)

    @property
    def clinician_rated(self) -> bool:
        """Rated or observed by a clinician (``rater`` is not ``self``): MADRS, CADSS,
        CADSS-6, BPRS+, MOAA/S and the C-SSRS screener as encoded here (its interview form)."""
        return self.rater != "self"

    @property
    def uses_loinc(self) -> bool:
        return not self.panel_code.startswith(LOCAL_PREFIX)
