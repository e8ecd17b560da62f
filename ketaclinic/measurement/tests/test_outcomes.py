"""Outcome computations against hand-worked series (measurement/outcomes.py definitions;
rules from instruments.outcomes, clinical.md 6.10)."""

from __future__ import annotations

import datetime as dt
import zoneinfo

from django.test import SimpleTestCase

from ketaclinic.instruments import REMISSION_RULES
from ketaclinic.measurement.outcome_settings import rules
from ketaclinic.measurement.outcomes import Infusion, Outcome, Point, day_after_changes, outcome

UTC = dt.UTC
DETROIT = zoneinfo.ZoneInfo("America/Detroit")
START = dt.datetime(2026, 1, 5, 18, 0, tzinfo=UTC)
DEFAULTS = rules(None)


def weekly(totals: list[int], start: dt.datetime = START) -> list[Point]:
    return [Point(start + dt.timedelta(weeks=i), t, i + 1) for i, t in enumerate(totals)]


def run(instrument_id: str, totals: list[int], **kw: object) -> Outcome:
    return outcome(
        instrument_id,
        weekly(totals),
        zone=UTC,
        response_rule=DEFAULTS.response_rule(instrument_id),
        remission_rule=DEFAULTS.remission_rule(instrument_id),
        **kw,  # type: ignore[arg-type]
    )


class SeriesTests(SimpleTestCase):
    def test_a_responder_who_has_not_remitted(self) -> None:
        # PHQ-9 20 -> 9: -11 points, -55%; >= 50% first met by the 10 of week 3 (day 21).
        o = run("phq9", [20, 16, 12, 10, 11, 9])
        assert (o.baseline.total, o.latest.total, o.change) == (20, 9, -11)
        assert o.percent_change == -55.0
        assert o.response_threshold == 10.0
        assert o.responding is True and o.remitted is False
        assert o.first_response is not None and o.first_response.total == 10
        assert o.days_to_response == 21
        assert o.lost is False

    def test_a_remitter(self) -> None:
        # PHQ-9 remission is a total < 5 (McInnes 2022; Kroenke 2001): 3 remits, 8 of week 2
        # is the first response (<= 9).
        o = run("phq9", [18, 12, 8, 4, 3])
        assert o.responding is True and o.remitted is True
        assert o.days_to_response == 14
        assert o.remission_rule is not None and o.remission_rule.label == "total < 5"

    def test_a_non_responder(self) -> None:
        o = run("phq9", [22, 20, 19, 18, 17])
        assert o.responding is False and o.remitted is False
        assert o.first_response is None and o.days_to_response is None
        assert o.lost is False
        assert o.percent_change is not None and round(o.percent_change, 1) == -22.7

    def test_a_lost_response_dates_from_the_first_failing_score(self) -> None:
        # Threshold 10: 9 and 8 respond (weeks 2, 3); 12 (week 4) fails, and so does 15.
        o = run("phq9", [20, 14, 9, 8, 12, 15])
        assert o.lost is True
        assert o.lost_since == weekly([20, 14, 9, 8, 12, 15])[4]
        assert o.lost_since is not None and o.lost_since.at.date() == dt.date(2026, 2, 2)
        assert o.responding is False

    def test_lost_since_follows_the_last_response_not_the_first_lapse(self) -> None:
        # Responds (9), lapses (14), responds again (8), then lapses for good from 13.
        o = run("phq9", [20, 9, 14, 8, 13, 16])
        assert o.lost_since is not None and o.lost_since.total == 13
        assert o.first_response is not None and o.first_response.total == 9

    def test_a_response_that_holds_is_not_lost(self) -> None:
        o = run("phq9", [20, 9, 14, 8])
        assert o.lost is False and o.responding is True

    def test_pcl5_responds_to_a_ten_point_fall(self) -> None:
        # NCPTSD: >= 10 points. 50 -> 41 is 9 points (no), 40 is 10 (yes); < 33 remits.
        assert run("pcl5", [50, 41]).responding is False
        o = run("pcl5", [50, 41, 40])
        assert o.responding is True and o.response_threshold == 40.0
        assert o.remitted is False
        assert run("pcl5", [50, 32]).remitted is True

    def test_one_score_is_a_baseline_without_a_response_status(self) -> None:
        o = run("phq9", [14])
        assert o.has_follow_up is False and o.responding is None
        assert o.remitted is False  # remission is of the one score there is

    def test_a_zero_baseline_has_no_percentage_and_no_response(self) -> None:
        o = run("gad7", [0, 2])
        assert o.percent_change is None and o.responding is None

    def test_an_instrument_without_rules_reports_change_only(self) -> None:
        o = run("cadss", [10, 4])
        assert o.change == -6 and o.responding is None and o.remitted is None

    def test_order_is_by_time_not_by_entry(self) -> None:
        points = weekly([20, 12, 9])
        o = outcome(
            "phq9",
            reversed(points),
            zone=UTC,
            response_rule=DEFAULTS.response_rule("phq9"),
            remission_rule=None,
        )
        assert o.baseline.total == 20 and o.latest.total == 9


