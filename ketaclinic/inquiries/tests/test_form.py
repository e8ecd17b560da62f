from __future__ import annotations

import re

from django.core import mail
from django.test import Client
from django.urls import reverse

from ketaclinic.accounts.models import Role
from ketaclinic.audit.models import AuditEntry
from ketaclinic.inquiries.forms import NEED_CONTACT, NEED_METHOD, InquiryForm
from ketaclinic.inquiries.models import Inquiry, Status
from ketaclinic.inquiries.tests.base import XSS_IMG, XSS_SCRIPT, InquiryTestCase, valid_post


class LearnMoreFormTestCase(InquiryTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.url = reverse("inquiries:form", args=[self.clinic.slug])

    def assert_field_error(self, data: dict, field: str, message: str) -> str:
        r = self.client.post(self.url, data)
        self.assertEqual(r.status_code, 200)
        self.assertEqual(Inquiry.objects.count(), 0)
        body = r.content.decode()
        # The message sits at the field, tied to its input, and is listed in the summary.
        self.assertIn(f'<ul class="errorlist" id="id_{field}_error">', body)
        self.assertIn(message, body)
        self.assertIn(f'href="#id_{field}', body)
        return body

    def test_it_shows_the_form(self) -> None:
        r = self.client.get(self.url)
        self.assertEqual(r.status_code, 200)
        for label in ("Your name", "Email", "Phone", "Message", "I agree to be contacted by"):
            self.assertContains(r, label)
        self.assertContains(r, "call or text 988")
        self.assertContains(r, 'href="tel:988"')
        self.assertContains(r, 'type="submit" class="button button--primary button--cta">Send<')

    def test_it_shows_one_crisis_box_before_the_form(self) -> None:
        body = self.client.get(self.url).content.decode()
        self.assertEqual(body.count('<aside class="crisis'), 1)
        self.assertLess(body.index('id="crisis-form-title"'), body.index('name="name"'))
        self.assertIn('href="sms:988"', body)

    def test_it_is_open_to_everyone(self) -> None:
        for role in Role:
            self.login(role.value)
            self.assert_allowed(self.client.get(self.url))
        self.login(self.outsider)
        self.assert_allowed(self.client.get(self.url))

    def test_it_saves_a_valid_inquiry(self) -> None:
        r = self.client.post(self.url, valid_post())
        self.assertRedirects(r, reverse("inquiries:thanks", args=["sturges"]))
        inquiry = Inquiry.objects.get()
        self.assertEqual(inquiry.clinic, self.clinic)
        self.assertEqual(inquiry.name, "Alex Example (test)")
        self.assertEqual(inquiry.conditions, ["depression", "anxiety"])
        self.assertEqual(inquiry.preferred_time, "morning")
        self.assertEqual(inquiry.professional, "yes")
        self.assertEqual(inquiry.phone_normalised, "5550100199")
        self.assertEqual(inquiry.email_normalised, "alex@example.com")
        self.assertTrue(inquiry.consent_to_contact)
        self.assertIn("I agree to be contacted by Sturges Family Practice", inquiry.consent_wording)
        self.assertEqual(inquiry.status, Status.NEW)
        self.assertFalse(inquiry.is_urgent)
        change = inquiry.status_changes.get()
        self.assertEqual((change.from_status, change.to_status), ("", Status.NEW))
        entry = AuditEntry.objects.get(action="inquiry.submit")
        self.assertEqual(entry.object_id, str(inquiry.pk))
        self.assertEqual(entry.after, {"status": "new", "is_urgent": False})
        self.assertNotIn(str(inquiry.pk), r["Location"])

    def test_it_accepts_a_phone_number_alone(self) -> None:
        data = valid_post(email="", preferred_contact="text")
        self.client.post(self.url, data)
        self.assertEqual(Inquiry.objects.get().phone, "(555) 010-0199")

    def test_it_accepts_the_minimum(self) -> None:
        data = {
            "name": "Min (test)",
            "phone": "555 010 0142",
            "preferred_contact": "phone",
            "consent": "on",
        }
        r = self.client.post(self.url, data)
        self.assertEqual(r.status_code, 302)
        inquiry = Inquiry.objects.get()
        self.assertEqual(inquiry.preferred_time, "any")
        self.assertEqual(inquiry.conditions, [])
        self.assertEqual((inquiry.email, inquiry.preferred_contact), ("", "phone"))

    def test_it_requires_only_what_is_needed_to_call_back(self) -> None:
        required = [n for n, f in InquiryForm(clinic=self.clinic).fields.items() if f.required]
        self.assertEqual(required, ["name", "preferred_contact", "consent"])
        r = self.client.get(self.url)
        # The page marks exactly those three; email and phone share one "at least one" hint.
        self.assertContains(r, "(required)", count=3)
        self.assertContains(r, "Give us a phone number, an email address or both.")

    def test_it_needs_how_to_contact(self) -> None:
        data = valid_post(preferred_contact="")
        body = self.assert_field_error(data, "preferred_contact", NEED_METHOD)
        self.assertIn('href="#id_preferred_contact_0"', body)
        # Everything typed is kept.
        self.assertIn('value="alex@example.com"', body)
        self.assertIn("I would like to know more about the infusions.", body)

    def test_it_asks_the_call_back_questions_first_and_groups_the_rest(self) -> None:
        body = self.client.get(self.url).content.decode()
        legends = [
            "<legend>How we can reach you</legend>",
            "<legend>About what you are looking for (optional)</legend>",
            "<legend>Your mental-health professional (optional)</legend>",
            "<legend>Anything else (optional)</legend>",
        ]
        positions = [body.index(legend) for legend in legends]
        self.assertEqual(positions, sorted(positions))
        first_optional = positions[1]
        for name in ("name", "email", "phone", "preferred_contact", "consent"):
            self.assertLess(body.index(f'name="{name}"'), first_optional, name)
        for name in ("conditions", "professional", "message", "heard_about"):
            self.assertGreater(body.index(f'name="{name}"'), first_optional, name)

    def test_it_lists_errors_in_the_order_of_the_page(self) -> None:
        data = valid_post(name="", conditions=["other"], consent="", message="m" * 5001)
        r = self.client.post(self.url, data)
        summary = r.content.decode().split('class="error-summary"', 1)[1].split("</ul>", 1)[0]
        anchors = re.findall(r'href="#(id_\w+)"', summary)
        self.assertEqual(anchors, ["id_name", "id_consent", "id_other_condition", "id_message"])

    def test_it_flags_self_harm_as_urgent(self) -> None:
        self.client.post(self.url, valid_post(message="Some days I want to END MY LIFE."))
        inquiry = Inquiry.objects.get()
        self.assertTrue(inquiry.is_urgent)
        self.assertEqual(inquiry.urgent_phrases, ["end my life"])

    def test_it_checks_other_free_text_for_self_harm(self) -> None:
        data = valid_post(conditions=["other"], other_condition="suicidal thoughts")
        self.client.post(self.url, data)
        self.assertTrue(Inquiry.objects.get().is_urgent)

    def test_it_stores_markup_as_typed(self) -> None:
        self.client.post(self.url, valid_post(name=XSS_SCRIPT, message=XSS_IMG))
        inquiry = Inquiry.objects.get()
        self.assertEqual((inquiry.name, inquiry.message), (XSS_SCRIPT, XSS_IMG))

    def test_it_escapes_typed_markup_when_showing_errors(self) -> None:
        r = self.client.post(self.url, valid_post(name=XSS_SCRIPT, message=XSS_IMG, consent=""))
        self.assertEqual(r.status_code, 200)
        self.assertNotContains(r, XSS_SCRIPT)
        self.assertNotContains(r, XSS_IMG)
        self.assertContains(r, "&lt;script&gt;alert(1)&lt;/script&gt;")

    def test_it_rejects_a_bad_email_and_keeps_it(self) -> None:
        data = valid_post(email="not-an-address")
        body = self.assert_field_error(data, "email", "Enter an email address like")
        self.assertIn('value="not-an-address"', body)
        self.assertIn('aria-invalid="true"', body)
        self.assertIn('aria-describedby="id_email_error"', body)
        # Everything else the visitor typed is still there.
        self.assertIn("I would like to know more about the infusions.", body)
        self.assertIn('value="Alex Example (test)"', body)

    def test_it_rejects_a_bad_phone_and_keeps_it(self) -> None:
        body = self.assert_field_error(valid_post(phone="call me maybe"), "phone", "7 to 15 digits")
        self.assertIn('value="call me maybe"', body)
        self.assert_field_error(valid_post(phone="123"), "phone", "7 to 15 digits")

    def test_it_needs_an_email_or_a_phone(self) -> None:
        data = valid_post(email="", phone="", preferred_contact="")
        body = self.assert_field_error(data, "email", NEED_CONTACT)
        self.assertIn('<ul class="errorlist" id="id_phone_error">', body)
        self.assertIn('aria-describedby="id_phone_error"', body)

    def test_it_needs_the_chosen_contact_method(self) -> None:
        self.assert_field_error(
            valid_post(email="", preferred_contact="email"), "email", "You chose email"
        )
        self.assert_field_error(
            valid_post(phone="", preferred_contact="text"), "phone", "You chose phone or text"
        )

    def test_it_needs_consent(self) -> None:
        data = valid_post()
        del data["consent"]
        body = self.assert_field_error(data, "consent", "Please tick this box")
        self.assertIn('aria-describedby="id_consent_error"', body)

    def test_it_needs_the_other_text_when_other_is_ticked(self) -> None:
        data = valid_post(conditions=["depression", "other"], other_condition="")
        body = self.assert_field_error(data, "other_condition", "please say what it is")
        # The ticked boxes stay ticked.
        self.assertIn('value="other" id="id_conditions_4" checked', body)

    def test_it_rejects_an_over_long_message(self) -> None:
        long = "x" * 5001
        body = self.assert_field_error(valid_post(message=long), "message", "at most 5000")
        self.assertIn(long, body)
        self.client.post(self.url, valid_post(message="y" * 5000))
        self.assertEqual(Inquiry.objects.count(), 1)

    def test_it_rejects_a_missing_name_and_unknown_choices(self) -> None:
        self.assert_field_error(valid_post(name="  "), "name", "Please tell us your name.")
        self.assert_field_error(valid_post(conditions=["bogus"]), "conditions", "Select a valid")
        self.assert_field_error(valid_post(preferred_contact="fax"), "preferred_contact", "valid")

    def test_it_lists_errors_in_a_summary_linking_to_fields(self) -> None:
        data = valid_post(email="bad", conditions=["other"], consent="")
        r = self.client.post(self.url, data)
        self.assertContains(r, 'class="error-summary"')
        self.assertContains(r, "Please check the answers marked below")
        self.assertContains(r, 'href="#id_email"')
        self.assertContains(r, 'href="#id_other_condition"')
        self.assertContains(r, 'href="#id_consent"')

    def test_it_links_choice_group_errors_to_the_first_option(self) -> None:
        r = self.client.post(self.url, valid_post(preferred_time="midnight"))
        self.assertContains(r, 'href="#id_preferred_time_0"')
        self.assertContains(r, 'id="id_preferred_time_0"')

    def test_it_quietly_drops_a_filled_honeypot(self) -> None:
        r = self.client.post(self.url, valid_post(website="http://spam.example"))
        self.assertRedirects(r, reverse("inquiries:thanks", args=["sturges"]))
        self.assertEqual(Inquiry.objects.count(), 0)
        self.assertEqual(mail.outbox, [])
        r = self.client.get(r["Location"])
        self.assertContains(r, "Thank you")

    def test_it_requires_csrf(self) -> None:
        client = Client(enforce_csrf_checks=True)
        r = client.post(self.url, valid_post())
        self.assertEqual(r.status_code, 403)
        self.assertEqual(Inquiry.objects.count(), 0)

    def test_it_404s_for_an_unknown_clinic(self) -> None:
        r = self.client.post(reverse("inquiries:form", args=["nope"]), valid_post())
        self.assertEqual(r.status_code, 404)
        self.assertEqual(Inquiry.objects.count(), 0)

    def test_it_files_the_inquiry_under_the_pages_clinic(self) -> None:
        self.client.post(reverse("inquiries:form", args=["other"]), valid_post())
        self.assertEqual(Inquiry.objects.get().clinic, self.other)
