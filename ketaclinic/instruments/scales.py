"""Shared building blocks: answer options, validation, missing items, bands.

Missing items: no source in clinical.md section 6 allows prorating any of these instruments
(PHQ-9: "Missing items: not addressed in sources retrieved"), so every scorer refuses the total
when a scored item is missing and says why; nothing here prorates.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from .errors import InstrumentInputError
from .model import LOCAL_PREFIX, Answer, AnswerOption, Band, Instrument, Item


def numeric_options(
    labels: Sequence[str], values: Sequence[int] | None = None, loinc: Sequence[str] = ()
) -> tuple[AnswerOption, ...]:
    """Options valued 0, 1, 2 ... (or ``values``) with the given labels and LOINC answers."""
    vals = list(values) if values is not None else list(range(len(labels)))
    codes: list[str | None] = list(loinc) or [None] * len(labels)
    return tuple(
        AnswerOption(v, lab, code) for v, lab, code in zip(vals, labels, codes, strict=True)
    )


def plain_scale(low: int, high: int) -> tuple[AnswerOption, ...]:
    """Options ``low``..``high`` labelled by their number (anchor wording not reproduced)."""
    return tuple(AnswerOption(v, str(v)) for v in range(low, high + 1))


def local_code(instrument_id: str, suffix: str | int) -> str:
    return f"{LOCAL_PREFIX}{instrument_id}-{suffix}"


def label_items(
    instrument_id: str, labels: Sequence[str], options: tuple[AnswerOption, ...]
) -> tuple[Item, ...]:
    """Items with local codes, short labels and no reproduced wording."""
    return tuple(
        Item(n, local_code(instrument_id, n), lab, options) for n, lab in enumerate(labels, start=1)
    )


def parse_answer(item: Item, text: str) -> Answer:
    """One command-line answer: empty is None; numeric items take an integer."""
    text = text.strip()
    if text == "":
        return None
    if all(isinstance(v, int) for v in item.values):
        try:
            return int(text)
        except ValueError:
            raise InstrumentInputError(
                f"item {item.number}", f"{text!r} is not one of {_shown(item.values)}"
            ) from None
    return text


def validate(instrument: Instrument, answers: Sequence[Answer]) -> tuple[Answer, ...]:
    """Check the count and that every given answer is one of its item's option values.

    Optional items at the end (the PHQ-9 difficulty question) may be left off. Skip logic is
    each scorer's own check.

    Raises
    ------
    InstrumentInputError
        Naming ``answers`` (wrong count) or ``item N`` (a value outside the options).
    """
    items = instrument.items
    required = len(items)
    while required and items[required - 1].optional:
        required -= 1
    if not required <= len(answers) <= len(items):
        expected = str(len(items)) if required == len(items) else f"{required} or {len(items)}"
        raise InstrumentInputError(
            "answers",
            f"{instrument.id} takes {expected} answers in item order, got {len(answers)} "
            "(leave an unanswered item empty)",
        )
    out: list[Answer] = list(answers) + [None] * (len(items) - len(answers))
    for item, value in zip(items, out, strict=True):
        if value is None:
            continue
        if isinstance(value, bool) or value not in item.values:
            raise InstrumentInputError(
                f"item {item.number}", f"{value!r} is not one of {_shown(item.values)}"
            )
    return tuple(out)


def _shown(values: Iterable[int | str]) -> str:
    return ", ".join(str(v) for v in values)


def missing(instrument: Instrument, answers: Sequence[Answer]) -> list[int]:
    """Numbers of the scored items left unanswered."""
    return [
        it.number
        for it, a in zip(instrument.items, answers, strict=True)
        if it.scored and a is None
    ]


def refusal(numbers: Sequence[int]) -> str:
    which = ", ".join(str(n) for n in numbers)
    noun = "item" if len(numbers) == 1 else "items"
    return f"{noun} {which} unanswered; the manual allows no prorating, so no total"


def band(bands: Sequence[Band], total: int | None) -> str | None:
    if total is None:
        return None
    for b in bands:
        if b.low <= total <= b.high:
            return b.name
    return None


def ints(answers: Sequence[Answer]) -> list[int | None]:
    """The answers of a numeric instrument, typed."""
    return [a if isinstance(a, int) else None for a in answers]


def sum_of(values: Sequence[int | None]) -> int | None:
    """Sum, or None if any value is missing."""
    if any(v is None for v in values):
        return None
    return sum(v for v in values if v is not None)


def scored_total(
    instrument: Instrument, answers: Sequence[Answer]
) -> tuple[int | None, str | None]:
    """Sum of the scored items, or (None, reason) when one is missing."""
    gaps = missing(instrument, answers)
    if gaps:
        return None, refusal(gaps)
    values = [a for it, a in zip(instrument.items, answers, strict=True) if it.scored]
    return sum(v for v in values if isinstance(v, int)), None
