"""The built-in protocol library, as data (no Django): what a clinic copies and edits.

Every default names its source in ``shared/reference/clinical.md`` (section numbers below) and
its status tag there ([E] established, [S] single source, [C] contested, [D] design). A clinic
never edits these: it copies one into its own versioned protocol (``treatment.models``).

A protocol is a dict of plain values (it is stored as JSON on each ``ProtocolVersion``):

* ``steps``: the session's pump steps at the protocol's standard dose, each
  ``{"label", "dose_mg_per_kg", "duration_min"}``, run back to back. A plan at another dose of
  the ladder scales every step by ``dose / standard dose`` (the two-step alcohol protocol
  keeps its bolus-to-infusion proportion).
* ``ladder_mg_per_kg``: the doses a plan may use; a step up needs a physician's sign-off and a
  reason (clinical.md 1.2, design note).
* ``series``: induction count and spacing in days; ``maintenance``: schedules, each labelled
  not trial-established (clinical.md 1.5 [C]).
* ``weight_basis`` (actual, ideal, adjusted; 1.3), ``bmi_trigger`` (optional: from this BMI,
  use ``basis``), ``mg_ceiling`` (optional; none published, 1.3 "gap").
* ``products``: what the clinic stocks (1.8). ``kind`` "premixed": a fixed concentration and
  volume; "dose_in_bag": the dose drawn from a vial into a diluent bag, so the total volume is
  the bag plus the drug's volume (the 1.9 worked example: 40 mg + 4 mL into 100 mL = 104 mL).
"""

from __future__ import annotations

import copy
from typing import Any

STANDARD_LADDER = [0.5, 0.6, 0.75, 0.9, 1.0]
LADDER_SOURCE = (
    "clinical.md 1.2: 0.5 -> 0.6 -> 0.75 -> 0.9 mg/kg flexible escalation (Loo et al., Br J "
    "Psychiatry 2023;223:533, subcutaneous [S]) and 1.0 mg/kg (Fava et al., Mol Psychiatry "
    "2018 [E]); every escalation needs prescriber sign-off and a reason (design note, 1.2)."
)
NOT_TRIAL_ESTABLISHED = "not trial-established"

MAINTENANCE = [
    {
        "label": "4 weekly infusions for responders",
        "source": "Phillips et al., Am J Psychiatry 2019 (clinical.md 1.5) [S]",
        "status": NOT_TRIAL_ESTABLISHED,
    },
    {
        "label": "Weekly x 1 month, then every 2 weeks x 2 months, then monthly x 3 months",
        "source": "Canadian ketamine-vs-ECT trial protocol, PMC7265624 (clinical.md 1.5) [S]",
        "status": NOT_TRIAL_ESTABLISHED,
    },
]

PRODUCTS = [
    {
        "key": "bag_1mg_ml",
        "label": "500 mg in 500 mL (1 mg/mL), D5W or normal saline",
        "kind": "premixed",
        "concentration_mg_per_ml": 1.0,
        "volume_ml": 500.0,
        "diluent": "D5W or 0.9% sodium chloride",
        "container": "bag",
        "source": "Ketalar US label / ASHP Handbook on Injectable Drugs (clinical.md 1.8) [E]",
    },
    {
        "key": "bag_2mg_ml",
        "label": "500 mg in 250 mL (2 mg/mL)",
        "kind": "premixed",
        "concentration_mg_per_ml": 2.0,
        "volume_ml": 250.0,
        "diluent": "D5W or 0.9% sodium chloride",
        "container": "bag",
        "source": "Ketalar US label / ASHP Handbook on Injectable Drugs (clinical.md 1.8) [E]",
    },
    {
        "key": "dose_in_100ml",
        "label": "Dose from the 10 mg/mL vial added to a 100 mL saline bag",
        "kind": "dose_in_bag",
        "vial_mg_per_ml": 10.0,
        "volume_ml": 100.0,
        "diluent": "0.9% sodium chloride",
        "container": "bag",
        "source": (
            "Middle East Current Psychiatry 2024, s43045-024-00420-x (clinical.md 1.8) [S]; "
            "10 mg/mL vial, Ketalar US label [E]"
        ),
    },
    {
        "key": "syringe_1mg_ml",
        "label": "Syringe pump at 1 mg/mL (50 mL syringe)",
        "kind": "premixed",
        "concentration_mg_per_ml": 1.0,
        "volume_ml": 50.0,
        "diluent": "0.9% sodium chloride",
        "container": "syringe",
        "source": "clinical.md 1.9 worked example (syringe pump at 1 mg/mL) [D]",
    },
]

DEPRESSION_SERIES = {
    "count": 6,
    "spacing_min_days": 2,
    "spacing_max_days": 4,
    "label": "6 infusions over 2 to 3 weeks, 2 to 3 a week",
    "source": (
        "clinical.md 1.4 [E]: about 6 infusions over 2-3 weeks at 2-3 a week (Murrough 2013 "
        "Biol Psychiatry; twice weekly as effective as thrice weekly, Singh 2016 AJP)"
    ),
}


def _single(dose: float, minutes: float = 40.0) -> list[dict[str, Any]]:
    return [{"label": "infusion", "dose_mg_per_kg": dose, "duration_min": minutes}]


