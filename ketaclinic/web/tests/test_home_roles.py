"""The physician's, nurse's and outside professional's homes with real rows: leads to prepare,
and the records patients share with one professional (only theirs, only this clinic's)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from ketaclinic.access.middleware import CLINIC_SESSION_KEY
from ketaclinic.accounts.actions.grants import grant_shared_access, revoke_shared_access
from ketaclinic.accounts.models import Membership, Role, SharedAccess, User
from ketaclinic.clinics.models import Clinic
from ketaclinic.inquiries import actions
from ketaclinic.inquiries.models import Inquiry, Status
from ketaclinic.inquiries.tests.base import InquiryTestCase, make_inquiry
from ketaclinic.testing import make_user, member
from ketaclinic.web import queues

URL = reverse("web:home")


class LeadsToPrepareTests(InquiryTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.coordinator = by = member(self.users[Role.COORDINATOR])
        self.urgent = make_inquiry(self.clinic, name="Una Urgent (test)", message="overdose")
        actions.change_status(by, self.urgent, Status.CONTACTED)
        self.new = make_inquiry(self.clinic, name="Ned New (test)")
        booked = make_inquiry(self.clinic, name="Bo Booked (test)")
        actions.change_status(by, booked, Status.CONSULT_BOOKED)
        closed = make_inquiry(self.clinic, name="Cy Closed (test)", message="suicidal")
        actions.change_status(by, closed, Status.CLOSED)
        make_inquiry(self.other, name="Theirs (test)", message="suicidal")

    def test_physician_and_nurse_see_new_and_urgent_leads_urgent_first(self) -> None:
        for role in (Role.PHYSICIAN, Role.NURSE):
            self.login(role.value)
            response = self.client.get(URL)
            prepare = response.context["prepare"]
            assert [i.name for i in prepare.leads.items] == [
                "Una Urgent (test)",
                "Ned New (test)",
            ], role
            assert prepare.leads.count == 2
            assert prepare.counts.consult_booked == 1
            detail = reverse("inquiries:detail", args=[self.urgent.pk])
            self.assertContains(response, f'href="{detail}"')
            self.assertContains(
                response, f'href="{reverse("inquiries:list")}?status=consult_booked"'
            )
            self.assertNotContains(response, "Cy Closed")
            self.assertNotContains(response, "Theirs (test)")
            self.client.logout()

    def test_only_the_physician_has_eligibility_reviews_and_plans_to_sign(self) -> None:
        self.login(Role.PHYSICIAN)
        response = self.client.get(URL)
        keys = [p.key for p in response.context["planned_after"]]
        assert keys == ["plans", "questionnaires", "chairs_tomorrow"]
        # The eligibility queue is real now (eligibility.queues), empty without patients.
        assert response.context["eligibility"].count == 0
        self.assertContains(response, "No eligibility reviews waiting")
        self.client.logout()
        self.login(Role.NURSE)
        response = self.client.get(URL)
        assert [p.key for p in response.context["planned_after"]] == [
            "questionnaires",
            "chairs_tomorrow",
        ]
        assert [p.key for p in response.context["planned_before"]] == ["chairs_today"]
        assert response.context["safety_alerts"].count == 0  # the real queue (measurement)
        assert response.context["eligibility"] is None
        self.assertNotContains(response, "Treatment plans to sign")
        self.assertContains(response, "No safety alerts")

    def test_no_leads_shows_the_empty_state(self) -> None:
        actions.change_status(self.coordinator, self.urgent, Status.CLOSED)
        actions.change_status(self.coordinator, self.new, Status.CONTACTED)
        self.login(Role.NURSE)
        self.assertContains(self.client.get(URL), "No new or urgent leads")


class OutsideProfessionalTests(InquiryTestCase):
    def setUp(self) -> None:
        super().setUp()
        Clinic.objects.filter(pk=self.clinic.pk).update(phone="(555) 010-0100")
        self.pro = self.users[Role.OUTSIDE_PROFESSIONAL]
        self.colleague = make_user(
            "colleague@therapy.example", "Cole Colleague", self.clinic, Role.OUTSIDE_PROFESSIONAL
        )
        make_user("ada@sturges.example", "Ada Lovelace", self.clinic, Role.CLINIC_ADMIN)
        self.by = member(self.users[Role.PHYSICIAN])
        self.now = timezone.now()
        self.mine = make_inquiry(self.clinic, name="Pat Shared (test)")
        self.grant(self.mine, ["summary", "outcomes"])
        revoked = self.grant(make_inquiry(self.clinic, name="Rev Oked (test)"), ["summary"])
        revoke_shared_access(self.by, revoked, "consent withdrawn")
        self.expired = make_inquiry(self.clinic, name="Ex Pired (test)")
        self.grant(
            self.expired,
            ["summary"],
            valid_from=self.now - dt.timedelta(days=30),
            expires_at=self.now - dt.timedelta(days=1),
        )
        self.future = make_inquiry(self.clinic, name="Fu Ture (test)")
        self.grant(self.future, ["summary"], valid_from=self.now + dt.timedelta(days=2))
        self.colleagues = make_inquiry(self.clinic, name="Col Patient (test)")
        self.grant(self.colleagues, ["summary"], professional=self.colleague)
        # The same professional also works with the other clinic, which shares one record.
        Membership.objects.create(user=self.pro, clinic=self.other, role=Role.OUTSIDE_PROFESSIONAL)
        self.theirs = make_inquiry(self.other, name="Other Patient (test)")
        grant_shared_access(
            member(self.outsider, self.other),
            professional=self.pro,
            target=self.theirs,
            sections=["plan"],
            reason="Consent form signed at the other clinic",
        )

    def grant(
        self,
        target: Inquiry,
        sections: list[str],
        *,
        professional: User | None = None,
        valid_from: dt.datetime | None = None,
        expires_at: dt.datetime | None = None,
    ) -> SharedAccess:
        return grant_shared_access(
            self.by,
            professional=professional or self.pro,
            target=target,
            sections=sections,
            reason="Consent form signed 2030-03-01",
            valid_from=valid_from,
            expires_at=expires_at,
        )

    def login_at(self, clinic: Clinic) -> None:
        """Sign the professional in with ``clinic`` chosen (they work with two clinics)."""
        self.login(self.pro)
        session = self.client.session
        session[CLINIC_SESSION_KEY] = clinic.pk
        session.save()

    def shown(self, response: Any) -> list[int]:
        return [int(g.object_id) for g in (r.grant for r in response.context["shared"])]

    def test_only_live_grants_to_this_professional_in_this_clinic_are_shown(self) -> None:
        self.login_at(self.clinic)
        response = self.client.get(URL)
        self.assertTemplateUsed(response, "web/home_outside.html")
        assert self.shown(response) == [self.mine.pk]
        self.assertContains(response, f"Inquiry #{self.mine.pk}")
        self.assertContains(
            response,
            "Questionnaire scores and progress, Name, date of birth, pronouns and care team",
        )
        for other in (self.expired, self.future, self.colleagues, self.theirs):
            self.assertNotContains(response, f"Inquiry #{other.pk}<")
        # Whom to contact: the clinic's phone and email, and its admins by name.
        self.assertContains(response, 'href="tel:(555) 010-0100"')
        self.assertContains(response, 'href="mailto:front@sturges.example"')
        self.assertContains(response, "Ada Lovelace")

    def test_another_professional_sees_only_what_is_shared_with_them(self) -> None:
        self.login(self.colleague)
        assert self.shown(self.client.get(URL)) == [self.colleagues.pk]

    def test_in_the_other_clinic_the_professional_sees_that_clinics_share(self) -> None:
        self.login_at(self.other)
        response = self.client.get(URL)
        assert self.shown(response) == [self.theirs.pk]
        self.assertContains(response, "Other Clinic")
        self.assertNotContains(response, "front@sturges.example")

    def test_with_nothing_shared_the_page_says_how_sharing_happens(self) -> None:
        pro = make_user(
            "new.pro@therapy.example", "New Pro", self.clinic, Role.OUTSIDE_PROFESSIONAL
        )
        self.login(pro)
        response = self.client.get(URL)
        self.assertContains(response, "No patient shares a record with you here yet")
        self.assertContains(response, "only when the patient consents to it at the clinic")
        self.assertContains(response, "Ada Lovelace")

    def test_the_grants_cost_one_query_and_one_per_kind_of_record(self) -> None:
        with CaptureQueriesContext(connection) as captured:
            grants = queues.live_grants_for(self.pro, self.clinic)
            names = [str(g.target) for g in grants]
        assert names == [f"Inquiry #{self.mine.pk}"]
        assert len(captured) == 2
