from __future__ import annotations

import datetime as dt

import time_machine
from django.urls import reverse

from ketaclinic.accounts.models import Role
from ketaclinic.audit.models import AuditEntry
from ketaclinic.inquiries.models import ContactAttempt
from ketaclinic.inquiries.tests.base import InquiryTestCase, make_inquiry

NOW = dt.datetime(2030, 7, 1, 18, 0, tzinfo=dt.UTC)  # 13:00 in Chicago (CDT)


class AddContactTestCase(InquiryTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.inquiry = make_inquiry(self.clinic)
        self.url = reverse("inquiries:add_contact", args=[self.inquiry.pk])
        self.data = {
            "channel": "call",
            "contacted_at": "2030-07-01T09:15",
            "outcome": "reached",
            "note": "Talked for ten minutes.",
        }

    def test_it_appends_to_the_log_in_the_clinics_time_zone(self) -> None:
        with time_machine.travel(NOW, tick=False):
            for role in (Role.COORDINATOR, Role.CLINIC_ADMIN):
                user = self.login(role.value)
                r = self.client.post(self.url, self.data)
                self.assertRedirects(r, reverse("inquiries:detail", args=[self.inquiry.pk]))
                attempt = ContactAttempt.objects.filter(by=user).get()
                self.assertEqual(
                    attempt.contacted_at, dt.datetime(2030, 7, 1, 14, 15, tzinfo=dt.UTC)
                )
                self.assertEqual(attempt.outcome, "reached")
                self.assertEqual(attempt.note, "Talked for ten minutes.")
        self.assertEqual(AuditEntry.objects.filter(action="inquiry.contact").count(), 2)
        entry = AuditEntry.objects.filter(action="inquiry.contact").last()
        assert entry is not None and entry.after is not None
        self.assertEqual(entry.after["channel"], "call")
        self.assertNotIn("note", entry.after)

    def test_it_denies_read_only_and_other_roles(self) -> None:
        for role in (Role.PHYSICIAN, Role.NURSE, Role.CUSTODIAN, Role.OUTSIDE_PROFESSIONAL):
            self.login(role.value)
            self.assertEqual(self.client.post(self.url, self.data).status_code, 403, role)
        self.assertFalse(ContactAttempt.objects.exists())

    def test_it_denies_anonymous_and_the_other_clinic(self) -> None:
        self.assert_denied(self.client.post(self.url, self.data), 302)
        self.login(self.outsider)
        self.assertEqual(self.client.post(self.url, self.data).status_code, 404)
        self.assertFalse(ContactAttempt.objects.exists())

    def test_it_rejects_bad_values_and_keeps_them(self) -> None:
        with time_machine.travel(NOW, tick=False):
            self.login(Role.COORDINATOR)
            r = self.client.post(self.url, {**self.data, "contacted_at": "yesterday-ish"})
            self.assertContains(r, 'id="id_contact_contacted_at_error"')
            self.assertContains(r, 'value="yesterday-ish"')
            self.assertContains(r, "Talked for ten minutes.")
            r = self.client.post(self.url, {**self.data, "contacted_at": "2030-07-01T15:00"})
            self.assertContains(r, "in the future")
            r = self.client.post(self.url, {**self.data, "channel": "pigeon"})
            self.assertContains(r, 'id="id_contact_channel_error"')
            r = self.client.post(self.url, {**self.data, "outcome": ""})
            self.assertContains(r, 'id="id_contact_outcome_error"')
        self.assertFalse(ContactAttempt.objects.exists())

    def test_it_refuses_get(self) -> None:
        self.login(Role.COORDINATOR)
        self.assertEqual(self.client.get(self.url).status_code, 405)
