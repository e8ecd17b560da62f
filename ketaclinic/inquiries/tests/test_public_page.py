from __future__ import annotations

import re

from django.test import override_settings
from django.urls import reverse

from ketaclinic.accounts.models import Role
from ketaclinic.demo import PUBLIC_PAGE
from ketaclinic.inquiries.tests import urls_logo
from ketaclinic.inquiries.tests.base import XSS_IMG, XSS_SCRIPT, InquiryTestCase
from ketaclinic.inquiries.views.public import SECTIONS, tel_href

FAQ = """# Do I need a referral?

**Not always.** Ask us.

- Bring your therapist's details
- Someone drives you home

<script>alert(1)</script> [click](javascript:alert(1))
<a href="https://x.example" onclick="alert(1)">x</a>
"""


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

    def test_it_renders_the_clinics_markdown_and_removes_script(self) -> None:
        self.clinic.public_faq = FAQ
        self.clinic.save()
        r = self.client.get(self.url)
        body = r.content.decode()
        self.assertContains(r, "Frequently asked questions")
        # The clinic's top-level headings sit below the section's own h2.
        self.assertContains(r, "<h3>Do I need a referral?</h3>", html=True)
        self.assertContains(r, "<strong>Not always.</strong>", html=True)
        self.assertContains(r, "<li>Someone drives you home</li>", html=True)
        self.assertNotIn("<script>alert(1)</script>", body)
        self.assertNotIn("javascript:", body)
        self.assertIsNone(re.search(r"<[^>]*onclick", body))  # shown as text, never a tag

    def test_it_shows_costs_only_when_the_clinic_wrote_them(self) -> None:
        r = self.client.get(self.url)
        self.assertNotContains(r, 'id="costs"')
        self.assertNotContains(r, "Frequently asked questions")
        self.clinic.public_costs = "A consultation is *free*."
        self.clinic.save()
        r = self.client.get(self.url)
        self.assertContains(r, '<h2 id="costs-title">Costs</h2>', html=True)
        self.assertContains(r, "A consultation is <em>free</em>.")

    def test_it_has_one_crisis_box_with_988_and_911_to_tap_before_the_text(self) -> None:
        r = self.client.get(self.url)
        body = r.content.decode()
        self.assertEqual(body.count('<aside class="crisis'), 1)
        box = body[body.index('<aside class="crisis') : body.index("</aside>")]
        for href in ('href="tel:988"', 'href="sms:988"', 'href="tel:911"'):
            self.assertEqual(box.count(href), 1, href)
            self.assertEqual(body.count(href), 1, href)
        self.assertIn("call or text 988", box)  # the clinic's own crisis text, in the same box
        self.assertLess(body.index('id="crisis-top-title"'), body.index("What ketamine infusion"))

    def test_it_uses_the_clinics_own_crisis_text(self) -> None:
        self.clinic.crisis_resources = "Call 000 in Australia or Lifeline 13 11 14."
        self.clinic.save()
        r = self.client.get(self.url)
        self.assertContains(r, "Lifeline 13 11 14", count=1)

    def test_it_links_the_clinic_phone_with_its_digits(self) -> None:
        r = self.client.get(self.url)
        self.assertContains(r, 'href="tel:5550100100"')
        self.assertNotContains(r, 'href="tel:(')
        self.clinic.phone = "+1 (555) 010-0100"
        self.clinic.save()
        self.assertContains(self.client.get(self.url), 'href="tel:+15550100100"')

    def test_tel_href_keeps_only_a_leading_plus_and_digits(self) -> None:
        self.assertEqual(tel_href("+44 20 7946 0958"), "tel:+442079460958")
        self.assertEqual(tel_href("555.010.0100"), "tel:5550100100")
        self.assertEqual(tel_href(""), "")

    def test_it_offers_a_clear_call_to_action_to_the_form(self) -> None:
        r = self.client.get(self.url)
        form_url = reverse("inquiries:form", args=[self.clinic.slug])
        links = re.findall(r'<a class="([^"]*)" href="([^"]*)">Ask about ketamine treatment</a>',
                           r.content.decode())  # fmt: skip
        self.assertEqual(len(links), 2)  # at the top and after the last section
        for classes, href in links:
            self.assertEqual(href, form_url)
            self.assertIn("button--cta", classes)

    def test_it_wears_the_clinics_colours_through_its_own_stylesheet(self) -> None:
        r = self.client.get(self.url)
        match = re.search(r'<link rel="stylesheet" href="(/c/sturges/theme\.css\?v=\w+)">',
                          r.content.decode())  # fmt: skip
        assert match, "no theme stylesheet link"
        self.assertNotContains(r, "style=")
        self.assertNotContains(r, "<style")
        css = self.client.get(match[1])
        self.assertIn("--clinic-brand: #1f5fa8;", css.content.decode())
        self.clinic.brand_colour = "#5B2A86"
        self.clinic.save()
        r2 = self.client.get(self.url)
        self.assertNotContains(r2, match[1])  # a new version, so no stale copy is used

    def test_it_shows_no_logo_when_the_clinic_has_none(self) -> None:
        r = self.client.get(self.url)
        self.assertNotContains(r, "clinic-header__logo")
        self.assertContains(r, '<a class="clinic-header__brand" href="/c/sturges/">')

    @override_settings(ROOT_URLCONF=urls_logo.with_logo)
    def test_it_shows_the_logo_from_the_logo_view(self) -> None:
        self.clinic.logo = "clinic-logos/sturges.png"
        self.clinic.save()
        r = self.client.get(self.url)
        # alt="" because the clinic's name follows it in the same link.
        self.assertContains(
            r, '<img class="clinic-header__logo" src="/c/sturges/logo.png" alt="">', count=1
        )

    @override_settings(ROOT_URLCONF=urls_logo.without_logo)
    def test_it_leaves_the_logo_out_while_no_view_serves_it(self) -> None:
        self.clinic.logo = "clinic-logos/sturges.png"
        self.clinic.save()
        r = self.client.get(self.url)
        self.assertEqual(r.status_code, 200)
        self.assertNotContains(r, "clinic-header__logo")
        self.assertContains(r, "<span>Sturges Family Practice</span>")

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
        self.clinic.public_afterwards = "  \n"
        self.clinic.save()
        r = self.client.get(self.url)
        self.assertNotContains(r, "What it feels like")
        self.assertNotContains(r, "What to expect afterwards")

    def test_it_is_a_phone_sized_page_without_inline_style(self) -> None:
        r = self.client.get(self.url)
        self.assertNotContains(r, "style=")
        self.assertContains(r, 'name="viewport"')
        # No staff chrome: the public header carries the clinic, not the application.
        self.assertNotContains(r, 'class="site-header"')

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

    def test_it_cannot_be_framed(self) -> None:
        r = self.client.get(self.url)
        self.assertEqual(r["X-Frame-Options"], "DENY")
        self.assertIn("frame-ancestors 'none'", r["Content-Security-Policy"])
        self.assertEqual(r["Cache-Control"], "no-store")


