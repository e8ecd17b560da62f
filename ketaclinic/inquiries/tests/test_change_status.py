from __future__ import annotations

from django.test import Client
from django.urls import reverse

from ketaclinic.accounts.models import Role
from ketaclinic.audit.models import AuditEntry
from ketaclinic.inquiries.models import Inquiry, Status, StatusChange
from ketaclinic.inquiries.tests.base import InquiryTestCase, make_inquiry
from ketaclinic.testing import sign_in


class ChangeStatusTestCase(InquiryTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.inquiry = make_inquiry(self.clinic)
        self.url = reverse("inquiries:change_status", args=[self.inquiry.pk])

    def refresh(self) -> Inquiry:
        return Inquiry.objects.get(pk=self.inquiry.pk)

    def test_it_changes_status_with_history_and_audit(self) -> None:
        for role in (Role.COORDINATOR, Role.CLINIC_ADMIN):
            user = self.login(role.value)
            target = Status.CONTACTED if self.refresh().status == Status.NEW else Status.CLOSED
            before = self.refresh().status
            r = self.client.post(self.url, {"status": target, "note": f"by {role.value}"})
            self.assertRedirects(r, reverse("inquiries:detail", args=[self.inquiry.pk]))
            self.assertEqual(self.refresh().status, target)
            change = StatusChange.objects.filter(inquiry=self.inquiry).last()
            assert change is not None
            self.assertEqual((change.from_status, change.to_status), (before, target))
            self.assertEqual((change.changed_by, change.note), (user, f"by {role.value}"))
            entry = AuditEntry.objects.filter(action="inquiry.status").last()
            assert entry is not None
            self.assertEqual(entry.before, {"status": before})
            self.assertEqual(entry.after, {"status": target})
            self.assertEqual(entry.actor_role, role.value)
        self.assertEqual(self.inquiry.status_changes.count(), 3)

    def test_it_stamps_conversion(self) -> None:
        self.login(Role.COORDINATOR)
        self.client.post(self.url, {"status": Status.BECAME_PATIENT})
        self.assertIsNotNone(self.refresh().converted_at)

    def test_it_denies_read_only_and_other_roles(self) -> None:
        for role in (Role.PHYSICIAN, Role.NURSE, Role.CUSTODIAN, Role.OUTSIDE_PROFESSIONAL):
            self.login(role.value)
            r = self.client.post(self.url, {"status": Status.CLOSED})
            self.assertEqual(r.status_code, 403, role)
        self.assertEqual(self.refresh().status, Status.NEW)

    def test_it_denies_anonymous_and_the_other_clinic(self) -> None:
        self.assert_denied(self.client.post(self.url, {"status": Status.CLOSED}), 302)
        self.login(self.outsider)
        self.assertEqual(self.client.post(self.url, {"status": Status.CLOSED}).status_code, 404)
        self.assertEqual(self.refresh().status, Status.NEW)

    def test_it_rejects_bad_values_at_the_field(self) -> None:
        self.login(Role.COORDINATOR)
        r = self.client.post(self.url, {"status": "bogus", "note": "kept note"})
        self.assertEqual(r.status_code, 200)
        self.assertContains(r, 'id="id_status_error"')
        self.assertContains(r, "kept note")
        r = self.client.post(self.url, {"status": Status.NEW}, follow=True)
        self.assertContains(r, "Nothing changed: the inquiry is still New.")
        r = self.client.post(self.url, {"status": Status.CLOSED, "note": "n" * 2001})
        self.assertContains(r, "at most 2000")
        self.assertEqual(self.refresh().status, Status.NEW)
        self.assertEqual(self.inquiry.status_changes.count(), 1)

    def test_it_refuses_get_and_requires_csrf(self) -> None:
        user = self.login(Role.COORDINATOR)
        self.assertEqual(self.client.get(self.url).status_code, 405)
        strict = Client(enforce_csrf_checks=True)
        sign_in(strict, user)
        self.assertEqual(strict.post(self.url, {"status": Status.CLOSED}).status_code, 403)
        self.assertEqual(self.refresh().status, Status.NEW)
