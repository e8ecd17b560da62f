"""The clinic admin's Shared access page: what is shared with outside professionals, and
revoking it without Django's admin."""

import datetime as dt
from typing import Any

from django.urls import reverse
from django.utils import timezone

from ketaclinic.accounts.actions.grants import grant_shared_access
from ketaclinic.accounts.models import Role, SharedAccess
from ketaclinic.accounts.policies import shared_sections
from ketaclinic.accounts.tests.staff_helpers import StaffTestCase
from ketaclinic.audit.models import AuditEntry
from ketaclinic.testing import make_user, member

LIST = reverse("accounts:shared_access_list")
CONFIRMED = {"confirmed": "1"}


def revoke_url(grant: SharedAccess) -> str:
    return reverse("accounts:shared_access_revoke", args=[grant.pk])


class SharedAccessPageTestCase(StaffTestCase):
    def setUp(self) -> None:
        self.pro = self.users["outside_professional"]
        self.grant = self.share()

    def share(self, **kw: Any) -> SharedAccess:
        args: dict[str, Any] = {
            "professional": self.pro,
            "target": self.clinic,
            "sections": ["summary", "outcomes"],
            "reason": "Consent form signed 2026-03-01",
        }
        args.update(kw)
        return grant_shared_access(member(self.users["physician"]), **args)

    def test_it_lists_what_is_shared_now(self) -> None:
        later = self.share(sections=["plan"], valid_from=timezone.now() + dt.timedelta(days=2))
        ended = self.share(
            sections=["old"],
            valid_from=timezone.now() - dt.timedelta(days=9),
            expires_at=timezone.now() - dt.timedelta(days=1),
        )
        self.login("clinic_admin")
        response = self.client.get(LIST)
        self.assertEqual(response.status_code, 200)
        states = {g.pk: s.label for g, s in response.context["grants"]}
        self.assertEqual(states, {self.grant.pk: "Shared now", later.pk: "Starts later"})
        self.assertContains(response, self.pro.full_name)
        self.assertContains(response, "outcomes, summary")
        self.assertContains(response, "Consent form signed 2026-03-01")
        self.assertContains(response, revoke_url(self.grant))
        self.assertContains(response, revoke_url(later))
        response = self.client.get(LIST, {"show": "all"})
        states = {g.pk: s.label for g, s in response.context["grants"]}
        self.assertEqual(states[ended.pk], "Expired")
        self.assertNotContains(response, revoke_url(ended))

    def test_it_revokes_after_confirming_and_audits_it(self) -> None:
        self.login("clinic_admin")
        # Without the dialog's confirmation, a page asks first and nothing changes.
        response = self.post(revoke_url(self.grant))
        self.assertContains(response, 'name="confirmed" value="1"')
        self.assertEqual(shared_sections(self.pro, self.clinic), {"summary", "outcomes"})
        response = self.post(revoke_url(self.grant), CONFIRMED, follow=True)
        self.assertRedirects(response, LIST)
        self.assertContains(response, "no longer sees this record")
        self.assertEqual(shared_sections(self.pro, self.clinic), set())
        self.grant.refresh_from_db()
        self.assertEqual(self.grant.revoked_by, self.users["clinic_admin"])
        entry = AuditEntry.objects.get(action="shared_access.revoke")
        self.assertEqual(entry.object_id, str(self.grant.pk))
        self.assertEqual(entry.actor_id, self.users["clinic_admin"].pk)
        self.assertIsNone((entry.before or {})["revoked_at"])
        self.assertIsNotNone((entry.after or {})["revoked_at"])
        self.assertIn("clinic admin", entry.reason)
        # It stays listed under All, as revoked, and cannot be revoked twice.
        response = self.client.get(LIST, {"show": "all"})
        self.assertEqual([s.label for _, s in response.context["grants"]], ["Revoked"])
        self.post(revoke_url(self.grant), CONFIRMED)
        self.assertEqual(AuditEntry.objects.filter(action="shared_access.revoke").count(), 1)

    def test_it_says_when_nothing_is_shared(self) -> None:
        self.login(self.outsider)
        response = self.client.get(LIST)
        self.assertEqual(response.context["grants"], [])
        self.assertContains(response, "Nothing is shared now")
        self.assertNotContains(response, self.pro.email)
        response = self.client.get(LIST, {"show": "all"})
        self.assertContains(response, "Nothing has been shared")

    def test_the_other_clinics_admin_cannot_revoke_ours(self) -> None:
        make_user("pro@other.example", "Other Pro", self.other, Role.OUTSIDE_PROFESSIONAL)
        self.login(self.outsider)
        self.assertEqual(self.post(revoke_url(self.grant), CONFIRMED).status_code, 404)
        self.grant.refresh_from_db()
        self.assertIsNone(self.grant.revoked_at)

    def test_it_is_for_the_clinic_admin_only(self) -> None:
        self.assert_for_the_clinic_admin_only(LIST)
        self.assert_for_the_clinic_admin_only(revoke_url(self.grant), method="post", data=CONFIRMED)
        self.grant.refresh_from_db()
        self.assertIsNone(self.grant.revoked_at)
        self.login("clinic_admin")
        self.assertEqual(self.client.get(revoke_url(self.grant)).status_code, 405)
