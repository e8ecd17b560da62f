import re

from django.core import mail
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from ketaclinic.accounts.models import UserSession
from ketaclinic.accounts.tests.helpers import code_for, device_of, password_step, session_exists
from ketaclinic.audit.models import AuditEntry
from ketaclinic.testing import BaseTestCase, sign_in

URL = reverse("accounts:password_reset")
NEW = "a brand new pass phrase"


class PasswordResetTestCase(BaseTestCase):
    def setUp(self) -> None:
        cache.clear()  # the per-address request limit counts in the cache

    def reset_link(self, email: str) -> str:
        response = self.client.post(URL, {"email": email})
        self.assertRedirects(
            response, reverse("accounts:password_reset_done"), fetch_redirect_response=False
        )
        self.assertEqual(len(mail.outbox), 1)
        match = re.search(
            r"https?://testserver(/accounts/password-reset/\S+/)", str(mail.outbox[0].body)
        )
        assert match is not None, mail.outbox[0].body
        return match.group(1)

    def set_password(self, link: str, password: str = NEW):
        form_url = self.client.get(link)["Location"]
        return self.client.post(form_url, {"new_password1": password, "new_password2": password})

    def test_it_shows_the_form_with_a_label(self) -> None:
        response = self.client.get(URL)
        self.assertContains(response, '<label for="id_email">Email</label>', html=True)

    def test_it_sends_nothing_for_an_unknown_address(self) -> None:
        self.client.post(URL, {"email": "nobody@nowhere.example"})
        self.assertEqual(len(mail.outbox), 0)

    def test_it_never_signs_in_and_ends_at_the_second_factor(self) -> None:
        user = self.users["physician"]
        link = self.reset_link(user.email)
        response = self.set_password(link)
        self.assertRedirects(
            response, reverse("accounts:password_reset_complete"), fetch_redirect_response=False
        )
        self.assertNotIn("_auth_user_id", self.client.session)
        self.assertEqual(self.client.get(reverse("web:home")).status_code, 302)
        # The new password leads to the second factor, not around it.
        response = password_step(self.client, user.email, NEW)
        self.assertRedirects(
            response, reverse("accounts:two_factor"), fetch_redirect_response=False
        )
        self.assertRedirects(
            self.client.get(reverse("web:home")),
            reverse("accounts:two_factor"),
            fetch_redirect_response=False,
        )
        response = self.client.post(
            reverse("accounts:two_factor"), {"otp_token": code_for(device_of(user))}
        )
        self.assertEqual(self.client.get(reverse("web:home")).status_code, 200)

    def test_it_ends_all_live_sessions(self) -> None:
        user = self.users["nurse"]
        elsewhere = Client()
        sign_in(elsewhere, user)
        key = elsewhere.cookies[next(iter(elsewhere.cookies.keys()))].value
        link = self.reset_link(user.email)
        self.set_password(link)
        self.assertFalse(session_exists(key))
        self.assertEqual(elsewhere.get(reverse("web:home")).status_code, 302)
        self.assertFalse(UserSession.objects.filter(user=user, ended_at__isnull=True).exists())
        self.assertTrue(AuditEntry.objects.filter(action="auth.password.reset").exists())

    def test_it_applies_the_password_rules(self) -> None:
        link = self.reset_link(self.users["nurse"].email)
        response = self.set_password(link, "short")
        self.assertContains(response, "at least 12 characters")
        self.assertContains(response, 'aria-invalid="true"')

    def test_a_link_works_once(self) -> None:
        link = self.reset_link(self.users["nurse"].email)
        self.set_password(link)
        response = self.client.get(link)
        self.assertContains(response, "does not work any more")

    def test_it_works_when_signed_in_in_the_same_browser(self) -> None:
        self.login("coordinator")
        link = self.reset_link(self.users["coordinator"].email)
        response = self.set_password(link)
        self.assertEqual(response.status_code, 302)
        self.assertEqual(self.client.get(reverse("web:home")).status_code, 302)

    def test_it_resets_only_the_account_named_for_the_other_clinics_admin(self) -> None:
        self.login(self.outsider)
        link = self.reset_link(self.outsider.email)
        self.set_password(link)
        self.users["clinic_admin"].refresh_from_db()
        self.assertTrue(self.users["clinic_admin"].check_password("correct horse battery staple"))


class PasswordResetRateLimitTestCase(BaseTestCase):
    def setUp(self) -> None:
        cache.clear()

    def test_it_limits_requests_per_address(self) -> None:
        email = self.users["nurse"].email
        for _ in range(5):
            response = self.client.post(URL, {"email": email})
            self.assertEqual(response.status_code, 302)
        self.assertEqual(len(mail.outbox), 5)
        response = self.client.post(URL, {"email": email})
        self.assertContains(response, "Too many password reset links", status_code=429)
        self.assertEqual(len(mail.outbox), 5)
        # The form itself still shows; another address is counted apart.
        self.assertEqual(self.client.get(URL).status_code, 200)
        response = self.client.post(URL, {"email": email}, REMOTE_ADDR="192.0.2.7")
        self.assertEqual(response.status_code, 302)
        self.assertEqual(len(mail.outbox), 6)
