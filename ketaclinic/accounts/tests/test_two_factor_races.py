"""One-time codes stay one-time: no TOTP drift creep, no double use of a code (review
findings 2 and 6)."""

import datetime as dt

import time_machine
from django.test import Client
from django.urls import reverse
from django_otp.oath import TOTP

from ketaclinic.accounts.actions.twofactor import _replace_recovery_codes
from ketaclinic.accounts.models import RecoveryCode, RecoveryCodeDevice
from ketaclinic.accounts.tests.helpers import STEP_START, device_of, password_step
from ketaclinic.audit.models import AuditEntry
from ketaclinic.testing import BaseTestCase

URL = reverse("accounts:two_factor")


class TotpDriftTestCase(BaseTestCase):
    def code(self, when: dt.datetime, steps: int) -> str:
        """The code an authenticator showed ``steps`` steps before/after ``when`` (no drift)."""
        device = device_of(self.users["nurse"])
        totp = TOTP(device.bin_key, device.step, device.t0, device.digits, 0)
        totp.time = when.timestamp() + steps * device.step
        return f"{totp.token():06d}"

    def sign_in_with(self, when: dt.datetime, code: str) -> int:
        with time_machine.travel(when, tick=False):
            client = Client()
            password_step(client, self.users["nurse"].email)
            return client.post(URL, {"otp_token": code}).status_code

    def test_edge_codes_do_not_shift_the_window(self) -> None:
        # Reviewer's proof: each 30-s-old code moved the drift one step, until 150-s-old
        # codes passed. The window must stay one step either side of the real time.
        self.assertEqual(self.sign_in_with(STEP_START, self.code(STEP_START, -1)), 302)
        self.assertEqual(device_of(self.users["nurse"]).drift, 0)
        for n in range(2, 6):
            later = STEP_START + dt.timedelta(minutes=10 * n)
            self.assertEqual(self.sign_in_with(later, self.code(later, -n)), 200, n)
        self.assertEqual(device_of(self.users["nurse"]).drift, 0)
        # The newest code still works.
        last = STEP_START + dt.timedelta(hours=2)
        self.assertEqual(self.sign_in_with(last, self.code(last, 0)), 302)


class RecoveryCodeRaceTestCase(BaseTestCase):
    def setUp(self) -> None:
        self.user = self.users["nurse"]
        self.codes = _replace_recovery_codes(self.user)
        self.device = RecoveryCodeDevice.objects.get(user=self.user)

    def test_a_code_is_marked_used_once_only(self) -> None:
        code = self.device.codes.first()
        assert code is not None
        # Two requests holding the same unused row: the conditional UPDATE lets one win.
        stale = RecoveryCode.objects.get(pk=code.pk)
        self.assertTrue(code.mark_used())
        self.assertIsNotNone(code.used_at)
        self.assertIsNone(stale.used_at)
        self.assertFalse(stale.mark_used())
        self.assertEqual(self.device.unused().count(), 9)

    def test_the_same_code_passes_once(self) -> None:
        self.assertTrue(self.device.verify_token(self.codes[0]))
        other = RecoveryCodeDevice.objects.get(pk=self.device.pk)
        self.assertFalse(other.verify_token(self.codes[0]))
        self.assertEqual(self.device.unused().count(), 9)

    def test_the_sign_in_audit_entry_comes_with_the_used_code(self) -> None:
        password_step(self.client, self.user.email)
        response = self.client.post(URL, {"otp_token": self.codes[1].upper()})
        self.assertEqual(response.status_code, 302)
        used = RecoveryCode.objects.get(device=self.device, used_at__isnull=False)
        entry = AuditEntry.objects.get(action="auth.login.2fa", actor=self.user)
        self.assertEqual(entry.after, {"method": "recovery"})
        assert used.used_at is not None
        self.assertLessEqual(used.used_at, entry.created_at)
        # A second browser with the same code is refused.
        again = Client()
        password_step(again, self.user.email)
        self.assertEqual(again.post(URL, {"otp_token": self.codes[1]}).status_code, 200)
        self.assertTrue(AuditEntry.objects.filter(action="auth.login.2fa_failed").exists())


class TotpReplayTestCase(BaseTestCase):
    @time_machine.travel(STEP_START, tick=False)
    def test_the_same_totp_code_passes_once_across_browsers(self) -> None:
        user = self.users["physician"]
        device = device_of(user)
        totp = TOTP(device.bin_key, device.step, device.t0, device.digits, 0)
        totp.time = STEP_START.timestamp()
        code = f"{totp.token():06d}"
        first, second = Client(), Client()
        password_step(first, user.email)
        password_step(second, user.email)
        self.assertEqual(first.post(URL, {"otp_token": code}).status_code, 302)
        self.assertEqual(second.post(URL, {"otp_token": code}).status_code, 200)
