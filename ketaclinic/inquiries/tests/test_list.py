from __future__ import annotations

import datetime as dt
from typing import Any

import time_machine
from django.urls import reverse

from ketaclinic.accounts.models import Role
from ketaclinic.inquiries import actions
from ketaclinic.inquiries.models import Status
from ketaclinic.inquiries.tests.base import (
    XSS_IMG,
    XSS_SCRIPT,
    InquiryTestCase,
    make_inquiry,
)
from ketaclinic.testing import member

URL = reverse("inquiries:list")
READERS = (Role.COORDINATOR, Role.CLINIC_ADMIN, Role.PHYSICIAN, Role.NURSE)


class InquiryListTestCase(InquiryTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.coordinator = self.users[Role.COORDINATOR]
        self.alice = make_inquiry(
            self.clinic, name="Alice Anders (test)", email="alice@example.com"
        )
        self.bob = make_inquiry(
            self.clinic, name="Bob Brown (test)", email="", phone="(555) 010-0123"
        )
        self.theirs = make_inquiry(self.other, name="Other Clinic Lead (test)")

    def search(self, text: str, **filters: str) -> Any:
        return self.client.post(URL, {"q": text, **filters}, follow=True)

    def names(self, response: Any) -> list[str]:
        return [i.name for i in response.context["page"].object_list]

    def test_it_lists_this_clinics_inquiries_for_readers(self) -> None:
        for role in READERS:
            self.login(role.value)
            r = self.client.get(URL)
            self.assertEqual(r.status_code, 200, role)
            self.assertContains(r, "Alice Anders (test)")
            self.assertContains(r, "Bob Brown (test)")
            self.assertNotContains(r, "Other Clinic Lead")

    def test_it_denies_custodian_and_outside_professional(self) -> None:
        for role in (Role.CUSTODIAN, Role.OUTSIDE_PROFESSIONAL):
            self.login(role.value)
            r = self.client.get(URL)
            self.assertEqual(r.status_code, 403, role)
            self.assertNotContains(r, "Alice", status_code=403)

    def test_it_sends_anonymous_visitors_to_sign_in(self) -> None:
        self.assert_denied(self.client.get(URL), 302)
        self.assertEqual(self.client.get(URL).status_code, 302)

    def test_it_shows_the_other_clinic_only_its_own(self) -> None:
        self.login(self.outsider)
        r = self.client.get(URL)
        self.assertEqual(r.status_code, 200)
        self.assertNotContains(r, "Alice Anders")
        self.assertContains(r, "Other Clinic Lead (test)")

    def test_it_counts_per_status(self) -> None:
        actions.change_status(member(self.coordinator), self.bob, Status.CONTACTED)
        self.login(Role.COORDINATOR)
        r = self.client.get(URL)
        counts = {value: n for value, _, n in r.context["counts"]}
        self.assertEqual(
            counts,
            {
                "new": 1,
                "contacted": 1,
                "consult_booked": 0,
                "became_patient": 0,
                "not_a_fit": 0,
                "closed": 0,
            },
        )
        self.assertEqual(r.context["total"], 2)

    def test_it_filters_by_status(self) -> None:
        actions.change_status(member(self.coordinator), self.bob, Status.CONTACTED)
        self.login(Role.COORDINATOR)
        r = self.client.get(URL, {"status": "contacted"})
        self.assertEqual(self.names(r), ["Bob Brown (test)"])
        self.assertContains(r, 'aria-current="page">Contacted')

    def test_it_searches_name_email_and_phone(self) -> None:
        self.login(Role.COORDINATOR)
        self.assertEqual(self.names(self.search("anders")), ["Alice Anders (test)"])
        self.assertEqual(self.names(self.search("ALICE@EX")), ["Alice Anders (test)"])
        self.assertEqual(self.names(self.search("5550100123")), ["Bob Brown (test)"])
        self.assertEqual(self.names(self.search("010-0123")), ["Bob Brown (test)"])
        self.assertEqual(self.names(self.search("nobody")), [])

    def test_it_filters_urgent_and_marks_them(self) -> None:
        make_inquiry(self.clinic, name="Urgent Una (test)", message="I might hurt myself")
        self.login(Role.COORDINATOR)
        r = self.client.get(URL, {"urgent": "yes"})
        self.assertEqual(self.names(r), ["Urgent Una (test)"])
        self.assertContains(r, '<span class="badge badge--danger">Urgent</span>', html=True)
        r = self.client.get(URL, {"urgent": "no"})
        self.assertNotIn("Urgent Una (test)", self.names(r))
        # Unfiltered, the open urgent one comes first.
        self.assertEqual(self.names(self.client.get(URL))[0], "Urgent Una (test)")

    def test_it_filters_by_owner(self) -> None:
        actions.set_follow_up(
            member(self.coordinator), self.alice, owner=self.coordinator, next_action_on=None
        )
        self.login(Role.COORDINATOR)
        r = self.client.get(URL, {"owner": str(self.coordinator.pk)})
        self.assertEqual(self.names(r), ["Alice Anders (test)"])
        r = self.client.get(URL, {"owner": "none"})
        self.assertEqual(self.names(r), ["Bob Brown (test)"])

    def test_it_highlights_overdue_follow_ups_by_the_clinics_date(self) -> None:
        # 03:00 UTC on 10 March is still 9 March in Chicago (the clinic's time zone).
        with time_machine.travel(dt.datetime(2030, 3, 10, 3, 0, tzinfo=dt.UTC), tick=False):
            actions.set_follow_up(
                member(self.coordinator), self.alice, owner=None, next_action_on=dt.date(2030, 3, 8)
            )
            actions.set_follow_up(
                member(self.coordinator), self.bob, owner=None, next_action_on=dt.date(2030, 3, 9)
            )
            self.login(Role.COORDINATOR)
            r = self.client.get(URL, {"overdue": "on"})
            self.assertEqual(self.names(r), ["Alice Anders (test)"])
            self.assertContains(r, '<span class="badge badge--warning">Overdue</span>', html=True)
            actions.change_status(member(self.coordinator), self.alice, Status.CLOSED)
            r = self.client.get(URL, {"overdue": "on"})
            self.assertEqual(self.names(r), [])

    def test_it_paginates_by_25_keeping_filters(self) -> None:
        for n in range(30):
            make_inquiry(self.clinic, name=f"Paged {n:02d} (test)")
        self.login(Role.COORDINATOR)
        r = self.search("Paged", urgent="no")
        self.assertEqual(len(r.context["page"].object_list), 25)
        self.assertContains(r, "?urgent=no&amp;page=2")
        r = self.client.get(URL, {"urgent": "no", "page": "2"})
        self.assertEqual(len(r.context["page"].object_list), 5)
        r = self.client.get(URL, {"page": "not-a-number"})
        self.assertEqual(r.status_code, 200)

    def test_it_ignores_bad_filter_values(self) -> None:
        self.login(Role.COORDINATOR)
        r = self.client.get(URL, {"status": "bogus", "owner": "1; DROP TABLE", "urgent": "x"})
        self.assertEqual(r.status_code, 200)
        self.assertEqual(len(self.names(r)), 2)
        self.assertContains(r, "were ignored")

    def test_it_shows_markup_as_text(self) -> None:
        make_inquiry(self.clinic, name=XSS_SCRIPT, message=XSS_IMG, email="x@example.com")
        make_inquiry(self.clinic, name=XSS_IMG, email="y@example.com")
        self.login(Role.COORDINATOR)
        r = self.client.get(URL)
        self.assertNotContains(r, XSS_SCRIPT)
        self.assertNotContains(r, XSS_IMG)
        self.assertContains(r, "&lt;script&gt;alert(1)&lt;/script&gt;")
        self.assertContains(r, "&lt;img src=x onerror=alert(1)&gt;")

    def test_it_keeps_the_search_text_out_of_every_url(self) -> None:
        self.login(Role.COORDINATOR)
        r = self.client.post(URL, {"q": "Alice Anders", "urgent": "no"})
        self.assertEqual(r.status_code, 302)
        self.assertEqual(r["Location"], f"{URL}?urgent=no")
        page = self.client.get(r["Location"])
        self.assertEqual(self.names(page), ["Alice Anders (test)"])
        self.assertNotContains(page, "q=Alice")
        self.assertContains(page, 'value="Alice Anders"')  # still in the box, kept for editing
        # A search text someone puts in a URL is ignored; the remembered one still applies.
        ignored = self.client.get(URL, {"q": "nobody-at-all"})
        self.assertEqual(self.names(ignored), ["Alice Anders (test)"])

    def test_it_clears_the_search(self) -> None:
        self.login(Role.COORDINATOR)
        self.search("anders")
        r = self.client.post(URL, {"clear": "1"}, follow=True)
        self.assertEqual(len(self.names(r)), 2)

    def test_it_keeps_one_users_search_from_another(self) -> None:
        self.login(Role.COORDINATOR)
        self.search("anders")
        self.client.logout()
        self.login(Role.CLINIC_ADMIN)
        self.assertEqual(len(self.names(self.client.get(URL))), 2)
