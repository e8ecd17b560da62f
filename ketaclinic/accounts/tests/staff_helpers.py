"""Helpers for the staff page tests: URLs, a pending invitation, and the every-side check."""

from __future__ import annotations

import re
from typing import Any

from django.core import mail
from django.test import Client
from django.urls import reverse

from ketaclinic.accounts.models import Membership, Role, User
from ketaclinic.clinics.models import Clinic
from ketaclinic.testing import BaseTestCase

LIST = reverse("accounts:staff_list")
INVITE = reverse("accounts:staff_invite")
LOGIN = reverse("accounts:login")


def detail_url(m: Membership) -> str:
    return reverse("accounts:staff_detail", args=[m.pk])


def action_url(name: str, m: Membership) -> str:
    return reverse(f"accounts:staff_{name}", args=[m.pk])


def invited(
    email: str, clinic: Clinic, role: str = Role.NURSE, name: str = "Nell New"
) -> Membership:
    """An invitation nobody has used yet: an account without a usable password."""
    user = User.objects.create_user(email, None, full_name=name)
    return Membership.objects.create(user=user, clinic=clinic, role=role)


def invitation_link() -> str:
    """The set-password path in the last mail sent."""
    match = re.search(
        r"https?://testserver(/accounts/password-reset/\S+/)", str(mail.outbox[-1].body)
    )
    assert match is not None, mail.outbox[-1].body
    return match.group(1)


class StaffTestCase(BaseTestCase):
    def membership(self, role: str) -> Membership:
        return Membership.objects.get(user=self.users[role], clinic=self.clinic)

    def post(self, url: str, data: dict[str, Any] | None = None, **kw: Any) -> Any:
        """POST with on-commit callbacks run (the mails go out after the commit)."""
        with self.captureOnCommitCallbacks(execute=True):
            return self.client.post(url, data or {}, **kw)

    def assert_for_the_clinic_admin_only(
        self, url: str, *, method: str = "get", data: dict[str, Any] | None = None
    ) -> None:
        """Every other role: 403; nobody signed in: to sign-in; half signed in: to the code."""
        for role in self.roles_except(Role.CLINIC_ADMIN):
            self.login(role)
            response = getattr(self.client, method)(url, data or {})
            self.assertEqual(response.status_code, 403, (role, url))
        anonymous = Client()
        response = getattr(anonymous, method)(url, data or {})
        self.assertEqual(response.status_code, 302, url)
        self.assertTrue(response["Location"].startswith(LOGIN), response["Location"])
        half = Client()
        half.force_login(self.users["clinic_admin"])
        response = getattr(half, method)(url, data or {})
        self.assertRedirects(
            response, reverse("accounts:two_factor"), fetch_redirect_response=False
        )
