"""PHQ-9, QIDS-SR16 and MADRS (clinical.md 6.1, 6.5, 6.6, 6.11)."""

from __future__ import annotations

from .model import Answer, Band, Instrument, Item, Score, Sex
from .scales import band, ints, label_items, numeric_options, plain_scale, scored_total
from .settings import MADRS_BANDS_SNAITH_1986, ScoringSettings

PHQ_LICENCE = (
    "Developed by Drs. Robert L. Spitzer, Janet B.W. Williams, Kurt Kroenke and colleagues, "
    "with an educational grant from Pfizer Inc. No permission required to reproduce, "
    "translate, display or distribute (phqscreeners.com). Wording reproduced."
)

#: The PHQ frequency scale with its LOINC answer codes (clinical.md 6.11).
FREQUENCY = numeric_options(
    ("Not at all", "Several days", "More than half the days", "Nearly every day"),
    loinc=("LA6568-5", "LA6569-3", "LA6570-1", "LA6571-9"),
)

# (LOINC, short label from clinical.md 6.1, published wording), in published order.
_PHQ9_ITEMS = (
    ("44250-9", "little interest or pleasure", "Little interest or pleasure in doing things"),
    ("44255-8", "feeling down, depressed, hopeless", "Feeling down, depressed, or hopeless"),
    (
        "44259-0",
        "sleep problems",
        "Trouble falling or staying asleep, or sleeping too much",
    ),
    ("44254-1", "tired or little energy", "Feeling tired or having little energy"),
    ("44251-7", "appetite", "Poor appetite or overeating"),
    (
        "44258-2",
        "feeling bad about yourself",
        "Feeling bad about yourself \u2014 or that you are a failure or have let yourself or "
        "your family down",
    ),
    (
        "44252-5",
        "trouble concentrating",
        "Trouble concentrating on things, such as reading the newspaper or watching television",
    ),
    (
        "44253-3",
        "moving or speaking slowly, or fidgety/restless",
        "Moving or speaking so slowly that other people could have noticed? Or the opposite "
        "\u2014 being so fidgety or restless that you have been moving around a lot more than "
        "usual",
    ),
    (
        "44260-8",
        "thoughts better off dead or of hurting yourself",
        "Thoughts that you would be better off dead or of hurting yourself in some way",
    ),
)

PHQ9_DIFFICULTY = Item(
    10,
    "69722-7",
    "difficulty at work, home or with people (not scored)",
    numeric_options(
        ("Not difficult at all", "Somewhat difficult", "Very difficult", "Extremely difficult")
    ),
    text="If you checked off any problems, how difficult have these problems made it for you "
    "to do your work, take care of things at home, or get along with other people?",
    scored=False,
    optional=True,
)

PHQ9_BANDS = (
    Band(0, 4, "none/minimal"),
    Band(5, 9, "mild"),
    Band(10, 14, "moderate"),
    Band(15, 19, "moderately severe"),
    Band(20, 27, "severe"),
)
#: Screening cut-off, total >= 10 (Kroenke 2001: sensitivity 88%, specificity 88%).
PHQ9_SCREEN_CUTOFF = 10


def _score_phq9(
    inst: Instrument, answers: tuple[Answer, ...], settings: ScoringSettings, sex: Sex | None
) -> Score:
    """PHQ-9: sum of items 1-9 (0-27); item 10 is not scored (Kroenke 2001).

    Flags: ``suicidal-ideation`` for any item 9 answer >= 1 (clinical.md 6.1, [E]), set even
    when the total is refused; ``positive-screen`` for a total >= 10.
    """
    total, refused = scored_total(inst, answers)
    flags = []
    item9 = answers[8]
    if isinstance(item9, int) and item9 >= 1:
        flags.append("suicidal-ideation")
    if total is not None and total >= PHQ9_SCREEN_CUTOFF:
        flags.append("positive-screen")
    return Score(inst.id, total, band(inst.bands, total), flags=tuple(flags), refused=refused)


PHQ9 = Instrument(
    id="phq9",
    name="Patient Health Questionnaire-9 (PHQ-9)",
    version="1",
    citation="Kroenke K, Spitzer RL, Williams JBW. J Gen Intern Med 2001;16:606",
    rater="self",
    recall_period="over the last 2 weeks",
    instructions="Over the last 2 weeks, how often have you been bothered by any of the "
    "following problems?",
    items=tuple(
        Item(n, code, label, FREQUENCY, text=text)
        for n, (code, label, text) in enumerate(_PHQ9_ITEMS, start=1)
    )
    + (PHQ9_DIFFICULTY,),
    panel_code="44249-1",
    total_code="44261-6",
    wording="published",
    licence=PHQ_LICENCE,
    total_range=(0, 27),
    bands=PHQ9_BANDS,
    scorer=_score_phq9,
)

