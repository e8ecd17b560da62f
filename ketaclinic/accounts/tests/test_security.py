from django.urls import reverse

from ketaclinic.accounts.actions.twofactor import _replace_recovery_codes
from ketaclinic.testing import BaseTestCase

URL = reverse("accounts:security")


class SecurityPageTestCase(BaseTestCase):
    def test_it_shows_every_role_their_own_status(self) -> None:
        for role, user in self.users.items():
            self.login(role)
            response = self.client.get(URL)
            self.assertEqual(response.status_code, 200, role)
            self.assertContains(response, user.email)
            self.assertContains(response, "Reset authenticator")
            self.assertContains(response, "Make new recovery codes")
            self.assertContains(response, reverse("accounts:password_change"))
            self.assertContains(response, reverse("accounts:email_change"))
            self.assertContains(response, reverse("accounts:sessions"))

    def test_it_counts_unused_recovery_codes(self) -> None:
        _replace_recovery_codes(self.users["nurse"])
        self.login("nurse")
        response = self.client.get(URL)
        self.assertContains(response, "<dt>Recovery codes left</dt><dd>10</dd>", html=True)

    def test_it_shows_the_other_clinics_admin_only_their_own(self) -> None:
        self.login(self.outsider)
        response = self.client.get(URL)
        self.assertContains(response, self.outsider.email)
        self.assertNotContains(response, "sturges.example")

    def test_it_is_closed_to_the_anonymous(self) -> None:
        self.assert_denied(self.client.get(URL), 302)

    def test_it_needs_the_second_factor(self) -> None:
        self.client.force_login(self.users["physician"])
        self.assertRedirects(
            self.client.get(URL), reverse("accounts:two_factor"), fetch_redirect_response=False
        )
