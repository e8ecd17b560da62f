"""The Markdown preview: live (htmx posts one section, gets the HTML back) and without script
(the Preview button re-renders the page with the typed text, nothing saved)."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse

from ketaclinic.accounts.models import Role
from ketaclinic.audit.models import AuditEntry
from ketaclinic.clinics.forms import MARKDOWN_FIELDS
from ketaclinic.clinics.tests.helpers import form_data, group_url
from ketaclinic.testing import BaseTestCase

PREVIEW = reverse("clinics:markdown_preview")


class LivePreviewTests(BaseTestCase):
    def test_it_renders_the_section_as_the_public_page_will(self) -> None:
        self.login(Role.CLINIC_ADMIN)
        response = self.client.post(PREVIEW, {"public_intro": "**Bold** words\n\n- one\n- two"})
        self.assertEqual(response.status_code, 200)
        self.assertInHTML("<strong>Bold</strong>", response.content.decode())
        self.assertInHTML("<ul><li>one</li><li>two</li></ul>", response.content.decode())
        self.assertNotContains(response, "<html")  # a fragment for the preview pane

    def test_script_is_shown_as_text(self) -> None:
        self.login(Role.CLINIC_ADMIN)
        response = self.client.post(
            PREVIEW, {"public_faq": "<script>alert(1)</script> [x](javascript:alert(1))"}
        )
        self.assertNotContains(response, "<script>")
        self.assertNotContains(response, "javascript:")
        self.assertContains(response, "&lt;script&gt;alert(1)&lt;/script&gt;")

    def test_an_empty_section_says_it_is_left_off(self) -> None:
        self.login(Role.CLINIC_ADMIN)
        response = self.client.post(PREVIEW, {"public_costs": "   "})
        self.assertContains(response, "Empty: this section is left off the public page.")

    def test_it_previews_only_public_page_sections(self) -> None:
        self.login(Role.CLINIC_ADMIN)
        self.assertEqual(self.client.post(PREVIEW, {"name": "x"}).status_code, 400)
        self.assertEqual(self.client.get(PREVIEW).status_code, 405)
        response = self.client.post(PREVIEW, {"public_intro": "x" * 20_001})
        self.assertContains(response, "Too long to preview")

    def test_it_needs_the_csrf_token(self) -> None:
        client = Client(enforce_csrf_checks=True)
        from ketaclinic.testing import sign_in

        sign_in(client, self.users[Role.CLINIC_ADMIN])
        self.assertEqual(client.post(PREVIEW, {"public_intro": "x"}).status_code, 403)
        page = client.get(group_url("public-page"))
        token = page.context["csrf_token"]
        self.assertContains(page, f'hx-headers=\'{{"X-CSRFToken": "{token}"}}\'')
        response = client.post(PREVIEW, {"public_intro": "*x*"}, HTTP_X_CSRFTOKEN=str(token))
        self.assertEqual(response.status_code, 200)

    def test_it_is_for_the_clinic_admin_only(self) -> None:
        for role in self.roles_except(Role.CLINIC_ADMIN):
            self.login(role)
            self.assertEqual(self.client.post(PREVIEW, {"public_intro": "x"}).status_code, 403)
        self.client.logout()
        response = self.client.post(PREVIEW, {"public_intro": "x"})
        self.assertEqual(response.status_code, 302)
        self.login(self.outsider)  # any clinic's admin: it reads nothing of any clinic
        self.assertEqual(self.client.post(PREVIEW, {"public_intro": "x"}).status_code, 200)


class PageWiringTests(BaseTestCase):
    def test_each_section_has_a_textarea_wired_to_its_preview_pane(self) -> None:
        self.login(Role.CLINIC_ADMIN)
        response = self.client.get(group_url("public-page"))
        html = response.content.decode()
        for name in MARKDOWN_FIELDS:
            self.assertIn(f'hx-post="{PREVIEW}"', html)
            self.assertIn(f'hx-params="{name}"', html)
            self.assertIn(f'hx-target="#preview-{name}"', html)
            self.assertIn(f'id="preview-{name}"', html)
        self.assertEqual(html.count('hx-trigger="input changed delay:400ms"'), len(MARKDOWN_FIELDS))
        self.assertContains(response, "Formatting help", count=len(MARKDOWN_FIELDS))
        self.assertNotIn("<script>", html.split("</head>")[1])  # no inline script (strict CSP)
        self.assertNotIn("style=", html)


class NoScriptPreviewTests(BaseTestCase):
    def test_the_preview_button_shows_the_typed_text_rendered_and_saves_nothing(self) -> None:
        self.login(Role.CLINIC_ADMIN)
        data = form_data(
            self.clinic,
            "public-page",
            public_who_it_helps="Adults with **treatment-resistant** depression",
            preview="1",
        )
        response = self.client.post(group_url("public-page"), data)
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "Preview only: nothing is saved yet")
        self.assertInHTML("<strong>treatment-resistant</strong>", response.content.decode())
        self.assertContains(response, "Adults with **treatment-resistant** depression</textarea>")
        self.clinic.refresh_from_db()
        self.assertEqual(self.clinic.public_who_it_helps, "")
        self.assertFalse(AuditEntry.objects.filter(action="clinic.settings.update").exists())

    def test_the_preview_also_shows_problems(self) -> None:
        self.login(Role.CLINIC_ADMIN)
        data = form_data(self.clinic, "public-page", brand_colour="#ffff00", preview="1")
        response = self.client.post(group_url("public-page"), data)
        self.assertContains(response, "has a contrast of 1.07:1")
        self.clinic.refresh_from_db()
        self.assertEqual(self.clinic.brand_colour, "#1f5fa8")
