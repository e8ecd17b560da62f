from __future__ import annotations

import datetime as dt

from django.urls import reverse

from ketaclinic.accounts.models import Role
from ketaclinic.audit.models import AuditEntry
from ketaclinic.inquiries.models import Inquiry
from ketaclinic.inquiries.tests.base import InquiryTestCase, make_inquiry


class FollowUpTestCase(InquiryTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.inquiry = make_inquiry(self.clinic)
        self.url = reverse("inquiries:follow_up", args=[self.inquiry.pk])

    def refresh(self) -> Inquiry:
        return Inquiry.objects.get(pk=self.inquiry.pk)

    def test_it_sets_owner_and_next_action(self) -> None:
        nurse = self.users[Role.NURSE]
        for role in (Role.COORDINATOR, Role.CLINIC_ADMIN):
            self.login(role.value)
            owner = self.users[role.value]
            r = self.client.post(self.url, {"owner": owner.pk, "next_action_on": "2030-05-04"})
            self.assertRedirects(r, reverse("inquiries:detail", args=[self.inquiry.pk]))
            self.assertEqual(self.refresh().owner, owner)
        self.assertEqual(self.refresh().next_action_on, dt.date(2030, 5, 4))
        # Any staff member may own an inquiry; an empty choice clears it.
        self.client.post(self.url, {"owner": nurse.pk, "next_action_on": ""})
        self.assertEqual((self.refresh().owner, self.refresh().next_action_on), (nurse, None))
        entries = AuditEntry.objects.filter(action="inquiry.follow_up")
        self.assertEqual(entries.count(), 3)
        last = entries.last()
        assert last is not None and last.before is not None
        self.assertEqual(last.before["next_action_on"], "2030-05-04")
        self.assertEqual(last.after, {"owner_id": nurse.pk, "next_action_on": None})

    def test_it_records_nothing_when_nothing_changes(self) -> None:
        self.login(Role.COORDINATOR)
        r = self.client.post(self.url, {"owner": "", "next_action_on": ""}, follow=True)
        self.assertContains(r, "Nothing changed.")
        self.assertFalse(AuditEntry.objects.filter(action="inquiry.follow_up").exists())

    def test_it_refuses_owners_outside_the_clinic(self) -> None:
        self.login(Role.COORDINATOR)
        for bad in (self.outsider.pk, self.users[Role.OUTSIDE_PROFESSIONAL].pk, "abc"):
            r = self.client.post(self.url, {"owner": bad, "next_action_on": "2030-05-04"})
            self.assertContains(r, 'id="id_owner_error"')
            self.assertContains(r, 'value="2030-05-04"')
        r = self.client.post(self.url, {"owner": "", "next_action_on": "31/31/2030"})
        self.assertContains(r, 'id="id_next_action_on_error"')
        self.assertIsNone(self.refresh().owner)

    def test_it_denies_read_only_and_other_roles(self) -> None:
        owner = self.users[Role.COORDINATOR].pk
        for role in (Role.PHYSICIAN, Role.NURSE, Role.CUSTODIAN, Role.OUTSIDE_PROFESSIONAL):
            self.login(role.value)
            r = self.client.post(self.url, {"owner": owner, "next_action_on": "2030-05-04"})
            self.assertEqual(r.status_code, 403, role)
        self.assertIsNone(self.refresh().owner)

    def test_it_denies_anonymous_and_the_other_clinic(self) -> None:
        data = {"owner": "", "next_action_on": "2030-05-04"}
        self.assert_denied(self.client.post(self.url, data), 302)
        self.login(self.outsider)
        self.assertEqual(self.client.post(self.url, data).status_code, 404)
        self.assertIsNone(self.refresh().next_action_on)

    def test_it_refuses_get(self) -> None:
        self.login(Role.COORDINATOR)
        self.assertEqual(self.client.get(self.url).status_code, 405)
