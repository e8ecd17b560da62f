"""Entering the password again in a signed-in session (changing it, or confirming it for sudo
mode) is checked like a sign-in: every wrong entry is audited and counts toward the lockout
(per account and address, shared with the sign-in form), and once locked the session is signed
out, so a session left open cannot be used to guess the password without limit."""

from __future__ import annotations

import datetime as dt
from typing import Any

import time_machine
from django.test import Client
from django.urls import reverse

from ketaclinic.accounts.tests.helpers import password_step
from ketaclinic.audit.models import AuditEntry
from ketaclinic.testing import TEST_PASSWORD, BaseTestCase, sign_in

CHANGE = reverse("accounts:password_change")
REAUTH = reverse("accounts:reauth")
START = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
NEW = "a brand new pass phrase"
SIGNED_OUT = "You were signed out: your password was entered wrongly too many times."


class PasswordReentryTests(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        traveller = time_machine.travel(START, tick=False)
        traveller.start()
        self.addCleanup(traveller.stop)
        self.nurse = self.login("nurse")

    def change(self, old: str) -> Any:
        return self.client.post(
            CHANGE, {"old_password": old, "new_password1": NEW, "new_password2": NEW}
        )

    def assert_signed_out_and_locked(self, response: Any) -> None:
        self.assertContains(response, "Sign-in is locked for now", status_code=429)
        self.assertContains(response, SIGNED_OUT, status_code=429)
        self.assertNotIn("_auth_user_id", self.client.session)
        self.assertRedirects(
            self.client.get(reverse("web:home")),
            reverse("accounts:login") + "?next=/home/",
            fetch_redirect_response=False,
        )
        # Signing in again from this address is locked too, even with the right password.
        self.assertEqual(password_step(Client(), self.nurse.email).status_code, 429)

    def test_a_wrong_old_password_is_refused_at_the_field_and_audited(self) -> None:
        response = self.change("not my password")
        self.assertContains(response, "old password was entered incorrectly")
        entry = AuditEntry.objects.get(action="auth.password.change_failed")
        self.assertEqual(entry.actor_id, self.nurse.pk)
        self.assertEqual(
            (entry.object_type, entry.object_id), ("accounts.user", str(self.nurse.pk))
        )
        self.assertEqual(entry.ip_address, "127.0.0.1")
        self.assertNotIn("not my password", str(entry.after) + str(entry.before) + entry.reason)
        self.nurse.refresh_from_db()
        self.assertTrue(self.nurse.check_password(TEST_PASSWORD))

    def test_the_right_old_password_is_not_counted_as_a_failure(self) -> None:
        self.assertEqual(self.change(TEST_PASSWORD).status_code, 302)
        self.assertFalse(AuditEntry.objects.filter(action="auth.password.change_failed").exists())

    def test_five_wrong_old_passwords_sign_the_session_out_and_lock(self) -> None:
        for _ in range(4):
            self.assertEqual(self.change("not my password").status_code, 200)
        self.assert_signed_out_and_locked(self.change("not my password"))
        self.assertEqual(AuditEntry.objects.filter(action="auth.password.change_failed").count(), 5)
        self.assertTrue(AuditEntry.objects.filter(action="auth.lockout").exists())

    def test_once_locked_the_right_old_password_changes_nothing(self) -> None:
        other = Client()  # a second session of the same person, from the same address
        sign_in(other, self.nurse)
        for _ in range(5):
            self.change("not my password")
        response = other.post(
            CHANGE, {"old_password": TEST_PASSWORD, "new_password1": NEW, "new_password2": NEW}
        )
        self.assertContains(response, "Sign-in is locked for now", status_code=429)
        self.nurse.refresh_from_db()
        self.assertTrue(self.nurse.check_password(TEST_PASSWORD))
        self.assertNotIn("_auth_user_id", other.session)

    def test_five_wrong_confirmations_sign_the_session_out_and_lock(self) -> None:
        for _ in range(4):
            self.assertEqual(self.client.post(REAUTH, {"password": "nope"}).status_code, 200)
        self.assert_signed_out_and_locked(self.client.post(REAUTH, {"password": "nope"}))
        self.assertEqual(AuditEntry.objects.filter(action="auth.reauth_failed").count(), 5)

    def test_the_change_form_the_confirmation_and_the_sign_in_share_one_count(self) -> None:
        password_step(Client(), self.nurse.email, "wrong at the sign-in form")
        self.client.post(REAUTH, {"password": "nope"})
        self.client.post(REAUTH, {"password": "nope"})
        self.change("not my password")
        self.assert_signed_out_and_locked(self.change("not my password"))

    def test_the_count_is_per_address(self) -> None:
        for _ in range(5):
            self.change("not my password")
        elsewhere = Client(REMOTE_ADDR="10.1.2.3")
        self.assertEqual(password_step(elsewhere, self.nurse.email).status_code, 302)
