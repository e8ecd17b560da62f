"""The account buttons of a person's page: deactivate, sign out of this clinic, reset
two-factor, and for an unused invitation, send it again or revoke it."""

from typing import Any

from django.core import mail
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from ketaclinic.accounts.actions.twofactor import _replace_recovery_codes
from ketaclinic.accounts.models import (
    Membership,
    RecoveryCode,
    RecoveryCodeDevice,
    Role,
    User,
    UserSession,
)
from ketaclinic.accounts.tests.helpers import password_step, session_exists, session_key
from ketaclinic.accounts.tests.staff_helpers import (
    StaffTestCase,
    action_url,
    detail_url,
    invitation_link,
    invited,
)
from ketaclinic.audit.models import AuditEntry
from ketaclinic.testing import make_user, sign_in

CONFIRMED = {"confirmed": "1"}
HOME = reverse("web:home")


class ConfirmationTestCase(StaffTestCase):
    def test_without_the_dialog_a_destructive_button_asks_on_a_page_first(self) -> None:
        nurse_m = self.membership("nurse")
        self.login("clinic_admin")
        for name in ("sign_out", "reset_two_factor", "deactivate"):
            response = self.post(action_url(name, nurse_m))
            self.assertEqual(response.status_code, 200, name)
            self.assertContains(response, 'name="confirmed" value="1"')
            self.assertContains(response, f'action="{action_url(name, nurse_m)}"')
        self.users["nurse"].refresh_from_db()
        self.assertTrue(self.users["nurse"].is_active)
        self.assertTrue(TOTPDevice.objects.filter(user=self.users["nurse"]).exists())
        self.assertFalse(AuditEntry.objects.filter(action__startswith="account.").exists())

    def test_every_button_is_post_only(self) -> None:
        nurse_m = self.membership("nurse")
        self.login("clinic_admin")
        for name in (
            "resend_invitation",
            "revoke_invitation",
            "sign_out",
            "reset_two_factor",
            "deactivate",
        ):
            self.assertEqual(self.client.get(action_url(name, nurse_m)).status_code, 405)


class DeactivateTestCase(StaffTestCase):
    def test_it_deactivates_an_account_and_ends_all_its_sessions(self) -> None:
        nurse = Client()
        sign_in(nurse, self.users["nurse"])
        nurse_m = self.membership("nurse")
        self.login("clinic_admin")
        response = self.post(action_url("deactivate", nurse_m), CONFIRMED, follow=True)
        self.assertRedirects(response, detail_url(nurse_m))
        self.assertContains(response, "The account of Nurse is deactivated.")
        self.assertContains(response, "Account deactivated")
        self.users["nurse"].refresh_from_db()
        self.assertFalse(self.users["nurse"].is_active)
        nurse_m.refresh_from_db()
        self.assertFalse(nurse_m.is_active)
        self.assertEqual(nurse.get(HOME).status_code, 302)
        self.assertFalse(
            UserSession.objects.filter(user=self.users["nurse"], ended_at__isnull=True).exists()
        )
        entry = AuditEntry.objects.get(action="account.deactivate")
        self.assertEqual(entry.object_id, str(self.users["nurse"].pk))
        self.assertEqual(entry.after, {"is_active": False, "membership_active": False})
        # Nothing is deleted.
        self.assertTrue(Membership.objects.filter(pk=nurse_m.pk).exists())

    def test_it_refuses_an_account_another_clinic_uses(self) -> None:
        both = make_user("both@example.org", "Bo Both", self.clinic, Role.NURSE)
        Membership.objects.create(user=both, clinic=self.other, role=Role.NURSE)
        self.login("clinic_admin")
        m = Membership.objects.get(user=both, clinic=self.clinic)
        response = self.post(action_url("deactivate", m), CONFIRMED)
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "also works at another clinic")
        both.refresh_from_db()
        self.assertTrue(both.is_active)

    def test_it_refuses_the_admins_own_account(self) -> None:
        self.login("clinic_admin")
        response = self.post(action_url("deactivate", self.membership("clinic_admin")), CONFIRMED)
        self.assertContains(response, "You cannot deactivate your own account.")
        self.users["clinic_admin"].refresh_from_db()
        self.assertTrue(self.users["clinic_admin"].is_active)

    def test_another_clinics_person_is_not_found(self) -> None:
        self.login("clinic_admin")
        theirs = Membership.objects.get(user=self.outsider)
        response = self.post(action_url("deactivate", theirs), CONFIRMED)
        self.assertEqual(response.status_code, 404)
        self.outsider.refresh_from_db()
        self.assertTrue(self.outsider.is_active)

    def test_it_is_for_the_clinic_admin_only(self) -> None:
        url = action_url("deactivate", self.membership("nurse"))
        self.assert_for_the_clinic_admin_only(url, method="post", data=CONFIRMED)
        self.users["nurse"].refresh_from_db()
        self.assertTrue(self.users["nurse"].is_active)
        self.assertFalse(AuditEntry.objects.filter(action="account.deactivate").exists())


