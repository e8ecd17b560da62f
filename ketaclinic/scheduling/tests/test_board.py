"""The day board: each chair's bookings, what is needed before start, the hooks, the partial."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

from django.urls import reverse

from ketaclinic.accounts.models import Role
from ketaclinic.consents import actions as consent_actions
from ketaclinic.consents.models import Kind
from ketaclinic.eligibility.models import EligibilityDecision
from ketaclinic.patients.models import Patient
from ketaclinic.scheduling import actions, board
from ketaclinic.scheduling.board import Check, board_for
from ketaclinic.scheduling.models import Booking, Closure
from ketaclinic.scheduling.tests.base import MONDAY, SchedulingCase, add_patient, at
from ketaclinic.testing import member


class BoardTests(SchedulingCase):
    ready: Patient

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.ready = add_patient(
            cls.clinic, legal_given_name="Ready", legal_family_name="Patient",
            escort_name="Sam Escort", escort_phone="+14155550199",
        )  # fmt: skip
        physician = member(cls.users[Role.PHYSICIAN], cls.clinic)
        draft = consent_actions.create_consent(
            physician, cls.ready, Kind.OFF_LABEL, indications=["Depression"]
        )
        consent_actions.sign_consent(physician, draft, typed_name="Ready Patient")
        EligibilityDecision.objects.create(
            patient=cls.ready, decision="eligible", reason="Fine", screening_status="eligible",
            fingerprint="f" * 64, ruleset_version="t", signed_by=cls.users[Role.PHYSICIAN],
        )  # fmt: skip

    def setUp(self) -> None:
        super().setUp()
        self.first = actions.book_chair(
            self.nurse, self.ready, chair=self.chairs[0], starts_at=at(MONDAY, "09:00")
        )
        self.second = actions.book_chair(
            self.nurse, self.patient, chair=self.chairs[1], starts_at=at(MONDAY, "11:00")
        )

    def test_each_chair_shows_its_bookings_and_the_checks(self) -> None:
        day = board_for(self.clinic, MONDAY)
        lanes = {lane.chair.name: lane for lane in day.lanes}
        assert list(lanes) == ["Chair 1", "Chair 2", "Chair 3"]
        [ready] = lanes["Chair 1"].cards
        assert ready.booking == self.first and ready.ready
        assert [c.label for c in ready.checks] == ["Consent", "Eligibility", "Escort"]
        [waiting] = lanes["Chair 2"].cards
        assert {c.label: c.detail for c in waiting.checks} == {
            "Consent": "No live off-label consent",
            "Eligibility": "No signed decision",
            "Escort": "No escort name and phone",
        }
        assert lanes["Chair 3"].cards == []

    def test_a_stale_decision_and_a_closure_show(self) -> None:
        EligibilityDecision.objects.filter(patient=self.ready).update(stale_at=at(MONDAY, "08:00"))
        Closure.objects.create(
            clinic=self.clinic,
            chair=self.chairs[2],
            starts_on=MONDAY,
            ends_on=MONDAY,
            reason="Broken pump",
        )
        day = board_for(self.clinic, MONDAY)
        checks = {c.label: c for c in day.lanes[0].cards[0].checks}
        assert (checks["Eligibility"].ok, checks["Eligibility"].detail) == (
            False,
            "Decision out of date",
        )
        assert day.lanes[2].closed == "Broken pump"

    def test_other_apps_add_details_and_checks_through_the_hooks(self) -> None:
        def dose(bookings: Sequence[Booking]) -> Mapping[int, str]:
            return {b.pk: "0.5 mg/kg · 38 mg" for b in bookings if b.patient_id == self.ready.pk}

        def questionnaires(bookings: Sequence[Booking]) -> Mapping[int, list[Check]]:
            return {b.pk: [Check("PHQ-9", False, "Due")] for b in bookings}

        board.register_board_detail(dose)
        board.register_board_check(questionnaires)
        self.addCleanup(board._details.remove, dose)
        self.addCleanup(board._checks.remove, questionnaires)
        day = board_for(self.clinic, MONDAY)
        card = day.lanes[0].cards[0]
        assert card.details == ["0.5 mg/kg · 38 mg"]
        assert card.checks[-1] == Check("PHQ-9", False, "Due") and not card.ready

    def test_the_page_and_the_partial(self) -> None:
        self.login(Role.NURSE)
        url = reverse("scheduling:board") + f"?day={MONDAY.isoformat()}"
        page = self.client.get(url).content.decode()
        assert "Ready Patient" in page and "Sched" not in page.split("Ready Patient")[0][-20:]
        assert 'hx-trigger="every 30s"' in page
        assert "?day=2030-03-03" in page and "?day=2030-03-05" in page  # previous and next
        partial = self.client.get(
            reverse("scheduling:board_partial") + f"?day={MONDAY.isoformat()}"
        )
        body = partial.content.decode()
        assert "<html" not in body and 'id="day-board"' in body
        assert "09:00" in body and "10:40" in body and "Rosa Booker" in body
        other_day = self.client.get(reverse("scheduling:board_partial") + "?day=2030-03-05")
        assert "Rosa Booker" not in other_day.content.decode()

    def test_a_bad_day_falls_back_to_today(self) -> None:
        self.login(Role.COORDINATOR)
        response = self.client.get(reverse("scheduling:board") + "?day=not-a-date")
        assert response.status_code == 200
        assert response.context["day"] == response.context["today"]
        assert isinstance(response.context["day"], dt.date)

    def test_the_chart_header_shows_the_next_visit_to_those_who_book(self) -> None:
        self.login(Role.NURSE)
        page = self.client.get(
            reverse("patients:overview", args=[self.patient.pk])
        ).content.decode()
        assert "Next visit" in page and "Mon 4 Mar, 11:00 · Chair 2" in page
        assert reverse("scheduling:booking", args=[self.second.pk]) in page
        actions.cancel_booking(self.nurse, self.second, reason="Moved away")
        page = self.client.get(
            reverse("patients:overview", args=[self.patient.pk])
        ).content.decode()
        assert "None booked" in page
