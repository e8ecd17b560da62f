from __future__ import annotations

from django.core.cache import cache
from django.urls import reverse

from ketaclinic.accounts.models import Role
from ketaclinic.inquiries.tests.base import InquiryTestCase, valid_post


class ThanksTestCase(InquiryTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.form_url = reverse("inquiries:form", args=[self.clinic.slug])
        self.url = reverse("inquiries:thanks", args=[self.clinic.slug])

    def test_it_says_what_happens_next(self) -> None:
        r = self.client.post(self.form_url, valid_post(preferred_contact="phone"), follow=True)
        self.assertContains(r, "What happens next")
        self.assertContains(r, "by phone call")
        self.assertContains(r, "call or text 988")
        self.assertNotContains(r, 'role="alert"')
        # No visitor data travels in the address.
        self.assertEqual(r.redirect_chain[-1][0], self.url)
        self.assertNotContains(r, "Alex Example")

    def test_it_says_when_we_aim_to_reply(self) -> None:
        r = self.client.post(self.form_url, valid_post(), follow=True)
        self.assertContains(r, "We aim to get back to you within one working day.")
        self.clinic.reply_within = "two working days"
        self.clinic.save()
        r = self.client.get(self.url)
        self.assertContains(r, "We aim to get back to you within two working days.")
        self.clinic.reply_within = ""
        self.clinic.save()
        self.assertNotContains(self.client.get(self.url), "We aim to get back to you")

    def test_it_puts_crisis_resources_first_when_self_harm_is_mentioned(self) -> None:
        data = valid_post(message="Honestly I don’t want to live like this.")
        r = self.client.post(self.form_url, data, follow=True)
        body = r.content.decode()
        self.assertIn('role="alert"', body)
        self.assertIn("Please reach out for help now", body)
        self.assertLess(body.index("call or text 988"), body.index("<h1>Thank you"))
        self.assertLess(body.index('href="tel:988"'), body.index("<h1>Thank you"))
        # One crisis box: the urgent one is a div (role="alert" is not allowed on <aside>).
        self.assertEqual(body.count('<div class="crisis urgent" role="alert"'), 1)
        self.assertNotIn('<aside class="crisis"', body)

    def test_it_sends_visitors_without_a_submission_to_the_form(self) -> None:
        r = self.client.get(self.url)
        self.assertRedirects(r, self.form_url)

    def test_it_does_not_show_another_clinics_confirmation(self) -> None:
        self.client.post(self.form_url, valid_post())
        r = self.client.get(reverse("inquiries:thanks", args=["other"]))
        self.assertRedirects(r, reverse("inquiries:form", args=["other"]))

    def test_it_is_public_for_every_role_and_the_other_clinic(self) -> None:
        for role in Role:
            self.login(role.value)
            self.client.post(self.form_url, valid_post())
            self.assert_allowed(self.client.get(self.url))
            cache.clear()  # each role posts once; stay under the per-address limit
        self.login(self.outsider)
        self.client.post(self.form_url, valid_post())
        self.assert_allowed(self.client.get(self.url))
