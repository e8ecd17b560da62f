"""The plain-language list of what each role can do (accounts.policies.ROLE_CAPABILITIES) says
exactly what the code enforces: each line is held to the policy that decides it."""

from collections.abc import Iterable

from django.core.exceptions import PermissionDenied
from django.urls import resolve, reverse

from ketaclinic.access.policy import acts_as, policy_of
from ketaclinic.accounts.actions.grants import SHARED_ACCESS_GRANTORS
from ketaclinic.accounts.models import Role
from ketaclinic.accounts.policies import ROLE_CAPABILITIES, ROLE_SUMMARIES, role_guide
from ketaclinic.clinics.actions import update_clinic_settings
from ketaclinic.inquiries import policies as inquiry_policies
from ketaclinic.testing import BaseTestCase, member


def view_roles(url_name: str, *args: int) -> frozenset[str]:
    policy = policy_of(resolve(reverse(url_name, args=args)).func)
    assert policy is not None and policy.level == "roles", url_name
    return policy.roles


def values(roles: Iterable[str]) -> frozenset[str]:
    return frozenset(str(r) for r in roles)


class RoleCapabilitiesTestCase(BaseTestCase):
    def capability(self, key: str) -> frozenset[str]:
        (found,) = [c for c in ROLE_CAPABILITIES if c.key == key]
        return found.roles

    def test_each_line_matches_the_policy_that_enforces_it(self) -> None:
        self.assertEqual(self.capability("inquiries.work"), values(inquiry_policies.EDIT_ROLES))
        self.assertEqual(self.capability("inquiries.read"), values(inquiry_policies.READ_ROLES))
        self.assertEqual(self.capability("inquiries.read"), view_roles("inquiries:list"))
        self.assertEqual(self.capability("inquiries.read"), view_roles("inquiries:detail", 1))
        for name in ("inquiries:change_status", "inquiries:add_contact", "inquiries:follow_up"):
            self.assertEqual(self.capability("inquiries.work"), view_roles(name, 1))
        self.assertEqual(self.capability("sharing.grant"), values(SHARED_ACCESS_GRANTORS))
        self.assertEqual(self.capability("staff.manage"), view_roles("accounts:staff_list"))
        self.assertEqual(self.capability("staff.manage"), view_roles("accounts:staff_invite"))
        self.assertEqual(
            self.capability("sharing.oversee"), view_roles("accounts:shared_access_list")
        )
        self.assertEqual(
            self.capability("break_glass.review"), view_roles("accounts:break_glass_review")
        )
        self.assertEqual(self.capability("break_glass.open"), view_roles("accounts:break_glass"))
        self.assertEqual(self.capability("audit.read"), view_roles("audit:report"))
        self.assertEqual(self.capability("audit.read"), view_roles("audit:export"))

    def test_the_settings_line_matches_who_may_change_settings(self) -> None:
        for role in Role:
            by = member(self.users[role.value])
            try:
                update_clinic_settings(by, self.clinic, {})
                allowed = True
            except PermissionDenied:
                allowed = False
            self.assertEqual(allowed, role.value in self.capability("clinic.settings"), role)

    def test_the_outside_professional_only_reads_what_is_shared(self) -> None:
        pro = Role.OUTSIDE_PROFESSIONAL.value
        lines = [c.key for c in ROLE_CAPABILITIES if pro in c.roles]
        self.assertEqual(lines, ["sharing.read"])
        self.assertFalse(
            acts_as(member(self.users[pro]), values(view_roles("accounts:break_glass")))
        )

    def test_every_role_has_a_summary_and_something_it_can_do(self) -> None:
        guide = role_guide()
        self.assertEqual([g["value"] for g in guide], list(Role.values))
        for entry in guide:
            self.assertTrue(ROLE_SUMMARIES[entry["value"]])
            self.assertTrue(entry["can"], entry["value"])
        self.assertEqual(len({c.key for c in ROLE_CAPABILITIES}), len(ROLE_CAPABILITIES))
