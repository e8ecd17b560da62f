"""The rescue formulary a clinic starts with (clinical reference §4.2, label doses), each drug
with its source text, and the read helpers of a clinic's formulary.

No source gives a "rescue drug list" with doses for psychiatric ketamine clinics (§4.2 gap),
so every limit below is a label dose carried over as a per-clinic default; the clinic edits,
retires or adds drugs on its settings page. Installed into the clinic's ``FormularyDrug``
rows by :func:`ensure_default_formulary`, called inside a POST's transaction (the first rescue
dose given, or the first change on the settings page); a GET never writes, and until then
:func:`formulary_for` shows the defaults unsaved.

The benzodiazepines (midazolam, diazepam, lorazepam) are DEA Schedule IV (§8.1) [E]:
``schedule="IV"``, so a dose given must also be on the controlled-substance ledger: in a
clinic that keeps its ledger in the app, the ledger's sign blocker refuses the session note
until the session's ledger shows that drug drawn and administered.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction

from ketaclinic.clinics.models import Clinic
from ketaclinic.infusions.dosecheck import DrugLimits
from ketaclinic.infusions.models import FormularyDrug

SCHEDULE_IV_SOURCE = "Rescue benzodiazepines are DEA Schedule IV (clinical reference §8.1) [E]."

DEFAULT_FORMULARY: list[dict[str, Any]] = [
    {
        "key": "ondansetron",
        "name": "Ondansetron",
        "route": "IV",
        "indication": "Nausea or vomiting",
        "usual_dose_mg": 4.0,
        "max_single_dose_mg": 4.0,
        "repeat_needs_override": True,
        "schedule": "",
        "cautions": "Give undiluted over at least 30 s, preferably 2 to 5 min. QT caution: "
        "congenital long QT, electrolyte abnormalities.",
        "source": "Ondansetron 4 mg IV undiluted over ≥30 s (preferably 2–5 min), the PONV label "
        "dose (ondansetron injection label, cancertherapyadvisor summary) [E]; ACEP 2011: "
        "slightly reduces vomiting (NNT ≥9); QT caution (clinical reference §4.2). Maximum single "
        "dose 4 mg; a repeat only on a physician's reason [D].",
        "is_active": True,
    },
    {
        "key": "midazolam",
        "name": "Midazolam",
        "route": "IV",
        "indication": "Recovery agitation; distressing dissociation or anxiety (only if needed)",
        "usual_mg_per_kg": 0.03,
        "max_single_dose_mg": 2.5,
        "min_interval_min": 2,
        "reduced_from_age": 60,
        "reduced_max_single_dose_mg": None,
        "schedule": "IV",
        "cautions": "Give slowly over at least 2 min; wait at least 2 min to judge the effect "
        "before another step. Lower doses at 60 years or over, when debilitated, or with other "
        "CNS depressants or opioids. May blunt the antidepressant response [C].",
        "source": "Recovery agitation: midazolam 0.03 mg/kg IV (ACEP clinical policy 2011; Sener "
        "et al., Ann Emerg Med 2011) [E] (ED sedation). Titration: no more than 2.5 mg initially "
        "over ≥2 min in a healthy adult under 60, small steps, wait ≥2 min (midazolam injection "
        "US label via secondary summary) [S]; lower at ≥60 y, debilitated or with other CNS "
        "depressants, with no number given, so from 60 years every dose needs a physician's "
        "reason (clinical reference §4.2). " + SCHEDULE_IV_SOURCE,
        "is_active": True,
    },
    {
        "key": "labetalol",
        "name": "Labetalol",
        "route": "IV",
        "indication": "Hypertension needing treatment",
        "usual_dose_mg": 20.0,
        "max_single_dose_mg": 80.0,
        "max_total_mg": 300.0,
        "min_interval_min": 10,
        "schedule": "",
        "cautions": "Patient supine. BP at 5 and 10 min after each dose. Contraindicated in "
        "asthma, bradycardia, heart block and overt heart failure.",
        "source": "Labetalol IV: 20 mg slow IV over 2 min, then 40–80 mg every 10 min as needed, "
        "maximum 300 mg total; BP at 5 and 10 min after each dose; supine; contraindicated in "
        "asthma, bradycardia, heart block, overt heart failure (labetalol injection label, "
        "skyscape / Wheeless summaries; clinical reference §4.2) [E].",
        "is_active": True,
    },
    {
        "key": "diazepam",
        "name": "Diazepam",
        "route": "IV",
        "indication": "Emergence reaction",
        "schedule": "IV",
        "cautions": "The reference gives no dose: every dose needs a physician's reason.",
        "source": "Emergence reactions: IV diazepam with a lower ketamine dose reduces their "
        "incidence (Ketalar US label, clinical reference §4.2) [E]. The label statement gives no "
        "dose, so no limit is set and every dose needs a physician's reason. " + SCHEDULE_IV_SOURCE,
        "is_active": True,
    },
    {
        "key": "lorazepam",
        "name": "Lorazepam",
        "route": "IV",
        "indication": "Anxiety (not offered: no dose in the reference)",
        "schedule": "IV",
        "cautions": "Inactive: the clinical reference found no lorazepam dose used in psychiatric "
        "ketamine protocols. A physician may set limits and make it active.",
        "source": "Gap: the lorazepam dose used in ketamine psychiatric protocols was not found "
        "(clinical reference §4.2, gaps), so it is kept inactive with no limits. "
        + SCHEDULE_IV_SOURCE,
        "is_active": False,
    },
]

#: The drug first offered for an adverse event of each kind (§4.2's management table).
EVENT_DRUG: dict[str, str] = {
    "nausea": "ondansetron",
    "hypertension": "labetalol",
    "emergence": "diazepam",
    "dissociation": "midazolam",
}

LIMIT_FIELDS = (
    "usual_dose_mg",
    "usual_mg_per_kg",
    "max_single_dose_mg",
    "max_mg_per_kg",
    "max_total_mg",
    "min_interval_min",
    "reduced_from_age",
    "reduced_max_single_dose_mg",
    "repeat_needs_override",
)


def default_drugs(clinic: Clinic) -> list[FormularyDrug]:
    """The defaults as unsaved rows of ``clinic``."""
    return [FormularyDrug(clinic=clinic, **spec) for spec in DEFAULT_FORMULARY]


def is_installed(clinic: Clinic) -> bool:
    return FormularyDrug.objects.filter(clinic=clinic).exists()


def ensure_default_formulary(clinic: Clinic) -> bool:
    """Install :data:`DEFAULT_FORMULARY` for a clinic that has no drugs yet (call inside a
    POST's transaction; idempotent). True when it installed them."""
    with transaction.atomic():
        if FormularyDrug.objects.select_for_update().filter(clinic=clinic).exists():
            return False
        FormularyDrug.objects.bulk_create(default_drugs(clinic))
        return True


def formulary_for(clinic: Clinic, *, active_only: bool = False) -> list[FormularyDrug]:
    """The clinic's drugs (by name), or the defaults unsaved when none are installed."""
    rows = list(FormularyDrug.objects.filter(clinic=clinic))
    if not rows:
        rows = sorted(default_drugs(clinic), key=lambda d: d.name)
    return [d for d in rows if d.is_active or not active_only]


def drug_for(clinic: Clinic, key: str) -> FormularyDrug | None:
    """One drug by key: the clinic's row, or the unsaved default before installation."""
    for drug in formulary_for(clinic):
        if drug.key == key:
            return drug
    return None


def limits_of(drug: FormularyDrug) -> DrugLimits:
    """The pure checker's view of a formulary row."""
    return DrugLimits(
        name=drug.name,
        usual_dose_mg=drug.usual_dose_mg,
        usual_mg_per_kg=drug.usual_mg_per_kg,
        max_single_dose_mg=drug.max_single_dose_mg,
        max_mg_per_kg=drug.max_mg_per_kg,
        max_total_mg=drug.max_total_mg,
        min_interval_min=drug.min_interval_min,
        reduced_from_age=drug.reduced_from_age,
        reduced_max_single_dose_mg=drug.reduced_max_single_dose_mg,
        repeat_needs_override=drug.repeat_needs_override,
    )
