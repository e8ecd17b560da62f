"""The clinic admin's home: invitations not taken up, emergency accesses to review, the week's
security events and the pipeline's counts, each from real rows made by the real actions."""

from __future__ import annotations

import datetime as dt
from typing import Any

import time_machine
from django.http import HttpRequest
from django.test import RequestFactory
from django.urls import reverse

from ketaclinic.accounts.actions.grants import open_break_glass, review_break_glass
from ketaclinic.accounts.actions.staff import (
    deactivate_account,
    invite_staff,
    reset_two_factor,
    update_membership,
)
from ketaclinic.accounts.actions.twofactor import verify_second_factor
from ketaclinic.accounts.models import Membership, Role, User
from ketaclinic.accounts.policies import register_break_glass_target, unregister_break_glass_target
from ketaclinic.accounts.signals import audit_lockout
from ketaclinic.clinics.models import Clinic
from ketaclinic.inquiries.tests.base import InquiryTestCase, make_inquiry
from ketaclinic.testing import make_user, member
from ketaclinic.web import queues

URL = reverse("web:home")
START = dt.datetime(2030, 5, 6, 15, 0, tzinfo=dt.UTC)
REASON = "Patient collapsed in the waiting room; need allergies now."


def request_by(user: User | None = None) -> HttpRequest:
    request = RequestFactory().post("/")
    if user is not None:
        request.user = user
    return request


class AdminHomeTestCase(InquiryTestCase):
    def setUp(self) -> None:
        super().setUp()
        register_break_glass_target(Clinic)
        self.addCleanup(unregister_break_glass_target, Clinic)
        self.admin = self.users[Role.CLINIC_ADMIN]
        self.by = member(self.admin)

    def invite(self, email: str, name: str, by: Membership | None = None) -> Membership:
        made = invite_staff(
            by or self.by,
            email=email,
            full_name=name,
            role=Role.NURSE,
            request=request_by(self.admin),
        )
        assert isinstance(made, Membership)  # a new address: an account and its role
        return made

    def break_glass(self, who: str = "nurse") -> None:
        open_break_glass(member(self.users[who]), self.clinic, REASON, request=request_by())

    def home(self) -> Any:
        self.login(Role.CLINIC_ADMIN)
        response = self.client.get(URL)
        assert response.status_code == 200
        self.response = response
        return response.context


class InvitationTests(AdminHomeTestCase):
    def test_people_who_never_chose_a_password_are_listed_with_a_link(self) -> None:
        first = self.invite("new.nurse@sturges.example", "Nova Newcomer")
        second = self.invite("late@sturges.example", "Lara Later")
        turned_off = self.invite("off@sturges.example", "Otto Off")
        update_membership(
            self.by, turned_off, role=Role.NURSE, is_active=False, request=request_by(self.admin)
        )
        outsider_by = member(self.outsider)
        self.invite("theirs@other.example", "Their Invitee", by=outsider_by)
        context = self.home()
        invitations = context["invitations"]
        assert invitations.count == 2
        assert [m.user.full_name for m in invitations.items] == ["Nova Newcomer", "Lara Later"]
        for m in (first, second):
            link = reverse("accounts:staff_detail", args=[m.pk])
            self.assertContains(self.response, f'href="{link}"')
        self.assertNotContains(self.response, "Otto Off")
        self.assertNotContains(self.response, "Their Invitee")
        self.assertNotContains(self.response, "Every invited person has signed in")

    def test_nobody_waiting_shows_the_empty_state(self) -> None:
        self.home()
        self.assertContains(self.response, "Every invited person has signed in")


class BreakGlassTests(AdminHomeTestCase):
    def test_unreviewed_emergency_accesses_are_listed_and_lead_to_the_review(self) -> None:
        with time_machine.travel(START, tick=False):
            self.break_glass("nurse")
        with time_machine.travel(START + dt.timedelta(hours=1), tick=False):
            self.break_glass("custodian")
            self.break_glass("coordinator")
            reviewed = queues.break_glass_to_review(self.clinic).items[-1]
            review_break_glass(self.by, reviewed, "Checked with the coordinator.")
            open_break_glass(member(self.outsider), self.other, REASON, request=request_by())
            context = self.home()
        grants = context["break_glass"]
        assert grants.count == 2
        assert [g.user_id for g in grants.items] == [
            self.users["nurse"].pk,
            self.users["custodian"].pk,
        ]
        self.assertContains(self.response, f'href="{reverse("accounts:break_glass_review")}"')
        self.assertContains(self.response, "opened a clinic record")
        self.assertContains(self.response, "Still open")  # the custodian's hour is not over

    def test_nothing_to_review_shows_the_empty_state(self) -> None:
        self.home()
        self.assertContains(self.response, "No emergency access to review")


