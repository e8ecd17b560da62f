"""Outcome instruments as versioned data, with exact scoring (pure Python; imports no Django).

Modules: ``model`` (Instrument, Item, AnswerOption, Band, Score), ``scales`` (validation,
missing items, bands), ``settings`` (contested cut-offs and bands with their sources, the
C-SSRS triage table), the instruments by domain (``depression``: PHQ-9, QIDS-SR16, MADRS;
``anxiety_trauma``: GAD-7, PCL-5; ``suicide``: C-SSRS screener; ``session_scales``: CADSS,
CADSS-6, BPRS+, MOAA/S, after-effects; ``addiction``: AUDIT, AUDIT-C, DUDIT, PACS),
``registry`` (``INSTRUMENTS``, ``score``), ``outcomes`` (response and remission rules),
``cli`` (``ketaclinic instruments``), ``errors``.

Every scoring rule, cut-off and band comes from ``shared/reference/clinical.md`` section 6 and
names its source in its docstring. No manual in that reference allows prorating, so a missing
scored item refuses the total (``Score.refused`` says why); safety flags are still set from
the items that were answered.
"""

from .errors import InstrumentInputError
from .model import Answer, AnswerOption, Band, Instrument, Item, Score
from .outcomes import REMISSION_RULES, RESPONSE_RULES, RemissionRule, ResponseRule
from .registry import INSTRUMENTS, get, parse_answers, score
from .settings import DEFAULT_SETTINGS, CssrsTriage, ScoringSettings

__all__ = [
    "DEFAULT_SETTINGS",
    "INSTRUMENTS",
    "REMISSION_RULES",
    "RESPONSE_RULES",
    "Answer",
    "AnswerOption",
    "Band",
    "CssrsTriage",
    "Instrument",
    "InstrumentInputError",
    "Item",
    "RemissionRule",
    "ResponseRule",
    "Score",
    "ScoringSettings",
    "get",
    "parse_answers",
    "score",
]