class SignOutTestCase(StaffTestCase):
    def test_it_ends_their_sessions_in_this_clinic(self) -> None:
        nurse = Client()
        sign_in(nurse, self.users["nurse"])
        nurse_m = self.membership("nurse")
        self.login("clinic_admin")
        response = self.post(action_url("sign_out", nurse_m), CONFIRMED, follow=True)
        self.assertContains(response, "1 session(s) of Nurse ended.")
        self.assertEqual(nurse.get(HOME).status_code, 302)
        self.assertEqual(self.client.get(HOME).status_code, 200)  # the admin goes on
        entry = AuditEntry.objects.get(action="auth.sessions.end")
        self.assertEqual(entry.object_id, str(self.users["nurse"].pk))
        self.assertEqual((entry.after or {})["reason"], UserSession.EndReason.ADMIN)
        self.assertEqual((entry.after or {})["clinic"], self.clinic.pk)

    def test_the_other_clinics_admin_cannot_sign_ours_out(self) -> None:
        nurse = Client()
        sign_in(nurse, self.users["nurse"])
        self.login(self.outsider)
        response = self.post(action_url("sign_out", self.membership("nurse")), CONFIRMED)
        self.assertEqual(response.status_code, 404)
        self.assertEqual(nurse.get(HOME).status_code, 200)

    def test_it_is_for_the_clinic_admin_only(self) -> None:
        nurse = Client()
        sign_in(nurse, self.users["nurse"])
        url = action_url("sign_out", self.membership("nurse"))
        self.assert_for_the_clinic_admin_only(url, method="post", data=CONFIRMED)
        self.assertEqual(nurse.get(HOME).status_code, 200)


class ResendInvitationTestCase(StaffTestCase):
    def setUp(self) -> None:
        self.pending = invited("new.nurse@sturges.example", self.clinic)

    def test_it_sends_a_new_link_to_someone_who_never_chose_a_password(self) -> None:
        # The reset form sends nothing to an account with no password; this does.
        self.login("clinic_admin")
        response = self.post(action_url("resend_invitation", self.pending), follow=True)
        self.assertContains(response, "A new invitation was sent to new.nurse@sturges.example")
        self.assertEqual(len(mail.outbox), 1)
        self.assertEqual(mail.outbox[0].to, ["new.nurse@sturges.example"])
        browser = Client()
        form_url = browser.get(invitation_link())["Location"]
        new = "a long new pass phrase"
        browser.post(form_url, {"new_password1": new, "new_password2": new})
        self.assertTrue(User.objects.get(pk=self.pending.user_id).has_usable_password())
        entry = AuditEntry.objects.get(action="staff.invite.resend")
        # has_usable_password stays False (h/audit leaves unchanged keys out of the entry).
        self.assertFalse((entry.before or {}).get("has_usable_password", False))
        self.assertIs((entry.after or {})["set_password_link_sent"], True)
        self.assertEqual(entry.clinic_id, self.clinic.pk)

    def test_it_refuses_someone_who_has_a_password(self) -> None:
        self.login("clinic_admin")
        response = self.post(action_url("resend_invitation", self.membership("nurse")))
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "already chosen a password")
        self.assertEqual(len(mail.outbox), 0)
        self.assertFalse(AuditEntry.objects.filter(action="staff.invite.resend").exists())

    def test_another_clinics_invitation_is_not_found(self) -> None:
        theirs = invited("invited@other.example", self.other)
        self.login("clinic_admin")
        self.assertEqual(self.post(action_url("resend_invitation", theirs)).status_code, 404)
        self.login(self.outsider)
        self.assertEqual(self.post(action_url("resend_invitation", self.pending)).status_code, 404)
        self.assertEqual(len(mail.outbox), 0)

    def test_it_is_for_the_clinic_admin_only(self) -> None:
        url = action_url("resend_invitation", self.pending)
        self.assert_for_the_clinic_admin_only(url, method="post")
        self.assertEqual(len(mail.outbox), 0)


