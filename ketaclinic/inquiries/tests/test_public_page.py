from __future__ import annotations

from django.urls import reverse

from ketaclinic.accounts.models import Role
from ketaclinic.inquiries.tests.base import XSS_IMG, XSS_SCRIPT, InquiryTestCase


class PublicPageTestCase(InquiryTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.clinic.public_intro = "First paragraph.\n\nSecond paragraph."
        self.clinic.public_who_it_helps = "Depression, anxiety, PTSD and addiction."
        self.clinic.public_how_a_visit_works = "Our physician gives the IV."
        self.clinic.public_what_it_feels_like = "Most people feel relaxed."
        self.clinic.public_afterwards = "Some feel a little floaty."
        self.clinic.address = "100 Example Street\nSturges"
        self.clinic.phone = "(555) 010-0100"
        self.clinic.save()
        self.url = reverse("inquiries:public_page", args=[self.clinic.slug])

    def test_it_shows_the_clinic_text_in_paragraphs(self) -> None:
        r = self.client.get(self.url)
        self.assertEqual(r.status_code, 200)
        self.assertContains(r, "<p>First paragraph.</p>", html=True)
        self.assertContains(r, "<p>Second paragraph.</p>", html=True)
        for heading in (
            "What ketamine infusion therapy is",
            "Who it may help",
            "How a visit works",
            "What it feels like",
            "What to expect afterwards",
        ):
            self.assertContains(r, heading)
        self.assertContains(r, "Our physician gives the IV.")
        self.assertContains(r, "Sturges Family Practice")
        self.assertContains(r, "100 Example Street<br>Sturges")
        self.assertContains(r, 'href="tel:(555)010-0100"')

    def test_it_shows_crisis_resources_at_the_top_and_beside_the_form(self) -> None:
        r = self.client.get(self.url)
        body = r.content.decode()
        self.assertEqual(body.count("call or text 988"), 2)
        # The first crisis box comes before the first section of the page text.
        self.assertLess(body.index('id="crisis-top-title"'), body.index("What ketamine infusion"))
        self.assertLess(body.index('id="crisis-form-title"'), body.index('name="name"'))

    def test_it_uses_the_clinics_own_crisis_text(self) -> None:
        self.clinic.crisis_resources = "Call 000 in Australia or Lifeline 13 11 14."
        self.clinic.save()
        r = self.client.get(self.url)
        self.assertContains(r, "Lifeline 13 11 14", count=2)

    def test_it_escapes_the_clinic_text(self) -> None:
        self.clinic.public_intro = f"{XSS_SCRIPT}\n\n{XSS_IMG}"
        self.clinic.name = "<b>Bold</b> clinic"
        self.clinic.save()
        r = self.client.get(self.url)
        self.assertNotContains(r, XSS_SCRIPT)
        self.assertNotContains(r, XSS_IMG)
        self.assertNotContains(r, "<b>Bold</b>")
        self.assertContains(r, "&lt;script&gt;alert(1)&lt;/script&gt;")

    def test_it_skips_empty_sections(self) -> None:
        self.clinic.public_what_it_feels_like = ""
        self.clinic.save()
        r = self.client.get(self.url)
        self.assertNotContains(r, "What it feels like")

    def test_it_carries_the_form_with_csrf_and_a_hidden_honeypot(self) -> None:
        r = self.client.get(self.url)
        self.assertContains(r, "csrfmiddlewaretoken")
        self.assertContains(r, f'action="{reverse("inquiries:form", args=["sturges"])}"')
        self.assertContains(r, 'class="hp-field"')
        self.assertContains(r, '<button type="submit">Send</button>', html=True)
        self.assertNotContains(r, "style=")
        self.assertContains(r, 'name="viewport"')

    def test_it_404s_for_an_unknown_clinic(self) -> None:
        r = self.client.get(reverse("inquiries:public_page", args=["nope"]))
        self.assertEqual(r.status_code, 404)

    def test_it_is_public_for_every_role_and_the_other_clinic(self) -> None:
        for role in Role:
            self.login(role.value)
            self.assert_allowed(self.client.get(self.url))
        self.login(self.outsider)
        self.assert_allowed(self.client.get(self.url))

    def test_it_refuses_post(self) -> None:
        self.assertEqual(self.client.post(self.url).status_code, 405)
