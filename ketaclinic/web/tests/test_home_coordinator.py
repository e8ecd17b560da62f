"""The coordinator's home: real inquiries in each queue, right counts, urgency order, links to
the pipeline and to each inquiry, the clinic's day for "today" and "overdue", flat queries."""

from __future__ import annotations

import datetime as dt
from typing import Any

import time_machine
from django.urls import reverse

from ketaclinic.access.zones import clinic_today
from ketaclinic.accounts.models import Role
from ketaclinic.inquiries import actions
from ketaclinic.inquiries.models import Inquiry, Status
from ketaclinic.inquiries.tests.base import InquiryTestCase, make_inquiry
from ketaclinic.testing import member
from ketaclinic.web import queues

URL = reverse("web:home")
# 15:00 UTC is 10:00 in Chicago (the test clinic's zone): the same date on both sides.
NOON = dt.datetime(2030, 3, 12, 15, 0, tzinfo=dt.UTC)
TODAY = dt.date(2030, 3, 12)
URGENT_TEXT = "Some days I want to end my life."


class CoordinatorHomeTestCase(InquiryTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.coordinator = self.users[Role.COORDINATOR]
        self.by = member(self.coordinator)

    def lead(self, name: str, *, urgent: bool = False, status: str = "", **follow: Any) -> Inquiry:
        inquiry = make_inquiry(
            self.clinic, name=f"{name} (test)", message=URGENT_TEXT if urgent else ""
        )
        if status in (Status.CLOSED, Status.CONTACTED):
            actions.change_status(self.by, inquiry, Status.CONTACTED)
        if status == Status.CLOSED:
            actions.change_status(self.by, inquiry, Status.CLOSED)
        if follow:
            actions.set_follow_up(
                self.by,
                inquiry,
                owner=follow.get("owner"),
                next_action_on=follow.get("on"),
            )
        return inquiry

    def names(self, queue: queues.Queue[Inquiry]) -> list[str]:
        return [i.name.removesuffix(" (test)") for i in queue.items]


class QueueTests(CoordinatorHomeTestCase):
    def setUp(self) -> None:
        super().setUp()
        admin = self.users[Role.CLINIC_ADMIN]
        me = self.coordinator
        with time_machine.travel(NOON, tick=False):
            self.lead("Urgent new", urgent=True)
            self.lead(
                "Urgent overdue",
                urgent=True,
                status=Status.CONTACTED,
                on=TODAY - dt.timedelta(days=1),
            )
            self.lead("Urgent closed", urgent=True, status=Status.CLOSED)
            self.lead("Plain new")
            self.lead("New due today mine", on=TODAY, owner=me)
            self.lead("Contacted due today", status=Status.CONTACTED, on=TODAY, owner=admin)
            self.lead(
                "Contacted overdue mine",
                status=Status.CONTACTED,
                on=TODAY - dt.timedelta(days=3),
                owner=me,
            )
            self.lead(
                "Closed long ago mine", status=Status.CLOSED, on=dt.date(2030, 3, 1), owner=me
            )
            make_inquiry(self.other, name="Other clinic (test)", message=URGENT_TEXT)

    def test_the_counts_are_right(self) -> None:
        counts = queues.inquiry_counts(self.clinic, self.coordinator, TODAY)
        assert counts == queues.InquiryCounts(
            urgent=2, new=3, due_today=2, overdue=2, mine=2, consult_booked=0, new_or_urgent=4
        )

    def test_each_queue_holds_its_inquiries_most_urgent_first(self) -> None:
        q = queues.coordinator_queues(self.clinic, self.coordinator, TODAY)
        assert self.names(q.urgent) == ["Urgent overdue", "Urgent new"]
        assert self.names(q.new) == ["Urgent new", "New due today mine", "Plain new"]
        assert self.names(q.due_today) == ["New due today mine", "Contacted due today"]
        # Urgent before overdue-ness: the urgent one is one day late, the other three.
        assert self.names(q.overdue) == ["Urgent overdue", "Contacted overdue mine"]
        assert self.names(q.mine) == ["Contacted overdue mine", "New due today mine"]

    def test_the_page_shows_the_counts_and_items_with_their_links(self) -> None:
        with time_machine.travel(NOON, tick=False):
            self.login(Role.COORDINATOR)
            response = self.client.get(URL)
        self.assertTemplateUsed(response, "web/home_coordinator.html")
        q = response.context["queues"]
        assert (q.urgent.count, q.new.count, q.due_today.count) == (2, 3, 2)
        assert (q.overdue.count, q.mine.count) == (2, 2)
        pipeline = reverse("inquiries:list")
        for query in (
            "urgent=yes",
            "status=new",
            "overdue=on",
            "due_today=on",
            f"owner={self.coordinator.pk}",
        ):
            self.assertContains(response, f'href="{pipeline}?{query}"')
        urgent = Inquiry.objects.get(name="Urgent overdue (test)")
        self.assertContains(response, f'href="{reverse("inquiries:detail", args=[urgent.pk])}"')
        self.assertContains(response, "Urgent overdue (test)")
        self.assertNotContains(response, "Urgent closed (test)")
        self.assertNotContains(response, "Closed long ago mine (test)")
        self.assertNotContains(response, "Other clinic (test)")
        self.assertContains(response, "badge--danger")
        self.assertContains(response, "Overdue")

    def test_each_count_leads_to_a_pipeline_list_of_as_many(self) -> None:
        with time_machine.travel(NOON, tick=False):
            self.login(Role.COORDINATOR)
            response = self.client.get(URL)
            links, counts = response.context["links"], response.context["queues"].counts
            for key in ("new", "overdue", "due_today"):
                listed = self.client.get(links[key]).context["page"].paginator.count
                assert listed == getattr(counts, key), key
            # The pipeline's urgent and owner filters also list closed ones (one each here).
            for key in ("urgent", "mine"):
                listed = self.client.get(links[key]).context["page"].paginator.count
                assert listed == getattr(counts, key) + 1, key

    def test_the_queries_are_a_fixed_number(self) -> None:
        with self.assertNumQueries(6):  # one aggregate for the counts, one per queue
            queues.coordinator_queues(self.clinic, self.coordinator, TODAY)


class EmptyAndLongQueueTests(CoordinatorHomeTestCase):
    def test_an_empty_day_shows_what_would_appear_and_where_to_go(self) -> None:
        self.login(Role.COORDINATOR)
        response = self.client.get(URL)
        for title in (
            "No urgent inquiries open",
            "No follow-up is overdue",
            "No follow-up is due today",
            "No new inquiries",
            "Nothing open is assigned to you",
            "No intake to chase",
        ):
            self.assertContains(response, title)
        self.assertContains(response, 'class="empty-state"', count=6)
        self.assertContains(response, f'href="{reverse("inquiries:list")}"')

    def test_a_long_queue_shows_the_first_ones_and_leads_to_the_rest(self) -> None:
        with time_machine.travel(NOON, tick=False):
            for n in range(queues.SECTION_LIMIT + 3):
                self.lead(f"Lead {n:02d}")
            self.login(Role.COORDINATOR)
            response = self.client.get(URL)
        new = response.context["queues"].new
        assert new.count == queues.SECTION_LIMIT + 3
        assert len(new.items) == queues.SECTION_LIMIT
        assert new.items[0].name == "Lead 00 (test)"  # waited longest (same time: first in)
        self.assertContains(response, "3 more in the pipeline")


class ClinicDayTests(CoordinatorHomeTestCase):
    def test_today_and_overdue_follow_the_clinics_date_not_utc(self) -> None:
        # 03:00 UTC on 10 March is still the evening of 9 March in Chicago.
        evening = dt.datetime(2030, 3, 10, 3, 0, tzinfo=dt.UTC)
        with time_machine.travel(evening, tick=False):
            assert clinic_today(self.clinic) == dt.date(2030, 3, 9)
            self.lead("Due on the ninth", on=dt.date(2030, 3, 9))
            self.lead("Due on the eighth", on=dt.date(2030, 3, 8))
            self.login(Role.COORDINATOR)
            q = self.client.get(URL).context["queues"]
            assert self.names(q.due_today) == ["Due on the ninth"]
            assert self.names(q.overdue) == ["Due on the eighth"]
        # 07:00 UTC is 01:00 on 10 March in Chicago: the ninth's follow-up is now late.
        with time_machine.travel(dt.datetime(2030, 3, 10, 7, 0, tzinfo=dt.UTC), tick=False):
            self.login(Role.COORDINATOR)
            q = self.client.get(URL).context["queues"]
            assert self.names(q.due_today) == []
            assert self.names(q.overdue) == ["Due on the eighth", "Due on the ninth"]
