"""GAD-7 and PCL-5 (clinical.md 6.2, 6.3, 6.11)."""

from __future__ import annotations

from .depression import FREQUENCY, PHQ_LICENCE
from .model import Answer, AnswerOption, Band, Instrument, Item, Score, Sex
from .scales import band, ints, local_code, numeric_options, scored_total, sum_of
from .settings import ScoringSettings

# (LOINC, short label from clinical.md 6.2, published wording), in published order. Items 6
# and 7 are "easily annoyed or irritable" then "afraid as if something awful might happen"
# (a public codebase swapped them; tests/instruments checks the order against the reference).
_GAD7_ITEMS = (
    ("69725-0", "nervous, anxious or on edge", "Feeling nervous, anxious, or on edge"),
    (
        "68509-9",
        "not able to stop or control worrying",
        "Not being able to stop or control worrying",
    ),
    ("69733-4", "worrying too much", "Worrying too much about different things"),
    ("69734-2", "trouble relaxing", "Trouble relaxing"),
    ("69735-9", "restless", "Being so restless that it is hard to sit still"),
    ("69689-8", "easily annoyed or irritable", "Becoming easily annoyed or irritable"),
    (
        "69736-7",
        "afraid something awful might happen",
        "Feeling afraid as if something awful might happen",
    ),
)
#: The PHQ frequency scale (clinical.md 6.2: "same 0-3 response scale as PHQ-9"). The
#: reference gives LOINC answer codes for the PHQ-9 only, so none are attached here.
GAD7_FREQUENCY = tuple(AnswerOption(o.value, o.label) for o in FREQUENCY)
#: Screening cut-off, total >= 10 (Spitzer 2006: sensitivity 89%, specificity 82% for GAD).
GAD7_SCREEN_CUTOFF = 10


def _score_gad7(
    inst: Instrument, answers: tuple[Answer, ...], settings: ScoringSettings, sex: Sex | None
) -> Score:
    """GAD-7 (Spitzer 2006): sum of 7 items 0-3, 0-21; ``positive-screen`` at >= 10."""
    total, refused = scored_total(inst, answers)
    flags = ("positive-screen",) if total is not None and total >= GAD7_SCREEN_CUTOFF else ()
    return Score(inst.id, total, band(inst.bands, total), flags=flags, refused=refused)


GAD7 = Instrument(
    id="gad7",
    name="Generalized Anxiety Disorder-7 (GAD-7)",
    version="1",
    citation="Spitzer RL et al. Arch Intern Med 2006;166:1092",
    rater="self",
    recall_period="over the last 2 weeks",
    instructions="Over the last 2 weeks, how often have you been bothered by the following "
    "problems?",
    items=tuple(
        Item(n, code, label, GAD7_FREQUENCY, text=text)
        for n, (code, label, text) in enumerate(_GAD7_ITEMS, start=1)
    ),
    panel_code="69737-5",
    total_code="70274-6",
    wording="published",
    licence=PHQ_LICENCE,
    total_range=(0, 21),
    bands=(
        Band(0, 4, "minimal"),
        Band(5, 9, "mild"),
        Band(10, 14, "moderate"),
        Band(15, 21, "severe"),
    ),
    scorer=_score_gad7,
)

