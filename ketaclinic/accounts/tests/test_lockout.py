import datetime as dt

import time_machine
from django.test import Client
from django.urls import reverse

from ketaclinic.accounts.tests.helpers import password_step
from ketaclinic.audit.models import AuditEntry
from ketaclinic.testing import BaseTestCase

START = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


class LockoutTestCase(BaseTestCase):
    def fail_login(self, client: Client, times: int, ip: str = "10.0.0.1") -> None:
        for _ in range(times):
            password_step(client, self.users["nurse"].email, "wrong password!", REMOTE_ADDR=ip)

    def test_it_locks_after_five_failures_even_for_the_right_password(self) -> None:
        with time_machine.travel(START, tick=False):
            self.fail_login(self.client, 4)
            response = password_step(self.client, self.users["nurse"].email, REMOTE_ADDR="10.0.0.1")
            self.assertEqual(response.status_code, 302)  # four failures: still open
            self.client.logout()
            self.fail_login(self.client, 5)
            response = password_step(self.client, self.users["nurse"].email, REMOTE_ADDR="10.0.0.1")
            self.assertEqual(response.status_code, 429)
            self.assertTemplateUsed(response, "accounts/locked_out.html")
            self.assertContains(response, "Sign-in is locked for now", status_code=429)
            self.assertNotIn("_auth_user_id", self.client.session)
            # One entry per refused attempt, each filed under the locked account's clinic,
            # naming the account, with no actor (whoever typed the passwords is unknown).
            lockouts = AuditEntry.objects.filter(action="auth.lockout")
            self.assertEqual(lockouts.count(), 2)  # the fifth failure and the attempt after it
            for lockout in lockouts:
                self.assertEqual(lockout.clinic_id, self.clinic.pk)
                self.assertEqual(lockout.object_id, str(self.users["nurse"].pk))
                self.assertIsNone(lockout.actor_id)

    def test_it_files_a_lockout_of_an_unknown_email_under_no_clinic(self) -> None:
        with time_machine.travel(START, tick=False):
            for _ in range(5):
                password_step(self.client, "nobody@example.org", "wrong password!")
            print("DBG", AuditEntry.objects.all().query.combinator, type(AuditEntry.objects))
            lockout = AuditEntry.objects.get(action="auth.lockout")  # the fifth failure
            self.assertIsNone(lockout.clinic_id)
            self.assertEqual(lockout.after, {"username": "nobody@example.org"})

    def test_it_locks_the_pair_of_account_and_address(self) -> None:
        with time_machine.travel(START, tick=False):
            self.fail_login(self.client, 5)
            other = Client()
            response = password_step(other, self.users["nurse"].email, REMOTE_ADDR="10.0.0.2")
            self.assertEqual(response.status_code, 302)
            response = password_step(
                Client(), self.users["physician"].email, REMOTE_ADDR="10.0.0.1"
            )
            self.assertEqual(response.status_code, 302)

    def test_it_opens_again_after_fifteen_minutes(self) -> None:
        with time_machine.travel(START, tick=False) as traveller:
            self.fail_login(self.client, 5)
            traveller.shift(dt.timedelta(minutes=16))
            response = password_step(self.client, self.users["nurse"].email, REMOTE_ADDR="10.0.0.1")
            self.assertEqual(response.status_code, 302)
            self.assertEqual(response["Location"], reverse("accounts:two_factor"))

    def test_an_attempt_during_the_lock_starts_the_fifteen_minutes_again(self) -> None:
        with time_machine.travel(START, tick=False) as traveller:
            self.fail_login(self.client, 5)
            traveller.shift(dt.timedelta(minutes=14))
            response = password_step(self.client, self.users["nurse"].email, REMOTE_ADDR="10.0.0.1")
            self.assertEqual(response.status_code, 429)
            traveller.shift(dt.timedelta(minutes=14))
            response = password_step(self.client, self.users["nurse"].email, REMOTE_ADDR="10.0.0.1")
            self.assertEqual(response.status_code, 429)
            traveller.shift(dt.timedelta(minutes=16))
            response = password_step(self.client, self.users["nurse"].email, REMOTE_ADDR="10.0.0.1")
            self.assertEqual(response.status_code, 302)

    def test_it_keeps_bounded_storage(self) -> None:
        from axes.models import AccessAttempt, AccessLog

        with time_machine.travel(START, tick=False):
            for n in range(10):  # ten addresses, three failures each (the per-account cap is 30)
                self.fail_login(Client(), 3, ip=f"10.0.1.{n}")
            self.assertEqual(AccessAttempt.objects.count(), 10)
            password_step(Client(), self.users["physician"].email, REMOTE_ADDR="10.0.2.1")
            self.assertEqual(AccessLog.objects.count(), 0)  # sign-ins live in the audit trail
        with time_machine.travel(START + dt.timedelta(minutes=16), tick=False):
            password_step(
                Client(), self.users["physician"].email, "wrong password!", REMOTE_ADDR="10.0.3.1"
            )
            # Counters older than the cool-off are purged on the next failure of anyone.
            self.assertEqual(AccessAttempt.objects.count(), 1)


class AccountThrottleTestCase(BaseTestCase):
    """Guesses spread over many addresses: a per-account cap on top of the lockout."""

    def test_it_caps_attempts_per_account_across_addresses(self) -> None:
        email = self.users["nurse"].email
        with time_machine.travel(START, tick=False):
            for n in range(30):  # 30 wrong guesses, one per address: axes never trips
                r = password_step(Client(), email, "wrong password!", REMOTE_ADDR=f"10.9.0.{n}")
                self.assertEqual(r.status_code, 200)
            r = password_step(Client(), email, REMOTE_ADDR="10.9.1.1")  # right password
            self.assertEqual(r.status_code, 429)
            self.assertContains(r, "Too many sign-in attempts for this account", status_code=429)
            self.assertTrue(
                AuditEntry.objects.filter(action="auth.login.account_throttled").exists()
            )
            # Another account is not affected.
            r = password_step(Client(), self.users["physician"].email, REMOTE_ADDR="10.9.1.1")
            self.assertEqual(r.status_code, 302)
        with time_machine.travel(START + dt.timedelta(hours=1, minutes=1), tick=False):
            r = password_step(Client(), email, REMOTE_ADDR="10.9.1.1")
            self.assertEqual(r.status_code, 302)  # the hour has passed

    def test_the_person_still_signs_in_from_an_address_they_used_before(self) -> None:
        email = self.users["nurse"].email
        with time_machine.travel(START, tick=False):
            r = password_step(Client(), email, REMOTE_ADDR="192.0.2.10")  # their usual network
            self.assertEqual(r.status_code, 302)
            for n in range(30):
                password_step(Client(), email, "wrong password!", REMOTE_ADDR=f"10.9.2.{n}")
            r = password_step(Client(), email, REMOTE_ADDR="192.0.2.10")
            self.assertEqual(r.status_code, 302)  # not locked out by someone else's guessing
            r = password_step(Client(), email, REMOTE_ADDR="10.9.3.1")
            self.assertEqual(r.status_code, 429)
