"""The charting panels and their POSTs, from every side: the nurse and physician chart, the
coordinator and other staff are refused, another clinic's nurse gets 404."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.urls import reverse
from django.utils import timezone

from ketaclinic.access.zones import clinic_zone
from ketaclinic.accounts.models import Role
from ketaclinic.infusions import states
from ketaclinic.infusions.models import InfusionSession, PumpEvent, RuleFiring, VitalsReading
from ketaclinic.infusions.tests.base import key
from ketaclinic.infusions.tests.test_charting import NORMAL, ChartingCase, advance, chart
from ketaclinic.testing import make_user


def reading_post(**extra: Any) -> dict[str, Any]:
    return {**NORMAL, "idempotency_key": key(), **extra}


class ChartingViewTests(ChartingCase):
    def page(self, session: InfusionSession) -> str:
        response = self.client.get(reverse("infusions:session", args=[session.pk]))
        assert response.status_code == 200
        return response.content.decode()

    def test_the_vitals_panel_is_a_tablet_form_with_a_fresh_key(self) -> None:
        session = advance(self, self.make_session(), states.PRECHECKS)
        self.login(Role.NURSE)
        first, second = self.page(session), self.page(session)
        assert 'inputmode="numeric"' in first and 'name="systolic_mmhg"' in first
        assert 'name="symptoms" value="chest_pain"' in first
        key_of = [p.split('name="idempotency_key" value="')[1][:32] for p in (first, second)]
        assert key_of[0] != key_of[1]
        assert 'id="prep"' in first  # prechecks: the preparation too

    def test_a_reading_is_charted_and_a_rule_alert_shown(self) -> None:
        session = advance(self, self.make_session(), states.INFUSING)
        self.login(Role.NURSE)
        url = reverse("infusions:reading", args=[session.pk])
        response = self.client.post(url, reading_post(systolic_mmhg=185, symptoms=["chest_pain"]))
        self.assertRedirects(response, reverse("infusions:session", args=[session.pk]))
        row = VitalsReading.objects.get(session=session)
        assert row.systolic_mmhg == 185 and row.symptoms == ["chest_pain"]
        page = self.page(session)
        assert "Chest pain: stop" in page and 'role="alert"' in page
        assert "Systolic 180 mmHg or more" in page

    def test_errors_are_shown_at_the_field_with_what_was_typed(self) -> None:
        session = advance(self, self.make_session(), states.INFUSING)
        self.login(Role.NURSE)
        url = reverse("infusions:reading", args=[session.pk])
        response = self.client.post(url, reading_post(spo2_percent=120, heart_rate_bpm=88))
        assert response.status_code == 200
        html = response.content.decode()
        assert "Check the value: 50 to 100 is expected." in html
        assert 'value="120"' in html and 'value="88"' in html
        assert not VitalsReading.objects.exists()

    def test_a_late_reading_by_its_clinic_time_is_marked_late(self) -> None:
        session = advance(self, self.make_session(), states.INFUSING)
        self.login(Role.NURSE)
        taken = (timezone.now() - dt.timedelta(minutes=15)).astimezone(clinic_zone(self.clinic))
        url = reverse("infusions:reading", args=[session.pk])
        self.client.post(url, reading_post(clinical_at=taken.strftime("%H:%M")))
        row = VitalsReading.objects.get(session=session)
        assert row.clinical_at == taken.replace(second=0, microsecond=0)
        assert "Late entry" in self.page(session)

    def test_htmx_gets_the_panels_back_out_of_band(self) -> None:
        session = advance(self, self.make_session(), states.INFUSING)
        self.login(Role.NURSE)
        url = reverse("infusions:reading", args=[session.pk])
        response = self.client.post(url, reading_post(spo2_percent=89), HTTP_HX_REQUEST="true")
        assert response.status_code == 200
        html = response.content.decode()
        assert 'id="vitals" hx-swap-oob="true"' in html and 'id="firings"' in html
        assert "SpO2 below 90 %" in html and "<html" not in html

    def test_strike_re_entry_rate_and_response(self) -> None:
        session = advance(self, self.make_session(), states.INFUSING)
        wrong, firings = chart(self, session, systolic_mmhg=190, spo2_percent=92)
        self.login(Role.NURSE)
        strike = reverse("infusions:strike_reading", args=[session.pk, wrong.pk])
        assert self.client.post(strike, {}).status_code == 200  # no reason: shown again
        response = self.client.post(strike, {f"strike-{wrong.pk}-reason": "Wrong patient."})
        assert response.status_code == 302 and f"reenter={wrong.pk}" in response["Location"]
        page = self.client.get(response["Location"]).content.decode()
        assert f'name="replaces" value="{wrong.pk}"' in page
        session.refresh_from_db()
        rate = reverse("infusions:rate", args=[session.pk])
        response = self.client.post(
            rate,
            {"rate_ml_per_h": "30", "reason": "BP high.", "version": session.version,
             "idempotency_key": key(), "firing": firings[0].pk},
        )  # fmt: skip
        assert response.status_code == 302
        assert PumpEvent.objects.get(session=session, kind="rate").rate_ml_per_h == 30
        other = RuleFiring.objects.filter(session=session, response="").first()
        assert other is not None
        respond = reverse("infusions:respond", args=[session.pk, other.pk])
        prefix = f"firing-{other.pk}"
        response = self.client.post(respond, {f"{prefix}-response": "continued"})
        assert response.status_code == 200 and "Say why" in response.content.decode()
        response = self.client.post(
            respond, {f"{prefix}-response": "rechecked", f"{prefix}-note": "Repeat 150."}
        )
        assert response.status_code == 302
        assert not RuleFiring.objects.filter(session=session, response="").exists()

    def test_prep_shows_the_rate_and_its_arithmetic(self) -> None:
        session = advance(self, self.make_session(), states.CHECKED_IN)
        self.login(Role.NURSE)
        response = self.client.post(
            reverse("infusions:prep", args=[session.pk]),
            {"drug_name": "Ketamine HCl", "vial_lot": "LOT9",
             "vial_expiry": (dt.date.today() + dt.timedelta(days=90)).isoformat(),
             "container_drug_mg": "50", "container_volume_ml": "50", "ordered_dose_mg": "40",
             "ordered_duration_min": "40", "version": session.version},
        )  # fmt: skip
        assert response.status_code == 302
        page = self.page(session)
        assert "60 mL/h" in page and "Lot LOT9" in page and "rate = 40 mL / (40 min / 60)" in page

    def test_other_roles_and_clinics_are_refused(self) -> None:
        session = advance(self, self.make_session(), states.INFUSING)
        url = reverse("infusions:reading", args=[session.pk])
        for role in self.roles_except(Role.PHYSICIAN, Role.NURSE):
            self.login(role)
            self.assert_denied(self.client.post(url, reading_post()), 403)
            self.client.logout()
        self.login(make_user("nurse@other.example", "Other Nurse", self.other, Role.NURSE))
        self.assert_denied(self.client.post(url, reading_post()), 404)
        self.client.logout()
        self.login(Role.PHYSICIAN)
        assert self.client.post(url, reading_post()).status_code == 302
        assert self.client.get(url).status_code == 405
        assert VitalsReading.objects.count() == 1


class HtmxAndTimeTests(ChartingCase):
    def test_an_htmx_conflict_reaches_the_screen(self) -> None:
        session = advance(self, self.make_session(), states.INFUSING)
        self.login(Role.NURSE)
        url = reverse("infusions:rate", args=[session.pk])
        stale = {"rate_ml_per_h": "30", "reason": "BP.", "version": session.version - 1,
                 "idempotency_key": key()}  # fmt: skip
        response = self.client.post(url, stale, HTTP_HX_REQUEST="true")
        # 200, not 409: htmx swaps nothing from an error status.
        assert response.status_code == 200
        html = response.content.decode()
        assert "Someone else changed this session" in html and 'id="rate" hx-swap-oob' in html
        assert not PumpEvent.objects.filter(session=session, kind="rate").exists()

    def test_the_time_field_reads_clinic_time_and_a_datetime(self) -> None:
        from ketaclinic.infusions.views.charting_forms import ClinicalTimeField

        field = ClinicalTimeField(clinic=self.clinic)
        zone = clinic_zone(self.clinic)
        earlier = (timezone.now() - dt.timedelta(minutes=30)).astimezone(zone)
        parsed = field.to_python(earlier.strftime("%H:%M"))
        assert parsed == earlier.replace(second=0, microsecond=0)
        assert field.to_python("2026-03-02T09:15") == dt.datetime(2026, 3, 2, 9, 15, tzinfo=zone)
        assert field.to_python("") is None