class ThemeStylesheetTestCase(InquiryTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.url = reverse("inquiries:theme_css", args=[self.clinic.slug])

    def test_it_sets_the_clinics_two_colours(self) -> None:
        self.clinic.brand_colour = "#5B2A86"
        self.clinic.accent_colour = "#0b5c4a"
        self.clinic.save()
        r = self.client.get(self.url)
        self.assertEqual(r.status_code, 200)
        self.assertEqual(r["Content-Type"], "text/css; charset=utf-8")
        self.assertEqual(
            r.content.decode(), ":root { --clinic-brand: #5b2a86; --clinic-accent: #0b5c4a; }\n"
        )

    def test_it_may_be_cached_and_revalidated(self) -> None:
        r = self.client.get(self.url)
        self.assertEqual(r["Cache-Control"], "public, max-age=86400")
        etag = r["ETag"]
        self.assertRegex(etag, r'^"[0-9a-f]{16}"$')
        again = self.client.get(self.url, headers={"if-none-match": etag})
        self.assertEqual(again.status_code, 304)
        self.clinic.accent_colour = "#0b5c4a"
        self.clinic.save()
        changed = self.client.get(self.url, headers={"if-none-match": etag})
        self.assertEqual(changed.status_code, 200)
        self.assertNotEqual(changed["ETag"], etag)

    def test_it_refuses_colours_that_are_not_hex_or_too_light_for_white_text(self) -> None:
        # Saved past the form's validation (e.g. from the shell): the defaults are used instead.
        self.clinic.brand_colour = "red;}*{"  # 7 characters, the column's width
        self.clinic.accent_colour = "#ffff00"  # yellow: about 1.1:1 with white
        self.clinic.save()
        body = self.client.get(self.url).content.decode()
        self.assertEqual(body, ":root { --clinic-brand: #1f5fa8; --clinic-accent: #1d6b38; }\n")

    def test_it_404s_for_an_unknown_clinic_and_is_public(self) -> None:
        r = self.client.get(reverse("inquiries:theme_css", args=["nope"]))
        self.assertEqual(r.status_code, 404)
        self.login(self.outsider)
        self.assertEqual(self.client.get(self.url).status_code, 200)
        self.assertEqual(self.client.post(self.url).status_code, 405)


class DemoContentTestCase(InquiryTestCase):
    """The demo clinic fills every section, in Markdown, from the seed page's facts."""

    def test_every_section_is_filled_and_renders(self) -> None:
        for name, text in PUBLIC_PAGE.items():
            setattr(self.clinic, name, text)
        self.clinic.save()
        r = self.client.get(reverse("inquiries:public_page", args=[self.clinic.slug]))
        sections = [title for _, title, _ in SECTIONS]
        for title in sections:
            self.assertContains(r, f"{title}</h2>")
        self.assertEqual({field for _, _, field in SECTIONS}, set(PUBLIC_PAGE))
        self.assertContains(r, "<h3>Do I need my own therapist?</h3>", html=True)
        self.assertContains(r, "<strong>Someone needs to drive you home</strong>", html=True)
        self.assertContains(r, "<li>post-traumatic stress disorder (PTSD)</li>", html=True)
        self.assertNotContains(r, "# ")  # no Markdown left unrendered
