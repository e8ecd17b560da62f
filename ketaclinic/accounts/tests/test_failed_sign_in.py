"""Failed sign-ins are audited, bounded, and reach the account's clinic's audit report.

Whoever typed the wrong password is unknown, so the entry has no actor and no clinic; its
object is the account tried. The report files such entries under the clinics the account works
or worked at, so a clinic admin sees guessing spread over many addresses, which the per-address
lockout never trips.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

import time_machine
from django.test import Client, override_settings
from django.urls import reverse

from ketaclinic.accounts.models import Role, User
from ketaclinic.accounts.tests.helpers import password_step
from ketaclinic.audit.models import AuditEntry
from ketaclinic.testing import BaseTestCase

START = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
FAILED = "auth.login.failed"
REPORT = reverse("audit:report")


class FailedSignInTests(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        traveller = time_machine.travel(START, tick=False)
        self.clock = traveller.start()
        self.addCleanup(traveller.stop)
        self.nurse = self.users[Role.NURSE]

    def fail_sign_in(self, ip: str, email: str = "", times: int = 1) -> None:
        for _ in range(times):
            response = password_step(
                Client(), email or self.nurse.email, "wrong password!", REMOTE_ADDR=ip
            )
            assert response.status_code == 200, response.status_code

    def report_ids(self, admin: str | User) -> set[int]:
        client = Client()
        self.client = client
        self.login(admin)
        response = client.get(REPORT)
        assert response.status_code == 200
        return {row.entry.pk for row in response.context["rows"]}

    def exported_ids(self, admin: str | User) -> set[int]:
        self.client = Client()
        self.login(admin)
        response: Any = self.client.get(reverse("audit:export"))
        body = b"".join(response.streaming_content).decode()
        return {int(row["id"]) for row in csv.DictReader(io.StringIO(body))}

    def test_a_failed_sign_in_names_the_account_not_an_actor(self) -> None:
        self.fail_sign_in("203.0.113.7")
        entry = AuditEntry.objects.get(action=FAILED)
        self.assertEqual(
            (entry.object_type, entry.object_id), ("accounts.user", str(self.nurse.pk))
        )
        self.assertIsNone(entry.actor_id)
        self.assertIsNone(entry.clinic_id)
        self.assertEqual(entry.ip_address, "203.0.113.7")
        self.assertNotIn("wrong password!", f"{entry.before} {entry.after} {entry.reason}")

    def test_failures_from_three_addresses_show_in_the_accounts_clinic_only(self) -> None:
        for ip in ("203.0.113.1", "198.51.100.2", "192.0.2.3"):
            self.fail_sign_in(ip, times=2)
        failures = set(AuditEntry.objects.filter(action=FAILED).values_list("pk", flat=True))
        self.assertEqual(len(failures), 3)  # one a minute per address
        self.assertLessEqual(failures, self.report_ids(Role.CLINIC_ADMIN))
        self.assertLessEqual(failures, self.exported_ids(Role.CLINIC_ADMIN))
        self.assertFalse(failures & self.report_ids(self.outsider))
        self.assertFalse(failures & self.exported_ids(self.outsider))
        content = self.client.get(REPORT).content.decode()  # the other clinic's admin
        self.assertNotIn("203.0.113.1", content)

    def test_the_report_shows_the_attempt_in_words(self) -> None:
        self.fail_sign_in("203.0.113.9")
        self.report_ids(Role.CLINIC_ADMIN)
        content = self.client.get(REPORT).content.decode()
        rows = content[content.find("<table") : content.find("</table>")]
        self.assertIn("Failed to sign in (wrong password)", rows)
        self.assertIn("203.0.113.9", rows)
        self.assertIn("Account: Nurse", rows)

    @override_settings(AXES_FAILURE_LIMIT=20)  # ten real password checks, none locked out
    def test_ten_failures_in_a_minute_from_one_address_make_one_entry(self) -> None:
        for _ in range(10):
            self.fail_sign_in("203.0.113.5")
            self.clock.shift(dt.timedelta(seconds=5))
        self.assertEqual(AuditEntry.objects.filter(action=FAILED).count(), 1)
        self.clock.shift(dt.timedelta(seconds=15))  # a minute after the first
        self.fail_sign_in("203.0.113.5")
        self.assertEqual(AuditEntry.objects.filter(action=FAILED).count(), 2)

    def test_each_account_and_address_has_its_own_minute(self) -> None:
        self.fail_sign_in("203.0.113.5")
        self.fail_sign_in("203.0.113.5", email=self.users[Role.PHYSICIAN].email)
        self.fail_sign_in("203.0.113.6")
        self.assertEqual(AuditEntry.objects.filter(action=FAILED).count(), 3)

    def test_an_email_with_no_account_leaves_no_failed_sign_in(self) -> None:
        self.fail_sign_in("203.0.113.5", email="nobody@example.org")
        self.assertFalse(AuditEntry.objects.filter(action=FAILED).exists())

    def test_a_right_password_is_not_a_failure(self) -> None:
        self.assertEqual(password_step(Client(), self.nurse.email).status_code, 302)
        self.assertFalse(AuditEntry.objects.filter(action=FAILED).exists())

    def test_the_per_account_throttle_reaches_the_accounts_clinic(self) -> None:
        for n in range(30):  # one wrong guess from each of 30 addresses: the cap is 30 an hour
            self.fail_sign_in(f"10.9.0.{n}")
        response = password_step(Client(), self.nurse.email, REMOTE_ADDR="10.9.1.1")
        self.assertEqual(response.status_code, 429)
        throttled = AuditEntry.objects.get(action="auth.login.account_throttled")
        self.assertEqual(throttled.object_id, str(self.nurse.pk))
        self.assertIn(throttled.pk, self.report_ids(Role.CLINIC_ADMIN))
        self.assertNotIn(throttled.pk, self.report_ids(self.outsider))
