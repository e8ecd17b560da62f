"""The clinic settings pages from every side: the clinic admin, every other role, the
anonymous visitor and the admin of another clinic."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from ketaclinic.accounts.models import Role
from ketaclinic.audit.models import AuditEntry
from ketaclinic.clinics.pages import PAGES
from ketaclinic.clinics.tests.helpers import form_data, group_url
from ketaclinic.testing import BaseTestCase

INDEX = reverse("clinics:settings")
SLUGS = [page.slug for page in PAGES]
FORM_SLUGS = [page.slug for page in PAGES if page.form_class is not None]


def audit_entries() -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(action="clinic.settings.update").order_by("id"))


class AccessTests(BaseTestCase):
    def test_the_clinic_admin_opens_every_page(self) -> None:
        self.login(Role.CLINIC_ADMIN)
        response = self.client.get(INDEX)
        self.assertEqual(response.status_code, 200)
        for page in PAGES:
            self.assertContains(response, group_url(page.slug))
            self.assertContains(response, page.title)
            page_response = self.client.get(group_url(page.slug))
            self.assertEqual(page_response.status_code, 200, page.slug)
            self.assertContains(page_response, f"<h1>{page.title}</h1>", html=True)
            self.assertContains(page_response, 'aria-current="page"')
        self.assertEqual(self.client.get(group_url("no-such-page")).status_code, 404)

    def test_every_other_role_is_refused(self) -> None:
        for role in self.roles_except(Role.CLINIC_ADMIN):
            self.login(role)
            self.assertEqual(self.client.get(INDEX).status_code, 403, role)
            for slug in SLUGS:
                self.assertEqual(self.client.get(group_url(slug)).status_code, 403, (role, slug))
            for slug in FORM_SLUGS:
                data = form_data(self.clinic, slug, name="Hijacked", idle_timeout_min="240")
                self.assertEqual(self.client.post(group_url(slug), data).status_code, 403)
        self.clinic.refresh_from_db()
        self.assertEqual(self.clinic.name, "Sturges Family Practice")
        self.assertEqual(self.clinic.idle_timeout_min, 15)
        self.assertEqual(audit_entries(), [])

    def test_the_anonymous_visitor_is_sent_to_sign_in(self) -> None:
        for url in [INDEX, *(group_url(slug) for slug in SLUGS)]:
            response = self.client.get(url)
            self.assertEqual(response.status_code, 302)
            self.assertTrue(response["Location"].startswith(reverse("accounts:login")))
        response = self.client.post(group_url("contact"), form_data(self.clinic, "contact"))
        self.assertEqual(response.status_code, 302)
        self.assertEqual(audit_entries(), [])

    def test_the_other_clinics_admin_sees_and_changes_only_their_own(self) -> None:
        self.login(self.outsider)
        response = self.client.get(group_url("contact"))
        self.assertContains(response, 'value="Other Clinic"')
        self.assertNotContains(response, "Sturges")
        # Whatever they send lands on their own clinic, never on ours.
        data = form_data(self.other, "contact", name="Other Clinic Renamed")
        self.client.post(group_url("contact"), data)
        self.clinic.refresh_from_db()
        self.other.refresh_from_db()
        self.assertEqual(self.clinic.name, "Sturges Family Practice")
        self.assertEqual(self.other.name, "Other Clinic Renamed")
        [entry] = audit_entries()
        self.assertEqual(entry.clinic_id, self.other.pk)

    def test_the_nav_link_names_the_settings(self) -> None:
        self.assertEqual(INDEX, "/clinic/settings/")
        self.assertEqual(group_url("public-page"), "/clinic/settings/public-page/")


class SaveTests(BaseTestCase):
    def setUp(self) -> None:
        self.login(Role.CLINIC_ADMIN)

    def test_it_saves_through_the_audited_action_with_before_and_after(self) -> None:
        data = form_data(self.clinic, "security", idle_timeout_min="10", break_glass_minutes="30")
        response = self.client.post(group_url("security"), data, follow=True)
        self.assertRedirects(response, group_url("security"))
        self.assertContains(
            response,
            "Saved security and sessions: Sign staff out after this many minutes without "
            "activity, Emergency (break-glass) access lasts this many minutes.",
        )
        self.clinic.refresh_from_db()
        self.assertEqual((self.clinic.idle_timeout_min, self.clinic.break_glass_minutes), (10, 30))
        [entry] = audit_entries()
        self.assertEqual(entry.before, {"break_glass_minutes": 60, "idle_timeout_min": 15})
        self.assertEqual(entry.after, {"break_glass_minutes": 30, "idle_timeout_min": 10})

    def test_an_unchanged_submit_says_nothing_changed(self) -> None:
        for slug in FORM_SLUGS:
            response = self.client.post(group_url(slug), form_data(self.clinic, slug), follow=True)
            self.assertContains(response, "Nothing changed.", msg_prefix=slug)
        self.assertEqual(audit_entries(), [])

    def test_the_public_page_text_is_saved_as_markdown(self) -> None:
        text = "We treat depression.\r\n\r\n**Same-week consultations**\r\n\r\n- one\r\n- two"
        data = form_data(
            self.clinic, "public-page", public_intro=text, crisis_resources="Call 988."
        )
        response = self.client.post(group_url("public-page"), data, follow=True)
        self.assertContains(response, "Saved public page: Introduction, Crisis help text.")
        self.clinic.refresh_from_db()
        self.assertEqual(self.clinic.public_intro, text.replace("\r\n", "\n"))
        self.assertEqual(self.clinic.crisis_resources, "Call 988.")
        [entry] = audit_entries()
        self.assertEqual(set(entry.after or {}), {"public_intro", "crisis_resources"})
        self.assertEqual((entry.after or {})["crisis_resources"], "Call 988.")
        self.assertNotIn("name", entry.after or {})
        # The saved page shows the section rendered in its preview pane.
        self.assertContains(response, "<strong>Same-week consultations</strong>", html=True)

    def test_contact_and_notifications(self) -> None:
        data = form_data(
            self.clinic,
            "contact",
            phone="(269) 555-0100",
            staff_email_details=None,  # unticked
            embed_origins="HTTPS://WWW.Sturges.example/\r\nhttp://localhost:8000",
        )
        self.client.post(group_url("contact"), data)
        self.clinic.refresh_from_db()
        self.assertFalse(self.clinic.staff_email_details)
        self.assertEqual(
            self.clinic.embed_origins, "https://www.sturges.example\nhttp://localhost:8000"
        )
        [entry] = audit_entries()
        self.assertEqual(
            entry.before, {"embed_origins": "", "phone": "", "staff_email_details": True}
        )

    def test_the_time_zone_from_the_list(self) -> None:
        response = self.client.get(group_url("time-zone"))
        self.assertContains(response, 'list="time-zones"')
        self.assertContains(response, '<option value="America/Chicago"></option>', html=True)
        self.assertContains(response, '<option value="Asia/Tokyo"></option>', html=True)
        self.client.post(group_url("time-zone"), {"time_zone": "america/detroit"})
        self.clinic.refresh_from_db()
        self.assertEqual(self.clinic.time_zone, "America/Detroit")
        [entry] = audit_entries()
        self.assertEqual(
            (entry.before, entry.after),
            ({"time_zone": "America/Chicago"}, {"time_zone": "America/Detroit"}),
        )

    def test_the_colours_are_colour_inputs_with_their_contrast(self) -> None:
        response = self.client.get(group_url("public-page"))
        self.assertContains(response, 'type="color"', count=2)
        self.assertContains(response, "White text on #1f5fa8: contrast 6.44:1.")
        data = form_data(self.clinic, "public-page", brand_colour="#0B3D91")
        self.client.post(group_url("public-page"), data)
        self.clinic.refresh_from_db()
        self.assertEqual(self.clinic.brand_colour, "#0b3d91")

    def test_the_defaults_name_their_sources(self) -> None:
        security = self.client.get(group_url("security")).content.decode()
        self.assertIn("OWASP ASVS 5.0 §7.3.1", security)
        self.assertIn("OWASP ASVS 5.0 §7.3.2", security)
        self.assertIn("HIPAA §164.312(a)(2)(ii)", security)
        public = self.client.get(group_url("public-page")).content.decode()
        self.assertIn("988 Suicide &amp; Crisis Lifeline", public)
        self.assertIn("SAMHSA", public)
        self.assertIn("WCAG 2.2, 1.4.3", public)

    def test_the_clinical_defaults_page_says_what_will_come(self) -> None:
        response = self.client.get(group_url("clinical-defaults"))
        for words in ("Dosing protocol defaults", "Observation times"):
            self.assertContains(response, words)
        self.assertContains(response, "Hawley et al. 2002")

    def test_the_clinical_defaults_page_links_every_clinic_rules_page(self) -> None:
        from ketaclinic.web.clinic_rules import links

        response = self.client.get(group_url("clinical-defaults"))
        for page in links():
            self.assertContains(response, f'href="{page["url"]}"')
            # Each page leads the clinic admin back here.
            back = self.client.get(page["url"])
            self.assertContains(back, f'href="{group_url("clinical-defaults")}"')
        self.assertNotContains(response, 'name="save"')
        self.assertEqual(self.client.post(group_url("clinical-defaults")).status_code, 405)
        self.assertEqual(audit_entries(), [])


class BadInputTests(BaseTestCase):
    """A refused value is shown at its field, what was typed stays, and nothing is saved."""

    def setUp(self) -> None:
        self.login(Role.CLINIC_ADMIN)

    def assert_refused(self, slug: str, field: str, message: str, **changes: str) -> Any:
        response = self.client.post(group_url(slug), form_data(self.clinic, slug, **changes))
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, message)
        self.assertContains(response, f'id="id_{field}_error"')
        self.assertContains(response, 'aria-invalid="true"')
        self.assertContains(response, f'href="#id_{field}"')  # the error summary links to it
        return response

    def test_an_unknown_time_zone(self) -> None:
        response = self.assert_refused(
            "time-zone", "time_zone", "is not a known time zone", time_zone="Mars/Olympus"
        )
        self.assertContains(response, 'value="Mars/Olympus"')

    def test_a_colour_too_light_for_white_text(self) -> None:
        response = self.assert_refused(
            "public-page",
            "accent_colour",
            "White text on #ffff00 has a contrast of 1.07:1",
            accent_colour="#ffff00",
            public_intro="Typed but not saved",
        )
        self.assertContains(response, 'value="#ffff00"')
        self.assertContains(response, "Typed but not saved")

    def test_an_embed_line_that_is_not_an_origin(self) -> None:
        typed = "https://ok.example\r\nhttps://www.sturges.example/embed"
        response = self.assert_refused(
            "contact",
            "embed_origins",
            "Line 2, &quot;https://www.sturges.example/embed&quot;",
            embed_origins=typed,
            name="Renamed Clinic",
        )
        self.assertContains(response, 'value="Renamed Clinic"')
        self.assertContains(response, "https://www.sturges.example/embed</textarea>")

    def test_numbers_out_of_range(self) -> None:
        self.assert_refused(
            "security",
            "idle_timeout_min",
            "Enter a whole number from 1 to 240.",
            idle_timeout_min="0",
        )
        self.assert_refused(
            "security",
            "absolute_timeout_h",
            "Enter a whole number from 1 to 24.",
            absolute_timeout_h="abc",
        )

    def test_required_answers(self) -> None:
        self.assert_refused("contact", "name", "This field is required.", name="")
        self.assert_refused(
            "public-page",
            "crisis_resources",
            "Give crisis help text: it must always be on the page.",
            crisis_resources="",
        )

    def test_nothing_is_saved_when_one_field_is_refused(self) -> None:
        data = form_data(self.clinic, "contact", name="Renamed", phone="not a phone")
        self.client.post(group_url("contact"), data)
        self.clinic.refresh_from_db()
        self.assertEqual(self.clinic.name, "Sturges Family Practice")
        self.assertEqual(audit_entries(), [])
