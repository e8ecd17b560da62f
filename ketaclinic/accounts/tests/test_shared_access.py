import datetime as dt
from typing import Any

import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from ketaclinic.accounts.actions.grants import grant_shared_access, revoke_shared_access
from ketaclinic.accounts.models import Membership, Role, SharedAccess, User
from ketaclinic.accounts.policies import shared_sections
from ketaclinic.audit.models import AuditEntry
from ketaclinic.testing import BaseTestCase, member

START = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


class SharedAccessTestCase(BaseTestCase):
    def setUp(self) -> None:
        self.pro = self.users["outside_professional"]

    def grant(self, who: str = "physician", **kw):
        args: dict[str, Any] = {
            "professional": self.pro,
            "target": self.clinic,
            "sections": ["summary", "outcomes"],
            "reason": "Consent form signed 2026-03-01",
        }
        args.update(kw)
        return grant_shared_access(member(self.users[who]), **args)

    def test_nothing_is_shared_by_default(self) -> None:
        self.assertEqual(shared_sections(self.pro, self.clinic), set())

    def test_a_grant_shares_its_sections_and_is_audited(self) -> None:
        grant = self.grant()
        self.assertEqual(shared_sections(self.pro, self.clinic), {"summary", "outcomes"})
        entry = AuditEntry.objects.get(action="shared_access.grant")
        self.assertEqual(entry.object_id, str(grant.pk))
        self.assertEqual((entry.after or {})["sections"], ["outcomes", "summary"])
        self.assertEqual(entry.reason, "Consent form signed 2026-03-01")

    def test_grants_add_up(self) -> None:
        self.grant(sections=["summary"])
        self.grant(who="coordinator", sections=["plan"])
        self.assertEqual(shared_sections(self.pro, self.clinic), {"summary", "plan"})

    def test_it_is_nothing_for_anyone_else(self) -> None:
        self.grant()
        for role in self.roles_except(Role.OUTSIDE_PROFESSIONAL):
            self.assertEqual(shared_sections(self.users[role], self.clinic), set())
        self.assertEqual(shared_sections(self.outsider, self.clinic), set())
        self.assertEqual(shared_sections(self.pro, self.other), set())

    def test_revoking_ends_it_and_is_audited(self) -> None:
        grant = self.grant()
        revoke_shared_access(member(self.users["clinic_admin"]), grant, "consent withdrawn")
        self.assertEqual(shared_sections(self.pro, self.clinic), set())
        grant.refresh_from_db()
        self.assertEqual(grant.revoked_by, self.users["clinic_admin"])
        entry = AuditEntry.objects.get(action="shared_access.revoke")
        self.assertIsNone((entry.before or {})["revoked_at"])
        self.assertIsNotNone((entry.after or {})["revoked_at"])
        self.assertEqual(entry.reason, "consent withdrawn")

    def test_it_runs_from_valid_from_until_expiry(self) -> None:
        with time_machine.travel(START, tick=False) as traveller:
            self.grant(
                valid_from=START + dt.timedelta(days=1), expires_at=START + dt.timedelta(days=8)
            )
            self.assertEqual(shared_sections(self.pro, self.clinic), set())
            traveller.shift(dt.timedelta(days=2))
            self.assertEqual(shared_sections(self.pro, self.clinic), {"summary", "outcomes"})
            traveller.shift(dt.timedelta(days=7))
            self.assertEqual(shared_sections(self.pro, self.clinic), set())

    def test_it_ends_when_the_professional_leaves_the_clinic(self) -> None:
        self.grant()
        Membership.objects.filter(user=self.pro).update(is_active=False)
        self.assertEqual(shared_sections(self.pro, self.clinic), set())
        Membership.objects.filter(user=self.pro).update(is_active=True)
        User.objects.filter(pk=self.pro.pk).update(is_active=False)
        self.pro.refresh_from_db()
        self.assertEqual(shared_sections(self.pro, self.clinic), set())

    def test_only_some_roles_may_grant_or_revoke(self) -> None:
        for role in ("nurse", "custodian", "outside_professional"):
            with self.assertRaises(PermissionDenied):
                self.grant(who=role)
        grant = self.grant()
        with self.assertRaises(PermissionDenied):
            revoke_shared_access(member(self.users["nurse"]), grant)
        self.assertIsNone(SharedAccess.objects.get().revoked_at)

    def test_the_other_clinic_cannot_grant_or_revoke_ours(self) -> None:
        request = member(self.outsider)
        with self.assertRaises(Http404):
            grant_shared_access(
                request, professional=self.pro, target=self.clinic, sections=["x"], reason="r"
            )
        grant = self.grant()
        with self.assertRaises(Http404):
            revoke_shared_access(request, grant)

    def test_it_shares_only_with_an_outside_professional_of_the_clinic(self) -> None:
        with self.assertRaises(ValidationError):
            self.grant(professional=self.users["nurse"])
        with self.assertRaises(ValidationError):
            self.grant(professional=self.outsider)

    def test_it_needs_sections_a_reason_and_a_sane_period(self) -> None:
        with self.assertRaises(ValidationError):
            self.grant(sections=[" "])
        with self.assertRaises(ValidationError):
            self.grant(reason="  ")
        with self.assertRaises(ValidationError):
            self.grant(expires_at=dt.datetime(2000, 1, 1, tzinfo=dt.UTC))
        self.assertFalse(SharedAccess.objects.exists())
