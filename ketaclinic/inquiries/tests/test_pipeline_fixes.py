"""The fixes a first-use review of the pipeline asked for; each test fails on the old code."""

from __future__ import annotations

import datetime as dt
import re

import time_machine
from django.urls import reverse

from ketaclinic.access.zones import clinic_today
from ketaclinic.accounts.models import Role
from ketaclinic.audit.models import AuditEntry
from ketaclinic.inquiries import actions
from ketaclinic.inquiries.models import Status, StatusChange
from ketaclinic.inquiries.tests.base import InquiryTestCase, make_inquiry
from ketaclinic.testing import member

LIST = reverse("inquiries:list")


class StatusControlTests(InquiryTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.inquiry = make_inquiry(self.clinic)
        actions.change_status(member(self.users[Role.COORDINATOR]), self.inquiry, Status.CONTACTED)
        self.login(Role.COORDINATOR)

    def test_the_control_shows_the_current_status(self) -> None:
        r = self.client.get(reverse("inquiries:detail", args=[self.inquiry.pk]))
        self.assertContains(r, '<option value="contacted" selected>Contacted</option>', html=True)
        self.assertNotContains(r, '<option value="new" selected>New</option>', html=True)

    def test_submitting_it_unchanged_changes_nothing_and_says_so(self) -> None:
        entries = AuditEntry.objects.count()
        url = reverse("inquiries:change_status", args=[self.inquiry.pk])
        r = self.client.post(url, {"status": Status.CONTACTED}, follow=True)
        self.assertContains(r, "Nothing changed: the inquiry is still Contacted.")
        self.inquiry.refresh_from_db()
        self.assertEqual(self.inquiry.status, Status.CONTACTED)
        self.assertEqual(StatusChange.objects.filter(inquiry=self.inquiry).count(), 2)
        self.assertFalse(
            AuditEntry.objects.filter(action="inquiry.status").exclude(
                after__status=Status.CONTACTED
            )
        )
        # Only the page view was audited, not a status change.
        new = AuditEntry.objects.order_by("id")[entries:]
        self.assertEqual([e.action for e in new], ["view"])


class FirstContactTests(InquiryTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.inquiry = make_inquiry(self.clinic)
        self.url = reverse("inquiries:add_contact", args=[self.inquiry.pk])
        self.login(Role.COORDINATOR)

    def post(self, **extra: str) -> None:
        data = {"channel": "call", "contacted_at": "2026-01-05T10:00", "outcome": "reached"}
        with time_machine.travel(dt.datetime(2026, 1, 6, tzinfo=dt.UTC), tick=False):
            self.client.post(self.url, {**data, **extra})

    def test_logging_the_first_contact_offers_to_move_a_new_inquiry_to_contacted(self) -> None:
        r = self.client.get(reverse("inquiries:detail", args=[self.inquiry.pk]))
        self.assertContains(r, "Also move this inquiry to Contacted")
        self.post(mark_contacted="on")
        self.inquiry.refresh_from_db()
        self.assertEqual(self.inquiry.status, Status.CONTACTED)
        change = self.inquiry.status_changes.order_by("-id").first()
        assert change is not None
        self.assertEqual((change.from_status, change.to_status), (Status.NEW, Status.CONTACTED))

    def test_unticked_it_only_logs_the_contact(self) -> None:
        self.post()
        self.inquiry.refresh_from_db()
        self.assertEqual(self.inquiry.status, Status.NEW)
        self.assertEqual(self.inquiry.contacts.count(), 1)

    def test_it_is_not_offered_once_the_inquiry_has_moved_on(self) -> None:
        actions.change_status(member(self.users[Role.COORDINATOR]), self.inquiry, Status.CLOSED)
        r = self.client.get(reverse("inquiries:detail", args=[self.inquiry.pk]))
        self.assertNotContains(r, "Also move this inquiry to Contacted")
        self.post(mark_contacted="on")
        self.inquiry.refresh_from_db()
        self.assertEqual(self.inquiry.status, Status.CLOSED)


class PhoneLinkTests(InquiryTestCase):
    def test_phone_numbers_are_tap_to_call_links(self) -> None:
        inquiry = make_inquiry(self.clinic, phone="+1 (555) 010-0123")
        self.login(Role.COORDINATOR)
        for url in (LIST, reverse("inquiries:detail", args=[inquiry.pk])):
            r = self.client.get(url)
            self.assertContains(
                r, '<a class="tap-call" href="tel:+15550100123">+1 (555) 010-0123</a>', html=True
            )


class FollowUpBoxTests(InquiryTestCase):
    def test_the_follow_up_box_labels_the_owner_once(self) -> None:
        inquiry = make_inquiry(self.clinic)
        for role in (Role.COORDINATOR, Role.PHYSICIAN):
            self.login(role)
            html = self.client.get(reverse("inquiries:detail", args=[inquiry.pk])).content.decode()
            box = html.split('id="follow-title"')[1].split("</section>")[0]
            labels = re.findall(r">\s*Owner\b", box)
            self.assertEqual(len(labels), 1, (role, box))


class PipelineFilterTests(InquiryTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.coordinator = self.users[Role.COORDINATOR]
        self.mine = make_inquiry(self.clinic, name="Mine Today (test)")
        self.theirs = make_inquiry(self.clinic, name="Nurse Later (test)")
        self.nobody = make_inquiry(self.clinic, name="Nobody (test)")
        today = clinic_today(self.clinic)
        by = member(self.coordinator)
        actions.set_follow_up(by, self.mine, owner=self.coordinator, next_action_on=today)
        actions.set_follow_up(
            by,
            self.theirs,
            owner=self.users[Role.NURSE],
            next_action_on=today + dt.timedelta(days=2),
        )
        self.login(Role.COORDINATOR)

    def names(self, query: str) -> list[str]:
        r = self.client.get(f"{LIST}?{query}")
        return [i.name for i in r.context["page"].object_list]

    def test_assigned_to_me(self) -> None:
        self.assertEqual(self.names("mine=on"), ["Mine Today (test)"])

    def test_due_today(self) -> None:
        self.assertEqual(self.names("due_today=on"), ["Mine Today (test)"])

    def test_sortable_columns_from_a_whitelist(self) -> None:
        self.assertEqual(
            self.names("sort=name"), ["Mine Today (test)", "Nobody (test)", "Nurse Later (test)"]
        )
        self.assertEqual(
            self.names("sort=-name"), ["Nurse Later (test)", "Nobody (test)", "Mine Today (test)"]
        )
        # An unknown column is reported and ignored (newest first, as without a sort).
        self.assertEqual(len(self.names("sort=password")), 3)
        r = self.client.get(f"{LIST}?sort=name")
        self.assertContains(r, 'aria-sort="ascending"')

    def test_a_kept_search_is_shown_as_active_with_a_one_click_clear(self) -> None:
        self.client.post(LIST, {"q": "Nobody"})
        r = self.client.get(LIST)
        self.assertContains(r, "Search: “Nobody”")
        self.assertContains(r, "Clear all filters")
        self.assertEqual([i.name for i in r.context["page"].object_list], ["Nobody (test)"])
        self.client.post(LIST, {"clear": "1"})
        r = self.client.get(LIST)
        self.assertNotContains(r, "Search: “Nobody”")
        self.assertEqual(len(r.context["page"].object_list), 3)

    def test_filters_in_force_are_named(self) -> None:
        r = self.client.get(f"{LIST}?mine=on&urgent=no")
        self.assertContains(r, "Assigned to me")
        self.assertContains(r, "Urgent: Not urgent")

    def test_dates_are_friendly_in_the_clinics_zone(self) -> None:
        r = self.client.get(LIST)
        self.assertContains(r, ">Today</time>")
