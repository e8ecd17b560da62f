"""Words in an inquiry that mean a person may be at risk of harming themselves.

This is a safety net, not a risk assessment. It matches a short list of phrases in the free
text a visitor types, so that (1) the visitor is shown crisis resources at once and
prominently, and (2) the inquiry is flagged urgent for the coordinators and the staff email
says URGENT. It will miss people who put things differently and it will flag some who do not
need it (e.g. "my brother overdosed"); a flag is a prompt for a prompt human reply, never a
judgement about the person. Absence of a flag means nothing.

Matching is case-insensitive on substrings after folding typographic apostrophes and spaces,
so "Suicidal", "suicide" and "I don’t want to live" are all found. Edit ``CRISIS_PHRASES``
to extend the list; keep entries lower-case.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

CRISIS_PHRASES: tuple[str, ...] = (
    "suicid",  # suicide, suicidal
    "kill myself",
    "killing myself",
    "end my life",
    "ending my life",
    "take my own life",
    "take my life",
    "end it all",
    "self-harm",
    "self harm",
    "selfharm",
    "harm myself",
    "harming myself",
    "hurt myself",
    "hurting myself",
    "cut myself",
    "cutting myself",
    "don't want to live",
    "dont want to live",
    "do not want to live",
    "don't want to be alive",
    "want to die",
    "better off dead",
    "no reason to live",
    "overdose",
)

_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'", "`": "'"})


def _fold(text: str) -> str:
    return re.sub(r"\s+", " ", text.translate(_APOSTROPHES).lower())


def crisis_phrases_in(texts: Iterable[str]) -> list[str]:
    """The phrases from ``CRISIS_PHRASES`` found in any of ``texts``, in list order."""
    folded = " \n ".join(_fold(t) for t in texts if t)
    return [phrase for phrase in CRISIS_PHRASES if phrase in folded]
