"""AUDIT, AUDIT-C, DUDIT and the Penn Alcohol Craving Scale (clinical.md 6.9)."""

from __future__ import annotations

from .model import Answer, Band, Instrument, Item, Score, Sex
from .scales import band, label_items, local_code, numeric_options, plain_scale, scored_total
from .settings import ScoringSettings

_NEVER_TO_DAILY = ("Never", "Less than monthly", "Monthly", "Weekly", "Daily or almost daily")
_INJURY = numeric_options(
    ("No", "Yes, but not in the last year", "Yes, during the last year"), values=(0, 2, 4)
)
# AUDIT, WHO manual (Babor et al. 2001): items 1-8 scored 0-4; items 9-10 scored 0, 2, 4.
_AUDIT_ITEMS = (
    (
        Item(
            1,
            local_code("audit", 1),
            "frequency of drinking",
            numeric_options(
                (
                    "Never",
                    "Monthly or less",
                    "2 to 4 times a month",
                    "2 to 3 times a week",
                    "4 or more times a week",
                )
            ),
            text="How often do you have a drink containing alcohol?",
        ),
        Item(
            2,
            local_code("audit", 2),
            "drinks on a typical day",
            numeric_options(("1 or 2", "3 or 4", "5 or 6", "7, 8, or 9", "10 or more")),
            text="How many drinks containing alcohol do you have on a typical day when you are "
            "drinking?",
        ),
        Item(
            3,
            local_code("audit", 3),
            "frequency of heavy drinking",
            numeric_options(_NEVER_TO_DAILY),
            text="How often do you have six or more drinks on one occasion?",
        ),
    )
    + tuple(
        Item(n, local_code("audit", n), label, numeric_options(_NEVER_TO_DAILY), text=text)
        for n, label, text in (
            (
                4,
                "unable to stop",
                "How often during the last year have you found that you were not able to stop "
                "drinking once you had started?",
            ),
            (
                5,
                "failed expectations",
                "How often during the last year have you failed to do what was normally expected "
                "from you because of drinking?",
            ),
            (
                6,
                "morning drinking",
                "How often during the last year have you needed a first drink in the morning "
                "to get yourself going after a heavy drinking session?",
            ),
            (
                7,
                "guilt or remorse",
                "How often during the last year have you had a feeling of guilt or remorse after "
                "drinking?",
            ),
            (
                8,
                "blackouts",
                "How often during the last year have you been unable to remember what happened the "
                "night before because you had been drinking?",
            ),
        )
    )
    + (
        Item(
            9,
            local_code("audit", 9),
            "injury",
            _INJURY,
            text="Have you or someone else been injured as a result of your drinking?",
        ),
        Item(
            10,
            local_code("audit", 10),
            "others concerned",
            _INJURY,
            text="Has a relative or friend or a doctor or another health worker been concerned "
            "about your drinking or suggested you cut down?",
        ),
    )
)
_WHO_LICENCE = (
    "World Health Organization: free to use and reproduce (AUDIT manual, Babor et al. 2001). "
    "Wording reproduced from the WHO form (a 'drink' is a standard drink as defined locally). "
    "LOINC not found in this project's reference (local codes; look up before export)."
)


def _score_audit(
    inst: Instrument, answers: tuple[Answer, ...], settings: ScoringSettings, sex: Sex | None
) -> Score:
    """AUDIT (WHO 2001): total 0-40; WHO risk zones I-IV as severity; ``hazardous-drinking``
    at total >= ``settings.audit_cutoff`` (default 8; >= 7 for women or older adults in some
    services, [C]). Subscore ``audit-c``: items 1-3."""
    total, refused = scored_total(inst, answers)
    first3 = answers[:3]
    audit_c = None if None in first3 else sum(a for a in first3 if isinstance(a, int))
    flags = ("hazardous-drinking",) if total is not None and total >= settings.audit_cutoff else ()
    return Score(
        inst.id,
        total,
        band(inst.bands, total),
        subscores={"audit-c": audit_c},
        flags=flags,
        refused=refused,
    )


AUDIT = Instrument(
    id="audit",
    name="Alcohol Use Disorders Identification Test (AUDIT)",
    version="1",
    citation="Babor TF et al. AUDIT: guidelines for use in primary care, 2nd ed. WHO 2001; "
    "Saunders JB et al. Addiction 1993",
    rater="self",
    recall_period="items 4-10: during the last year",
    instructions=None,
    items=_AUDIT_ITEMS,
    panel_code="ketaclinic-audit",
    total_code="ketaclinic-audit-total",
    wording="published",
    licence=_WHO_LICENCE,
    total_range=(0, 40),
    # WHO zones; the action of each: I alcohol education, II simple advice, III simple advice
    # + brief counselling + continued monitoring, IV referral to a specialist.
    bands=(
        Band(0, 7, "zone i"),
        Band(8, 15, "zone ii"),
        Band(16, 19, "zone iii"),
        Band(20, 40, "zone iv"),
    ),
    scorer=_score_audit,
)


