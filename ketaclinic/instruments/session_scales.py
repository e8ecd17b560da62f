"""Scales used during and after an infusion: CADSS, CADSS-6, BPRS positive subscale,
MOAA/S and the post-infusion after-effects checklist (clinical.md 2.6, 4.1, 6.7, 6.8)."""

from __future__ import annotations

from .model import Answer, AnswerOption, Instrument, Item, Score, Sex
from .scales import ints, label_items, local_code, numeric_options, plain_scale, scored_total
from .settings import ScoringSettings

#: CADSS-6 short form: these items of the 23-item CADSS (Rodrigues/McIntyre et al. 2021,
#: clinical.md 6.7 [S]).
CADSS6_ITEMS = (1, 2, 6, 7, 15, 22)
_CADSS_OPTIONS = plain_scale(0, 4)
_CADSS_LICENCE = (
    "Licence-restricted (Bremner et al.; use by permission of the authors): item wording not "
    "reproduced, item numbers only (the reference gives no item content). LOINC not found."
)


def _score_cadss(
    inst: Instrument, answers: tuple[Answer, ...], settings: ScoringSettings, sex: Sex | None
) -> Score:
    """CADSS as used in ketamine/esketamine trials: 23 subjective items 0-4, total 0-92
    (Bremner 1998; clinical.md 6.7). Subscore ``cadss6``: the sum of the CADSS-6 items."""
    total, refused = scored_total(inst, answers)
    values = ints(answers)
    six = [values[n - 1] for n in CADSS6_ITEMS]
    cadss6 = None if None in six else sum(v for v in six if v is not None)
    return Score(inst.id, total, subscores={"cadss6": cadss6}, refused=refused)


CADSS = Instrument(
    id="cadss",
    name="Clinician-Administered Dissociative States Scale (CADSS), 23 subjective items",
    version="1",
    citation="Bremner JD et al. J Trauma Stress 1998;11:125",
    rater="clinician",
    recall_period="the present state, at the rating time",
    instructions=None,
    items=tuple(
        Item(n, local_code("cadss", n), f"CADSS item {n}", _CADSS_OPTIONS) for n in range(1, 24)
    ),
    panel_code="ketaclinic-cadss",
    total_code="ketaclinic-cadss-total",
    wording="labels",
    licence=_CADSS_LICENCE,
    total_range=(0, 92),
    scorer=_score_cadss,
)


def _score_additive(
    inst: Instrument, answers: tuple[Answer, ...], settings: ScoringSettings, sex: Sex | None
) -> Score:
    total, refused = scored_total(inst, answers)
    return Score(inst.id, total, refused=refused)


CADSS6 = Instrument(
    id="cadss6",
    name="CADSS-6 short form",
    version="1",
    citation="Rodrigues NB, McIntyre RS et al. J Affect Disord 2021",
    rater="clinician",
    recall_period="the present state, at the rating time",
    instructions=None,
    items=tuple(
        Item(n, local_code("cadss", n), f"CADSS item {n}", _CADSS_OPTIONS) for n in CADSS6_ITEMS
    ),
    panel_code="ketaclinic-cadss6",
    total_code="ketaclinic-cadss6-total",
    wording="labels",
    licence=_CADSS_LICENCE + " Answers in CADSS item order 1, 2, 6, 7, 15, 22.",
    total_range=(0, 24),
    scorer=_score_additive,
)

BPRS_POSITIVE = Instrument(
    id="bprs-positive",
    name="BPRS positive-symptom subscale (BPRS+)",
    version="1",
    citation="Overall JE, Gorham DR. Psychol Rep 1962;10:799; subscale as in ketamine trials "
    "(e.g. NCT04226963 protocol)",
    rater="clinician",
    recall_period=None,
    instructions=None,
    items=label_items(
        "bprs-positive",
        (
            "conceptual disorganisation",
            "suspiciousness",
            "hallucinatory behaviour",
            "unusual thought content",
        ),
        plain_scale(1, 7),
    ),
    panel_code="ketaclinic-bprs-positive",
    total_code="ketaclinic-bprs-positive-total",
    wording="labels",
    licence="Licence-restricted: anchor wording not reproduced (labels only). Scored 1-7 per "
    "item as originally published (total 4-28); trials that score 0-6 (total 0-24, [S]) "
    "report this total minus 4. LOINC not found.",
    total_range=(4, 28),
    scorer=_score_additive,
)

