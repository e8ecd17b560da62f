from django.urls import reverse

from ketaclinic.accounts.actions.twofactor import _replace_recovery_codes
from ketaclinic.accounts.models import RecoveryCode, RecoveryCodeDevice
from ketaclinic.accounts.tests.helpers import enter_sudo
from ketaclinic.audit.models import AuditEntry
from ketaclinic.testing import BaseTestCase

URL = reverse("accounts:recovery_codes")


class RecoveryCodesTestCase(BaseTestCase):
    def sudo(self) -> None:
        enter_sudo(self.client)

    def test_it_makes_new_codes_for_every_role_in_sudo_mode(self) -> None:
        for role, user in self.users.items():
            old = _replace_recovery_codes(user)
            self.login(role)
            self.sudo()
            response = self.client.post(URL)
            self.assertEqual(response.status_code, 200, role)
            self.assertContains(response, "your earlier codes no longer work")
            device = RecoveryCodeDevice.objects.get(user=user)
            self.assertEqual(device.unused().count(), 10)
            self.assertFalse(device.verify_token(old[0]))
            self.assertTrue(
                AuditEntry.objects.filter(
                    action="2fa.recovery_codes.regenerate", actor=user
                ).exists()
            )

    def test_it_asks_for_the_password_first(self) -> None:
        self.login("physician")
        response = self.client.post(URL)
        self.assertEqual(response.status_code, 302)
        self.assertTrue(response["Location"].startswith(reverse("accounts:reauth")))
        self.assertFalse(RecoveryCode.objects.filter(device__user=self.users["physician"]).exists())

    def test_it_refuses_get(self) -> None:
        self.login("physician")
        self.sudo()
        self.assertEqual(self.client.get(URL).status_code, 405)

    def test_it_is_closed_to_the_anonymous_and_half_signed_in(self) -> None:
        self.assert_denied(self.client.post(URL), 302)
        self.client.force_login(self.users["nurse"])
        self.assert_denied(self.client.post(URL), 302, to="accounts:two_factor")

    def test_it_only_touches_the_other_clinics_admins_own_codes(self) -> None:
        mine = _replace_recovery_codes(self.users["clinic_admin"])
        self.login(self.outsider)
        self.sudo()
        self.client.post(URL)
        device = RecoveryCodeDevice.objects.get(user=self.users["clinic_admin"])
        self.assertTrue(device.verify_token(mine[1]))
