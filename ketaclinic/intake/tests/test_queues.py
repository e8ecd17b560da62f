"""The coordinator's "Intakes to chase": intake-pending patients whose newest link was never
sent, has expired or was withdrawn, or has not been opened for three days; not the ones whose
link went out lately, nor patients past intake."""

from __future__ import annotations

import datetime as dt

import time_machine
from django.utils import timezone

from ketaclinic.accounts.models import Role
from ketaclinic.intake.queues import CHASE_AFTER, intakes_to_chase
from ketaclinic.intake.tests.base import IntakeCase
from ketaclinic.patients.actions import set_status
from ketaclinic.patients.models import PatientStatus
from ketaclinic.securelinks.models import SecureLink


class IntakesToChaseTests(IntakeCase):
    def reasons(self) -> dict[int, str]:
        queue = intakes_to_chase(self.clinic)
        assert queue.count == len(queue.items)
        return {item.patient_id: item.reason for item in queue.items}

    def test_a_patient_without_a_link_is_chased(self) -> None:
        assert self.reasons() == {self.patient.pk: "Link not sent"}

    def test_a_fresh_link_is_not_chased_until_three_days_unopened(self) -> None:
        self.send_link()
        assert self.reasons() == {}
        with time_machine.travel(timezone.now() + CHASE_AFTER + dt.timedelta(minutes=1)):
            assert self.reasons() == {self.patient.pk: "Sent 3 or more days ago, never opened"}

    def test_an_opened_link_is_chased_three_days_after_the_last_opening(self) -> None:
        self.send_link()
        SecureLink.objects.filter(patient=self.patient).update(last_opened_at=timezone.now())
        with time_machine.travel(timezone.now() + dt.timedelta(days=2)):
            assert self.reasons() == {}
        with time_machine.travel(timezone.now() + dt.timedelta(days=3, minutes=1)):
            assert self.reasons() == {self.patient.pk: "Not opened for 3 days or more"}

    def test_an_expired_link_is_chased(self) -> None:
        self.send_link()
        SecureLink.objects.filter(patient=self.patient).update(
            expires_at=timezone.now() - dt.timedelta(minutes=1),
            last_opened_at=timezone.now(),
        )
        assert self.reasons() == {self.patient.pk: "Link expired"}

    def test_a_patient_past_intake_is_not_chased(self) -> None:
        set_status(self.by(Role.COORDINATOR), self.patient, PatientStatus.SCREENING)
        assert self.reasons() == {}

    def test_the_coordinators_home_links_the_intake_tab(self) -> None:
        self.login(Role.COORDINATOR)
        page = self.client.get("/home/")
        self.assertContains(page, "Intakes to chase")
        self.assertContains(page, f'href="/patients/{self.patient.pk}/intake/"')
        self.assertContains(page, "Link not sent")
