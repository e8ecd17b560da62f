"""C-SSRS screener: skip logic and triage level (clinical.md 6.4)."""

from __future__ import annotations

from .errors import InstrumentInputError
from .model import Answer, AnswerOption, Instrument, Item, Score, Sex
from .scales import local_code
from .settings import RISK_ORDER, RiskLevel, ScoringSettings

YES_NO = (AnswerOption("yes", "Yes"), AnswerOption("no", "No"))
BEHAVIOUR = (
    AnswerOption("yes-recent", "Yes, within the past 3 months"),
    AnswerOption("yes-past", "Yes, but more than 3 months ago"),
    AnswerOption("no", "No"),
)

# Question content as paraphrased in clinical.md 6.4 (labels, not the published wording).
_QUESTIONS = (
    "wished you were dead or could go to sleep and not wake up",
    "actual thoughts of killing yourself",
    "thinking about how you might do this (method)",
    "these thoughts with some intention of acting on them",
    "started to work out or worked out the details (plan), and intend to carry it out",
    "ever done, started to do or prepared to do anything to end your life; "
    "if yes, within the past 3 months",
)
#: Questions asked only when question 2 is yes ("if No, skip to question 6").
ASKED_IF_Q2_YES = (3, 4, 5)
#: Levels at which ``suicide-risk`` is flagged (issue 9, clinical.md 6.4 design note).
FLAGGED_LEVELS: tuple[RiskLevel, ...] = ("moderate", "high")


def _level_of(number: int, answer: str, settings: ScoringSettings) -> RiskLevel:
    t = settings.cssrs_triage
    if answer == "no":
        return "none"
    if number == 6:
        return t.q6_recent if answer == "yes-recent" else t.q6_past
    return {1: t.q1, 2: t.q2, 3: t.q3, 4: t.q4, 5: t.q5}[number]


def _score_cssrs(
    inst: Instrument, answers: tuple[Answer, ...], settings: ScoringSettings, sex: Sex | None
) -> Score:
    """Screener: Q1, Q2 and Q6 always asked; Q3-5 only if Q2 is yes (else left empty).

    The risk level is the highest level any yes answer reaches under
    ``settings.cssrs_triage``. With a question unanswered the level is only known when it is
    already ``high`` (nothing can raise it further); otherwise it is None with a reason. No
    total: the screener has none.
    """
    q2 = answers[1]
    if q2 == "no":
        for n in ASKED_IF_Q2_YES:
            if answers[n - 1] is not None:
                raise InstrumentInputError(
                    f"item {n}", "not asked when question 2 is no: leave it empty"
                )
    unanswered = [n for n in (1, 2, 6) if answers[n - 1] is None]
    if q2 != "no":
        unanswered += [n for n in ASKED_IF_Q2_YES if answers[n - 1] is None]
    level: RiskLevel = "none"
    for n, a in enumerate(answers, start=1):
        if isinstance(a, str):
            found = _level_of(n, a, settings)
            if RISK_ORDER.index(found) > RISK_ORDER.index(level):
                level = found
    refused = None
    result: RiskLevel | None = level
    if unanswered and level != "high":
        result = None
        which = ", ".join(str(n) for n in sorted(unanswered))
        refused = f"question(s) {which} unanswered: the risk level is undetermined"
    flags = ("suicide-risk",) if result in FLAGGED_LEVELS else ()
    return Score(inst.id, None, None, flags=flags, risk_level=result, refused=refused)


CSSRS_SCREENER = Instrument(
    id="cssrs-screener",
    name="Columbia-Suicide Severity Rating Scale, screener (C-SSRS)",
    version="1",
    citation="Posner K et al. Am J Psychiatry 2011;168:1266; triage: cssrs.columbia.edu",
    rater="clinician",
    recall_period="past month (question 6: lifetime, and within the past 3 months)",
    instructions=None,
    items=tuple(
        Item(n, local_code("cssrs-screener", n), label, BEHAVIOUR if n == 6 else YES_NO)
        for n, label in enumerate(_QUESTIONS, start=1)
    ),
    panel_code="ketaclinic-cssrs-screener",
    total_code="ketaclinic-cssrs-screener-risk",
    wording="labels",
    licence="No-cost; embedding in EHR/software permitted subject to Columbia's terms "
    "(cssrs.columbia.edu; clinical.md 6.4 [S]: check the terms). The published question "
    "wording is not reproduced until those terms are confirmed: labels paraphrase the "
    "reference. LOINC not found (local codes).",
    total_range=None,
    scorer=_score_cssrs,
)