class MadrsRemissionTests(SimpleTestCase):
    """Each documented MADRS remission rule (clinical.md 6.10 [C]) on the totals at its edge."""

    def test_each_rule_at_9_10_and_4(self) -> None:
        met = {
            r.source: (r.met(10), r.met(9), r.met(4), r.met(5)) for r in REMISSION_RULES["madrs"]
        }
        assert met == {
            "Hawley et al. 2002": (False, True, True, True),
            "Zimmerman et al. 2004": (False, True, True, True),
            "Zimmerman et al. 2004 (stricter)": (False, False, True, False),
            "KetECT, Ekstrand et al. 2022": (True, True, True, True),
            "some esketamine / R-107 trials": (True, True, True, True),
        }

    def test_the_default_is_hawley(self) -> None:
        rule = DEFAULTS.remission_rule("madrs")
        assert rule is not None and rule.source == "Hawley et al. 2002"
        assert DEFAULTS.chosen == frozenset()


class InfusionTests(SimpleTestCase):
    def test_baseline_is_the_last_score_before_the_first_infusion(self) -> None:
        first = Infusion(START + dt.timedelta(weeks=2, hours=20))  # after the 3rd score
        o = run("phq9", [22, 20, 18, 12, 8], infusions=[first])
        assert o.baseline.total == 18
        assert o.change == -10 and o.days_to_response == 14  # 8 <= 9, two weeks later

    def test_infusions_before_any_score_keep_the_first_score(self) -> None:
        o = run("phq9", [18, 9], infusions=[Infusion(START - dt.timedelta(days=3))])
        assert o.baseline.total == 18

    def test_day_after_is_the_next_calendar_day_in_clinic_time(self) -> None:
        infusion = Infusion(dt.datetime(2026, 3, 2, 15, 0, tzinfo=UTC), 35.0)  # 10:00 Detroit
        before = Point(dt.datetime(2026, 3, 2, 13, 0, tzinfo=UTC), 19, 1)
        # 03:00 UTC on the 4th is 22:00 on the 3rd in Detroit: the day after there.
        after = Point(dt.datetime(2026, 3, 4, 3, 0, tzinfo=UTC), 11, 2)
        later = Point(dt.datetime(2026, 3, 4, 15, 0, tzinfo=UTC), 9, 3)
        (change,) = day_after_changes([before, after, later], [infusion], DETROIT)
        assert (change.before, change.after, change.change) == (before, after, -8)
        (in_utc,) = day_after_changes([before, after, later], [infusion], UTC)
        assert in_utc.after is None and in_utc.change is None

    def test_no_infusions_no_day_after_rows(self) -> None:
        assert run("phq9", [20, 10]).day_after == ()
