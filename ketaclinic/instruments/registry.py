"""All instruments by id, and :func:`score`."""

from __future__ import annotations

from collections.abc import Sequence

from .addiction import AUDIT, AUDIT_C, DUDIT, PACS
from .anxiety_trauma import GAD7, PCL5
from .depression import MADRS, PHQ9, QIDS_SR16
from .errors import InstrumentInputError
from .model import Answer, Instrument, Score, Sex
from .scales import parse_answer, validate
from .session_scales import AFTER_EFFECTS, BPRS_POSITIVE, CADSS, CADSS6, MOAAS
from .settings import DEFAULT_SETTINGS, ScoringSettings
from .suicide import CSSRS_SCREENER

INSTRUMENTS: dict[str, Instrument] = {
    i.id: i
    for i in (
        PHQ9,
        GAD7,
        PCL5,
        CSSRS_SCREENER,
        QIDS_SR16,
        MADRS,
        CADSS,
        CADSS6,
        BPRS_POSITIVE,
        AUDIT,
        AUDIT_C,
        DUDIT,
        PACS,
        MOAAS,
        AFTER_EFFECTS,
    )
}
SEXES: tuple[Sex, ...] = ("female", "male")


def get(instrument_id: str) -> Instrument:
    """The instrument with this id.

    Raises
    ------
    InstrumentInputError
        Naming ``instrument`` when the id is unknown.
    """
    try:
        return INSTRUMENTS[instrument_id]
    except KeyError:
        known = ", ".join(INSTRUMENTS)
        raise InstrumentInputError(
            "instrument", f"unknown id {instrument_id!r} (one of {known})"
        ) from None


def score(
    instrument_id: str,
    answers: Sequence[Answer],
    *,
    sex: Sex | None = None,
    settings: ScoringSettings = DEFAULT_SETTINGS,
) -> Score:
    """Score one set of answers.

    Parameters
    ----------
    instrument_id : str
        One of :data:`INSTRUMENTS`.
    answers : sequence
        In item order, each the value of a published answer option (int, or the C-SSRS
        strings ``yes``/``no`` and ``yes-recent``/``yes-past``/``no``); None for an
        unanswered item or one the skip logic leaves unasked. The PHQ-9 takes 9 or 10 (the
        10th, unscored, is the difficulty question).
    sex : {"female", "male"}, optional
        For the sex-specific cut-offs of AUDIT-C and DUDIT; without it a flag is set only
        where both cut-offs agree.
    settings : ScoringSettings
        The clinic's choices for contested values (defaults and sources in ``settings``).

    Returns
    -------
    Score

    Raises
    ------
    InstrumentInputError
        Unknown id, wrong answer count, an answer outside the item's options, or an answer to
        a question the skip logic leaves unasked; the item is named.
    """
    instrument = get(instrument_id)
    if sex is not None and sex not in SEXES:
        raise InstrumentInputError("sex", f"{sex!r} is not one of female, male")
    checked = validate(instrument, answers)
    return instrument.scorer(instrument, checked, settings, sex)


def parse_answers(instrument_id: str, texts: Sequence[str]) -> tuple[Answer, ...]:
    """Command-line answers (strings; empty = unanswered) as typed values, item by item.

    Extra answers are kept (as strings) so that :func:`score` reports the count.
    """
    instrument = get(instrument_id)
    out: list[Answer] = []
    for i, text in enumerate(texts):
        if i < len(instrument.items):
            out.append(parse_answer(instrument.items[i], text))
        else:
            out.append(text.strip() or None)
    return tuple(out)
