"""The invited person's way in: the link says "Choose your password", and after choosing it
they are signed in with the password and go straight on to set up two-factor sign-in."""

import re
from binascii import unhexlify

import time_machine
from django.core import mail
from django.test import Client
from django.urls import reverse
from django_otp.oath import totp

from ketaclinic.accounts import twofactor
from ketaclinic.accounts.models import User, UserSession
from ketaclinic.accounts.tests.helpers import STEP_START, password_step
from ketaclinic.accounts.tests.staff_helpers import (
    INVITE,
    StaffTestCase,
    action_url,
    invitation_link,
    invited,
)
from ketaclinic.audit.models import AuditEntry

NEW = "my own long pass phrase"
SETUP = reverse("accounts:two_factor_setup")


@time_machine.travel(STEP_START, tick=False)
class InvitationTestCase(StaffTestCase):
    def invite(self) -> User:
        self.login("clinic_admin")
        self.post(INVITE, {"email": "nell@sturges.example", "full_name": "Nell", "role": "nurse"})
        self.client.logout()
        return User.objects.get(email="nell@sturges.example")

    def open_link(self, browser: Client) -> str:
        response = browser.get(invitation_link())
        self.assertEqual(response.status_code, 302)
        return str(response["Location"])

    def test_the_link_says_choose_your_password(self) -> None:
        self.invite()
        browser = Client()
        response = browser.get(self.open_link(browser))
        self.assertContains(response, "<h1>Choose your password</h1>", html=True)
        self.assertContains(response, "Choose your password · ketaclinic")
        self.assertNotContains(response, "new password</h1>")
        self.assertContains(response, 'aria-current="step"')

    def test_a_reset_for_someone_with_a_password_still_says_new_password(self) -> None:
        browser = Client()
        browser.post(reverse("accounts:password_reset"), {"email": "nurse@sturges.example"})
        response = browser.get(self.open_link(browser))
        self.assertContains(response, "<h1>Choose a new password</h1>", html=True)

    def test_choosing_it_leads_straight_into_two_factor_set_up_and_then_home(self) -> None:
        user = self.invite()
        browser = Client()
        form_url = self.open_link(browser)
        response = browser.post(form_url, {"new_password1": NEW, "new_password2": NEW})
        self.assertRedirects(response, SETUP, fetch_redirect_response=False)
        user.refresh_from_db()
        self.assertTrue(user.check_password(NEW))
        # Signed in with the password only: the workspace still asks for the second factor.
        self.assertRedirects(
            browser.get(reverse("web:home")),
            reverse("accounts:two_factor"),
            fetch_redirect_response=False,
        )
        self.assertEqual(UserSession.objects.filter(user=user, ended_at=None).count(), 1)
        entry = AuditEntry.objects.get(action="staff.invite.accept")
        self.assertEqual(entry.actor_id, user.pk)
        self.assertEqual(entry.clinic_id, self.clinic.pk)
        self.assertEqual(entry.object_id, str(user.pk))
        self.assertEqual(entry.after, {"has_usable_password": True})
        self.assertTrue(
            AuditEntry.objects.filter(action="auth.login.password", actor=user).exists()
        )
        # The enrolment page: QR code first, then the app link, then the secret.
        page = browser.get(SETUP)
        content = page.content.decode()
        key = browser.session[twofactor.PENDING_KEY]
        secret = twofactor.grouped(twofactor.base32_secret(key))
        link = re.search(r'href="(otpauth://[^"]+)"', content)
        assert link is not None
        self.assertIn(f"secret={twofactor.base32_secret(key)}", link.group(1))
        self.assertIn("Open in your authenticator app", content)
        self.assertLess(content.index("<svg"), content.index("Open in your authenticator app"))
        self.assertLess(content.index("Open in your authenticator app"), content.index(secret))
        self.assertLess(content.index(secret), content.index('name="otp_token"'))
        self.assertNotIn("style=", content)
        code = f"{totp(unhexlify(key), 30, 0, 6, 0):06d}"
        response = browser.post(SETUP, {"otp_token": code})
        self.assertContains(response, "Save your recovery codes")
        self.assertEqual(browser.get(reverse("web:home")).status_code, 200)
        self.assertTrue(AuditEntry.objects.filter(action="2fa.enrol", actor=user).exists())
        # The link was for once.
        response = Client().get(invitation_link(), follow=True)
        self.assertContains(response, "This link does not work any more")

    def test_it_shows_as_active_on_the_staff_list_afterwards(self) -> None:
        user = self.invite()
        browser = Client()
        browser.post(self.open_link(browser), {"new_password1": NEW, "new_password2": NEW})
        self.login("clinic_admin")
        response = self.client.get(reverse("accounts:staff_list"))
        statuses = {m.user_id: s.label for m, s in response.context["people"]}
        self.assertEqual(statuses[user.pk], "Active")

    def test_the_password_rules_apply_and_nothing_is_signed_in(self) -> None:
        user = self.invite()
        browser = Client()
        response = browser.post(
            self.open_link(browser), {"new_password1": "short", "new_password2": "short"}
        )
        self.assertContains(response, "at least 12 characters")
        self.assertContains(response, "Choose your password")
        user.refresh_from_db()
        self.assertFalse(user.has_usable_password())
        self.assertNotIn("_auth_user_id", browser.session)

    def test_someone_else_signed_in_in_that_browser_is_signed_out_first(self) -> None:
        user = self.invite()
        self.login("physician")
        form_url = self.open_link(self.client)
        self.client.post(form_url, {"new_password1": NEW, "new_password2": NEW})
        self.assertEqual(self.client.session["_auth_user_id"], str(user.pk))

    def test_a_revoked_invitation_link_does_not_work(self) -> None:
        pending = invited("ivy@sturges.example", self.clinic)
        self.login("clinic_admin")
        self.post(action_url("resend_invitation", pending))
        self.post(action_url("revoke_invitation", pending), {"confirmed": "1"})
        browser = Client()
        response = browser.get(invitation_link(), follow=True)
        self.assertContains(response, "This link does not work any more")
        self.assertFalse(User.objects.get(pk=pending.user_id).has_usable_password())

    def test_a_deactivated_account_cannot_set_a_password_by_link(self) -> None:
        browser = Client()
        browser.post(reverse("accounts:password_reset"), {"email": "nurse@sturges.example"})
        link = invitation_link()
        User.objects.filter(email="nurse@sturges.example").update(is_active=False)
        response = browser.get(link, follow=True)
        self.assertContains(response, "This link does not work any more")

    def test_the_first_sign_in_later_also_leads_to_set_up(self) -> None:
        user = self.invite()
        browser = Client()
        browser.post(self.open_link(browser), {"new_password1": NEW, "new_password2": NEW})
        later = Client()
        password_step(later, user.email, NEW)
        self.assertRedirects(
            later.get(reverse("accounts:two_factor")), SETUP, fetch_redirect_response=False
        )
        self.assertEqual(len(mail.outbox), 1)