# QIDS-SR16 item map, clinical.md 6.6.
_QIDS_LABELS = (
    "falling asleep",
    "sleep during the night",
    "waking up too early",
    "sleeping too much",
    "feeling sad",
    "decreased appetite",
    "increased appetite",
    "decreased weight (within the last two weeks)",
    "increased weight (within the last two weeks)",
    "concentration/decision making",
    "view of myself",
    "thoughts of death or suicide",
    "general interest",
    "energy level",
    "feeling slowed down",
    "feeling restless",
)
#: The nine DSM symptom domains and their items; a domain scores its highest item.
QIDS_DOMAINS: tuple[tuple[str, tuple[int, ...]], ...] = (
    ("sleep", (1, 2, 3, 4)),
    ("sad mood", (5,)),
    ("appetite/weight", (6, 7, 8, 9)),
    ("concentration", (10,)),
    ("view of self", (11,)),
    ("thoughts of death or suicide", (12,)),
    ("interest", (13,)),
    ("energy", (14,)),
    ("psychomotor", (15, 16)),
)


def _score_qids(
    inst: Instrument, answers: tuple[Answer, ...], settings: ScoringSettings, sex: Sex | None
) -> Score:
    """QIDS-SR16 (Rush 2003; ids-qids.org): the sum over the nine domains of each domain's
    highest item: max(1-4) + 5 + max(6-9) + 10 + 11 + 12 + 13 + 14 + max(15-16), 0-27.

    A domain with a missing item is None (its maximum is unknown) and the total is refused.
    """
    values = ints(answers)
    subscores: dict[str, int | None] = {}
    for name, numbers in QIDS_DOMAINS:
        domain = [values[n - 1] for n in numbers]
        subscores[name] = None if None in domain else max(v for v in domain if v is not None)
    total, refused = scored_total(inst, answers)
    if total is not None:
        total = sum(v for v in subscores.values() if v is not None)
    return Score(inst.id, total, band(inst.bands, total), subscores=subscores, refused=refused)


QIDS_SR16 = Instrument(
    id="qids-sr16",
    name="Quick Inventory of Depressive Symptomatology, Self-Report (QIDS-SR16)",
    version="1",
    citation="Rush AJ et al. Biol Psychiatry 2003;54:573; scoring: ids-qids.org",
    rater="self",
    recall_period="past 7 days",
    instructions=None,
    items=label_items("qids-sr16", _QIDS_LABELS, plain_scale(0, 3)),
    panel_code="ketaclinic-qids-sr16",
    total_code="ketaclinic-qids-sr16-total",
    wording="labels",
    licence="Free to use (ids-qids.org). Item and answer wording (each item has its own four "
    "statements) is not in this project's reference: short labels only; add the published "
    "statements from ids-qids.org before patients self-report. LOINC not found (local codes).",
    total_range=(0, 27),
    bands=(
        Band(0, 5, "none"),
        Band(6, 10, "mild"),
        Band(11, 15, "moderate"),
        Band(16, 20, "severe"),
        Band(21, 27, "very severe"),
    ),
    scorer=_score_qids,
)

_MADRS_LABELS = (
    "apparent sadness",
    "reported sadness",
    "inner tension",
    "reduced sleep",
    "reduced appetite",
    "concentration difficulties",
    "lassitude",
    "inability to feel",
    "pessimistic thoughts",
    "suicidal thoughts",
)


def _score_madrs(
    inst: Instrument, answers: tuple[Answer, ...], settings: ScoringSettings, sex: Sex | None
) -> Score:
    """MADRS (Montgomery & Åsberg 1979): sum of 10 items 0-6, 0-60. Bands from
    ``settings.madrs_bands`` (default Snaith 1986; the split at 31 is contested)."""
    total, refused = scored_total(inst, answers)
    return Score(inst.id, total, band(settings.madrs_bands, total), refused=refused)


MADRS = Instrument(
    id="madrs",
    name="Montgomery-Åsberg Depression Rating Scale (MADRS)",
    version="1",
    citation="Montgomery SA, Åsberg M. Br J Psychiatry 1979;134:382; bands Snaith et al. 1986",
    rater="clinician",
    recall_period=None,
    instructions=None,
    items=label_items("madrs", _MADRS_LABELS, plain_scale(0, 6)),
    panel_code="ketaclinic-madrs",
    total_code="ketaclinic-madrs-total",
    wording="labels",
    licence="Copyrighted: item descriptions and anchor wording not reproduced (short labels "
    "only; even scores 0, 2, 4, 6 are anchored in the published scale). A validated 24-hour "
    "recall version (MADRS-24h) exists for rapid-acting treatment [S]. LOINC not found.",
    total_range=(0, 60),
    bands=MADRS_BANDS_SNAITH_1986,  # the default; the scorer uses settings.madrs_bands
    scorer=_score_madrs,
)