def _protocol(**fields: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "ladder_mg_per_kg": list(STANDARD_LADDER),
        "ladder_source": LADDER_SOURCE,
        "series": dict(DEPRESSION_SERIES),
        "maintenance": copy.deepcopy(MAINTENANCE),
        "weight_basis": "actual",
        "weight_basis_source": (
            "clinical.md 1.3 [E]: the landmark trials dosed on actual body weight (Singh et al., "
            "J Clin Psychiatry 2019)"
        ),
        "bmi_trigger": None,
        "bmi_trigger_source": (
            "clinical.md 1.3 [S]: the 2017 consensus suggested considering ideal body weight, "
            "especially at BMI >= 30 (as summarised by Singh et al. 2019); off unless the "
            "clinic sets it"
        ),
        "mg_ceiling": None,
        "mg_ceiling_source": "clinical.md 1.3: no published mg cap for psychiatric IV ketamine",
        "products": copy.deepcopy(PRODUCTS),
    }
    base.update(fields)
    return base


BUILTIN: dict[str, dict[str, Any]] = {
    "depression": _protocol(
        id="depression",
        title="Depression: 0.5 mg/kg over 40 min, induction of 6",
        indication="Treatment-resistant depression",
        steps=_single(0.5),
        source=(
            "clinical.md 1.1 [E]: 0.5 mg/kg over 40 min (Zarate 2006; Murrough 2013 AJP); "
            "series 1.4 [E]"
        ),
    ),
    "ptsd": _protocol(
        id="ptsd",
        title="PTSD: 0.5 mg/kg over 40 min, 6 infusions thrice weekly over 2 weeks",
        indication="Post-traumatic stress disorder",
        steps=_single(0.5),
        series={
            "count": 6,
            "spacing_min_days": 2,
            "spacing_max_days": 3,
            "label": "6 infusions thrice weekly over 2 weeks",
            "source": "Feder et al., Am J Psychiatry 2021;178:193 (clinical.md 1.6) [E]",
        },
        source=(
            "clinical.md 1.6: Feder 2021 AJP [E]; contested by Abdallah 2022 (no PTSD benefit "
            "in veterans) [C]"
        ),
    ),
    "anxiety": _protocol(
        id="anxiety",
        title="Social anxiety: 0.5 mg/kg over 40 min",
        indication="Refractory anxiety (social anxiety)",
        steps=_single(0.5),
        series={
            "count": 1,
            "spacing_min_days": 7,
            "spacing_max_days": 7,
            "label": "single infusion (the IV study was a crossover)",
            "source": "Taylor et al., Neuropsychopharmacology 2018 (clinical.md 1.6) [S]",
        },
        source=(
            "clinical.md 1.6 [S]: IV 0.5 mg/kg over 40 min (Taylor 2018); the ascending "
            "0.25/0.5/1.0 mg/kg Glue 2017 studies were subcutaneous"
        ),
    ),
    "suicidal_ideation": _protocol(
        id="suicidal_ideation",
        title="Suicidal ideation in depression: single 0.5 mg/kg over 40 min",
        indication="Suicidal ideation in major depression",
        steps=_single(0.5),
        series={
            "count": 1,
            "spacing_min_days": 7,
            "spacing_max_days": 7,
            "label": "single infusion",
            "source": "Grunebaum et al., Am J Psychiatry 2018;175:327 (clinical.md 1.6) [E]",
        },
        source=(
            "clinical.md 1.6 [E]: Grunebaum 2018 (0.5 mg/kg; benzodiazepines withheld 24 h "
            "before); Wilkinson 2018 meta-analysis"
        ),
    ),
    "alcohol_use_disorder": _protocol(
        id="alcohol_use_disorder",
        title="Alcohol use disorder: 0.71 mg/kg over 52 min (bolus 2 min, then 50 min)",
        indication="Alcohol use disorder",
        steps=[
            {"label": "bolus", "dose_mg_per_kg": 0.11, "duration_min": 2.0},
            {"label": "infusion", "dose_mg_per_kg": 0.6, "duration_min": 50.0},
        ],
        ladder_mg_per_kg=[0.71],
        ladder_source="Dakwar et al., Am J Psychiatry 2020;177:125 (clinical.md 1.6) [S]",
        series={
            "count": 1,
            "spacing_min_days": 7,
            "spacing_max_days": 21,
            "label": "single infusion, 24 h or more after the last drink",
            "source": "Dakwar et al., Am J Psychiatry 2020;177:125 (clinical.md 1.6) [S]",
        },
        maintenance=[],
        source=(
            "clinical.md 1.6 [S]: Dakwar 2020, 0.11 mg/kg over 2 min then 0.6 mg/kg over 50 "
            "min, with motivational enhancement; worked example 1.9"
        ),
    ),
}


def builtin(protocol_id: str) -> dict[str, Any]:
    """A deep copy of one built-in protocol; KeyError when there is none of that id."""
    return copy.deepcopy(BUILTIN[protocol_id])


def standard_dose_mg_per_kg(protocol: dict[str, Any]) -> float:
    """The protocol's total dose at its standard steps (0.71 for the alcohol protocol)."""
    return round(sum(float(s["dose_mg_per_kg"]) for s in protocol["steps"]), 6)


def infusion_minutes(protocol: dict[str, Any]) -> float:
    return sum(float(s["duration_min"]) for s in protocol["steps"])


def product(protocol: dict[str, Any], key: str | None) -> dict[str, Any]:
    """The stocked product ``key``, or the first one; KeyError when ``key`` is not stocked."""
    products = protocol["products"]
    if key is None:
        return dict(products[0])
    for p in products:
        if p["key"] == key:
            return dict(p)
    raise KeyError(key)