_PCL5_ITEMS = (
    (
        "intrusive memories",
        "Repeated, disturbing, and unwanted memories of the stressful experience?",
    ),
    ("disturbing dreams", "Repeated, disturbing dreams of the stressful experience?"),
    (
        "reliving",
        "Suddenly feeling or acting as if the stressful experience were actually happening again "
        "(as if you were actually back there reliving it)?",
    ),
    (
        "upset at reminders",
        "Feeling very upset when something reminded you of the stressful experience?",
    ),
    (
        "physical reactions to reminders",
        "Having strong physical reactions when something reminded you of the stressful experience "
        "(for example, heart pounding, trouble breathing, sweating)?",
    ),
    (
        "avoiding memories, thoughts, feelings",
        "Avoiding memories, thoughts, or feelings related to the stressful experience?",
    ),
    (
        "avoiding external reminders",
        "Avoiding external reminders of the stressful experience (for example, people, places, "
        "conversations, activities, objects, or situations)?",
    ),
    (
        "trouble remembering",
        "Trouble remembering important parts of the stressful experience?",
    ),
    (
        "negative beliefs",
        "Having strong negative beliefs about yourself, other people, or the world (for example, "
        "having thoughts such as: I am bad, there is something seriously wrong with me, no one "
        "can be trusted, the world is completely dangerous)?",
    ),
    (
        "blame",
        "Blaming yourself or someone else for the stressful experience or what happened after it?",
    ),
    (
        "negative feelings",
        "Having strong negative feelings such as fear, horror, anger, guilt, or shame?",
    ),
    ("loss of interest", "Loss of interest in activities that you used to enjoy?"),
    ("feeling distant", "Feeling distant or cut off from other people?"),
    (
        "trouble with positive feelings",
        "Trouble experiencing positive feelings (for example, being unable to feel happiness or "
        "have loving feelings for people close to you)?",
    ),
    ("irritable or aggressive", "Irritable behavior, angry outbursts, or acting aggressively?"),
    ("risk taking", "Taking too many risks or doing things that could cause you harm?"),
    ("superalert", "Being \u201csuperalert\u201d or watchful or on guard?"),
    ("jumpy", "Feeling jumpy or easily startled?"),
    ("difficulty concentrating", "Having difficulty concentrating?"),
    ("sleep", "Trouble falling or staying asleep?"),
)
#: DSM-5 clusters (item numbers) and the endorsed items each needs for a provisional
#: diagnosis: an item rated >= 2 is endorsed; >= 1 B, >= 1 C, >= 2 D, >= 2 E (clinical.md 6.3).
PCL5_CLUSTERS: tuple[tuple[str, range, int], ...] = (
    ("B", range(1, 6), 1),
    ("C", range(6, 8), 1),
    ("D", range(8, 15), 2),
    ("E", range(15, 21), 2),
)
PCL5_ENDORSED_AT = 2


def pcl5_provisional_diagnosis(values: list[int | None]) -> bool | None:
    """The DSM-5 symptom-count rule on items 1-20 (None = unanswered).

    True as soon as the answered items meet it (a missing item cannot undo that); False when
    it is not met even if every missing item were endorsed; None when the missing items
    decide it.
    """
    met = True
    possible = True
    for _, numbers, needed in PCL5_CLUSTERS:
        vals = [values[n - 1] for n in numbers]
        endorsed = sum(1 for v in vals if v is not None and v >= PCL5_ENDORSED_AT)
        unknown = sum(1 for v in vals if v is None)
        met = met and endorsed >= needed
        possible = possible and endorsed + unknown >= needed
    if met:
        return True
    return None if possible else False


def _score_pcl5(
    inst: Instrument, answers: tuple[Answer, ...], settings: ScoringSettings, sex: Sex | None
) -> Score:
    """PCL-5 (Weathers 2013; Blevins 2015): total 0-80 = sum of 20 items 0-4; cluster scores
    B (1-5), C (6-7), D (8-14), E (15-20) = item sums; provisional diagnosis by the DSM-5
    symptom-count rule; ``probable-ptsd`` at total >= ``settings.pcl5_cutoff`` (default 33,
    NCPTSD 31-33). No severity bands: those in circulation are not the authors' ([S])."""
    values = ints(answers)
    subscores = {
        name: sum_of([values[n - 1] for n in numbers]) for name, numbers, _ in PCL5_CLUSTERS
    }
    total, refused = scored_total(inst, answers)
    flags = ("probable-ptsd",) if total is not None and total >= settings.pcl5_cutoff else ()
    return Score(
        inst.id,
        total,
        None,
        subscores=subscores,
        flags=flags,
        provisional_diagnosis=pcl5_provisional_diagnosis(values),
        refused=refused,
    )


_PCL5_OPTIONS = numeric_options(
    ("Not at all", "A little bit", "Moderately", "Quite a bit", "Extremely")
)

PCL5 = Instrument(
    id="pcl5",
    name="PTSD Checklist for DSM-5 (PCL-5)",
    version="1",
    citation="Weathers FW et al. National Center for PTSD 2013; Blevins CA et al. J Trauma "
    "Stress 2015;28:489",
    rater="self",
    recall_period="in the past month",
    instructions="Below is a list of problems that people sometimes have in response to a very "
    "stressful experience. Please read each problem carefully and then indicate how much you "
    "have been bothered by that problem in the past month. In the past month, how much were "
    "you bothered by:",
    items=tuple(
        Item(n, local_code("pcl5", n), label, _PCL5_OPTIONS, text=text)
        for n, (label, text) in enumerate(_PCL5_ITEMS, start=1)
    ),
    panel_code="ketaclinic-pcl5",
    total_code="ketaclinic-pcl5-total",
    wording="published",
    licence="Public domain (U.S. Department of Veterans Affairs, National Center for PTSD; "
    "ptsd.va.gov). Wording reproduced; 'circle one of the numbers' reads 'indicate' on screen. "
    "LOINC not found in this project's reference (local codes; look up before export).",
    total_range=(0, 80),
    scorer=_score_pcl5,
)
