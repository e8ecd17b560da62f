"""The live panels (status, chart, flowsheet) through the session screen and its poll."""

from __future__ import annotations

import datetime as dt
import re
import time
from typing import Any

import numpy as np
import time_machine
from defusedxml import ElementTree
from django.test import SimpleTestCase
from django.urls import reverse

from ketaclinic.accounts.models import Role
from ketaclinic.infusions import chartsvg, states
from ketaclinic.infusions.defaults import DEFAULT_RULES
from ketaclinic.infusions.models import (
    AdverseEvent,
    FormularyDrug,
    InfusionSession,
    RescueDose,
    RuleFiring,
    ThresholdRule,
)
from ketaclinic.infusions.tests.base import key
from ketaclinic.infusions.tests.live_rows import LiveCase, at, on_pump, pump, reading
from ketaclinic.scheduling.models import Booking
from ketaclinic.testing import make_user


class LiveViewTests(LiveCase):
    def setUp(self) -> None:
        self.nurse = self.users[Role.NURSE]
        self.session = on_pump(self.make_session())
        self.session.ordered_duration_min = 40
        self.session.save()
        pump(self.session, self.nurse, "start", 0, 60)
        reading(self.session, self.nurse, -5, phase="baseline")
        self.traveller = time_machine.travel(at(12), tick=False)
        self.traveller.start()
        self.addCleanup(self.traveller.stop)

    def live(self, session: InfusionSession | None = None) -> str:
        response = self.client.get(reverse("infusions:live", args=[(session or self.session).pk]))
        assert response.status_code == 200, response.status_code
        return response.content.decode()

    def test_owner_roles_see_the_live_panels(self) -> None:
        for role in (Role.PHYSICIAN, Role.NURSE):
            self.login(role)
            body = self.live()
            assert 'id="status"' in body and 'id="chart"' in body and 'id="flowsheet"' in body
            assert "<svg" in body and "<title id=" in body and "<desc id=" in body

    def test_other_roles_and_outsiders_are_refused(self) -> None:
        url = reverse("infusions:live", args=[self.session.pk])
        for role in self.roles_except(Role.PHYSICIAN, Role.NURSE):
            self.login(role)
            self.assert_denied(self.client.get(url), 403)
        # Another clinic's admin: a role the page is not for, at their own clinic.
        self.login(self.outsider)
        self.assert_denied(self.client.get(url), 403)
        self.client.logout()
        self.assert_denied(self.client.get(url), 302)

    def test_another_clinics_nurse_gets_404(self) -> None:
        self.login(make_user("nurse@other.example", "Other Nurse", self.other, Role.NURSE))
        self.assert_denied(self.client.get(reverse("infusions:live", args=[self.session.pk])), 404)

    def test_delivered_mg_and_the_pump(self) -> None:
        self.login(Role.NURSE)
        body = self.live()
        # 60 mL/h x 12/60 h x 1 mg/mL = 12 mg of the 40 ordered (30 %).
        assert "12.0 mg of 40.0 mg ordered (30 %)" in body
        assert "60 mL/h" in body and "12 min" in body and "highest so far" in body

    def test_a_new_reading_and_pump_event_appear_on_the_next_poll(self) -> None:
        self.login(Role.NURSE)
        first = self.live()
        assert "BP 141/88" not in first
        # Someone else charts at the chair while this screen is open.
        reading(self.session, self.users[Role.PHYSICIAN], 11, systolic_mmhg=141, diastolic_mmhg=88)
        pump(self.session, self.users[Role.PHYSICIAN], "rate", 11, 30, reason="Dissociation")
        second = self.live()
        assert "BP 141/88 mmHg" in second
        assert "Rate changed at 30 mL/h" in second and "Reason: Dissociation" in second
        # 60 mL/h x 11/60 h = 11 mg, then 30 mL/h x 1/60 h = 0.5 mg: 11.5 mg.
        assert "11.5 mg of 40.0 mg" in second and "30 mL/h" in second

    def test_overdue_reading_alert(self) -> None:
        self.login(Role.NURSE)
        body = self.live()  # no reading since the start at 0; due at 10, now 12
        assert 'role="alert"' in body and "Vitals overdue by 2 min" in body
        reading(self.session, self.nurse, 11)
        body = self.live()
        assert "Vitals overdue" not in body and "Due at" in body

    def test_unanswered_firing_and_threshold_lines(self) -> None:
        rule = ThresholdRule.objects.create(clinic=self.clinic, **DEFAULT_RULES[0])
        r = reading(self.session, self.nurse, 10, systolic_mmhg=184)
        RuleFiring.objects.create(
            session=self.session,
            rule=rule,
            reading=r,
            rule_text="Systolic 180 mmHg or more",
            fired_at=at(10),
        )
        self.login(Role.NURSE)
        body = self.live()
        assert "Rule fired at" in body and "No response recorded yet" in body
        # The rule's line on the chart.
        assert "Systolic BP (mmHg) ≥ 180: pause the infusion" in body

    def test_a_rise_rule_is_drawn_from_the_baseline(self) -> None:
        ThresholdRule.objects.create(clinic=self.clinic, **DEFAULT_RULES[2])  # SBP +40
        self.login(Role.NURSE)
        # The baseline at -5 min reads 128 mmHg: 128 + 40 = 168.
        assert "Systolic BP (mmHg) baseline 128 + 40 = 168: pause the infusion" in self.live()

    def test_the_flowsheet_marks_struck_late_and_re_entered_rows(self) -> None:
        wrong = reading(self.session, self.nurse, 8, systolic_mmhg=210)
        wrong.struck_at, wrong.struck_by, wrong.strike_reason = at(9), self.nurse, "Cuff slipped"
        wrong.save()
        reading(self.session, self.nurse, 8, systolic_mmhg=132, replaces=wrong,
                entered_at=at(20))  # fmt: skip
        event = AdverseEvent.objects.create(
            session=self.session, clinical_at=at(9), entered_by=self.nurse, idempotency_key=key(),
            kind="nausea", severity="mild",
        )  # fmt: skip
        drug = FormularyDrug.objects.create(
            clinic=self.clinic, key="ondansetron", name="Ondansetron", indication="Nausea",
            source="§4.2",
        )  # fmt: skip
        RescueDose.objects.create(
            session=self.session, clinical_at=at(10), entered_by=self.nurse,
            idempotency_key=key(), drug=drug, dose_mg=4, route="IV",
            ordered_by=self.users[Role.PHYSICIAN], adverse_event=event,
        )  # fmt: skip
        self.login(Role.NURSE)
        body = self.live()
        assert "<del>BP 210/" in body and "Cuff slipped" in body
        assert f'href="#flow-reading-{wrong.pk}"' in body and "Late entry" in body
        assert "Nausea or vomiting" in body and "Ondansetron 4 mg IV" in body
        flow = body[body.index('id="flowsheet"') :]
        order = [m for m in re.findall(r"BP (\d+)/|Nausea|Ondansetron|Started", flow) if m]
        assert order[:3] == ["128", "210", "132"], order  # baseline, struck, re-entry

    def test_the_plan_curve_and_the_prediction_on_the_chart(self) -> None:
        self.login(Role.NURSE)
        body = self.live()
        assert "plasma, plan" in body and "Predicted plasma" in body and ">now<" in body

    def test_the_full_session_page_includes_the_live_panels(self) -> None:
        self.login(Role.PHYSICIAN)
        response = self.client.get(reverse("infusions:session", args=[self.session.pk]))
        assert response.status_code == 200
        assert b'hx-get="' + reverse("infusions:live", args=[self.session.pk]).encode() in (
            response.content
        )
        assert b"Ketamine delivered" in response.content

    def test_no_inline_style_or_script_in_the_live_part(self) -> None:
        self.login(Role.NURSE)
        body = self.live()
        assert " style=" not in body and "<script" not in body

    def test_recovery_shows_the_expected_discharge(self) -> None:
        pump(self.session, self.nurse, "stop", 10)
        InfusionSession.objects.filter(pk=self.session.pk).update(
            state=states.RECOVERY, infusion_ended_at=at(10), recovery_started_at=at(10)
        )
        self.login(Role.NURSE)
        body = self.live()
        # Recovery from 09:10 UTC + 60 min minimum observation = 10:10 UTC in clinic time.
        assert "Not before" in body and "60 min minimum observation" in body
        assert "10.0 mg of 40.0 mg" in body and "Stopped" in body

    def test_a_session_without_a_plan_still_shows_delivered_mg(self) -> None:
        booking = self.session.booking
        other = InfusionSession.objects.create(
            clinic=self.clinic, patient=self.patient, booking=_another(booking)
        )
        on_pump(other)
        pump(other, self.nurse, "start", 0, 60)
        self.login(Role.NURSE)
        body = self.live(other)
        assert "12.0 mg" in body and "No prediction yet" in body

    def test_poll_timing(self) -> None:
        """Measured for the report (printed, not asserted): one poll of a session with a
        reading every 10 min, through the test client."""
        for minute in (0, 10):
            reading(self.session, self.nurse, minute)
        self.login(Role.NURSE)
        self.live()
        started = time.perf_counter()
        for _ in range(5):
            self.live()
        print(f"live poll: {(time.perf_counter() - started) / 5 * 1000:.1f} ms per request")

    def test_before_the_start_the_baseline_shows_without_a_prediction(self) -> None:
        booking = _another(self.session.booking)
        other = InfusionSession.objects.create(
            clinic=self.clinic, patient=self.patient, booking=booking, state=states.PRECHECKS,
            plan_version=self.session.plan_version,
        )  # fmt: skip
        reading(other, self.nurse, 10, phase="baseline", systolic_mmhg=133)
        self.login(Role.NURSE)
        body = self.live(other)
        assert "No prediction yet" in body and "BP 133/80 mmHg" in body
        assert "Not started" in body and "Next reading" not in body


