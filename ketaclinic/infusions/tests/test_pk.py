"""Delivered mg and the predicted concentration from the charted pump events, against hand
arithmetic (clinical reference §1.9) and the pharmacology engine itself."""

from __future__ import annotations

import time

import numpy as np

from ketaclinic.access.zones import clinic_today
from ketaclinic.accounts.models import Role
from ketaclinic.infusions import pk, states
from ketaclinic.infusions.models import InfusionSession
from ketaclinic.infusions.tests.live_rows import LiveCase, at, on_pump, pump
from ketaclinic.pharmacology.chart import ChartEntry
from ketaclinic.pharmacology.dose_plans import DosePlan, Segment
from ketaclinic.pharmacology.library import DEFAULT_MODEL_ID, get_model
from ketaclinic.pharmacology.models import Patient as PKPatient
from ketaclinic.pharmacology.simulate import simulate


class PkTests(LiveCase):
    def setUp(self) -> None:
        self.nurse = self.users[Role.NURSE]
        self.session = on_pump(self.make_session())

    def chart_with_pause_and_rate_change(self) -> InfusionSession:
        s, n = self.session, self.nurse
        pump(s, n, "start", 0, 60)
        pump(s, n, "pause", 20)
        pump(s, n, "resume", 25, 60)
        pump(s, n, "rate", 35, 30)
        pump(s, n, "stop", 45)
        s.state = states.RECOVERY
        s.infusion_ended_at = at(45)
        s.save()
        return s

    def test_delivered_mg_over_a_pause_and_a_rate_change(self) -> None:
        session = self.chart_with_pause_and_rate_change()
        # 1 mg/mL (50 mg in 50 mL). 60 mL/h x 20/60 h x 1 mg/mL = 20 mg; paused 5 min = 0;
        # 60 mL/h x 10/60 h = 10 mg; 30 mL/h x 10/60 h = 5 mg; total 35 mg.
        assert abs(pk.delivered_mg(session) - 35.0) < 1e-9
        # By minute 30: 20 + 60 x 5/60 = 25 mg.
        assert abs(pk.delivered_mg(session, at=at(30)) - 25.0) < 1e-9

    def test_the_chart_entries_in_minutes_from_the_start(self) -> None:
        session = self.chart_with_pause_and_rate_change()
        assert pk.charted_entries(session) == [
            ChartEntry(0, "start", 60),
            ChartEntry(20, "pause"),
            ChartEntry(25, "resume", 60),
            ChartEntry(35, "rate", 30),
            ChartEntry(45, "stop"),
        ]

    def test_a_struck_event_does_not_count(self) -> None:
        s, n = self.session, self.nurse
        pump(s, n, "start", 0, 60)
        wrong = pump(s, n, "rate", 10, 120)
        wrong.struck_at, wrong.struck_by, wrong.strike_reason = at(11), n, "Wrong pump"
        wrong.save()
        pump(s, n, "stop", 20)
        # 60 mL/h x 20/60 h x 1 mg/mL = 20 mg (the 120 mL/h entry was struck).
        assert abs(pk.delivered_mg(s) - 20.0) < 1e-9

    def test_a_running_pump_is_closed_at_now(self) -> None:
        pump(self.session, self.nurse, "start", 0, 60)
        entries = pk.charted_entries(self.session, at(12))
        assert entries == [ChartEntry(0, "start", 60), ChartEntry(12, "pause")]
        # 60 mL/h x 12/60 h x 1 mg/mL = 12 mg so far.
        assert abs(pk.delivered_mg(self.session, at=at(12)) - 12.0) < 1e-9

    def test_no_prediction_before_a_start_or_without_a_preparation(self) -> None:
        assert pk.session_prediction(self.session) is None
        pump(self.session, self.nurse, "start", 0, 60)
        assert pk.session_prediction(self.session, at(5)) is not None
        self.session.container_drug_mg = None
        assert pk.session_prediction(self.session, at(5)) is None
        assert pk.delivered_mg(self.session, at(5)) == 0.0

    def test_the_prediction_is_the_engines_simulation_of_the_plan_given(self) -> None:
        session = self.chart_with_pause_and_rate_change()
        result = pk.session_prediction(session, at(50))
        assert result is not None
        # The same plan written out by hand: 1 mg/min (60 mL/h at 1 mg/mL) 0-20 and 25-35,
        # 0.5 mg/min 35-45.
        given = DosePlan((Segment(0, 20, 1.0), Segment(25, 10, 1.0), Segment(35, 10, 0.5)))
        age = float(self.patient.age_on(clinic_today(self.clinic)))
        expected = simulate(
            get_model(DEFAULT_MODEL_ID), PKPatient(80.0, age), given, result.times_min
        )
        assert result.model_id == DEFAULT_MODEL_ID
        np.testing.assert_allclose(result.plasma_ng_per_ml, expected.plasma_ng_per_ml, rtol=1e-9)
        i = int(np.argmax(expected.plasma_ng_per_ml))
        assert result.peak_plasma_ng_per_ml == float(expected.plasma_ng_per_ml[i])
        assert result.peak_plasma_time_min == float(result.times_min[i])
        assert result.delivered_mg == 35.0
        # Grid: 0 to the end of infusion (45) + the clinic's 60 min observation, every 0.5 min.
        assert result.times_min[-1] == 105.0 and len(result.times_min) == 211
        assert result.now_min == 50.0 and result.infusion_end_min == 45.0
        # A "now" far past the observation stretches the grid by 120 min at the most.
        later = pk.session_prediction(session, at(2000))
        assert later is not None and later.times_min[-1] == 225.0

    def test_the_plans_curve_is_the_signed_steps(self) -> None:
        session = self.chart_with_pause_and_rate_change()
        result = pk.session_prediction(session)
        assert result is not None and result.plan_plasma_ng_per_ml is not None
        # The signed plan: 40 mg over 40 min = 1 mg/min from 0 to 40.
        age = float(self.patient.age_on(clinic_today(self.clinic)))
        expected = simulate(
            get_model(DEFAULT_MODEL_ID),
            PKPatient(80.0, age),
            DosePlan((Segment(0, 40, 1.0),)),
            result.times_min,
        )
        np.testing.assert_allclose(result.plan_plasma_ng_per_ml, expected.plasma_ng_per_ml)
        assert result.planned_mg == 40.0

    def test_the_concentration_falls_after_the_rate_is_lowered(self) -> None:
        s, n = self.session, self.nurse
        pump(s, n, "start", 0, 60)
        pump(s, n, "rate", 20, 30)
        result = pk.session_prediction(s, at(30))
        assert result is not None and result.plan_plasma_ng_per_ml is not None
        i20, i25 = 40, 50  # 0.5-min grid
        assert result.times_min[i25] == 25.0
        # Five minutes after halving the rate the charted curve is below the plan's (which
        # keeps 60 mL/h) and below its own value at the change.
        assert result.plasma_ng_per_ml[i25] < result.plan_plasma_ng_per_ml[i25]
        assert result.plasma_ng_per_ml[i25] < result.plasma_ng_per_ml[i20]
        # Before the change both curves are the same plan (1 mg/min).
        assert abs(result.plasma_ng_per_ml[i20] - result.plan_plasma_ng_per_ml[i20]) < 1e-9

    def test_a_new_pump_event_changes_the_prediction(self) -> None:
        pump(self.session, self.nurse, "start", 0, 60)
        before = pk.session_prediction(self.session, at(30))
        pump(self.session, self.nurse, "pause", 10)
        after = pk.session_prediction(self.session, at(30))
        assert before is not None and after is not None
        # 30 mg running to minute 30; 10 mg when paused at 10.
        assert (before.delivered_mg, after.delivered_mg) == (30.0, 10.0)

    def expected_at_40(self, *segments: Segment) -> float:
        """The engine's plasma (ng/mL) at minute 40 of ``segments`` for the 80 kg patient."""
        age = float(self.patient.age_on(clinic_today(self.clinic)))
        grid = pk.grid(40.0)
        result = simulate(
            get_model(DEFAULT_MODEL_ID), PKPatient(80.0, age), DosePlan(segments), grid
        )
        assert grid[80] == 40.0
        return float(result.plasma_ng_per_ml[80])

    def test_the_planned_end_if_the_pump_goes_on_as_it_is(self) -> None:
        s, n = self.session, self.nurse
        s.ordered_duration_min = 40.0
        s.save()
        pump(s, n, "start", 0, 60)
        # Running as ordered: 60 mL/h x 1 mg/mL = 1 mg/min to minute 40, the signed plan.
        as_ordered = pk.planned_end_prediction(s, at(10))
        assert as_ordered is not None
        assert (as_ordered.at, as_ordered.minutes) == (at(40), 40.0)
        full = self.expected_at_40(Segment(0, 40, 1.0))
        assert abs(as_ordered.plasma_ng_per_ml - full) < 1e-9
        # Halved at minute 20: 1 mg/min for 20 min, then 0.5 mg/min to minute 40; lower at
        # once (asked at minute 21), where the as-given "now" has hardly moved.
        rate = pump(s, n, "rate", 20, 30)
        halved = pk.planned_end_prediction(s, at(21))
        assert halved is not None
        expected = self.expected_at_40(Segment(0, 20, 1.0), Segment(20, 20, 0.5))
        assert abs(halved.plasma_ng_per_ml - expected) < 1e-9
        assert halved.plasma_ng_per_ml < as_ordered.plasma_ng_per_ml
        # The same projection whenever it is asked before the end (the key has no "now").
        again = pk.planned_end_prediction(s, at(35))
        assert again is not None and again.plasma_ng_per_ml == halved.plasma_ng_per_ml
        # Paused instead: what went in by minute 20, decaying to minute 40.
        rate.struck_at, rate.struck_by, rate.strike_reason = at(22), n, "Wrong entry"
        rate.save()
        pump(s, n, "pause", 20)
        paused = pk.planned_end_prediction(s, at(21))
        assert paused is not None
        assert abs(paused.plasma_ng_per_ml - self.expected_at_40(Segment(0, 20, 1.0))) < 1e-9

    def test_no_planned_end_off_the_pump_past_the_end_or_without_a_duration(self) -> None:
        s, n = self.session, self.nurse
        pump(s, n, "start", 0, 60)
        assert pk.planned_end_prediction(s, at(10)) is None  # no ordered duration
        s.ordered_duration_min = 40.0
        assert pk.planned_end_prediction(s, at(40)) is None  # the planned end has come
        assert pk.planned_end_prediction(s, at(39)) is not None
        s.state = states.RECOVERY
        assert pk.planned_end_prediction(s, at(10)) is None

    def test_timing(self) -> None:
        """Measured for the report (printed, not asserted): a 40 min infusion and 60 min of
        recovery, uncached (each call a new "now")."""
        pump(self.session, self.nurse, "start", 0, 60)
        pump(self.session, self.nurse, "stop", 40)
        pk._curve.cache_clear()
        t = time.perf_counter()
        result = pk.session_prediction(self.session, at(100))
        cold = time.perf_counter() - t
        t = time.perf_counter()
        pk.session_prediction(self.session, at(100.5))
        warm = time.perf_counter() - t
        assert result is not None
        print(f"session_prediction 40+60 min: cold {cold * 1000:.1f} ms, warm {warm * 1000:.1f} ms")
