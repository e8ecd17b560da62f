from django.test import Client
from django.urls import reverse

from ketaclinic.accounts.models import UserSession
from ketaclinic.accounts.tests.helpers import session_exists, session_key
from ketaclinic.testing import BaseTestCase, sign_in


class DeactivationTestCase(BaseTestCase):
    def test_turning_an_account_off_ends_its_sessions(self) -> None:
        user = self.users["custodian"]
        clients = [Client(), Client()]
        for client in clients:
            sign_in(client, user)
        keys = [session_key(c) for c in clients]
        user.is_active = False
        user.save()
        for client, key in zip(clients, keys, strict=True):
            self.assertFalse(session_exists(key))
            self.assertEqual(client.get(reverse("web:home")).status_code, 302)
        self.assertFalse(UserSession.objects.filter(user=user, ended_at__isnull=True).exists())
        self.assertEqual(
            UserSession.objects.filter(user=user).first().end_reason,  # type: ignore[union-attr]
            UserSession.EndReason.DEACTIVATED,
        )
