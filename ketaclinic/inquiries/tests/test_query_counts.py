"""Query budgets of the inquiry pages: whole requests through the test client, so the session,
authentication, two-factor, session-limit and access-policy queries are counted with the
view's own, and savepoints too.

Measured 2026-12-01 (Django 5.2), as the coordinator, in steady state (a request of the same
kind is made first, so per-process caches such as ContentType's are warm). SQLite and
PostgreSQL run the same statements, savepoints included, so one budget serves both:

    inquiries:list (5 or 30 inquiries)   10   session, user, TOTP device, UserSession,
                                              Membership x2 (session limits, access policy),
                                              owner choices, status counts, page count, rows
    inquiries:detail                     18   the same six, inquiry, 5 for the audited view
                                              (savepoint, chain head, insert, update,
                                              release), Membership again (can_edit), staff
                                              ids + staff list (owner choices), contacts,
                                              history, duplicates
    inquiries:follow_up (valid POST)     21   the same six, inquiry, owner choices + owner,
                                              Membership again (_require_editor), staff_of,
                                              savepoint, locked inquiry, update, clinic,
                                              5 for the audit entry, release

After the policies and actions read the membership the middleware loaded (and that lookup is
made once per request), the counts are 9, 15 and 17: Membership is read once, not two or three
times; the owner choices are one query, not a list of ids and then the staff list; the locked
inquiry brings its clinic along. Lower a budget when a change lowers the count, and explain
any rise.

Rise: the list 9 -> 14. Each list page shown is audited as an opening (``view.inquiry_list``,
or ``view.inquiry_search`` with a search in force): the same 5 as the detail page's audited
view (savepoint, chain head, insert, update, release).
"""

from __future__ import annotations

import datetime as dt

import time_machine
from django.urls import reverse

from ketaclinic.accounts.models import Role
from ketaclinic.inquiries.models import Inquiry
from ketaclinic.inquiries.tests.base import InquiryTestCase, make_inquiry

# Time stands still, so the session's once-a-minute activity write never lands inside (or
# outside) a measured request by chance.
NOW = dt.datetime(2026, 3, 2, 15, 0, tzinfo=dt.UTC)

# The list (14) and the detail page (15) are budgeted with every other staff GET page in
# tests/test_query_budgets.py; this file keeps the follow-up POST, which that walk does not.
BUDGETS = {"follow_up": 17}


def budget(page: str) -> int:
    # Measured alike on SQLite and PostgreSQL; if the vendors ever part, key this by
    # ``django.db.connection.vendor``.
    return BUDGETS[page]


class QueryBudgetTests(InquiryTestCase):
    def setUp(self) -> None:
        super().setUp()
        traveller = time_machine.travel(NOW, tick=False)
        traveller.start()
        self.addCleanup(traveller.stop)
        self.login(Role.COORDINATOR)

    def add_inquiries(self, n: int) -> list[Inquiry]:
        """``n`` more inquiries; every third has an owner and a past next action (overdue),
        every second shares an email with the one before, so the list's owner, overdue and
        duplicate columns all have rows to show."""
        start = Inquiry.objects.filter(clinic=self.clinic).count()
        made = []
        for i in range(start, start + n):
            made.append(
                make_inquiry(
                    self.clinic,
                    name=f"Budget Person {i} (test)",
                    email=f"budget{i // 2}@example.com",
                    phone=f"555-010-{i:04d}",
                )
            )
            if i % 3 == 0:
                Inquiry.objects.filter(pk=made[-1].pk).update(
                    owner=self.users[Role.NURSE], next_action_on=dt.date(2026, 3, 1)
                )
        return made

    def test_a_follow_up_that_changes_something(self) -> None:
        inquiry = self.add_inquiries(1)[0]
        url = reverse("inquiries:follow_up", args=[inquiry.pk])
        detail = reverse("inquiries:detail", args=[inquiry.pk])
        nurse, coordinator = self.users[Role.NURSE], self.users[Role.COORDINATOR]
        warm = self.client.post(url, {"owner": nurse.pk, "next_action_on": "2026-03-09"})
        self.assertRedirects(warm, detail, fetch_redirect_response=False)
        with self.assertNumQueries(budget("follow_up")):
            response = self.client.post(
                url, {"owner": coordinator.pk, "next_action_on": "2026-03-10"}
            )
        self.assertRedirects(response, detail, fetch_redirect_response=False)
        inquiry.refresh_from_db()
        self.assertEqual(
            (inquiry.owner, inquiry.next_action_on), (coordinator, dt.date(2026, 3, 10))
        )