class RevokeInvitationTestCase(StaffTestCase):
    def setUp(self) -> None:
        self.pending = invited("new.nurse@sturges.example", self.clinic)

    def revoke(self, m: Membership) -> Any:
        return self.post(action_url("revoke_invitation", m), CONFIRMED, follow=True)

    def test_it_turns_off_the_role_and_the_unused_account_and_the_link(self) -> None:
        self.login("clinic_admin")
        self.post(action_url("resend_invitation", self.pending))
        link = invitation_link()
        response = self.revoke(self.pending)
        self.assertRedirects(response, detail_url(self.pending))
        self.assertContains(response, "The invitation to new.nurse@sturges.example is revoked.")
        self.assertContains(response, "Invitation revoked")
        self.pending.refresh_from_db()
        user = User.objects.get(pk=self.pending.user_id)
        self.assertFalse(self.pending.is_active)
        self.assertFalse(user.is_active)
        self.assertFalse(user.has_usable_password())
        entry = AuditEntry.objects.get(action="staff.invite.revoke")
        self.assertEqual(entry.object_type, "accounts.membership")
        self.assertEqual(entry.object_id, str(self.pending.pk))
        self.assertEqual(entry.clinic_id, self.clinic.pk)
        self.assertEqual(entry.actor_id, self.users["clinic_admin"].pk)
        self.assertEqual(entry.before, {"membership_active": True, "account_active": True})
        self.assertEqual(entry.after, {"membership_active": False, "account_active": False})
        # The emailed link no longer works.
        response = Client().get(link, follow=True)
        self.assertContains(response, "This link does not work any more")
        # Nothing is deleted; the list shows it as revoked.
        listed = self.client.get(reverse("accounts:staff_list"))
        statuses = {m.pk: s.label for m, s in listed.context["people"]}
        self.assertEqual(statuses[self.pending.pk], "Invitation revoked")

    def test_it_refuses_an_accepted_invitation(self) -> None:
        self.login("clinic_admin")
        response = self.revoke(self.membership("nurse"))
        self.assertContains(response, "already accepted the invitation")
        self.users["nurse"].refresh_from_db()
        self.assertTrue(self.users["nurse"].is_active)
        self.assertFalse(AuditEntry.objects.filter(action="staff.invite.revoke").exists())

    def test_it_refuses_one_that_is_no_longer_pending(self) -> None:
        self.login("clinic_admin")
        self.revoke(self.pending)
        response = self.revoke(self.pending)
        self.assertContains(response, "not pending")
        self.assertEqual(AuditEntry.objects.filter(action="staff.invite.revoke").count(), 1)

    def test_it_refuses_an_account_another_clinic_relies_on(self) -> None:
        Membership.objects.create(user=self.pending.user, clinic=self.other, role=Role.NURSE)
        self.login("clinic_admin")
        response = self.revoke(self.pending)
        self.assertContains(response, "also works at another clinic")
        self.assertTrue(User.objects.get(pk=self.pending.user_id).is_active)

    def test_another_clinics_invitation_is_not_found(self) -> None:
        self.login(self.outsider)
        response = self.post(action_url("revoke_invitation", self.pending), CONFIRMED)
        self.assertEqual(response.status_code, 404)
        self.assertTrue(User.objects.get(pk=self.pending.user_id).is_active)

    def test_it_is_for_the_clinic_admin_only(self) -> None:
        url = action_url("revoke_invitation", self.pending)
        self.assert_for_the_clinic_admin_only(url, method="post", data=CONFIRMED)
        self.assertTrue(User.objects.get(pk=self.pending.user_id).is_active)
        self.assertFalse(AuditEntry.objects.filter(action="staff.invite.revoke").exists())


class ResetTwoFactorTestCase(StaffTestCase):
    def setUp(self) -> None:
        self.nurse = self.users["nurse"]
        self.nurse_m = self.membership("nurse")
        _replace_recovery_codes(self.nurse)

    def reset(self, m: Membership) -> Any:
        return self.post(action_url("reset_two_factor", m), CONFIRMED, follow=True)

    def test_it_removes_their_devices_and_sessions_so_they_enrol_again(self) -> None:
        browsers = [Client(), Client()]
        for browser in browsers:
            sign_in(browser, self.nurse)
        keys = [session_key(b) for b in browsers]
        self.login("clinic_admin")
        response = self.reset(self.nurse_m)
        self.assertContains(response, "Two-factor sign-in of Nurse is reset")
        self.assertFalse(TOTPDevice.objects.filter(user=self.nurse).exists())
        self.assertFalse(RecoveryCodeDevice.objects.filter(user=self.nurse).exists())
        self.assertFalse(RecoveryCode.objects.filter(device__user=self.nurse).exists())
        # Every one of their sessions ends (they work at this clinic only).
        self.assertEqual([session_exists(k) for k in keys], [False, False])
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
        response = self.reset(self.membership("clinic_admin"))
        self.assertContains(response, "under My account")
        self.assertTrue(TOTPDevice.objects.filter(user=self.users["clinic_admin"]).exists())

    def test_another_clinics_person_is_not_found(self) -> None:
        self.login(self.outsider)
        self.assertEqual(
            self.post(action_url("reset_two_factor", self.nurse_m), CONFIRMED).status_code, 404
        )
        self.assertTrue(TOTPDevice.objects.filter(user=self.nurse).exists())

    def test_it_is_for_the_clinic_admin_only(self) -> None:
        url = action_url("reset_two_factor", self.nurse_m)
        self.assert_for_the_clinic_admin_only(url, method="post", data=CONFIRMED)
        self.assertTrue(TOTPDevice.objects.filter(user=self.nurse).exists())
        self.assertFalse(AuditEntry.objects.filter(action="2fa.admin_reset").exists())
