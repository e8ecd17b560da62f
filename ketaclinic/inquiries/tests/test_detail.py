from __future__ import annotations

import datetime as dt

from django.urls import reverse

from ketaclinic.access.zones import clinic_today
from ketaclinic.accounts.models import Role
from ketaclinic.audit.models import AuditEntry
from ketaclinic.inquiries import actions
from ketaclinic.inquiries.models import Status
from ketaclinic.inquiries.tests.base import XSS_IMG, XSS_SCRIPT, InquiryTestCase, make_inquiry
from ketaclinic.testing import member

EDITORS = (Role.COORDINATOR, Role.CLINIC_ADMIN)
READ_ONLY = (Role.PHYSICIAN, Role.NURSE)


class InquiryDetailTestCase(InquiryTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.inquiry = make_inquiry(
            self.clinic,
            name="Dana Detail (test)",
            email="dana@example.com",
            phone="+1 (555) 010-0134",
            conditions=["ptsd", "other"],
            other_condition="insomnia",
            professional="yes",
            professional_name="Pat Counsellor",
            professional_contact="pat@example.org",
            heard_about="Radio",
            message="Line one.\nLine two.",
        )
        self.url = reverse("inquiries:detail", args=[self.inquiry.pk])

    def test_it_shows_every_field_to_readers(self) -> None:
        for role in (*EDITORS, *READ_ONLY):
            self.login(role.value)
            r = self.client.get(self.url)
            self.assertEqual(r.status_code, 200, role)
            for text in (
                "Dana Detail (test)",
                "dana@example.com",
                "+1 (555) 010-0134",
                "PTSD (post-traumatic stress), Other",
                "insomnia",
                "Pat Counsellor",
                "pat@example.org",
                "Radio",
                "Line one.\nLine two.",
                "I agree to be contacted.",
            ):
                self.assertContains(r, text)

    def test_it_gives_forms_only_to_editors(self) -> None:
        for role in EDITORS:
            self.login(role.value)
            r = self.client.get(self.url)
            self.assertContains(r, reverse("inquiries:change_status", args=[self.inquiry.pk]))
            self.assertContains(r, reverse("inquiries:add_contact", args=[self.inquiry.pk]))
            self.assertContains(r, reverse("inquiries:follow_up", args=[self.inquiry.pk]))
        for role in READ_ONLY:
            self.login(role.value)
            r = self.client.get(self.url)
            self.assertNotContains(r, reverse("inquiries:change_status", args=[self.inquiry.pk]))
            self.assertNotContains(r, reverse("inquiries:add_contact", args=[self.inquiry.pk]))
            self.assertNotContains(r, '<form method="post" action="/inquiries/')

    def test_it_denies_custodian_outside_professional_and_anonymous(self) -> None:
        self.assert_denied(self.client.get(self.url), 302)
        for role in (Role.CUSTODIAN, Role.OUTSIDE_PROFESSIONAL):
            self.login(role.value)
            r = self.client.get(self.url)
            self.assertEqual(r.status_code, 403)
            self.assertNotContains(r, "Dana Detail", status_code=403)

    def test_it_404s_for_the_other_clinic(self) -> None:
        self.login(self.outsider)
        r = self.client.get(self.url)
        self.assertEqual(r.status_code, 404)
        self.assertFalse(AuditEntry.objects.filter(action="view").exists())

    def test_it_404s_for_a_missing_inquiry(self) -> None:
        self.login(Role.COORDINATOR)
        self.assertEqual(
            self.client.get(reverse("inquiries:detail", args=[99999])).status_code, 404
        )

    def test_it_records_the_view(self) -> None:
        user = self.login(Role.NURSE)
        self.client.get(self.url)
        entry = AuditEntry.objects.get(action="view")
        self.assertEqual(entry.actor, user)
        self.assertEqual(entry.actor_role, Role.NURSE)
        self.assertEqual(
            (entry.object_type, entry.object_id), ("inquiries.inquiry", str(self.inquiry.pk))
        )

    def test_it_shows_history_and_contact_log(self) -> None:
        coordinator = self.users[Role.COORDINATOR]
        actions.add_contact(
            member(coordinator),
            self.inquiry,
            channel="call",
            contacted_at=dt.datetime(2030, 1, 2, 15, 30, tzinfo=dt.UTC),
            outcome="left_message",
            note="Voicemail, will retry",
        )
        actions.change_status(
            member(coordinator), self.inquiry, Status.CONTACTED, "First call made"
        )
        self.login(Role.PHYSICIAN)
        r = self.client.get(self.url)
        # 15:30 UTC is 09:30 in Chicago in January.
        self.assertContains(r, "2030-01-02 09:30")
        self.assertContains(r, "Left a message")
        self.assertContains(r, "Voicemail, will retry")
        self.assertContains(r, "New → Contacted")
        self.assertContains(r, "First call made")
        self.assertContains(r, "submitted through the public form")

    def test_it_links_possible_duplicates_in_the_same_clinic(self) -> None:
        same_email = make_inquiry(self.clinic, name="Again (test)", email=" DANA@example.com ")
        same_phone = make_inquiry(
            self.clinic, name="By phone (test)", email="", phone="555.010.0134"
        )
        unrelated = make_inquiry(self.clinic, name="Stranger (test)", email="s@example.com")
        elsewhere = make_inquiry(self.other, name="Elsewhere (test)", email="dana@example.com")
        self.login(Role.COORDINATOR)
        r = self.client.get(self.url)
        self.assertContains(r, reverse("inquiries:detail", args=[same_email.pk]))
        self.assertContains(r, reverse("inquiries:detail", args=[same_phone.pk]))
        self.assertNotContains(r, reverse("inquiries:detail", args=[unrelated.pk]))
        self.assertNotContains(r, "Elsewhere (test)")
        self.assertNotContains(r, reverse("inquiries:detail", args=[elsewhere.pk]))

    def test_it_marks_urgent_and_overdue(self) -> None:
        urgent = make_inquiry(self.clinic, message="i keep thinking of suicide")
        actions.set_follow_up(
            member(self.users[Role.COORDINATOR]),
            urgent,
            owner=None,
            next_action_on=clinic_today(self.clinic) - dt.timedelta(days=1),
        )
        self.login(Role.COORDINATOR)
        r = self.client.get(reverse("inquiries:detail", args=[urgent.pk]))
        self.assertContains(r, '<span class="badge badge--danger">Urgent</span>', html=True)
        # The banner names no matched word fragment ("suicid" reads as a typo and says
        # nothing the message itself does not).
        self.assertNotContains(r, "matched")
        self.assertNotContains(r, "suicid<")
        self.assertContains(r, "may mention self-harm or suicide")
        self.assertContains(r, "Follow-up overdue")

    def test_it_shows_markup_as_text(self) -> None:
        xss = make_inquiry(self.clinic, name=XSS_SCRIPT, message=XSS_IMG, heard_about=XSS_IMG)
        actions.add_contact(
            member(self.users[Role.COORDINATOR]),
            xss,
            channel="email",
            contacted_at=dt.datetime(2030, 1, 2, tzinfo=dt.UTC),
            outcome="sent",
            note=XSS_SCRIPT,
        )
        self.login(Role.COORDINATOR)
        r = self.client.get(reverse("inquiries:detail", args=[xss.pk]))
        self.assertNotContains(r, XSS_SCRIPT)
        self.assertNotContains(r, XSS_IMG)
        self.assertContains(r, "&lt;script&gt;alert(1)&lt;/script&gt;")
        self.assertContains(r, "&lt;img src=x onerror=alert(1)&gt;")

    def test_it_is_printable(self) -> None:
        self.login(Role.COORDINATOR)
        r = self.client.get(self.url)
        self.assertContains(r, "data-print")
        self.assertContains(r, 'no-print"')
        self.assertContains(r, "ketaclinic/print.css")
        self.assertNotContains(r, "style=")
        self.assertNotContains(r, "onclick")
