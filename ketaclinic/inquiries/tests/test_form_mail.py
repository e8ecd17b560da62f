"""The staff email after an inquiry, and what happens when the mail server fails."""

from __future__ import annotations

from typing import Any

from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.test import override_settings
from django.urls import reverse

from ketaclinic.accounts.models import Membership, Role
from ketaclinic.inquiries.models import Inquiry
from ketaclinic.inquiries.notify import notify_staff
from ketaclinic.inquiries.tests.base import (
    XSS_IMG,
    XSS_SCRIPT,
    InquiryTestCase,
    make_inquiry,
    valid_post,
)
from ketaclinic.testing import make_user


class BrokenBackend(BaseEmailBackend):
    """A mail server that is down."""

    def send_messages(self, email_messages: Any) -> int:
        raise ConnectionRefusedError("mail server is down")


BROKEN = "ketaclinic.inquiries.tests.test_form_mail.BrokenBackend"


class StaffEmailTestCase(InquiryTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.url = reverse("inquiries:form", args=[self.clinic.slug])

    def test_it_emails_the_clinic_and_its_coordinators(self) -> None:
        second = make_user(
            "coord2@sturges.example", "Second Coordinator", self.clinic, Role.COORDINATOR
        )
        gone = make_user(
            "coord3@sturges.example", "Former Coordinator", self.clinic, Role.COORDINATOR
        )
        Membership.objects.filter(user=gone).update(is_active=False)
        self.client.post(self.url, valid_post())
        self.assertEqual(len(mail.outbox), 1)
        message = mail.outbox[0]
        self.assertEqual(
            message.to, ["front@sturges.example", "coordinator@sturges.example", second.email]
        )
        self.assertNotIn("URGENT", message.subject)
        self.assertIn("Alex Example (test)", message.body)
        self.assertIn("I would like to know more about the infusions.", message.body)
        inquiry = Inquiry.objects.get()
        self.assertIn(f"http://testserver/inquiries/{inquiry.pk}/", message.body)
        self.assertIsNotNone(inquiry.staff_notified_at)

    def test_it_keeps_visitor_data_out_of_the_subject(self) -> None:
        self.client.post(self.url, valid_post(name="Alex Subjectline"))
        self.assertNotIn("Subjectline", mail.outbox[0].subject)

    def test_it_says_urgent_when_self_harm_is_mentioned(self) -> None:
        self.client.post(self.url, valid_post(message="I keep thinking about suicide."))
        message = mail.outbox[0]
        self.assertTrue(message.subject.startswith("URGENT: "))
        self.assertIn("URGENT: this inquiry mentions self-harm or suicide (suicid)", message.body)

    def test_it_keeps_what_was_typed_out_of_email_when_the_clinic_says_so(self) -> None:
        type(self.clinic).objects.filter(pk=self.clinic.pk).update(staff_email_details=False)
        self.client.post(
            self.url,
            valid_post(name="Alex Private", message="I keep thinking about suicide."),
        )
        message = mail.outbox[0]
        inquiry = Inquiry.objects.get()
        self.assertTrue(message.subject.startswith("URGENT: "))  # still flagged, no content
        self.assertIn("URGENT: this inquiry mentions self-harm or suicide.", message.body)
        self.assertNotIn("Alex Private", message.body)
        self.assertNotIn("suicid)", message.body)
        self.assertNotIn("I keep thinking", message.body)
        self.assertNotIn("alex@example.com", message.body)
        self.assertIn(f"http://testserver/inquiries/{inquiry.pk}/", message.body)

    def test_it_sends_plain_text_with_markup_inert(self) -> None:
        self.client.post(self.url, valid_post(name=XSS_SCRIPT, message=XSS_IMG))
        message = mail.outbox[0]
        self.assertEqual(message.content_subtype, "plain")
        self.assertEqual(getattr(message, "alternatives", []), [])
        mime = message.message()
        self.assertEqual(mime.get_content_type(), "text/plain")
        # Shown exactly as typed, as characters; no HTML part exists that could run it.
        self.assertIn(XSS_SCRIPT, message.body)
        self.assertIn(XSS_IMG, message.body)

    @override_settings(EMAIL_BACKEND=BROKEN)
    def test_it_keeps_the_inquiry_when_the_mail_server_fails(self) -> None:
        with self.assertLogs("ketaclinic.inquiries.notify", level="ERROR") as logs:
            r = self.client.post(self.url, valid_post())
        self.assertRedirects(r, reverse("inquiries:thanks", args=["sturges"]))
        inquiry = Inquiry.objects.get()
        self.assertIsNone(inquiry.staff_notified_at)
        self.assertIn(f"Could not email staff about inquiry {inquiry.pk}", logs.output[0])
        self.assertIn("ConnectionRefusedError", logs.output[0])
        r = self.client.get(r["Location"])
        self.assertContains(r, "Thank you")

    @override_settings(EMAIL_BACKEND=BROKEN)
    def test_it_keeps_an_urgent_inquiry_and_still_shows_crisis_help(self) -> None:
        with self.assertLogs("ketaclinic.inquiries.notify", level="ERROR"):
            r = self.client.post(self.url, valid_post(message="i want to hurt myself"), follow=True)
        self.assertTrue(Inquiry.objects.get().is_urgent)
        self.assertContains(r, 'role="alert"')
        self.assertContains(r, "call or text 988")

    def test_it_logs_when_nobody_can_be_told(self) -> None:
        self.clinic.email = ""
        self.clinic.save()
        Membership.objects.filter(role=Role.COORDINATOR).update(is_active=False)
        inquiry = make_inquiry(self.clinic)
        with self.assertLogs("ketaclinic.inquiries.notify", level="WARNING"):
            self.assertFalse(notify_staff(inquiry))
        self.assertEqual(mail.outbox, [])