def sex_specific_flag(
    total: int, cutoffs: dict[str, int], flag: str, sex: Sex | None
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """``(flags, notes)`` for a cut-off that differs by sex.

    Without ``sex`` the flag is still decided when both cut-offs agree; otherwise a note says
    which way each sex would go.
    """
    if sex is not None:
        return ((flag,) if total >= cutoffs[sex] else ()), ()
    if all(total >= c for c in cutoffs.values()):
        return (flag,), ()
    if all(total < c for c in cutoffs.values()):
        return (), ()
    rule = ", ".join(f"{s} >= {c}" for s, c in sorted(cutoffs.items()))
    return (), (f"{flag} depends on sex ({rule}): give the sex to decide",)


#: AUDIT-C positive screen: >= 4 men, >= 3 women (Bush 1998; Bradley 2003; clinical.md 6.9).
AUDIT_C_CUTOFFS = {"male": 4, "female": 3}


def _score_audit_c(
    inst: Instrument, answers: tuple[Answer, ...], settings: ScoringSettings, sex: Sex | None
) -> Score:
    """AUDIT-C: AUDIT items 1-3, total 0-12; ``positive-screen`` by sex-specific cut-off."""
    total, refused = scored_total(inst, answers)
    flags: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    if total is not None:
        flags, notes = sex_specific_flag(total, AUDIT_C_CUTOFFS, "positive-screen", sex)
    return Score(inst.id, total, flags=flags, refused=refused, notes=notes)


AUDIT_C = Instrument(
    id="audit-c",
    name="AUDIT-C (AUDIT consumption items 1-3)",
    version="1",
    citation="Bush K et al. Arch Intern Med 1998;158:1789; Bradley KA et al. Arch Intern Med "
    "2003;163:821",
    rater="self",
    recall_period=None,
    instructions=None,
    items=tuple(
        Item(it.number, local_code("audit-c", it.number), it.label, it.options, text=it.text)
        for it in _AUDIT_ITEMS[:3]
    ),
    panel_code="ketaclinic-audit-c",
    total_code="ketaclinic-audit-c-total",
    wording="published",
    licence=_WHO_LICENCE,
    total_range=(0, 12),
    scorer=_score_audit_c,
)

#: DUDIT cut-offs (Berman et al. 2005; clinical.md 6.9).
DUDIT_PROBLEM_CUTOFFS = {"male": 6, "female": 2}
DUDIT_DEPENDENCE_CUTOFF = 25
_DUDIT_0_4 = plain_scale(0, 4)
_DUDIT_0_2_4 = numeric_options(("0", "2", "4"), values=(0, 2, 4))


def _score_dudit(
    inst: Instrument, answers: tuple[Answer, ...], settings: ScoringSettings, sex: Sex | None
) -> Score:
    """DUDIT: items 1-9 0-4, items 10-11 0/2/4, total 0-44; ``drug-related-problems`` at
    >= 6 (men) / >= 2 (women); ``probable-dependence`` at >= 25 (sens 90%, spec 88%)."""
    total, refused = scored_total(inst, answers)
    flags: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    if total is not None:
        flags, notes = sex_specific_flag(total, DUDIT_PROBLEM_CUTOFFS, "drug-related-problems", sex)
        if total >= DUDIT_DEPENDENCE_CUTOFF:
            flags += ("probable-dependence",)
    return Score(inst.id, total, flags=flags, refused=refused, notes=notes)


_DUDIT_LABELS = (
    "frequency of drug use",
    "more than one drug on one occasion",
    "times a day when using",
    "heavily influenced",
    "longing too strong to resist",
    "unable to stop once started",
    "neglected duties",
    "needed a drug the morning after",
    "guilt or bad conscience",
    "someone hurt",
    "others worried",
)
DUDIT = Instrument(
    id="dudit",
    name="Drug Use Disorders Identification Test (DUDIT)",
    version="1",
    citation="Berman AH et al. Eur Addict Res 2005;11:22",
    rater="self",
    recall_period=None,
    instructions=None,
    items=tuple(
        Item(n, local_code("dudit", n), lab, _DUDIT_0_2_4 if n >= 10 else _DUDIT_0_4)
        for n, lab in enumerate(_DUDIT_LABELS, start=1)
    ),
    panel_code="ketaclinic-dudit",
    total_code="ketaclinic-dudit-total",
    wording="labels",
    licence="Free to use (Berman et al.). The published wording is not in this project's "
    "reference: short labels only; add it from the published form before patients "
    "self-report. LOINC not found (local codes).",
    total_range=(0, 44),
    scorer=_score_dudit,
)


def _score_pacs(
    inst: Instrument, answers: tuple[Answer, ...], settings: ScoringSettings, sex: Sex | None
) -> Score:
    """PACS (Flannery 1999): 5 items 0-6, total 0-30; ``craving`` at total >=
    ``settings.pacs_cutoff`` (default 21, i.e. > 20; alternative >= 15; both [S])."""
    total, refused = scored_total(inst, answers)
    flags = ("craving",) if total is not None and total >= settings.pacs_cutoff else ()
    return Score(inst.id, total, flags=flags, refused=refused)


PACS = Instrument(
    id="pacs",
    name="Penn Alcohol Craving Scale (PACS)",
    version="1",
    citation="Flannery BA et al. Alcohol Clin Exp Res 1999;23:1289; cut-offs Hartwell EE et "
    "al. Addict Behav Rep 2019;10:100198",
    rater="self",
    recall_period="past week",
    instructions=None,
    items=label_items(
        "pacs",
        ("frequency", "intensity", "duration", "ability to resist", "overall craving"),
        plain_scale(0, 6),
    ),
    panel_code="ketaclinic-pacs",
    total_code="ketaclinic-pacs-total",
    wording="labels",
    licence="Licence terms not given in this project's reference; item and anchor wording not "
    "reproduced (labels only). PhenX notes the wording can be adapted to other substances. "
    "LOINC not found.",
    total_range=(0, 30),
    scorer=_score_pacs,
)
