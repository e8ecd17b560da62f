"""Recovery scores: modified Aldrete (1995) and PADSS (Chung 1995). Pure: imports no Django.

The vitals-derived items (Aldrete circulation and SpO2, PADSS vital signs) are computed here
from the baseline reading and a recovery reading; the observation items (activity,
respiration, consciousness, mental status and gait, pain and nausea, bleeding, intake and
output) are what the nurse saw, passed in as item scores or facts.

Sources (clinical reference ``shared/reference/clinical.md``):

* §5.1 Modified Aldrete, Aldrete J Clin Anesth 1995 [E]: activity, respiration, circulation,
  consciousness, SpO2; each 0-2; total 0-10.
* §5.2 PADSS, Chung J Clin Anesth 1995 [E]: vital signs, activity/mental status, pain with
  nausea/vomiting (one item), surgical bleeding, intake and output; each 0-2; total 0-10.
  The variant implemented is Chung's original five items (the table of §5.2). The "modified
  PADSS" (pain and nausea/vomiting as separate items, intake/output dropped) [S] is not.
  Surgical bleeding is 2 by default for a non-surgical infusion (§5.2 [D]).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

#: Aldrete circulation compares blood pressure with the pre-procedure value in mmHg
#: (±20 / ±50 mmHg, the 1995 table as the reference gives it) or, as some versions do, in
#: percent (±20 % / ±50 %, the original 1970 form) (§5.1 [E]). Default: mmHg.
BpVariant = Literal["mmhg", "percent"]
BP_VARIANTS: tuple[BpVariant, ...] = ("mmhg", "percent")

ALDRETE_ITEMS = ("activity", "respiration", "circulation", "consciousness", "spo2")
PADSS_ITEMS = ("vital_signs", "activity_mental", "pain_nausea", "bleeding", "intake_output")


@dataclass(frozen=True)
class Vitals:
    """The numbers a score reads from one reading.

    Parameters
    ----------
    systolic_mmhg : int
        Systolic blood pressure, mmHg.
    heart_rate_bpm : int
        Pulse, beats per minute.
    spo2_percent : int
        Pulse oximetry, percent.
    on_oxygen : bool
        Supplemental oxygen at the time of the reading.
    """

    systolic_mmhg: int
    heart_rate_bpm: int
    spo2_percent: int
    on_oxygen: bool = False


@dataclass(frozen=True)
class ScoreResult:
    items: dict[str, int]
    total: int
    notes: dict[str, str] = field(default_factory=dict)


def _check_item(name: str, value: int) -> int:
    if value not in (0, 1, 2):
        raise ValueError(f"{name} must be 0, 1 or 2 (got {value!r}).")
    return value


def aldrete_circulation(
    baseline_systolic_mmhg: int, systolic_mmhg: int, *, variant: BpVariant = "mmhg"
) -> int:
    """Aldrete circulation item: systolic pressure against the pre-procedure value (§5.1 [E]).

    ``variant="mmhg"``: within ±20 mmHg 2; ±21-50 mmHg 1; more than ±50 mmHg 0.
    ``variant="percent"``: within ±20 % 2; over 20 % up to 50 % 1; over 50 % 0.
    Systolic pressure is used (the sources say "BP"; which pressure is our choice [D]).
    """
    diff = abs(systolic_mmhg - baseline_systolic_mmhg)
    if variant == "mmhg":
        if diff <= 20:
            return 2
        return 1 if diff <= 50 else 0
    if variant == "percent":
        if baseline_systolic_mmhg <= 0:
            raise ValueError("A baseline systolic pressure above 0 mmHg is needed.")
        pct = diff * 100 / baseline_systolic_mmhg
        if pct <= 20:
            return 2
        return 1 if pct <= 50 else 0
    raise ValueError(f"Unknown blood-pressure variant {variant!r}.")


def aldrete_spo2(spo2_percent: int, *, on_oxygen: bool) -> int:
    """Aldrete SpO2 item (1995, §5.1 [E]): > 92 % on room air 2; needs oxygen to keep
    > 90 % 1; < 90 % even with oxygen 0.

    Read as: room air and > 92 % is 2; otherwise 90 % or more is 1 (on oxygen, or on room air
    at 90-92 %, which would need oxygen); under 90 % is 0. Exactly 90 % is not "< 90 %", so it
    scores 1 (the table leaves 90 itself between its bands; our reading [D]).
    """
    if spo2_percent > 92 and not on_oxygen:
        return 2
    return 1 if spo2_percent >= 90 else 0


def aldrete(
    baseline: Vitals,
    recovery: Vitals,
    *,
    activity: int,
    respiration: int,
    consciousness: int,
    variant: BpVariant = "mmhg",
) -> ScoreResult:
    """Modified Aldrete (1995) total 0-10 (§5.1 [E]).

    Parameters
    ----------
    baseline, recovery : Vitals
        The pre-procedure reading and the recovery reading scored.
    activity : int
        2 moves 4 extremities, 1 moves 2, 0 moves none (voluntarily or on command).
    respiration : int
        2 breathes deeply and coughs freely, 1 dyspnoea or limited breathing, 0 apnoeic.
    consciousness : int
        2 fully awake, 1 arousable on calling, 0 not responding.
    variant : {"mmhg", "percent"}
        How circulation compares blood pressure (see :func:`aldrete_circulation`).
    """
    items = {
        "activity": _check_item("activity", activity),
        "respiration": _check_item("respiration", respiration),
        "circulation": aldrete_circulation(
            baseline.systolic_mmhg, recovery.systolic_mmhg, variant=variant
        ),
        "consciousness": _check_item("consciousness", consciousness),
        "spo2": aldrete_spo2(recovery.spo2_percent, on_oxygen=recovery.on_oxygen),
    }
    notes = {
        "circulation": (
            f"systolic {recovery.systolic_mmhg} vs {baseline.systolic_mmhg} mmHg before "
            f"({'±20/50 mmHg' if variant == 'mmhg' else '±20/50 %'})"
        ),
        "spo2": f"{recovery.spo2_percent} % {'on oxygen' if recovery.on_oxygen else 'room air'}",
    }
    return ScoreResult(items, sum(items.values()), notes)


def percent_change(baseline: int, value: int) -> float:
    """``|value - baseline|`` as a percentage of ``baseline``."""
    if baseline <= 0:
        raise ValueError("A baseline above 0 is needed.")
    return abs(value - baseline) * 100 / baseline


def padss_vital_signs(baseline: Vitals, recovery: Vitals) -> int:
    """PADSS vital signs (§5.2 [E]): blood pressure and pulse within 20 % of pre-op 2;
    20-40 % 1; over 40 % 0. The worse of systolic pressure and pulse decides (both must be
    within a band for it)."""
    worst = max(
        percent_change(baseline.systolic_mmhg, recovery.systolic_mmhg),
        percent_change(baseline.heart_rate_bpm, recovery.heart_rate_bpm),
    )
    if worst <= 20:
        return 2
    return 1 if worst <= 40 else 0


def padss_activity_mental(*, oriented: bool, steady_gait: bool) -> int:
    """Oriented ×3 and steady gait 2; one of them 1; neither 0 (§5.2 [E])."""
    return int(oriented) + int(steady_gait)


def padss_intake_output(*, took_fluids: bool, voided: bool) -> int:
    """Took fluids and voided 2; one of them 1; neither 0 (§5.2 [E])."""
    return int(took_fluids) + int(voided)


def padss(
    baseline: Vitals,
    recovery: Vitals,
    *,
    oriented: bool,
    steady_gait: bool,
    pain_nausea: int,
    took_fluids: bool,
    voided: bool,
    bleeding: int = 2,
) -> ScoreResult:
    """PADSS (Chung 1995, original five items) total 0-10 (§5.2 [E]).

    Parameters
    ----------
    pain_nausea : int
        Pain, nausea and/or vomiting: 2 minimal, 1 moderate, 0 severe.
    bleeding : int
        Surgical bleeding: 2 minimal (the default for a non-surgical infusion, §5.2 [D]),
        1 moderate, 0 severe.
    """
    items = {
        "vital_signs": padss_vital_signs(baseline, recovery),
        "activity_mental": padss_activity_mental(oriented=oriented, steady_gait=steady_gait),
        "pain_nausea": _check_item("pain_nausea", pain_nausea),
        "bleeding": _check_item("bleeding", bleeding),
        "intake_output": padss_intake_output(took_fluids=took_fluids, voided=voided),
    }
    notes = {
        "vital_signs": (
            f"systolic {recovery.systolic_mmhg} vs {baseline.systolic_mmhg} mmHg, pulse "
            f"{recovery.heart_rate_bpm} vs {baseline.heart_rate_bpm} bpm"
        ),
    }
    return ScoreResult(items, sum(items.values()), notes)
