from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core import mail
from django.test import Client, override_settings
from django.urls import reverse

from ketaclinic.accounts.models import Role
from ketaclinic.inquiries.models import Inquiry
from ketaclinic.inquiries.tests.base import InquiryTestCase, valid_post
from ketaclinic.inquiries.views.embed import embed_origins

OWN_ORIGIN = "http://testserver"  # the test client's host: the embed form's own origin
LISTED = "https://www.sturges.example\nhttps://clinic.example:8443/\n"


def directives(response: Any) -> dict[str, str]:
    """The response's CSP, directive name -> its values as one string."""
    parts = [p.strip() for p in response["Content-Security-Policy"].split(";") if p.strip()]
    return {p.split(" ", 1)[0]: p.split(" ", 1)[1] if " " in p else "" for p in parts}


class EmbedTestCase(InquiryTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.clinic.embed_origins = LISTED
        self.clinic.save()
        self.url = reverse("inquiries:embed", args=[self.clinic.slug])
        self.thanks_url = reverse("inquiries:embed_thanks", args=[self.clinic.slug])
        # The browser in a frame on another site sends no cookies: nor does this client
        # pass a CSRF token, and it enforces the checks a real request gets.
        self.client = Client(enforce_csrf_checks=True)

    def post(self, data: dict[str, Any], origin: str | None = OWN_ORIGIN, **extra: Any) -> Any:
        headers = {"origin": origin} if origin is not None else {}
        return self.client.post(self.url, data, headers=headers, **extra)


class EmbedFramingTestCase(EmbedTestCase):
    def test_it_may_be_framed_by_exactly_the_listed_origins(self) -> None:
        r = self.client.get(self.url)
        self.assertEqual(r.status_code, 200)
        self.assertEqual(
            directives(r)["frame-ancestors"],
            "https://www.sturges.example https://clinic.example:8443",
        )
        self.assertNotIn("X-Frame-Options", r)
        # The rest of the policy stays as strict as everywhere else.
        self.assertEqual(directives(r)["script-src"], "'self'")
        self.assertEqual(directives(r)["style-src"], "'self'")

    def test_it_may_be_framed_nowhere_when_no_origin_is_listed(self) -> None:
        self.clinic.embed_origins = ""
        self.clinic.save()
        r = self.client.get(self.url)
        self.assertEqual(directives(r)["frame-ancestors"], "'none'")

    def test_it_ignores_lines_that_are_not_origins(self) -> None:
        self.clinic.embed_origins = (
            "HTTPS://WWW.Sturges.Example\n"
            "https://evil.example; script-src *\n"
            "https://www.sturges.example/contact/\n"
            "ftp://files.example\n"
            "'self'\n"
            "https://www.sturges.example\n"
        )
        self.clinic.save()
        r = self.client.get(self.url)
        self.assertEqual(directives(r)["frame-ancestors"], "https://www.sturges.example")
        self.assertEqual(directives(r)["script-src"], "'self'")

    def test_embed_origins_parses_one_origin_a_line(self) -> None:
        self.assertEqual(
            embed_origins(" http://localhost:8001 \r\nhttps://a.example/\n\nnonsense"),
            ["http://localhost:8001", "https://a.example"],
        )
        self.assertEqual(embed_origins(""), [])

    def test_each_clinic_uses_its_own_list(self) -> None:
        self.other.embed_origins = "https://other.example"
        self.other.save()
        r = self.client.get(reverse("inquiries:embed", args=[self.other.slug]))
        self.assertEqual(directives(r)["frame-ancestors"], "https://other.example")

    def test_other_pages_still_refuse_every_frame(self) -> None:
        for name in ("public_page", "form", "theme_css"):
            r = self.client.get(reverse(f"inquiries:{name}", args=[self.clinic.slug]))
            self.assertEqual(r["X-Frame-Options"], "DENY", name)
            self.assertEqual(directives(r)["frame-ancestors"], "'none'", name)
        r = self.client.get(reverse("web:index"))
        self.assertEqual(r["X-Frame-Options"], "DENY")
        self.assertEqual(directives(r)["frame-ancestors"], "'none'")

    def test_the_thanks_and_refusal_pages_may_be_framed_too(self) -> None:
        r = self.post(valid_post(), follow=True)
        self.assertEqual(
            directives(r)["frame-ancestors"].split(),
            ["https://www.sturges.example", "https://clinic.example:8443"],
        )
        self.assertNotIn("X-Frame-Options", r)
        refused = self.post(valid_post(), origin="https://evil.example")
        self.assertEqual(refused.status_code, 403)
        self.assertNotIn("X-Frame-Options", refused)
        self.assertIn("https://www.sturges.example", directives(refused)["frame-ancestors"])


class EmbedPageTestCase(EmbedTestCase):
    def test_it_is_a_compact_form_with_the_crisis_box_and_no_site_chrome(self) -> None:
        r = self.client.get(self.url)
        body = r.content.decode()
        self.assertNotIn('class="clinic-header', body)
        self.assertNotIn('class="site-footer', body)
        self.assertNotIn('class="site-header', body)
        self.assertIn(f'action="{self.url}"', body)
        self.assertEqual(body.count('<aside class="crisis'), 1)
        for href in ('href="tel:988"', 'href="sms:988"', 'href="tel:911"'):
            self.assertIn(href, body)
        self.assertLess(body.index('id="crisis-form-title"'), body.index('name="name"'))
        self.assertIn('class="hp-field"', body)
        self.assertIn("<h1>Ask Sturges Family Practice about ketamine treatment</h1>", body)
        self.assertNotIn("style=", body)
        self.assertIn('href="/c/sturges/theme.css?v=', body)

    def test_it_needs_and_sets_no_cookie(self) -> None:
        r = self.client.get(self.url)
        self.assertNotIn("csrfmiddlewaretoken", r.content.decode())
        self.assertEqual(dict(r.cookies), {})
        r = self.post(valid_post())
        self.assertEqual(dict(r.cookies), {})
        r = self.client.get(r["Location"])
        self.assertEqual(dict(r.cookies), {})

    def test_it_is_public_for_every_role_and_the_other_clinic(self) -> None:
        client = self.client
        for role in Role:
            self.client = Client()
            self.login(role.value)
            self.assert_allowed(self.client.get(self.url))
        self.client = Client()
        self.login(self.outsider)
        self.assert_allowed(self.client.get(self.url))
        self.client = client

    def test_it_404s_for_an_unknown_clinic(self) -> None:
        self.assertEqual(
            self.client.get(reverse("inquiries:embed", args=["nope"])).status_code, 404
        )
        r = self.client.post(
            reverse("inquiries:embed", args=["nope"]), valid_post(), headers={"origin": OWN_ORIGIN}
        )
        self.assertEqual(r.status_code, 404)
        self.assertEqual(Inquiry.objects.count(), 0)


class EmbedSubmissionTestCase(EmbedTestCase):
    def test_a_valid_submission_creates_the_inquiry_and_shows_the_reply_time(self) -> None:
        r = self.post(valid_post(preferred_contact="phone"))
        self.assertEqual(r.status_code, 302)
        self.assertTrue(r["Location"].startswith(self.thanks_url + "?t="))
        inquiry = Inquiry.objects.get()
        self.assertEqual((inquiry.clinic, inquiry.name), (self.clinic, "Alex Example (test)"))
        self.assertFalse(inquiry.is_urgent)
        self.assertIn("I agree to be contacted by Sturges Family Practice", inquiry.consent_wording)
        self.assertEqual(len(mail.outbox), 1)  # the staff are told, as for the main form
        # No visitor data travels in the address.
        for typed in ("Alex", "alex", "555", "phone", "urgent"):
            self.assertNotIn(typed, r["Location"])
        thanks = self.client.get(r["Location"])
        self.assertContains(thanks, "Thank you, we have your message")
        self.assertContains(thanks, "We aim to get back to you within one working day.")
        self.assertContains(thanks, "by phone call")
        self.assertNotContains(thanks, 'role="alert"')
        self.assertContains(thanks, 'target="_blank"')  # leaving the frame opens a new tab

    def test_it_puts_crisis_resources_first_when_self_harm_is_mentioned(self) -> None:
        r = self.post(valid_post(message="I keep thinking I want to end my life."), follow=True)
        self.assertTrue(Inquiry.objects.get().is_urgent)
        body = r.content.decode()
        self.assertIn('role="alert"', body)
        self.assertLess(body.index('href="tel:988"'), body.index("<h1>Thank you"))

    def test_it_refuses_a_post_from_another_site(self) -> None:
        for origin in ("https://www.sturges.example", "https://evil.example", "null", None):
            with self.assertLogs("ketaclinic.inquiries.views.embed", level="WARNING"):
                r = self.post(valid_post(), origin=origin)
            self.assertEqual(r.status_code, 403, origin)
            self.assertContains(r, "Your message was not sent", status_code=403)
            self.assertContains(r, 'href="tel:988"', status_code=403)
        self.assertEqual(Inquiry.objects.count(), 0)
        self.assertEqual(mail.outbox, [])

    def test_it_refuses_a_different_port_or_scheme_of_this_host(self) -> None:
        for origin in ("https://testserver", "http://testserver:8080"):
            with self.assertLogs("ketaclinic.inquiries.views.embed", level="WARNING"):
                self.assertEqual(self.post(valid_post(), origin=origin).status_code, 403)
        self.assertEqual(Inquiry.objects.count(), 0)

    @override_settings(CSRF_TRUSTED_ORIGINS=["https://ketaclinic.example"])
    def test_it_accepts_an_origin_trusted_for_csrf(self) -> None:
        r = self.post(valid_post(), origin="https://ketaclinic.example")
        self.assertEqual(r.status_code, 302)
        self.assertEqual(Inquiry.objects.count(), 1)

    def test_it_shows_errors_at_the_fields_and_keeps_what_was_typed(self) -> None:
        r = self.post(valid_post(email="", phone="", consent=""))
        self.assertEqual(r.status_code, 200)
        self.assertContains(r, '<ul class="errorlist" id="id_email_error">')
        self.assertContains(r, '<ul class="errorlist" id="id_consent_error">')
        self.assertContains(r, "I would like to know more about the infusions.")
        self.assertContains(r, 'class="error-summary"')
        self.assertEqual(directives(r)["frame-ancestors"].split()[0], "https://www.sturges.example")
        self.assertEqual(Inquiry.objects.count(), 0)

    def test_it_quietly_drops_a_filled_honeypot(self) -> None:
        r = self.post(valid_post(website="http://spam.example"))
        self.assertEqual(r.status_code, 302)
        self.assertEqual(Inquiry.objects.count(), 0)
        self.assertEqual(mail.outbox, [])
        self.assertContains(self.client.get(r["Location"]), "Thank you, we have your message")


class EmbedThanksTestCase(EmbedTestCase):
    def test_it_sends_visitors_without_a_valid_token_to_the_form(self) -> None:
        for query in ("", "?t=", "?t=forged:value", "?t=eyJjIjoxfQ:1abc:xyz"):
            r = self.client.get(self.thanks_url + query)
            self.assertRedirects(r, self.url, fetch_redirect_response=False)

    def test_it_does_not_show_a_confirmation_for_another_clinic(self) -> None:
        location = self.post(valid_post())["Location"]
        token = location.split("?", 1)[1]
        other = reverse("inquiries:embed_thanks", args=[self.other.slug])
        r = self.client.get(f"{other}?{token}")
        self.assertRedirects(
            r, reverse("inquiries:embed", args=[self.other.slug]), fetch_redirect_response=False
        )

    def test_it_refuses_post(self) -> None:
        self.assertEqual(Client().post(self.thanks_url).status_code, 405)


class EmbedRateLimitTestCase(EmbedTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.limit = int(settings.INQUIRY_RATE.split("/")[0])
        self.form_url = reverse("inquiries:form", args=[self.clinic.slug])

    def test_it_has_its_own_limit_answered_with_a_framable_429(self) -> None:
        for _ in range(self.limit):
            self.assertEqual(self.post(valid_post()).status_code, 302)
        with self.assertLogs("ketaclinic.inquiries.views.public", level="WARNING"):
            r = self.post(valid_post())
        self.assertEqual(r.status_code, 429)
        self.assertContains(r, 'role="alert"', status_code=429)
        self.assertContains(r, 'href="tel:988"', status_code=429)
        self.assertNotContains(r, 'class="clinic-header', status_code=429)
        self.assertIn("https://www.sturges.example", directives(r)["frame-ancestors"])
        self.assertEqual(Inquiry.objects.count(), self.limit)
        # The main form keeps its own counter.
        self.assertEqual(Client().post(self.form_url, valid_post()).status_code, 302)

    def test_the_main_forms_limit_does_not_close_the_embed(self) -> None:
        main = Client()
        for _ in range(self.limit + 1):
            main.post(self.form_url, valid_post())
        self.assertEqual(main.post(self.form_url, valid_post()).status_code, 429)
        self.assertEqual(self.post(valid_post()).status_code, 302)

    def test_refused_origins_count_towards_the_limit(self) -> None:
        with self.assertLogs("ketaclinic.inquiries.views.embed", level="WARNING"):
            for _ in range(self.limit):
                self.post(valid_post(), origin="https://evil.example")
        with self.assertLogs("ketaclinic.inquiries.views.public", level="WARNING"):
            self.assertEqual(self.post(valid_post()).status_code, 429)
