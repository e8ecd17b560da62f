"""Query budgets of the home pages: whole requests through the test client (session,
authentication, two-factor, session limits and access policy counted with the page's own), the
same for a few rows and for many.

Measured 2026-12-01 (Django 5.2) in steady state (a first request adopts the session), SQLite
and PostgreSQL alike:

    every page            5   session, user, TOTP device, UserSession, Membership (access
                              policy; the shell's clinic switcher reads the same lookup)
    coordinator          +8   inquiry counts (one aggregate), five queues, intakes to chase
                              (count, rows)
    physician, nurse     +4   inquiry counts, the leads, open safety alerts (count, rows); the
                              physician's eligibility queue and the nurse's screenings missing
                              information (count, rows each)
    custodian            +4   the clinic's admins; the ledger's open discrepancies, loss
                              reports with a DEA step due, registrations (no registration here:
                              no inventory query)
    outside professional +3   live grants, their records (one per kind), the clinic's admins
    clinic admin         +9   invitations (rows, count), inquiry counts, break-glass (rows,
                              count), security events (two counts, the page, the names)

Lower a budget when a change lowers the count, and explain any rise.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import time_machine
from django.http import HttpRequest
from django.test import RequestFactory
from django.urls import reverse

from ketaclinic.access.middleware import CLINIC_SESSION_KEY
from ketaclinic.accounts.actions.grants import grant_shared_access, open_break_glass
from ketaclinic.accounts.actions.staff import invite_staff
from ketaclinic.accounts.actions.twofactor import verify_second_factor
from ketaclinic.accounts.models import Role, User
from ketaclinic.accounts.policies import register_break_glass_target, unregister_break_glass_target
from ketaclinic.accounts.signals import audit_lockout
from ketaclinic.clinics.models import Clinic
from ketaclinic.inquiries import actions
from ketaclinic.inquiries.models import Status
from ketaclinic.inquiries.tests.base import InquiryTestCase, make_inquiry
from ketaclinic.patients.actions import set_status
from ketaclinic.patients.models import PatientStatus
from ketaclinic.patients.tests.base import make_patient
from ketaclinic.testing import member

URL = reverse("web:home")
# Time stands still, so the session's once-a-minute activity write never lands in a request.
NOW = dt.datetime(2030, 5, 6, 15, 0, tzinfo=dt.UTC)
TODAY = dt.date(2030, 5, 6)
SHELL = 5 + 1  # the shell, and the viewer's own invitations waiting (every home page)
BUDGETS = {
    Role.COORDINATOR: SHELL + 8,  # + intakes to chase (count, rows)
    # lead counts, leads; open safety alerts (count, rows); eligibility queue (count, rows)
    Role.PHYSICIAN: SHELL + 6,
    # lead counts, leads; open safety alerts; screenings missing information (count, rows)
    Role.NURSE: SHELL + 6,
    Role.CUSTODIAN: SHELL + 4,
    Role.OUTSIDE_PROFESSIONAL: SHELL + 3,
    Role.CLINIC_ADMIN: SHELL + 10,  # security events: three parts (clinic, people, accounts)
}


def request_by(user: User | None = None) -> HttpRequest:
    request = RequestFactory().post("/")
    if user is not None:
        request.user = user
    return request


class HomeBudgetTests(InquiryTestCase):
    def setUp(self) -> None:
        super().setUp()
        traveller = time_machine.travel(NOW, tick=False)
        traveller.start()
        self.addCleanup(traveller.stop)
        register_break_glass_target(Clinic)
        self.addCleanup(unregister_break_glass_target, Clinic)
        self.made = 0

    def add_rows(self, n: int) -> None:
        """``n`` rows of everything any home page lists: urgent, overdue, due-today and new
        inquiries, invitations, emergency accesses, security events, shared records."""
        coordinator = member(self.users[Role.COORDINATOR])
        admin = member(self.users[Role.CLINIC_ADMIN])
        for _ in range(n):
            i = self.made = self.made + 1
            urgent = make_inquiry(self.clinic, name=f"Urgent {i} (test)", message="suicidal")
            actions.set_follow_up(coordinator, urgent, owner=coordinator.user, next_action_on=TODAY)
            late = make_inquiry(self.clinic, name=f"Late {i} (test)")
            actions.change_status(coordinator, late, Status.CONTACTED)
            actions.set_follow_up(
                coordinator,
                late,
                owner=admin.user,
                next_action_on=TODAY - dt.timedelta(days=2),
            )
            make_inquiry(self.clinic, name=f"New {i} (test)")
            # A patient waiting on an intake never sent, and one in screening with nothing
            # recorded yet (an incomplete screening).
            make_patient(self.clinic, coordinator.user, legal_family_name=f"Intake{i}")
            screening = make_patient(self.clinic, coordinator.user, legal_family_name=f"Scr{i}")
            set_status(coordinator, screening, PatientStatus.SCREENING)
            invite_staff(
                admin,
                email=f"invitee{i}@sturges.example",
                full_name=f"Invitee {i}",
                role=Role.NURSE,
                request=request_by(admin.user),
            )
            open_break_glass(
                member(self.users[Role.NURSE]),
                self.clinic,
                "Patient collapsed; need allergies now.",
                request=request_by(),
            )
            audit_lockout(None, request_by(), username=self.users[Role.NURSE].email)
            verify_second_factor(request_by(self.users[Role.PHYSICIAN]), "not-a-code")
            grant_shared_access(
                member(self.users[Role.PHYSICIAN]),
                professional=self.users[Role.OUTSIDE_PROFESSIONAL],
                target=urgent,
                sections=["summary"],
                reason="Consent form signed",
            )

    def assert_budget(self, role: Role) -> Any:
        self.login(role.value)
        session = self.client.session
        session[CLINIC_SESSION_KEY] = self.clinic.pk
        session.save()
        self.add_rows(3)
        assert self.client.get(URL).status_code == 200  # adopts the session: one-off writes
        with self.assertNumQueries(BUDGETS[role]):
            self.client.get(URL)
        self.add_rows(12)
        with self.assertNumQueries(BUDGETS[role]):
            response = self.client.get(URL)
        assert response.status_code == 200
        return response

    def test_the_coordinators_home(self) -> None:
        response = self.assert_budget(Role.COORDINATOR)
        queues = response.context["queues"]
        assert (queues.urgent.count, queues.overdue.count, queues.new.count) == (15, 15, 30)
        assert response.context["intakes"].count == 15

    def test_the_clinic_admins_home(self) -> None:
        response = self.assert_budget(Role.CLINIC_ADMIN)
        assert response.context["invitations"].count == 15
        assert response.context["break_glass"].count == 15
        assert response.context["security"].count == 30

    def test_the_physicians_home(self) -> None:
        response = self.assert_budget(Role.PHYSICIAN)
        assert response.context["prepare"].leads.count == 30  # the urgent and the new ones

    def test_the_nurses_home(self) -> None:
        response = self.assert_budget(Role.NURSE)
        assert response.context["prepare"].leads.count == 30
        assert response.context["missing"].count == 15

    def test_the_custodians_home(self) -> None:
        self.assert_budget(Role.CUSTODIAN)

    def test_the_outside_professionals_home(self) -> None:
        response = self.assert_budget(Role.OUTSIDE_PROFESSIONAL)
        assert len(response.context["shared"]) == 15
