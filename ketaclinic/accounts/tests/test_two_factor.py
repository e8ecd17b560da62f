import datetime as dt

import time_machine
from django.test import Client, override_settings
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from ketaclinic.accounts.actions.twofactor import _replace_recovery_codes
from ketaclinic.accounts.models import RecoveryCode, Role, User, UserSession
from ketaclinic.accounts.tests.helpers import (
    STEP_START,
    code_for,
    device_of,
    password_step,
    session_key,
)
from ketaclinic.audit.models import AuditEntry
from ketaclinic.testing import TEST_PASSWORD, BaseTestCase

URL = reverse("accounts:two_factor")


@time_machine.travel(STEP_START, tick=False)
class TwoFactorTestCase(BaseTestCase):
    def setUp(self) -> None:
        self.user = self.users["physician"]
        self.device = device_of(self.user)

    def test_it_shows_the_code_form(self) -> None:
        password_step(self.client, self.user.email)
        response = self.client.get(URL)
        self.assertContains(
            response, '<label for="id_otp_token">Authentication code</label>', html=True
        )
        self.assertContains(response, 'name="otp_token"')
        self.assertContains(response, "Verify</button>")

    def test_it_verifies_every_role_with_a_real_code(self) -> None:
        for role in Role:
            client = Client()
            user = self.users[role.value]
            password_step(client, user.email)
            response = client.post(URL, {"otp_token": code_for(device_of(user))})
            self.assertRedirects(response, reverse("web:home"), fetch_redirect_response=False)
            self.assertEqual(client.get(reverse("web:home")).status_code, 200)

    def test_it_goes_to_the_saved_next_page(self) -> None:
        self.client.post(
            reverse("accounts:login") + "?next=/accounts/security/",
            {"username": self.user.email, "password": TEST_PASSWORD},
        )
        response = self.client.post(URL, {"otp_token": code_for(self.device)})
        self.assertRedirects(response, reverse("accounts:security"), fetch_redirect_response=False)

    def test_it_gives_a_new_session_key_after_the_second_factor(self) -> None:
        password_step(self.client, self.user.email)
        before = session_key(self.client)
        self.client.post(URL, {"otp_token": code_for(self.device)})
        after = session_key(self.client)
        self.assertNotEqual(before, after)
        self.assertEqual(UserSession.objects.get(user=self.user).session_key, after)
        self.assertEqual(self.client.get(reverse("web:home")).status_code, 200)

    def test_it_refuses_a_replayed_code(self) -> None:
        code = code_for(self.device)
        password_step(self.client, self.user.email)
        self.client.post(URL, {"otp_token": code})
        other = Client()
        password_step(other, self.user.email)
        with time_machine.travel(STEP_START + dt.timedelta(seconds=3), tick=False):
            response = other.post(URL, {"otp_token": code})
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "already used")
        self.assertContains(response, 'aria-invalid="true"')
        self.assertRedirects(other.get(reverse("web:home")), URL, fetch_redirect_response=False)

    def test_it_accepts_the_previous_code_within_the_window(self) -> None:
        password_step(self.client, self.user.email)
        response = self.client.post(URL, {"otp_token": code_for(self.device, steps=-1)})
        self.assertEqual(response.status_code, 302)

    def test_it_refuses_a_code_older_than_the_window(self) -> None:
        old = code_for(self.device, steps=-3)  # shown 90 s ago
        password_step(self.client, self.user.email)
        response = self.client.post(URL, {"otp_token": old})
        self.assertEqual(response.status_code, 200)
        self.assertFalse(self.client.session.get("otp_device_id"))

    def test_it_throttles_quick_guesses(self) -> None:
        password_step(self.client, self.user.email)
        self.client.post(URL, {"otp_token": "000000"})
        self.client.post(URL, {"otp_token": "000001"})
        # Right code, but within the throttle delay after two failures.
        response = self.client.post(URL, {"otp_token": code_for(self.device)})
        self.assertContains(response, "Too many wrong codes")
        with time_machine.travel(STEP_START + dt.timedelta(seconds=4), tick=False):
            response = self.client.post(URL, {"otp_token": code_for(self.device)})
        self.assertEqual(response.status_code, 302)

    def test_it_audits_failures_and_success(self) -> None:
        password_step(self.client, self.user.email)
        self.client.post(URL, {"otp_token": "123"})
        with time_machine.travel(STEP_START + dt.timedelta(seconds=2), tick=False):
            self.client.post(URL, {"otp_token": code_for(self.device)})
        actions = list(AuditEntry.objects.filter(actor=self.user).values_list("action", flat=True))
        self.assertIn("auth.login.2fa_failed", actions)
        self.assertIn("auth.login.2fa", actions)

    def test_it_consumes_a_recovery_code(self) -> None:
        codes = _replace_recovery_codes(self.user)
        password_step(self.client, self.user.email)
        response = self.client.post(URL, {"otp_token": codes[0].upper().replace("-", " ")})
        self.assertEqual(response.status_code, 302)
        self.assertEqual(
            RecoveryCode.objects.filter(device__user=self.user, used_at__isnull=True).count(), 9
        )
        other = Client()
        password_step(other, self.user.email)
        response = other.post(URL, {"otp_token": codes[0]})
        self.assertEqual(response.status_code, 200)
        self.assertFalse(other.session.get("otp_device_id"))

    def test_it_stores_recovery_codes_hashed(self) -> None:
        codes = _replace_recovery_codes(self.user)
        stored = list(RecoveryCode.objects.filter(device__user=self.user))
        self.assertEqual(len(stored), 10)
        for row in stored:
            for code in codes:
                self.assertNotIn(code.replace("-", ""), row.code_hash)
                self.assertNotIn(code, row.code_hash)

    def test_it_sends_a_user_without_authenticator_to_setup(self) -> None:
        user = User.objects.create_user("new@sturges.example", TEST_PASSWORD, full_name="New")
        password_step(self.client, user.email)
        self.assertRedirects(
            self.client.get(URL),
            reverse("accounts:two_factor_setup"),
            fetch_redirect_response=False,
        )

    def test_it_sends_the_anonymous_to_sign_in(self) -> None:
        response = self.client.get(URL)
        self.assertRedirects(
            response, reverse("accounts:login") + "?next=" + URL, fetch_redirect_response=False
        )

    def test_it_sends_a_verified_user_onwards(self) -> None:
        self.login("nurse")
        self.assertRedirects(
            self.client.get(URL), reverse("web:home"), fetch_redirect_response=False
        )

    def test_it_works_for_the_other_clinics_admin(self) -> None:
        password_step(self.client, self.outsider.email)
        response = self.client.post(URL, {"otp_token": code_for(device_of(self.outsider))})
        self.assertEqual(response.status_code, 302)

    def test_it_does_not_show_the_code_outside_demo_mode(self) -> None:
        User.objects.filter(pk=self.user.pk).update(is_demo=True)
        password_step(self.client, self.user.email)
        response = self.client.get(URL)
        self.assertNotContains(response, code_for(self.device))
        self.assertNotContains(response, "the current code is")

    @override_settings(DEMO_MODE=True)
    def test_it_shows_the_demo_accounts_code_in_demo_mode(self) -> None:
        User.objects.filter(pk=self.user.pk).update(is_demo=True)
        password_step(self.client, self.user.email)
        response = self.client.get(URL)
        self.assertContains(
            response, f'the current code is <code class="secret">{code_for(self.device)}</code>'
        )

    @override_settings(DEMO_MODE=True)
    def test_it_does_not_show_a_real_accounts_code_in_demo_mode(self) -> None:
        password_step(self.client, self.user.email)
        response = self.client.get(URL)
        self.assertNotContains(response, "the current code is")
        self.assertTrue(TOTPDevice.objects.filter(user=self.user).exists())
