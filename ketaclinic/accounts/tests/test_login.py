from django.test import Client
from django.urls import reverse

from ketaclinic.accounts.models import Role, UserSession
from ketaclinic.accounts.tests.helpers import password_step, session_exists, session_key
from ketaclinic.audit.models import AuditEntry
from ketaclinic.testing import BaseTestCase


class LoginTestCase(BaseTestCase):
    def test_it_shows_the_form_with_labels(self) -> None:
        response = self.client.get(reverse("accounts:login"))
        self.assertContains(response, '<label for="id_username">Email</label>', html=True)
        self.assertContains(response, '<label for="id_password">Password</label>', html=True)
        self.assertContains(response, 'name="username"')
        self.assertContains(response, 'name="password"')
        self.assertContains(response, "Sign in</button>")
        self.assertNotContains(response, "style=")

    def test_it_sends_every_role_to_the_second_factor(self) -> None:
        for role in Role:
            client = Client()
            response = password_step(client, self.users[role.value].email)
            self.assertRedirects(
                response, reverse("accounts:two_factor"), fetch_redirect_response=False
            )
            # Password alone is not enough for any staff page.
            self.assertRedirects(
                client.get(reverse("web:home")),
                reverse("accounts:two_factor"),
                fetch_redirect_response=False,
            )

    def test_it_signs_in_the_other_clinics_admin_too(self) -> None:
        response = password_step(self.client, self.outsider.email)
        self.assertEqual(response.status_code, 302)
        self.assertEqual(int(self.client.session["_auth_user_id"]), self.outsider.pk)

    def test_it_accepts_the_email_in_any_case(self) -> None:
        response = password_step(self.client, self.users["nurse"].email.upper())
        self.assertEqual(response.status_code, 302)

    def test_it_refuses_a_wrong_password_and_keeps_the_email(self) -> None:
        response = password_step(self.client, "nurse@sturges.example", "wrong password here")
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "The email or password is not right.")
        self.assertContains(response, 'value="nurse@sturges.example"')
        self.assertNotIn("_auth_user_id", self.client.session)

    def test_it_refuses_an_inactive_account(self) -> None:
        user = self.users["nurse"]
        user.is_active = False
        user.save()
        response = password_step(self.client, user.email)
        self.assertEqual(response.status_code, 200)
        self.assertNotIn("_auth_user_id", self.client.session)

    def test_it_gives_a_new_session_key_at_login(self) -> None:
        session = self.client.session
        session["before"] = "login"
        session.save()
        before = session.session_key
        self.assertEqual(session_key(self.client), before)
        password_step(self.client, self.users["physician"].email)
        after = session_key(self.client)
        self.assertNotEqual(before, after)
        self.assertFalse(session_exists(before))
        self.assertTrue(session_exists(after))

    def test_it_tracks_and_audits_the_new_session(self) -> None:
        password_step(self.client, self.users["coordinator"].email, HTTP_USER_AGENT="TestBrowser/1")
        tracked = UserSession.objects.get(user=self.users["coordinator"])
        self.assertEqual(tracked.session_key, session_key(self.client))
        self.assertEqual(tracked.user_agent, "TestBrowser/1")
        self.assertEqual(tracked.ip_address, "127.0.0.1")
        self.assertTrue(
            AuditEntry.objects.filter(
                action="auth.login.password", actor=self.users["coordinator"]
            ).exists()
        )

    def test_it_keeps_a_local_next_and_drops_a_foreign_one(self) -> None:
        password_step(self.client, self.users["nurse"].email, HTTP_HOST="testserver")
        self.client.logout()
        self.client.post(
            reverse("accounts:login") + "?next=/inquiries/",
            {"username": self.users["nurse"].email, "password": "correct horse battery staple"},
        )
        self.assertEqual(self.client.session["ketaclinic_next"], "/inquiries/")
        client = Client()
        client.post(
            reverse("accounts:login"),
            {
                "username": self.users["nurse"].email,
                "password": "correct horse battery staple",
                "next": "https://evil.example/",
            },
        )
        self.assertNotIn("ketaclinic_next", client.session)

    def test_it_sends_a_signed_in_user_onwards(self) -> None:
        self.login("nurse")
        self.assertRedirects(
            self.client.get(reverse("accounts:login")),
            reverse("web:home"),
            fetch_redirect_response=False,
        )