#: MOAA/S at or below which ``sedated`` is flagged: sedation as defined in the esketamine
#: trials (MOAA/S <= 3; clinical.md 2.6, Spravato HCP safety page).
MOAAS_SEDATION_AT_OR_BELOW = 3


def _score_moaas(
    inst: Instrument, answers: tuple[Answer, ...], settings: ScoringSettings, sex: Sex | None
) -> Score:
    """MOAA/S: one observation 0-5 (5 = responds readily); the score is the total."""
    total, refused = scored_total(inst, answers)
    flags = ("sedated",) if total is not None and total <= MOAAS_SEDATION_AT_OR_BELOW else ()
    return Score(inst.id, total, flags=flags, refused=refused)


MOAAS = Instrument(
    id="moaas",
    name="Modified Observer's Assessment of Alertness/Sedation (MOAA/S)",
    version="1",
    citation="As used in esketamine trials (clinical.md 2.6; Spravato HCP safety page)",
    rater="observer",
    recall_period="at the observation",
    instructions=None,
    items=(
        Item(
            1,
            local_code("moaas", 1),
            "responsiveness",
            numeric_options(
                (
                    "Responds readily to name spoken in normal tone",
                    "Lethargic response to name in normal tone",
                    "Responds only after name is called loudly and/or repeatedly",
                    "Responds only after mild prodding or shaking",
                    "Responds only after painful trapezius squeeze",
                    "No response after painful trapezius squeeze",
                ),
                values=(5, 4, 3, 2, 1, 0),
            ),
        ),
    ),
    panel_code="ketaclinic-moaas",
    total_code="ketaclinic-moaas-score",
    wording="published",
    licence="Published observer scale; response descriptors as in clinical.md 2.6. LOINC not "
    "found.",
    total_range=(0, 5),
    scorer=_score_moaas,
)

#: The symptoms the clinic page tells patients to expect for a few hours (issue 9; common
#: after-effects in clinical.md 4.1). A local instrument [D]: no published scoring.
AFTER_EFFECT_SYMPTOMS = (
    "floaty or unreal",
    "tired",
    "nausea or vomiting",
    "headache",
    "dizziness",
    "anxiety",
    "other",
)
_SEVERITY = (
    AnswerOption(0, "None"),
    AnswerOption(1, "Mild"),
    AnswerOption(2, "Moderate"),
    AnswerOption(3, "Severe"),
)


def _score_after_effects(
    inst: Instrument, answers: tuple[Answer, ...], settings: ScoringSettings, sex: Sex | None
) -> Score:
    """No total (a checklist, not a scale); each symptom's severity 0-3 as a subscore."""
    values = ints(answers)
    return Score(inst.id, None, subscores=dict(zip(AFTER_EFFECT_SYMPTOMS, values, strict=True)))


AFTER_EFFECTS = Instrument(
    id="after-effects",
    name="Post-infusion after-effects checklist",
    version="1",
    citation="ketaclinic local instrument (symptoms from clinical.md 4.1; design [D])",
    rater="self",
    recall_period="since the infusion",
    instructions="Since your infusion, how much have you had each of these?",
    items=tuple(
        Item(
            n,
            local_code("after-effects", n),
            name,
            _SEVERITY,
            text="Other (please describe)" if name == "other" else name.capitalize(),
        )
        for n, name in enumerate(AFTER_EFFECT_SYMPTOMS, start=1)
    ),
    panel_code="ketaclinic-after-effects",
    total_code="ketaclinic-after-effects-none",
    wording="published",
    licence="Local instrument of this project (AGPL-3.0-or-later with the code).",
    total_range=None,
    scorer=_score_after_effects,
)
