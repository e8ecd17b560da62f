"""Per-patient outcomes over questionnaire responses: baseline, latest, change, response,
remission, time to response, lost response, and the day-after change of each infusion.

The rules themselves (a response is a >= 50% fall from baseline, PCL-5 a >= 10-point fall;
remission per instrument, MADRS and PCL-5 remission contested) come from
``ketaclinic.instruments.outcomes`` (clinical.md 6.10), with the clinic's choice of the
contested ones from ``measurement.outcome_settings``. The definitions this module adds:

* **Series**: a patient's responses to one instrument that are not struck through and have a
  total (a refused total cannot be compared), oldest first (``administered_at``, then id).
* **Baseline**: the first response of the series. Once infusions are recorded, the last
  response administered before the first infusion started, if there is one (the patient's
  state before treatment); otherwise still the first response.
* **Latest**: the last response of the series. Change = latest - baseline; percent change =
  change / baseline x 100 (undefined for a zero baseline).
* **Response / remission status**: of the latest response (a response needs a later response
  than the baseline: the baseline is never its own response).
* **Time to first response**: calendar days (clinic time) from the baseline to the first later
  response that meets the response rule.
* **Lost response**: there has been a response after the baseline, and the latest response no
  longer meets the rule. *Since*: the first response after the last one that met it (the
  point from which the rule has failed without a break).
* **Day-after change** of an infusion: the last response at or before the infusion's start
  compared with the first response administered on the next calendar day (clinic time);
  none when either is missing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ketaclinic.instruments import INSTRUMENTS, Instrument, RemissionRule, ResponseRule
from ketaclinic.instruments.outcomes import percent_change

if TYPE_CHECKING:
    from ketaclinic.measurement.outcome_settings import Rules
    from ketaclinic.patients.models import Patient


@dataclass(frozen=True)
class Point:
    """One scored response: when, its total, and the response row's id."""

    at: dt.datetime
    total: int
    response_id: int | None = None


@dataclass(frozen=True)
class Infusion:
    """An infusion as outcomes need it: when it started and the dose given (mg)."""

    started_at: dt.datetime
    dose_mg: float | None = None


@dataclass(frozen=True)
class DayAfterChange:
    infusion: Infusion
    before: Point | None
    after: Point | None

    @property
    def change(self) -> int | None:
        if self.before is None or self.after is None:
            return None
        return self.after.total - self.before.total


@dataclass(frozen=True)
class Outcome:
    """What the summary table shows for one instrument (see the module docstring)."""

    instrument: Instrument
    points: tuple[Point, ...]
    baseline: Point
    latest: Point
    response_rule: ResponseRule | None
    remission_rule: RemissionRule | None
    first_response: Point | None
    lost_since: Point | None
    day_after: tuple[DayAfterChange, ...]
    zone: dt.tzinfo

    @property
    def change(self) -> int:
        return self.latest.total - self.baseline.total

    @property
    def percent_change(self) -> float | None:
        return percent_change(self.baseline.total, self.latest.total)

    @property
    def has_follow_up(self) -> bool:
        return self.latest is not self.baseline

    @property
    def responding(self) -> bool | None:
        """Whether the latest response meets the response rule (None: no rule, no later
        response, or undefined for a zero baseline)."""
        if self.response_rule is None or not self.has_follow_up:
            return None
        return self.response_rule.met(self.baseline.total, self.latest.total)

    @property
    def remitted(self) -> bool | None:
        if self.remission_rule is None:
            return None
        return self.remission_rule.met(self.latest.total)

    @property
    def days_to_response(self) -> int | None:
        if self.first_response is None:
            return None
        return (_day(self.first_response.at, self.zone) - _day(self.baseline.at, self.zone)).days

    @property
    def lost(self) -> bool:
        return self.lost_since is not None

    @property
    def response_threshold(self) -> float | None:
        """The highest total that still counts as a response from this baseline."""
        rule = self.response_rule
        if rule is None:
            return None
        if rule.points is not None:
            return float(self.baseline.total - rule.points)
        if rule.percent is None or self.baseline.total <= 0:
            return None
        return self.baseline.total * (100 - rule.percent) / 100


def _day(at: dt.datetime, zone: dt.tzinfo) -> dt.date:
    return at.astimezone(zone).date()


