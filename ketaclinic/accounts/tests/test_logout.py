from django.conf import settings
from django.test import Client
from django.urls import reverse

from ketaclinic.accounts.models import UserSession
from ketaclinic.accounts.tests.helpers import password_step, session_exists, session_key
from ketaclinic.audit.models import AuditEntry
from ketaclinic.testing import BaseTestCase, sign_in

URL = reverse("accounts:logout")


class LogoutTestCase(BaseTestCase):
    def test_it_is_post_only(self) -> None:
        self.login("nurse")
        self.assertEqual(self.client.get(URL).status_code, 405)
        self.assertEqual(self.client.get(reverse("web:home")).status_code, 200)

    def test_it_ends_every_session_of_every_role(self) -> None:
        for role, user in self.users.items():
            elsewhere = Client()
            sign_in(elsewhere, user)
            elsewhere_key = session_key(elsewhere)
            self.login(role)
            here_key = session_key(self.client)
            response = self.client.post(URL)
            self.assertRedirects(response, reverse("accounts:login"), fetch_redirect_response=False)
            self.assertFalse(session_exists(here_key))
            self.assertFalse(session_exists(elsewhere_key))
            self.assertFalse(UserSession.objects.filter(user=user, ended_at__isnull=True).exists())
            self.assertEqual(elsewhere.get(reverse("web:home")).status_code, 302)
        self.assertEqual(AuditEntry.objects.filter(action="auth.logout").count(), len(self.users))

    def test_an_old_cookie_does_not_come_back(self) -> None:
        self.login("physician")
        old_key = session_key(self.client)
        self.client.post(URL)
        replay = Client()
        assert old_key is not None
        replay.cookies[settings.SESSION_COOKIE_NAME] = old_key
        response = replay.get(reverse("web:home"))
        self.assertEqual(response.status_code, 302)

    def test_it_signs_out_a_half_signed_in_user(self) -> None:
        password_step(self.client, self.users["custodian"].email)
        self.client.post(URL)
        self.assertNotIn("_auth_user_id", self.client.session)

    def test_it_leaves_other_users_alone(self) -> None:
        other = Client()
        sign_in(other, self.outsider)
        self.login("clinic_admin")
        self.client.post(URL)
        self.assertEqual(other.get(reverse("web:home")).status_code, 200)

    def test_the_anonymous_is_sent_to_sign_in(self) -> None:
        self.assert_denied(self.client.post(URL), 302)
