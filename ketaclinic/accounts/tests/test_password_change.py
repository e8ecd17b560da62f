import importlib.util
import os
from unittest import mock

from django.contrib.auth.hashers import identify_hasher
from django.test import Client, override_settings
from django.urls import reverse

from ketaclinic.accounts.models import UserSession
from ketaclinic.accounts.tests.helpers import session_exists, session_key
from ketaclinic.audit.models import AuditEntry
from ketaclinic.settings import __file__ as settings_file
from ketaclinic.testing import TEST_PASSWORD, BaseTestCase, sign_in

URL = reverse("accounts:password_change")


class PasswordChangeTestCase(BaseTestCase):
    def change(self, new: str, old: str = TEST_PASSWORD):
        return self.client.post(
            URL, {"old_password": old, "new_password1": new, "new_password2": new}
        )

    def test_it_shows_the_form_to_every_role(self) -> None:
        for role in self.users:
            self.login(role)
            response = self.client.get(URL)
            self.assertContains(response, 'name="new_password1"')
            self.assertContains(response, 'aria-describedby="id_new_password1_helptext"')

    def test_it_refuses_eleven_characters(self) -> None:
        self.login("nurse")
        response = self.change("k3tam!ne-ab")
        self.assertContains(response, "at least 12 characters")
        self.assertContains(response, 'aria-invalid="true"')

    def test_it_accepts_twelve_characters(self) -> None:
        self.login("nurse")
        self.assertEqual(self.change("k3tam!ne-abc").status_code, 302)
        self.users["nurse"].refresh_from_db()
        self.assertTrue(self.users["nurse"].check_password("k3tam!ne-abc"))

    def test_it_accepts_128_characters(self) -> None:
        self.login("nurse")
        self.assertEqual(self.change("Tx7-" * 32).status_code, 302)

    def test_it_refuses_129_characters(self) -> None:
        self.login("nurse")
        response = self.change("Tx7-" * 32 + "q")
        self.assertContains(response, "at most 128 characters")

    def test_it_refuses_a_common_password(self) -> None:
        self.login("nurse")
        self.assertContains(self.change("qwerty123456"), "too common")

    def test_it_needs_the_old_password(self) -> None:
        self.login("nurse")
        response = self.change("k3tam!ne-abc", old="not my password")
        self.assertContains(response, "old password was entered incorrectly")

    def test_it_keeps_this_session_and_ends_the_others(self) -> None:
        user = self.users["physician"]
        other = Client()
        sign_in(other, user)
        other.get(reverse("web:home"))
        other_key = session_key(other)
        self.login("physician")
        self.client.get(reverse("web:home"))
        self.assertEqual(self.change("a new long pass phrase").status_code, 302)
        self.assertEqual(self.client.get(reverse("web:home")).status_code, 200)
        self.assertFalse(session_exists(other_key))
        self.assertEqual(other.get(reverse("web:home")).status_code, 302)
        self.assertEqual(
            UserSession.objects.get(session_key=other_key).end_reason,
            UserSession.EndReason.PASSWORD,
        )
        self.assertTrue(AuditEntry.objects.filter(action="auth.password.change").exists())

    def test_it_is_closed_to_the_anonymous(self) -> None:
        self.assert_denied(self.client.get(URL), 302)

    def test_it_changes_only_the_other_clinics_admins_own_password(self) -> None:
        self.login(self.outsider)
        self.assertEqual(self.change("outsider long phrase").status_code, 302)
        self.users["clinic_admin"].refresh_from_db()
        self.assertTrue(self.users["clinic_admin"].check_password(TEST_PASSWORD))


class PasswordHasherTestCase(BaseTestCase):
    def test_it_hashes_with_argon2_in_production(self) -> None:
        # The test profile prepends MD5 for speed: load the settings as production runs them.
        spec = importlib.util.spec_from_file_location("_production_settings", settings_file)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        with mock.patch.dict(os.environ, {"KETACLINIC_MODE": "production"}):
            spec.loader.exec_module(module)
        production = module.PASSWORD_HASHERS
        self.assertEqual(production[0], "django.contrib.auth.hashers.Argon2PasswordHasher")
        with override_settings(PASSWORD_HASHERS=production):
            user = self.users["nurse"]
            user.set_password("a fine long pass phrase")
            self.assertTrue(user.password.startswith("argon2$"))
            self.assertEqual(identify_hasher(user.password).algorithm, "argon2")
            self.assertTrue(user.check_password("a fine long pass phrase"))