class SecurityEventTests(AdminHomeTestCase):
    def events(self) -> list[tuple[str, str, str]]:
        return [(e.label, e.who, e.about) for e in self.home()["security"].items]

    def test_the_weeks_sign_in_trouble_and_account_changes_of_the_clinics_people(self) -> None:
        nurse, physician = self.users["nurse"], self.users["physician"]
        leaver = make_user("leaver@sturges.example", "Lee Leaver", self.clinic, Role.NURSE)
        with time_machine.travel(START - dt.timedelta(days=8), tick=False):
            audit_lockout(None, request_by(), username=physician.email)  # too old
        with time_machine.travel(START, tick=False):
            audit_lockout(None, request_by(), username=nurse.email)
            audit_lockout(None, request_by(), username=self.outsider.email)  # other clinic
        with time_machine.travel(START + dt.timedelta(hours=1), tick=False):
            assert verify_second_factor(request_by(physician), "not-a-code") is None
        with time_machine.travel(START + dt.timedelta(hours=2), tick=False):
            reset_two_factor(self.by, member(nurse), request=request_by(self.admin))
        with time_machine.travel(START + dt.timedelta(hours=3), tick=False):
            deactivate_account(self.by, member(leaver), request=request_by(self.admin))
        with time_machine.travel(START + dt.timedelta(days=6), tick=False):
            assert self.events() == [
                ("Deactivated a staff account", "Clinic admin", "Lee Leaver"),
                ("Reset a staff member's two-factor sign-in", "Clinic admin", "Nurse"),
                ("Failed the second sign-in step", "Physician", ""),
                ("Was locked out after repeated failed sign-ins", "Nurse", ""),
            ]
            self.assertContains(self.response, f'href="{reverse("audit:report")}"')
            self.assertContains(self.response, "badge--warning", count=2)  # the two failures
        # A week later the lockout has dropped out of the seven days.
        with time_machine.travel(START + dt.timedelta(days=7, minutes=1), tick=False):
            assert [label for label, _, _ in self.events()][-1] == (
                "Failed the second sign-in step"
            )

    def test_a_quiet_week_shows_the_empty_state(self) -> None:
        self.home()
        self.assertContains(self.response, "No security events this week")


class InquirySummaryTests(AdminHomeTestCase):
    def test_the_admin_gets_the_pipeline_counts_without_the_people(self) -> None:
        make_inquiry(self.clinic, name="Una Urgent (test)", message="I want to end my life")
        make_inquiry(self.clinic, name="Ned New (test)")
        make_inquiry(self.other, name="Theirs (test)")
        counts = self.home()["counts"]
        assert (counts.urgent, counts.new, counts.overdue, counts.due_today) == (1, 2, 0, 0)
        self.assertContains(self.response, f'href="{reverse("inquiries:list")}?urgent=yes"')
        self.assertContains(self.response, f'href="{reverse("inquiries:list")}?status=new"')
        self.assertNotContains(self.response, "Una Urgent")
        self.assertNotContains(self.response, "Theirs (test)")


class ClinicLinksTests(AdminHomeTestCase):
    def test_the_admin_reaches_settings_staff_inquiries_and_the_audit_report(self) -> None:
        self.home()
        staff = reverse("accounts:staff_list")
        for url in (reverse("clinics:settings"), staff, reverse("audit:report")):
            self.assertContains(self.response, f'href="{url}"')
        self.assertContains(self.response, f'href="{reverse("inquiries:list")}"')


class AdminQueryTests(AdminHomeTestCase):
    def rows(self, n: int) -> None:
        for i in range(n):
            self.invite(f"invitee{i}-{Membership.objects.count()}@sturges.example", f"Invitee {i}")
            self.break_glass("nurse")
            audit_lockout(None, request_by(), username=self.users["nurse"].email)
            verify_second_factor(request_by(self.users["physician"]), "not-a-code")
            make_inquiry(self.clinic, name=f"Lead {i} (test)")

    def test_each_queue_costs_a_fixed_number_of_queries(self) -> None:
        with time_machine.travel(START, tick=False):
            self.rows(3)
            with self.assertNumQueries(2):
                queues.pending_invitations(self.clinic)
            with self.assertNumQueries(2):
                queues.break_glass_to_review(self.clinic)
            # Three counts (the clinic's entries, its people's sign-ins, and refused sign-ins
            # on its people's accounts), the page, and the names of the actors and accounts.
            with self.assertNumQueries(5):
                queues.recent_security_events(self.clinic)
