"""Sign out ends this browser's session only; Sign out everywhere ends all of them. A password
change still ends every other session."""

from django.conf import settings
from django.test import Client
from django.urls import reverse

from ketaclinic.accounts.models import UserSession
from ketaclinic.accounts.tests.helpers import password_step, session_exists, session_key
from ketaclinic.audit.models import AuditEntry
from ketaclinic.testing import TEST_PASSWORD, BaseTestCase, sign_in

URL = reverse("accounts:logout")
EVERYWHERE = reverse("accounts:logout_everywhere")
LOGIN = reverse("accounts:login")
HOME = reverse("web:home")


class LogoutTestCase(BaseTestCase):
    def test_it_is_post_only(self) -> None:
        self.login("nurse")
        self.assertEqual(self.client.get(URL).status_code, 405)
        self.assertEqual(self.client.get(EVERYWHERE).status_code, 405)
        self.assertEqual(self.client.get(HOME).status_code, 200)

    def test_sign_out_leaves_the_users_other_session_alive(self) -> None:
        for role, user in self.users.items():
            elsewhere = Client()
            sign_in(elsewhere, user)
            elsewhere_key = session_key(elsewhere)
            self.login(role)
            here_key = session_key(self.client)
            response = self.client.post(URL)
            self.assertRedirects(response, LOGIN, fetch_redirect_response=False)
            self.assertFalse(session_exists(here_key))
            self.assertTrue(session_exists(elsewhere_key), role)
            self.assertEqual(elsewhere.get(HOME).status_code, 200, role)
            here = UserSession.objects.get(session_key=here_key)
            self.assertEqual(here.end_reason, UserSession.EndReason.LOGOUT)
            self.assertIsNone(UserSession.objects.get(session_key=elsewhere_key).ended_at)
            self.assertEqual(self.client.get(HOME).status_code, 302)
        self.assertEqual(AuditEntry.objects.filter(action="auth.logout").count(), len(self.users))
        self.assertFalse(AuditEntry.objects.filter(action="auth.sessions.end").exists())

    def test_sign_out_everywhere_ends_both_sessions(self) -> None:
        for role, user in self.users.items():
            elsewhere = Client()
            sign_in(elsewhere, user)
            elsewhere_key = session_key(elsewhere)
            self.login(role)
            here_key = session_key(self.client)
            response = self.client.post(EVERYWHERE)
            self.assertRedirects(response, LOGIN, fetch_redirect_response=False)
            self.assertFalse(session_exists(here_key))
            self.assertFalse(session_exists(elsewhere_key))
            self.assertFalse(UserSession.objects.filter(user=user, ended_at__isnull=True).exists())
            self.assertEqual(elsewhere.get(HOME).status_code, 302)
            self.assertEqual(self.client.get(HOME).status_code, 302)
            entry = AuditEntry.objects.filter(action="auth.sessions.end", object_id=user.pk).get()
            self.assertEqual((entry.after or {})["ended"], 2)
        self.assertEqual(
            AuditEntry.objects.filter(action="auth.logout.everywhere").count(), len(self.users)
        )

    def test_sign_out_everywhere_needs_both_factors(self) -> None:
        elsewhere = Client()
        sign_in(elsewhere, self.users["custodian"])
        password_step(self.client, self.users["custodian"].email)
        response = self.client.post(EVERYWHERE)
        self.assertRedirects(
            response, reverse("accounts:two_factor"), fetch_redirect_response=False
        )
        self.assertEqual(elsewhere.get(HOME).status_code, 200)

    def test_a_password_change_ends_the_other_session(self) -> None:
        user = self.users["physician"]
        elsewhere = Client()
        sign_in(elsewhere, user)
        elsewhere_key = session_key(elsewhere)
        self.login("physician")
        new = "a different pass phrase"
        response = self.client.post(
            reverse("accounts:password_change"),
            {"old_password": TEST_PASSWORD, "new_password1": new, "new_password2": new},
        )
        self.assertEqual(response.status_code, 302)
        self.assertFalse(session_exists(elsewhere_key))
        self.assertEqual(elsewhere.get(HOME).status_code, 302)
        # This browser goes on, and is still the one live tracked session.
        self.assertEqual(self.client.get(HOME).status_code, 200)
        live = UserSession.objects.filter(user=user, ended_at__isnull=True)
        self.assertEqual(
            list(live.values_list("session_key", flat=True)), [session_key(self.client)]
        )

    def test_an_old_cookie_does_not_come_back(self) -> None:
        self.login("physician")
        old_key = session_key(self.client)
        self.client.post(URL)
        replay = Client()
        assert old_key is not None
        replay.cookies[settings.SESSION_COOKIE_NAME] = old_key
        response = replay.get(HOME)
        self.assertEqual(response.status_code, 302)

    def test_it_signs_out_a_half_signed_in_user(self) -> None:
        password_step(self.client, self.users["custodian"].email)
        self.client.post(URL)
        self.assertNotIn("_auth_user_id", self.client.session)

    def test_it_leaves_other_users_alone(self) -> None:
        other = Client()
        sign_in(other, self.outsider)
        self.login("clinic_admin")
        self.client.post(EVERYWHERE)
        self.assertEqual(other.get(HOME).status_code, 200)

    def test_the_anonymous_is_sent_to_sign_in(self) -> None:
        for url in (URL, EVERYWHERE):
            response = self.client.post(url)
            self.assertEqual(response.status_code, 302)
            self.assertTrue(response["Location"].startswith(LOGIN), response["Location"])