def _another(booking: Booking) -> Booking:
    return Booking.objects.create(
        clinic=booking.clinic, patient=booking.patient, chair=booking.chair,
        starts_at=booking.starts_at + dt.timedelta(hours=3), infusion_minutes=40,
        recovery_minutes=60,
    )  # fmt: skip


class ChartSvgTests(SimpleTestCase):
    """The SVG itself (pure): well-formed, accessible, CSP-safe, escaped."""

    def svg(self, **kwargs: Any) -> str:
        t = np.arange(0.0, 100.5, 0.5)
        curves = chartsvg.Curves(t, t * 2, t * 1.5, t * 2.5, "ketamine")
        defaults: dict[str, Any] = {
            "chart_id": "c1", "title": "Chart <of> Ann & Bo", "desc": "Summary",
            "vitals": [chartsvg.VitalsPoint(-5, 130, 80, 70, 98, "08:55"),
                       chartsvg.VitalsPoint(10, 182, 95, 88, 96, "09:10")],
            "thresholds": [chartsvg.ThresholdLine("systolic", 180, "Systolic ≥ 180: pause")],
            "segments": [(0.0, 20.0, 60.0), (20.0, 25.0, 0.0), (25.0, 40.0, 30.0)],
            "curves": curves, "now_min": 30.0,
        }  # fmt: skip
        return chartsvg.live_chart_svg(**{**defaults, **kwargs})

    def test_well_formed_accessible_and_without_style_attributes(self) -> None:
        svg = self.svg()
        root = ElementTree.fromstring(svg)
        ns = "{http://www.w3.org/2000/svg}"
        assert root.get("role") == "img" and root.get("aria-labelledby") == "c1-title c1-desc"
        assert root.find(f"{ns}title").text == "Chart <of> Ann & Bo"
        assert root.find(f"{ns}desc").text == "Summary"
        assert all(el.get("style") is None for el in root.iter())
        assert "<script" not in svg and "&lt;of&gt;" in svg

    def test_the_series_thresholds_pump_and_now(self) -> None:
        root = ElementTree.fromstring(self.svg())
        ns = "{http://www.w3.org/2000/svg}"
        dashes = [p.get("stroke-dasharray") for p in root.iter(f"{ns}polyline")]
        # systolic, diastolic, HR, SpO2, then plan (dashed 8 5), effect, plasma.
        assert dashes.count("8 5") == 1 and "3 3" in dashes
        texts = [t.text for t in root.iter(f"{ns}text")]
        assert "Systolic ≥ 180: pause" in texts and "now" in texts and "paused" in texts
        rates = [r for r in root.iter(f"{ns}rect") if r.find(f"{ns}title") is not None]
        assert [r.find(f"{ns}title").text for r in rates] == [
            "0–20 min: 60 mL/h", "25–40 min: 30 mL/h",
        ]  # fmt: skip

    def test_without_a_prediction(self) -> None:
        svg = self.svg(curves=None, segments=[], now_min=None)
        assert "No prediction yet" in svg and ">now<" not in svg
