"""Threshold rules over charted vital signs (pure: imports no Django).

No authoritative pause or stop rule exists for psychiatric ketamine (clinical reference §2.3:
"Thresholds to pause or stop — no authoritative rule exists"), so the rules are the clinic's
data (``infusions.models.ThresholdRule``, defaults in ``infusions.defaults``). §2.3's design
pattern is what this module evaluates: ``pause_if SBP ≥ X or DBP ≥ Y or rise ≥ Z% over
baseline for ≥ 2 consecutive readings`` and ``stop_if`` end-organ symptoms whatever the
numbers [D].

Comparisons (``ThresholdRule.comparison``):

``ge``        the measure is at least ``value``;
``le``        the measure is at most ``value``;
``rise``      the measure minus the baseline's is at least ``value``, in the measure's units
              (mmHg for blood pressure: §2.3's "SBP +40 and/or DBP +25 mmHg" reporting
              definition of the Spravato label [E]);
``rise_pct``  the rise over the baseline is at least ``value`` per cent of the baseline;
``present``   the rule's ``symptom`` is among the reading's reported symptoms.

``consecutive`` N means the newest N readings all meet the comparison; with fewer than N
readings the rule does not fire. A measure missing on a reading (an optional MOAA/S or
temperature not entered, §2.6) does not meet the comparison, and neither does a rise when there
is no baseline reading to rise from.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

#: Measure key (``ThresholdRule.measure``) -> the :class:`ReadingValues` attribute it reads.
MEASURE_FIELDS: dict[str, str] = {
    "systolic": "systolic_mmhg",
    "diastolic": "diastolic_mmhg",
    "heart_rate": "heart_rate_bpm",
    "spo2": "spo2_percent",
    "resp_rate": "resp_rate_per_min",
    "temperature": "temperature_c",
    "moaas": "moaas",
    "dissociation": "dissociation",
}
COMPARISONS = frozenset({"ge", "le", "rise", "rise_pct", "present"})


@dataclass(frozen=True)
class RuleSpec:
    """One rule as the evaluator needs it.

    Parameters
    ----------
    id : int
        The rule's identity, returned when it fires.
    measure : str
        A key of :data:`MEASURE_FIELDS`, or ``"symptom"``.
    comparison : str
        One of :data:`COMPARISONS`.
    value : float or None
        The threshold in the measure's units (mmHg, bpm, %, /min, °C, MOAA/S points,
        CADSS-6 points), or per cent for ``rise_pct``; None for ``present``.
    symptom : str
        The symptom key for ``present``.
    consecutive : int
        How many newest readings in a row must meet it (≥ 1).
    """

    id: int
    measure: str
    comparison: str
    value: float | None = None
    symptom: str = ""
    consecutive: int = 1


@dataclass(frozen=True)
class ReadingValues:
    """One reading's values in their units; None where not entered.

    Parameters
    ----------
    systolic_mmhg, diastolic_mmhg : float or None
        Blood pressure, mmHg.
    heart_rate_bpm : float or None
        Beats per minute.
    spo2_percent : float or None
        Peripheral oxygen saturation, %.
    resp_rate_per_min : float or None
        Breaths per minute.
    temperature_c : float or None
        °C.
    moaas : float or None
        MOAA/S, 0 (no response) to 5 (responds readily) (§2.6).
    dissociation : float or None
        CADSS-6 total, 0-24 (§6.7).
    symptoms : frozenset of str
        Symptom keys reported at the reading.
    """

    systolic_mmhg: float | None = None
    diastolic_mmhg: float | None = None
    heart_rate_bpm: float | None = None
    spo2_percent: float | None = None
    resp_rate_per_min: float | None = None
    temperature_c: float | None = None
    moaas: float | None = None
    dissociation: float | None = None
    symptoms: frozenset[str] = field(default_factory=frozenset)

    def measure(self, key: str) -> float | None:
        """The value of measure ``key`` (a :data:`MEASURE_FIELDS` key), or None."""
        value: float | None = getattr(self, MEASURE_FIELDS[key])
        return value


def meets(rule: RuleSpec, reading: ReadingValues, baseline: ReadingValues | None) -> bool:
    """Whether one reading meets the rule's comparison (``consecutive`` aside).

    Parameters
    ----------
    rule : RuleSpec
    reading : ReadingValues
    baseline : ReadingValues or None
        The session's baseline reading, for ``rise`` and ``rise_pct``.
    """
    if rule.comparison == "present":
        return bool(rule.symptom) and rule.symptom in reading.symptoms
    if rule.measure not in MEASURE_FIELDS or rule.value is None:
        return False
    now = reading.measure(rule.measure)
    if now is None:
        return False
    if rule.comparison == "ge":
        return now >= rule.value
    if rule.comparison == "le":
        return now <= rule.value
    base = baseline.measure(rule.measure) if baseline is not None else None
    if base is None:
        return False
    if rule.comparison == "rise":
        return now - base >= rule.value
    if rule.comparison == "rise_pct":
        # Multiplied out, so 20 % over 120 is exactly 144 (no division's rounding).
        return base > 0 and (now - base) * 100 >= rule.value * base
    return False


def evaluate(
    rules: Sequence[RuleSpec],
    baseline: ReadingValues | None,
    readings: Sequence[ReadingValues],
) -> list[int]:
    """The ids of the rules that fire on the NEWEST reading.

    Parameters
    ----------
    rules : sequence of RuleSpec
        The clinic's active rules.
    baseline : ReadingValues or None
        The session's baseline (pre-infusion) reading; None when there is none.
    readings : sequence of ReadingValues
        The session's readings (struck ones left out) in clinical time order, oldest first;
        the last one is the reading being evaluated.

    Returns
    -------
    list of int
        The firing rules' ids, in the order of ``rules``.
    """
    if not readings:
        return []
    fired = []
    for rule in rules:
        n = max(1, rule.consecutive)
        if len(readings) < n:
            continue
        if all(meets(rule, r, baseline) for r in readings[-n:]):
            fired.append(rule.id)
    return fired
