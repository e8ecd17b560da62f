import datetime as dt
import re
from binascii import unhexlify

import time_machine
from django.test import Client
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from ketaclinic.accounts import twofactor
from ketaclinic.accounts.models import RecoveryCode, User
from ketaclinic.accounts.sudo import SUDO_KEY
from ketaclinic.accounts.tests.helpers import STEP_START, code_for, device_of, password_step
from ketaclinic.audit.models import AuditEntry
from ketaclinic.testing import TEST_PASSWORD, BaseTestCase

URL = reverse("accounts:two_factor_setup")


def pending_code(client: Client, steps: int = 0) -> str:
    key = client.session[twofactor.PENDING_KEY]
    return f"{totp(unhexlify(key), 30, 0, 6, steps):06d}"


@time_machine.travel(STEP_START, tick=False)
class TwoFactorSetupTestCase(BaseTestCase):
    def setUp(self) -> None:
        self.new = User.objects.create_user("new@sturges.example", TEST_PASSWORD, full_name="New")

    def test_it_shows_a_qr_code_and_the_secret(self) -> None:
        password_step(self.client, self.new.email)
        response = self.client.get(URL)
        content = response.content.decode()
        self.assertIn("<svg", content)
        self.assertNotIn("style=", content)
        self.assertNotIn("<script>", content)
        key = self.client.session[twofactor.PENDING_KEY]
        self.assertIn(twofactor.grouped(twofactor.base32_secret(key)), content)
        self.assertContains(response, 'name="otp_token"')
        # Nothing is stored until the code is confirmed.
        self.assertFalse(TOTPDevice.objects.filter(user=self.new).exists())

    def test_it_keeps_the_same_secret_across_reloads(self) -> None:
        password_step(self.client, self.new.email)
        self.client.get(URL)
        first = self.client.session[twofactor.PENDING_KEY]
        self.client.get(URL)
        self.assertEqual(self.client.session[twofactor.PENDING_KEY], first)

    def test_it_enrols_with_a_real_code_and_shows_ten_recovery_codes(self) -> None:
        password_step(self.client, self.new.email)
        self.client.get(URL)
        response = self.client.post(URL, {"otp_token": pending_code(self.client)})
        self.assertEqual(response.status_code, 200)
        codes = re.findall(r"<li>([a-z2-9]{5}-[a-z2-9]{5})</li>", response.content.decode())
        self.assertEqual(len(codes), 10)
        device = TOTPDevice.objects.get(user=self.new)
        self.assertTrue(device.confirmed)
        self.assertEqual(RecoveryCode.objects.filter(device__user=self.new).count(), 10)
        for row in RecoveryCode.objects.filter(device__user=self.new):
            self.assertFalse(any(c.replace("-", "") in row.code_hash for c in codes))
        # Signed in with both factors now.
        self.assertEqual(self.client.get(reverse("web:home")).status_code, 200)
        self.assertTrue(AuditEntry.objects.filter(action="2fa.enrol", actor=self.new).exists())

    def test_it_refuses_the_enrolment_code_again_at_sign_in(self) -> None:
        password_step(self.client, self.new.email)
        self.client.get(URL)
        code = pending_code(self.client)
        self.client.post(URL, {"otp_token": code})
        other = Client()
        password_step(other, self.new.email)
        with time_machine.travel(STEP_START + dt.timedelta(seconds=2), tick=False):
            response = other.post(reverse("accounts:two_factor"), {"otp_token": code})
        self.assertEqual(response.status_code, 200)

    def test_it_refuses_a_wrong_code_at_the_field(self) -> None:
        password_step(self.client, self.new.email)
        self.client.get(URL)
        response = self.client.post(URL, {"otp_token": "000000"})
        self.assertContains(response, "That code does not match")
        self.assertContains(response, 'aria-invalid="true"')
        self.assertContains(response, 'value="000000"')
        self.assertFalse(TOTPDevice.objects.filter(user=self.new).exists())

    def test_it_is_not_for_a_half_signed_in_user_with_an_authenticator(self) -> None:
        password_step(self.client, self.users["nurse"].email)
        self.assertRedirects(
            self.client.get(URL), reverse("accounts:two_factor"), fetch_redirect_response=False
        )

    def test_it_asks_a_verified_user_for_the_password_first(self) -> None:
        self.login("nurse")
        response = self.client.get(URL)
        self.assertEqual(response.status_code, 302)
        self.assertTrue(response["Location"].startswith(reverse("accounts:reauth")))

    def test_it_replaces_the_authenticator_in_sudo_mode(self) -> None:
        for role in ("nurse", "clinic_admin", "outside_professional"):
            user = self.users[role]
            client = Client()
            old = device_of(user)
            # Sign in for real, so the old code's step is used up; then re-authenticate.
            password_step(client, user.email)
            client.post(reverse("accounts:two_factor"), {"otp_token": code_for(old)})
            client.post(reverse("accounts:reauth"), {"password": TEST_PASSWORD})
            self.assertIn(SUDO_KEY, client.session)
            response = client.get(URL)
            self.assertContains(response, "Set up a new authenticator")
            response = client.post(URL, {"otp_token": pending_code(client)})
            self.assertEqual(response.status_code, 200)
            self.assertFalse(TOTPDevice.objects.filter(pk=old.pk).exists())
            self.assertEqual(TOTPDevice.objects.filter(user=user).count(), 1)
            self.assertTrue(AuditEntry.objects.filter(action="2fa.reset", actor=user).exists())

    def test_it_sends_the_anonymous_to_sign_in(self) -> None:
        self.assertRedirects(
            self.client.get(URL),
            reverse("accounts:login") + "?next=" + URL,
            fetch_redirect_response=False,
        )
