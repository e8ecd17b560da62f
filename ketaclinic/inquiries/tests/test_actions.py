"""The write layer called directly (as the demo seed and other apps do)."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError

from ketaclinic.accounts.models import Membership, Role
from ketaclinic.audit.models import AuditEntry
from ketaclinic.inquiries import actions
from ketaclinic.inquiries.models import ContactAttempt, Inquiry, Status
from ketaclinic.inquiries.tests.base import InquiryTestCase, make_inquiry
from ketaclinic.testing import member

WHEN = dt.datetime(2030, 1, 1, 12, tzinfo=dt.UTC)


class ActionsTestCase(InquiryTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.inquiry = make_inquiry(self.clinic)
        self.coordinator = self.users[Role.COORDINATOR]

    def test_it_needs_a_way_to_reply(self) -> None:
        with self.assertRaises(ValidationError):
            make_inquiry(self.clinic, email="", phone="")
        self.assertEqual(Inquiry.objects.count(), 1)

    def test_it_refuses_changes_from_anyone_but_coordinators_and_admins(self) -> None:
        denied = [
            self.users[Role.PHYSICIAN],
            self.users[Role.NURSE],
            self.users[Role.CUSTODIAN],
            self.users[Role.OUTSIDE_PROFESSIONAL],
            self.outsider,
        ]
        for user in denied:
            with self.assertRaises(PermissionDenied):
                actions.change_status(member(user), self.inquiry, Status.CLOSED)
            with self.assertRaises(PermissionDenied):
                actions.add_contact(
                    member(user), self.inquiry, channel="call", contacted_at=WHEN, outcome="reached"
                )
            with self.assertRaises(PermissionDenied):
                actions.set_follow_up(
                    member(user), self.inquiry, owner=None, next_action_on=WHEN.date()
                )
        self.assertEqual(Inquiry.objects.get().status, Status.NEW)
        self.assertFalse(ContactAttempt.objects.exists())
        self.assertFalse(AuditEntry.objects.exclude(action="inquiry.submit").exists())

    def test_it_refuses_a_coordinator_whose_role_was_deactivated(self) -> None:
        Membership.objects.filter(user=self.coordinator).update(is_active=False)
        with self.assertRaises(PermissionDenied):
            actions.change_status(member(self.coordinator), self.inquiry, Status.CLOSED)

    def test_it_keeps_every_status_change(self) -> None:
        for status in (Status.CONTACTED, Status.CLOSED, Status.CONTACTED):
            actions.change_status(member(self.coordinator), self.inquiry, status)
        path = [(c.from_status, c.to_status) for c in self.inquiry.status_changes.all()]
        self.assertEqual(
            path,
            [("", "new"), ("new", "contacted"), ("contacted", "closed"), ("closed", "contacted")],
        )
        self.assertEqual(AuditEntry.objects.filter(action="inquiry.status").count(), 3)

    def test_it_refuses_unknown_and_unchanged_status(self) -> None:
        with self.assertRaises(ValidationError):
            actions.change_status(member(self.coordinator), self.inquiry, "bogus")
        with self.assertRaises(ValidationError):
            actions.change_status(member(self.coordinator), self.inquiry, Status.NEW)

    def test_it_keeps_the_first_conversion_time(self) -> None:
        actions.change_status(member(self.coordinator), self.inquiry, Status.BECAME_PATIENT)
        first = Inquiry.objects.get().converted_at
        actions.change_status(member(self.coordinator), self.inquiry, Status.CLOSED)
        actions.change_status(member(self.coordinator), self.inquiry, Status.BECAME_PATIENT)
        self.assertEqual(Inquiry.objects.get().converted_at, first)
        self.assertEqual(Inquiry.objects.get().converted_reference, "")

    def test_it_refuses_unknown_channels_and_outcomes(self) -> None:
        with self.assertRaises(ValidationError):
            actions.add_contact(
                member(self.coordinator),
                self.inquiry,
                channel="fax",
                contacted_at=WHEN,
                outcome="reached",
            )
        with self.assertRaises(ValidationError):
            actions.add_contact(
                member(self.coordinator),
                self.inquiry,
                channel="call",
                contacted_at=WHEN,
                outcome="meh",
            )

    def test_it_refuses_an_owner_from_another_clinic(self) -> None:
        with self.assertRaises(ValidationError):
            actions.set_follow_up(
                member(self.coordinator), self.inquiry, owner=self.outsider, next_action_on=None
            )

    def test_it_audits_submissions_without_free_text(self) -> None:
        make_inquiry(self.clinic, name="Secret Name (test)", message="private words")
        entry = AuditEntry.objects.filter(action="inquiry.submit").last()
        assert entry is not None
        self.assertNotIn("Secret", str(entry.after))
        self.assertNotIn("private", str(entry.after))