def series(points: Iterable[Point]) -> tuple[Point, ...]:
    """Oldest first; ties by response id, so the order is the order of entry."""
    return tuple(sorted(points, key=lambda p: (p.at, p.response_id or 0)))


def baseline_of(points: Sequence[Point], infusions: Sequence[Infusion] = ()) -> Point:
    """The baseline (module docstring): the first point, or once infusions exist the last
    point before the first infusion started (the first point when none precedes it)."""
    if not points:
        raise ValueError("no responses")
    if infusions:
        first_infusion = min(i.started_at for i in infusions)
        before = [p for p in points if p.at < first_infusion]
        if before:
            return before[-1]
    return points[0]


def day_after_changes(
    points: Sequence[Point], infusions: Sequence[Infusion], zone: dt.tzinfo
) -> tuple[DayAfterChange, ...]:
    """For each infusion (in time order): the last point at or before its start, and the first
    point on the next calendar day in ``zone`` (module docstring)."""
    out = []
    for infusion in sorted(infusions, key=lambda i: i.started_at):
        before = [p for p in points if p.at <= infusion.started_at]
        next_day = _day(infusion.started_at, zone) + dt.timedelta(days=1)
        after = [p for p in points if _day(p.at, zone) == next_day]
        out.append(
            DayAfterChange(infusion, before[-1] if before else None, after[0] if after else None)
        )
    return tuple(out)


def outcome(
    instrument_id: str,
    points: Iterable[Point],
    *,
    zone: dt.tzinfo,
    response_rule: ResponseRule | None,
    remission_rule: RemissionRule | None,
    infusions: Sequence[Infusion] = (),
) -> Outcome:
    """The outcome of one instrument's series under the given rules (module docstring)."""
    ordered = series(points)
    base = baseline_of(ordered, infusions)
    later = ordered[ordered.index(base) + 1 :]
    first_response = None
    last_responding: int | None = None
    if response_rule is not None:
        for i, p in enumerate(later):
            if response_rule.met(base.total, p.total):
                first_response = first_response or p
                last_responding = i
    lost_since = None
    if last_responding is not None and last_responding < len(later) - 1:
        lost_since = later[last_responding + 1]
    return Outcome(
        instrument=INSTRUMENTS[instrument_id],
        points=ordered,
        baseline=base,
        latest=ordered[-1],
        response_rule=response_rule,
        remission_rule=remission_rule,
        first_response=first_response,
        lost_since=lost_since,
        day_after=day_after_changes(ordered, infusions, zone),
        zone=zone,
    )


# --- reading a patient's responses -------------------------------------------------------


@dataclass(frozen=True)
class PatientOutcomes:
    outcomes: tuple[Outcome, ...]
    withheld: int  # 42 CFR Part 2 responses this viewer may not see
    shown_part2: int  # Part 2 responses among those used


def infusions_of(patient: Patient) -> tuple[Infusion, ...]:
    """The patient's infusions. None are recorded yet (the infusion issue adds them); the
    screens say so rather than inventing any."""
    return ()


def patient_outcomes(
    patient: Patient, *, part2: bool, rules: Rules, infusions: Sequence[Infusion] = ()
) -> PatientOutcomes:
    """One query: the patient's unstruck, scored responses, grouped by instrument (in the
    registry's order), Part 2 ones left out unless ``part2``."""
    from ketaclinic.access.zones import clinic_zone
    from ketaclinic.measurement.models import Response

    rows = Response.objects.filter(
        patient=patient, struck_at__isnull=True, total__isnull=False
    ).values_list("id", "instrument_id", "administered_at", "total", "part2")
    by_instrument: dict[str, list[Point]] = {}
    withheld = shown_part2 = 0
    for pk, instrument_id, at, total, is_part2 in rows:
        if is_part2 and not part2:
            withheld += 1
            continue
        if instrument_id not in INSTRUMENTS:
            continue  # an instrument retired from the registry: nothing to score it against
        shown_part2 += int(is_part2)
        assert total is not None  # filtered above
        by_instrument.setdefault(instrument_id, []).append(Point(at, total, pk))
    zone = clinic_zone(patient.clinic)
    found = [
        outcome(
            i,
            by_instrument[i],
            zone=zone,
            response_rule=rules.response_rule(i),
            remission_rule=rules.remission_rule(i),
            infusions=infusions,
        )
        for i in INSTRUMENTS
        if i in by_instrument
    ]
    return PatientOutcomes(tuple(found), withheld, shown_part2)
