"""The adverse-event and rescue panels and their POSTs, from every side."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from ketaclinic.accounts.models import Membership, Role
from ketaclinic.infusions.models import AdverseEvent, FormularyDrug, RescueDose
from ketaclinic.infusions.tests.base import key
from ketaclinic.infusions.tests.test_events import INFUSING, EventsCase, to_state
from ketaclinic.testing import make_user


class EventsViewTests(EventsCase):
    def setUp(self) -> None:
        self.session = to_state(self, self.make_session(), *INFUSING)
        self.page = reverse("infusions:session", args=[self.session.pk])

    def post_event(self, **data: Any) -> Any:
        body = {"kind": "nausea", "severity": "moderate", "idempotency_key": key(), **data}
        return self.client.post(reverse("infusions:event", args=[self.session.pk]), body)

    def physician_pk(self) -> int:
        return Membership.objects.get(user=self.users["physician"], clinic=self.clinic).pk

    def post_rescue(self, event: AdverseEvent, **data: Any) -> Any:
        body = {
            "drug": "ondansetron",
            "dose_mg": "4",
            "route": "IV",
            "trigger": f"event:{event.pk}",
            "ordered_by": str(self.physician_pk()),
            "idempotency_key": key(),
            **data,
        }
        return self.client.post(reverse("infusions:rescue", args=[self.session.pk]), body)

    def test_the_panels_show_to_the_chair_roles_with_their_forms(self) -> None:
        self.login(Role.NURSE)
        body = self.client.get(self.page).content.decode()
        assert "Record an adverse event" in body
        assert "Give a rescue drug" in body
        # Before any dose the formulary is the defaults, shown but not written (a GET).
        assert "Ondansetron IV · usual 4 mg" in body
        assert not FormularyDrug.objects.exists()

    def test_a_nurse_records_nausea_then_gives_ondansetron_linked_to_it(self) -> None:
        self.login(Role.NURSE)
        response = self.post_event()
        assert response.status_code == 302
        assert response["Location"] == self.page + "#events"
        event = AdverseEvent.objects.get()
        page = self.client.get(self.page).content.decode()
        # The form now offers ondansetron (nausea's drug, §4.2) at 4 mg, for this event.
        assert 'value="4.0"' in page
        assert f'value="event:{event.pk}" selected' in page
        response = self.post_rescue(event)
        assert response.status_code == 302, response.content.decode()[:2000]
        dose = RescueDose.objects.get()
        assert (dose.drug.key, dose.dose_mg, dose.adverse_event) == ("ondansetron", 4.0, event)
        assert dose.entered_by == self.users["nurse"]
        assert dose.ordered_by == self.users["physician"]
        assert "Within the limits" in self.client.get(self.page).content.decode()

    def test_other_without_a_description_shows_the_error_at_the_field(self) -> None:
        self.login(Role.NURSE)
        response = self.post_event(kind="other", outcome="Settled by itself.")
        assert response.status_code == 200
        body = response.content.decode()
        assert "Describe what happened" in body
        assert "Settled by itself." in body  # what was typed is kept
        assert not AdverseEvent.objects.exists()

    def test_a_finding_re_renders_the_form_with_the_override_field_and_values_kept(self) -> None:
        self.login(Role.NURSE)
        self.post_event()
        event = AdverseEvent.objects.get()
        response = self.post_rescue(event, dose_mg="4.5", response="Typed response")
        assert response.status_code == 200
        body = response.content.decode()
        assert "4.5 mg is over the single-dose limit of 4 mg" in body
        assert "Physician&#x27;s reason to give it anyway" in body
        assert 'value="4.5"' in body and "Typed response" in body
        assert not RescueDose.objects.exists()
        response = self.post_rescue(event, dose_mg="4.5", override_reason="Ordered: 4.5 mg.")
        assert response.status_code == 302
        assert RescueDose.objects.get().override_reason == "Ordered: 4.5 mg."

    def test_a_double_submit_stores_one_dose(self) -> None:
        self.login(Role.PHYSICIAN)
        self.post_event()
        event = AdverseEvent.objects.get()
        k = key()
        assert self.post_rescue(event, idempotency_key=k).status_code == 302
        assert self.post_rescue(event, idempotency_key=k).status_code == 302
        assert RescueDose.objects.count() == 1

    def test_the_outcome_is_recorded_once(self) -> None:
        self.login(Role.NURSE)
        self.post_event()
        event = AdverseEvent.objects.get()
        url = reverse("infusions:event_outcome", args=[self.session.pk, event.pk])
        assert self.client.post(url, {f"e{event.pk}-outcome": "Settled."}).status_code == 302
        again = self.client.post(url, {f"e{event.pk}-outcome": "Other."})
        assert again.status_code == 200
        event.refresh_from_db()
        assert event.outcome == "Settled."

    def test_roles_that_do_not_chart_are_refused(self) -> None:
        for role in self.roles_except(Role.PHYSICIAN, Role.NURSE):
            self.login(role)
            self.assert_denied(self.post_event(), 403)
        assert not AdverseEvent.objects.exists()

    def test_another_clinics_session_is_not_found(self) -> None:
        self.login(self.outsider)
        self.assert_denied(self.post_event(), 403)  # the admin role is refused first
        self.login(make_user("nurse@other.example", "Other Nurse", self.other, Role.NURSE))
        self.assert_denied(self.post_event(), 404)
        self.assert_denied(self.client.get(self.page), 404)
        assert not AdverseEvent.objects.exists()
        self.login(Role.NURSE)
        url = reverse("infusions:event_outcome", args=[self.session.pk, 999999])
        self.assert_denied(self.client.post(url, {"e999999-outcome": "x"}), 404)

    def test_choosing_another_drug_redraws_the_form_with_its_usual_dose(self) -> None:
        self.login(Role.NURSE)
        self.post_event()
        event = AdverseEvent.objects.get()
        url = reverse("infusions:rescue_form", args=[self.session.pk])
        query = {
            "drug": "labetalol",
            "dose_mg": "4",
            "trigger": f"event:{event.pk}",
            "idempotency_key": "k" * 32,
            "response": "Typed",
        }
        response = self.client.get(url, query)
        assert response.status_code == 200
        body = response.content.decode()
        # Labetalol's first dose is 20 mg (§4.2); the trigger and the typed response are kept.
        assert 'name="dose_mg" value="20.0"' in body
        assert f'value="event:{event.pk}" selected' in body
        assert "Typed" in body and "k" * 32 in body
        assert not FormularyDrug.objects.exists()
        self.login(Role.COORDINATOR)
        self.assert_denied(self.client.get(url, query), 403)
