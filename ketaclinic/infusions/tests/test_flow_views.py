"""The flow and pre-check screens from every side: the chair's clinicians, the front desk,
roles with no step here, and another clinic's staff."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.urls import reverse
from django.utils import timezone

from ketaclinic.access.zones import clinic_zone
from ketaclinic.accounts.models import Role, User
from ketaclinic.infusions import states
from ketaclinic.infusions.models import CheckOverride, InfusionSession, PreCheck, PumpEvent
from ketaclinic.infusions.models.session import CheckItem
from ketaclinic.infusions.tests.base import key
from ketaclinic.infusions.tests.flow_fixtures import FlowCase
from ketaclinic.scheduling.models import Booking
from ketaclinic.testing import make_user


class ViewCase(FlowCase):
    def step(self, s: InfusionSession, name: str, **data: object) -> Any:
        s.refresh_from_db()
        payload = {f"{name}-version": s.version, f"{name}-idempotency_key": key()}
        payload.update({f"{name}-{k}": v for k, v in data.items()})
        return self.client.post(reverse("infusions:step", args=[s.pk, name]), payload)

    def at(self, s: InfusionSession, state: str) -> InfusionSession:
        InfusionSession.objects.filter(pk=s.pk).update(state=state)
        s.refresh_from_db()
        return s

    def other_nurse(self) -> User:
        return make_user("nurse@other.example", "Other Nurse", self.other, Role.NURSE)


class OpenTests(ViewCase):
    def booking(self) -> Booking:
        return Booking.objects.create(
            clinic=self.clinic, patient=self.patient, chair=self.chair,
            starts_at=timezone.now(), infusion_minutes=40, recovery_minutes=60,
        )  # fmt: skip

    def test_a_nurse_opens_it_and_lands_on_the_session(self) -> None:
        b = self.booking()
        self.login(Role.NURSE)
        response = self.client.post(reverse("infusions:open", args=[b.pk]))
        s = InfusionSession.objects.get(booking=b)
        self.assertRedirects(response, reverse("infusions:session", args=[s.pk]))
        again = self.client.post(reverse("infusions:open", args=[b.pk]))
        self.assertRedirects(again, reverse("infusions:session", args=[s.pk]))
        assert InfusionSession.objects.filter(booking=b).count() == 1

    def test_the_coordinator_opens_it_from_the_board_and_goes_back_there(self) -> None:
        b = self.booking()
        self.login(Role.COORDINATOR)
        response = self.client.post(reverse("infusions:open", args=[b.pk]))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("scheduling:board") + "?day=")
        assert InfusionSession.objects.filter(booking=b).exists()

    def test_other_roles_and_clinics_cannot(self) -> None:
        b = self.booking()
        for role in (Role.CLINIC_ADMIN, Role.CUSTODIAN, Role.OUTSIDE_PROFESSIONAL):
            self.login(role)
            self.assert_denied(self.client.post(reverse("infusions:open", args=[b.pk])), 403)
        self.login(self.other_nurse())
        self.assert_denied(self.client.post(reverse("infusions:open", args=[b.pk])), 404)
        assert not InfusionSession.objects.filter(booking=b).exists()

    def test_the_board_offers_open_then_the_session_and_check_in(self) -> None:
        b = self.booking()
        self.login(Role.NURSE)
        board = self.client.get(reverse("scheduling:board"))
        self.assertContains(board, reverse("infusions:open", args=[b.pk]))
        self.client.post(reverse("infusions:open", args=[b.pk]))
        s = InfusionSession.objects.get(booking=b)
        board = self.client.get(reverse("scheduling:board"))
        self.assertContains(board, reverse("infusions:session", args=[s.pk]))
        self.assertContains(board, reverse("infusions:step", args=[s.pk, "check_in"]))
        self.login(Role.COORDINATOR)  # no session screen for the front desk: no link to it
        board = self.client.get(reverse("scheduling:board"))
        self.assertNotContains(board, f'href="{reverse("infusions:session", args=[s.pk])}"')
        self.assertContains(board, reverse("infusions:step", args=[s.pk, "check_in"]))


class StepTests(ViewCase):
    def test_check_in_from_each_side(self) -> None:
        s = self.make_session()
        self.login(Role.CUSTODIAN)
        self.assert_denied(self.step(s, "check_in"), 403)
        self.login(self.other_nurse())
        self.assert_denied(self.step(s, "check_in"), 404)
        self.login(Role.COORDINATOR)
        response = self.step(s, "check_in")
        assert response["Location"].startswith(reverse("scheduling:board"))
        s.refresh_from_db()
        assert s.state == states.CHECKED_IN and s.checked_in_at is not None

    def test_a_role_without_the_step_is_refused(self) -> None:
        s = self.at(self.make_session(), states.PRECHECKS)
        self.login(Role.COORDINATOR)
        assert self.step(s, "start").status_code == 403
        assert self.step(s, "discharge").status_code == 404

    def test_a_stale_version_shows_the_conflict(self) -> None:
        s = self.make_session()
        stale = s.version
        self.login(Role.NURSE)
        self.step(s, "check_in")
        response = self.client.post(
            reverse("infusions:step", args=[s.pk, "cancel"]),
            {"cancel-version": stale, "cancel-reason": "Unwell"},
        )
        self.assertContains(response, "Someone else changed this session")
        self.assertContains(response, "Unwell")  # what was typed is kept
        s.refresh_from_db()
        assert s.state == states.CHECKED_IN

    def test_a_missing_reason_is_shown_at_the_field(self) -> None:
        s = self.make_session()
        self.login(Role.NURSE)
        response = self.step(s, "cancel")
        self.assertContains(response, "Give the reason", status_code=200)
        self.assertContains(response, 'id="id_cancel-reason_error"')

    def test_start_twice_with_one_key_stores_one_start(self) -> None:
        s = self.at(self.make_session(), states.PRECHECKS)
        for item in CheckItem.values:
            PreCheck.objects.create(session=s, item=item, result="pass", summary="ok")
        InfusionSession.objects.filter(pk=s.pk).update(ordered_rate_ml_per_h=60.0)
        self.login(Role.NURSE)
        payload = {"start-version": s.version, "start-idempotency_key": "k" * 32}
        url = reverse("infusions:step", args=[s.pk, "start"])
        first = self.client.post(url, payload)
        second = self.client.post(url, payload)
        self.assertRedirects(first, reverse("infusions:session", args=[s.pk]))
        self.assertRedirects(second, reverse("infusions:session", args=[s.pk]))
        assert PumpEvent.objects.filter(session=s).count() == 1
        s.refresh_from_db()
        assert s.state == states.INFUSING

    def test_start_refused_names_what_is_missing(self) -> None:
        s = self.at(self.make_session(), states.PRECHECKS)
        self.login(Role.NURSE)
        response = self.step(s, "start")
        self.assertContains(response, "The preparation is not recorded")
        self.assertContains(response, "Escort confirmed: not checked yet")

    def test_the_actions_panel_hides_what_the_role_cannot_do(self) -> None:
        s = self.at(self.make_session(), states.INFUSING)
        self.login(Role.NURSE)
        page = self.client.get(reverse("infusions:session", args=[s.pk]))
        self.assertContains(page, reverse("infusions:step", args=[s.pk, "pause"]))
        self.assertContains(page, reverse("infusions:step", args=[s.pk, "stop_early"]))
        self.assertNotContains(page, reverse("infusions:step", args=[s.pk, "cancel"]))


class CheckViewTests(ViewCase):
    def url(self, s: InfusionSession, item: str, override: bool = False) -> str:
        name = "infusions:check_override" if override else "infusions:check"
        return reverse(name, args=[s.pk, item])

    def test_a_nurse_records_fasting_in_clinic_time(self) -> None:
        s = self.at(self.make_session(), states.CHECKED_IN)
        self.login(Role.NURSE)
        eight_hours_ago = (timezone.now() - dt.timedelta(hours=8)).astimezone(
            clinic_zone(self.clinic)
        )
        typed = eight_hours_ago.strftime("%Y-%m-%dT%H:%M")
        response = self.client.post(
            self.url(s, "fasting"),
            {"check-fasting-solids_at": typed, "check-fasting-clear_liquids_at": typed,
             "check-fasting-idempotency_key": key()},
        )  # fmt: skip
        self.assertRedirects(
            response, reverse("infusions:session", args=[s.pk]) + "#prechecks",
            fetch_redirect_response=False,
        )  # fmt: skip
        row = PreCheck.objects.get(session=s)
        assert (row.item, row.result) == ("fasting", "pass")
        s.refresh_from_db()
        assert s.state == states.PRECHECKS

    def test_a_mistyped_reading_comes_back_at_its_field_with_what_was_typed(self) -> None:
        s = self.at(self.make_session(), states.PRECHECKS)
        self.login(Role.NURSE)
        response = self.client.post(
            self.url(s, "vitals"),
            {"check-vitals-systolic_mmhg": "1280", "check-vitals-diastolic_mmhg": "84",
             "check-vitals-heart_rate_bpm": "70", "check-vitals-spo2_percent": "98",
             "check-vitals-resp_rate_per_min": "14", "check-vitals-idempotency_key": key()},
        )  # fmt: skip
        self.assertContains(response, "Between 50 and 300: check the reading.")
        self.assertContains(response, 'value="1280"')
        assert not PreCheck.objects.filter(session=s).exists()

    def test_other_roles_and_clinics_cannot_record(self) -> None:
        s = self.at(self.make_session(), states.PRECHECKS)
        data = {"check-identity-confirmed": "on", "check-identity-idempotency_key": key()}
        for role in (Role.COORDINATOR, Role.CLINIC_ADMIN, Role.CUSTODIAN):
            self.login(role)
            self.assert_denied(self.client.post(self.url(s, "identity"), data), 403)
        self.login(self.other_nurse())
        self.assert_denied(self.client.post(self.url(s, "identity"), data), 404)
        assert not PreCheck.objects.exists()

    def test_only_a_physician_overrides_and_the_page_shows_it(self) -> None:
        s = self.at(self.make_session(), states.PRECHECKS)
        PreCheck.objects.create(session=s, item="equipment", result="fail", summary="No suction")
        data = {"override-equipment-reason": "Suction from bay 2 at the chair"}
        self.login(Role.NURSE)
        page = self.client.get(reverse("infusions:session", args=[s.pk]))
        self.assertNotContains(page, self.url(s, "equipment", override=True))
        self.assert_denied(self.client.post(self.url(s, "equipment", override=True), data), 403)
        self.login(Role.PHYSICIAN)
        page = self.client.get(reverse("infusions:session", args=[s.pk]))
        self.assertContains(page, self.url(s, "equipment", override=True))
        self.client.post(self.url(s, "equipment", override=True), data)
        assert CheckOverride.objects.get(session=s).reason == "Suction from bay 2 at the chair"
        page = self.client.get(reverse("infusions:session", args=[s.pk]))
        self.assertContains(page, "Suction from bay 2 at the chair")
        self.assertContains(page, "Swiss Ketalar label")  # the limits with their sources

    def test_an_empty_override_asks_for_the_reason(self) -> None:
        s = self.at(self.make_session(), states.PRECHECKS)
        self.login(Role.PHYSICIAN)
        response = self.client.post(self.url(s, "vitals", override=True), {})
        self.assertContains(response, 'id="id_override-vitals-reason_error"')
        assert not CheckOverride.objects.exists()

    def test_the_escort_is_prefilled_from_the_record(self) -> None:
        type(self.patient).objects.filter(pk=self.patient.pk).update(
            escort_name="Dana Reyes", escort_phone="+14155550123"
        )
        s = self.at(self.make_session(), states.CHECKED_IN)
        self.login(Role.NURSE)
        page = self.client.get(reverse("infusions:session", args=[s.pk]))
        self.assertContains(page, 'value="Dana Reyes"')
        self.assertContains(page, 'value="(415) 555-0123"')
