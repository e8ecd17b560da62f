import datetime as dt

import time_machine
from django.urls import reverse

from ketaclinic.accounts.sudo import SUDO_KEY
from ketaclinic.audit.models import AuditEntry
from ketaclinic.testing import TEST_PASSWORD, BaseTestCase

URL = reverse("accounts:reauth")
START = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


class ReauthTestCase(BaseTestCase):
    def test_it_opens_sudo_mode_for_every_role(self) -> None:
        for role in self.users:
            self.login(role)
            response = self.client.post(
                URL + "?next=/accounts/security/email/", {"password": TEST_PASSWORD}
            )
            self.assertRedirects(
                response, reverse("accounts:email_change"), fetch_redirect_response=False
            )
            self.assertIn(SUDO_KEY, self.client.session)

    def test_it_refuses_a_wrong_password_at_the_field(self) -> None:
        self.login("coordinator")
        response = self.client.post(URL, {"password": "not the password"})
        self.assertContains(response, "That password is not right.")
        self.assertContains(response, 'aria-invalid="true"')
        self.assertNotIn(SUDO_KEY, self.client.session)
        self.assertTrue(AuditEntry.objects.filter(action="auth.reauth_failed").exists())

    def test_it_ignores_a_foreign_next(self) -> None:
        self.login("coordinator")
        response = self.client.post(URL, {"password": TEST_PASSWORD, "next": "//evil.example/"})
        self.assertRedirects(response, reverse("accounts:security"), fetch_redirect_response=False)

    def test_it_lasts_ten_minutes(self) -> None:
        email_url = reverse("accounts:email_change")
        with time_machine.travel(START, tick=False) as traveller:
            self.login("nurse")
            self.client.post(URL, {"password": TEST_PASSWORD})
            traveller.shift(dt.timedelta(minutes=9))
            self.assertEqual(self.client.get(email_url).status_code, 200)
            traveller.shift(dt.timedelta(minutes=2))
            response = self.client.get(email_url)
            self.assertTrue(response["Location"].startswith(URL))

    def test_it_is_closed_to_the_anonymous_and_half_signed_in(self) -> None:
        self.assert_denied(self.client.post(URL, {"password": TEST_PASSWORD}), 302)
        self.client.force_login(self.outsider)
        response = self.client.post(URL, {"password": TEST_PASSWORD})
        self.assertRedirects(
            response, reverse("accounts:two_factor"), fetch_redirect_response=False
        )
        self.assertNotIn(SUDO_KEY, self.client.session)
