from __future__ import annotations

from collections import Counter

from ketaclinic.access.zones import clinic_today
from ketaclinic.audit.models import AuditEntry
from ketaclinic.inquiries import queries
from ketaclinic.inquiries.demo import create_demo_inquiries
from ketaclinic.inquiries.models import ContactAttempt, Inquiry, Status
from ketaclinic.inquiries.tests.base import InquiryTestCase


class DemoInquiriesTestCase(InquiryTestCase):
    def setUp(self) -> None:
        super().setUp()
        create_demo_inquiries(self.clinic, self.users)
        self.inquiries = list(Inquiry.objects.filter(clinic=self.clinic))

    def test_it_covers_every_status_at_least_twice(self) -> None:
        counts = Counter(i.status for i in self.inquiries)
        self.assertGreaterEqual(len(self.inquiries), 15)
        for status in Status.values:
            self.assertGreaterEqual(counts[status], 2, status)

    def test_it_has_urgent_overdue_duplicates_owners_and_contacts(self) -> None:
        self.assertGreaterEqual(sum(i.is_urgent for i in self.inquiries), 2)
        today = clinic_today(self.clinic)
        overdue = Inquiry.objects.filter(queries.overdue_q(today), clinic=self.clinic)
        self.assertGreaterEqual(overdue.count(), 2)
        self.assertTrue(any(queries.duplicates_of(i).exists() for i in self.inquiries))
        self.assertTrue(any(i.owner_id for i in self.inquiries))
        self.assertGreaterEqual(ContactAttempt.objects.count(), 10)

    def test_it_is_obviously_synthetic(self) -> None:
        for inquiry in self.inquiries:
            self.assertIn("(demo)", inquiry.name)
            if inquiry.email:
                self.assertTrue(inquiry.email.lower().endswith("@example.com"), inquiry.email)
            if inquiry.phone:
                self.assertIn("010-01", inquiry.phone.replace(" ", "-"))

    def test_it_goes_through_the_audited_actions(self) -> None:
        self.assertEqual(
            AuditEntry.objects.filter(action="inquiry.submit").count(), len(self.inquiries)
        )
        self.assertEqual(
            AuditEntry.objects.filter(action="inquiry.contact").count(),
            ContactAttempt.objects.count(),
        )
        moved = sum(i.status_changes.count() - 1 for i in self.inquiries)
        self.assertEqual(AuditEntry.objects.filter(action="inquiry.status").count(), moved)
