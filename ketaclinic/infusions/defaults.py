"""The threshold rules a clinic starts with (clinical reference §2.3, §2.6, §5.1).

No authoritative pause or stop rule exists for psychiatric ketamine (§2.3: "no authoritative
rule exists"; Yip et al. 2022 [C] finds clinic BP rules often more aggressive than
hypertension guidelines), so each rule below is a per-clinic default with its source; the
clinic edits, retires or adds rules on its settings page. Installed into the clinic's
``ThresholdRule`` rows the first time a reading is charted there (a GET never writes).
"""

from __future__ import annotations

from typing import Any

from django.db import transaction

from ketaclinic.clinics.models import Clinic
from ketaclinic.infusions.models import ThresholdRule

SYMPTOM_CHOICES: list[tuple[str, str]] = [
    ("chest_pain", "Chest pain"),
    ("severe_headache", "Severe headache"),
    ("neuro_signs", "Neurological signs (weakness, speech, vision)"),
    ("breathing_difficulty", "Breathing difficulty"),
]
_END_ORGAN = (
    "Stop for symptoms of end-organ damage whatever the numbers: clinical reference §2.3 design "
    "rule [D], from the hypertensive emergency definition (Marhefka, Consultant 2016) [E]"
)

DEFAULT_RULES: list[dict[str, Any]] = [
    {
        "name": "Systolic 180 mmHg or more",
        "action": "pause",
        "measure": "systolic",
        "comparison": "ge",
        "value": 180,
        "consecutive": 1,
        "source": "Hypertensive crisis ≥ 180/120 mmHg (Marhefka 2016) [E]; resting BP > 180/100 "
        "is the Swiss Ketalar label's contraindication [E] (clinical reference §2.3) — as a "
        "pause rule [C]",
    },
    {
        "name": "Diastolic 120 mmHg or more",
        "action": "pause",
        "measure": "diastolic",
        "comparison": "ge",
        "value": 120,
        "consecutive": 1,
        "source": "Hypertensive crisis ≥ 180/120 mmHg (Marhefka 2016) [E] (clinical reference "
        "§2.3) — as a pause rule [C]",
    },
    {
        "name": "Systolic rise of 40 mmHg over baseline, two readings running",
        "action": "pause",
        "measure": "systolic",
        "comparison": "rise",
        "value": 40,
        "consecutive": 2,
        "source": "SBP +40 mmHg: the Spravato label's 'clinically relevant rise' [E] (a "
        "reporting definition); two consecutive readings: clinical reference §2.3 design [D]",
    },
    {
        "name": "Diastolic rise of 25 mmHg over baseline, two readings running",
        "action": "pause",
        "measure": "diastolic",
        "comparison": "rise",
        "value": 25,
        "consecutive": 2,
        "source": "DBP +25 mmHg: the Spravato label's 'clinically relevant rise' [E] (a "
        "reporting definition); two consecutive readings: clinical reference §2.3 design [D]",
    },
    {
        "name": "SpO2 below 90 %",
        "action": "stop",
        "measure": "spo2",
        "comparison": "le",
        "value": 89,
        "consecutive": 1,
        "source": "Modified Aldrete (1995) scores SpO2 < 90 % as 0 (clinical reference §5.1) "
        "[E]; respiratory depression: stop the infusion, support the airway (Ketalar label, "
        "§4.2) [E]",
    },
    {
        "name": "SpO2 92 % or less",
        "action": "alert",
        "measure": "spo2",
        "comparison": "le",
        "value": 92,
        "consecutive": 1,
        "source": "Modified Aldrete (1995) gives full marks only above 92 % on room air "
        "(clinical reference §5.1) [E] — as an alert [D]",
    },
    {
        "name": "Sedation: MOAA/S 3 or less",
        "action": "alert",
        "measure": "moaas",
        "comparison": "le",
        "value": 3,
        "consecutive": 1,
        "source": "MOAA/S ≤ 3 is the esketamine label's sedation definition (spravatohcp.com; "
        "clinical reference §2.6) [E] — as an alert [D]",
    },
    *[
        {
            "name": f"{label}: stop",
            "action": "stop",
            "measure": "symptom",
            "comparison": "present",
            "value": None,
            "symptom": key,
            "consecutive": 1,
            "source": _END_ORGAN,
        }
        for key, label in SYMPTOM_CHOICES
    ],
]


def ensure_default_rules(clinic: Clinic) -> None:
    """Install :data:`DEFAULT_RULES` for a clinic that has no rules yet (call in a POST's
    transaction; idempotent)."""
    if ThresholdRule.objects.filter(clinic=clinic).exists():
        return  # every reading but a clinic's first: no lock on the charting path
    with transaction.atomic():
        # The clinic row locked, so two first readings at once install the rules once.
        Clinic.objects.select_for_update().filter(pk=clinic.pk).first()
        if ThresholdRule.objects.filter(clinic=clinic).exists():
            return
        ThresholdRule.objects.bulk_create(
            ThresholdRule(clinic=clinic, position=i, **{"symptom": "", **spec})
            for i, spec in enumerate(DEFAULT_RULES)
        )
