"""Clinic admin actions for people locked out: a new set-password link, and resetting the
second factor (review finding 3)."""

import re
from typing import Any

from django.core import mail
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from ketaclinic.accounts.actions.twofactor import _replace_recovery_codes
from ketaclinic.accounts.models import Membership, RecoveryCode, RecoveryCodeDevice, Role, User
from ketaclinic.accounts.tests.helpers import password_step, session_exists, session_key
from ketaclinic.audit.models import AuditEntry
from ketaclinic.testing import BaseTestCase, make_user, sign_in

LIST = reverse("admin:accounts_membership_changelist")
ADD = reverse("admin:accounts_membership_add")


class SendPasswordLinkTestCase(BaseTestCase):
    def invite(self) -> Membership:
        self.login("clinic_admin")
        with self.captureOnCommitCallbacks(execute=True):
            self.client.post(
                ADD, {"email": "new.nurse@sturges.example", "full_name": "Nell", "role": "nurse"}
            )
        mail.outbox.clear()
        return Membership.objects.get(user__email="new.nurse@sturges.example")

    def send(self, *memberships: Membership) -> Any:
        with self.captureOnCommitCallbacks(execute=True):
            return self.client.post(
                LIST,
                {
                    "action": "send_password_links",
                    "_selected_action": [m.pk for m in memberships],
                },
                follow=True,
            )

    def test_it_sends_a_new_link_to_someone_who_never_chose_a_password(self) -> None:
        m = self.invite()
        # The reviewer's proof: the reset form sends nothing to an account with no password.
        self.assertContains(self.client.get(LIST), "Send a new set-password link")
        response = self.send(m)
        self.assertContains(response, "1 set-password link(s) sent.")
        self.assertEqual(len(mail.outbox), 1)
        self.assertEqual(mail.outbox[0].to, ["new.nurse@sturges.example"])
        link = re.search(r"testserver(/accounts/password-reset/\S+/)", str(mail.outbox[0].body))
        assert link is not None
        browser = Client()
        form_url = browser.get(link.group(1))["Location"]
        response = browser.post(
            form_url,
            {"new_password1": "a long new pass phrase", "new_password2": "a long new pass phrase"},
        )
        self.assertEqual(response.status_code, 302)
        self.assertTrue(User.objects.get(pk=m.user_id).has_usable_password())
        entry = AuditEntry.objects.get(action="staff.invite.resend")
        # has_usable_password stayed False: an unchanged value is not recorded as a change.
        self.assertEqual((entry.before, entry.after), ({}, {"set_password_link_sent": True}))
        self.assertEqual(entry.clinic_id, self.clinic.pk)

    def test_it_refuses_someone_who_has_a_password(self) -> None:
        self.login("clinic_admin")
        nurse_m = Membership.objects.get(user=self.users["nurse"])
        response = self.send(nurse_m)
        self.assertContains(response, "already chosen a password")
        self.assertEqual(len(mail.outbox), 0)
        self.assertFalse(AuditEntry.objects.filter(action="staff.invite.resend").exists())

    def test_it_ignores_another_clinics_people(self) -> None:
        loose = User.objects.create_user("invited@other.example", None, full_name="Inv")
        theirs = Membership.objects.create(user=loose, clinic=self.other, role=Role.NURSE)
        self.login("clinic_admin")
        self.send(theirs)
        self.assertEqual(len(mail.outbox), 0)

    def test_it_is_for_the_clinic_admin_only(self) -> None:
        m = self.invite()
        for role in self.roles_except(Role.CLINIC_ADMIN):
            self.login(role)
            response = self.client.post(
                LIST, {"action": "send_password_links", "_selected_action": [m.pk]}
            )
            self.assertEqual(response.status_code, 403)
        self.login(self.outsider)
        self.send(m)
        self.client.logout()
        self.assert_denied(
            self.client.post(LIST, {"action": "send_password_links", "_selected_action": [m.pk]}),
            302,
        )
        self.assertEqual(len(mail.outbox), 0)


class ResetTwoFactorTestCase(BaseTestCase):
    def setUp(self) -> None:
        self.nurse = self.users["nurse"]
        self.nurse_m = Membership.objects.get(user=self.nurse)
        _replace_recovery_codes(self.nurse)

    def reset(self, *memberships: Membership) -> Any:
        with self.captureOnCommitCallbacks(execute=True):
            return self.client.post(
                LIST,
                {"action": "reset_two_factor", "_selected_action": [m.pk for m in memberships]},
                follow=True,
            )

    def test_it_removes_their_devices_and_sessions_so_they_enrol_again(self) -> None:
        browser = Client()
        sign_in(browser, self.nurse)
        key = session_key(browser)
        self.login("clinic_admin")
        response = self.reset(self.nurse_m)
        self.assertContains(response, "Two-factor reset for 1 person(s)")
        self.assertFalse(TOTPDevice.objects.filter(user=self.nurse).exists())
        self.assertFalse(RecoveryCodeDevice.objects.filter(user=self.nurse).exists())
        self.assertFalse(RecoveryCode.objects.filter(device__user=self.nurse).exists())
        self.assertFalse(session_exists(key))
        entry = AuditEntry.objects.get(action="2fa.admin_reset")
        self.assertEqual(entry.before, {"totp_devices": 1, "recovery_codes_unused": 10})
        self.assertEqual(entry.after, {"totp_devices": 0, "recovery_codes_unused": 0})
        self.assertEqual(entry.object_id, str(self.nurse.pk))
        self.assertEqual(mail.outbox[0].to, [self.nurse.email])
        # At the next sign-in the password leads to setting up a new authenticator.
        fresh = Client()
        password_step(fresh, self.nurse.email)
        self.assertRedirects(
            fresh.get(reverse("accounts:two_factor")),
            reverse("accounts:two_factor_setup"),
            fetch_redirect_response=False,
        )

    def test_it_refuses_someone_who_works_at_another_clinic(self) -> None:
        both = make_user("both@example.org", "Bo Both", self.clinic, Role.NURSE)
        Membership.objects.create(user=both, clinic=self.other, role=Role.NURSE)
        self.login("clinic_admin")
        response = self.reset(Membership.objects.get(user=both, clinic=self.clinic))
        self.assertContains(response, "also works at another clinic")
        self.assertTrue(TOTPDevice.objects.filter(user=both).exists())

    def test_it_refuses_the_admins_own(self) -> None:
        self.login("clinic_admin")
        response = self.reset(Membership.objects.get(user=self.users["clinic_admin"]))
        self.assertContains(response, "under My account")
        self.assertTrue(TOTPDevice.objects.filter(user=self.users["clinic_admin"]).exists())

    def test_it_is_for_the_clinic_admin_only(self) -> None:
        for role in self.roles_except(Role.CLINIC_ADMIN):
            self.login(role)
            response = self.client.post(
                LIST, {"action": "reset_two_factor", "_selected_action": [self.nurse_m.pk]}
            )
            self.assertEqual(response.status_code, 403)
        self.login(self.outsider)
        self.reset(self.nurse_m)
        self.client.logout()
        self.assert_denied(
            self.client.post(
                LIST, {"action": "reset_two_factor", "_selected_action": [self.nurse_m.pk]}
            ),
            302,
        )
        self.assertTrue(TOTPDevice.objects.filter(user=self.nurse).exists())
        self.assertFalse(AuditEntry.objects.filter(action="2fa.admin_reset").exists())
