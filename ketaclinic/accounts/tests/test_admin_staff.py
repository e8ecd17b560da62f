import re

from django.core import mail
from django.test import Client
from django.urls import reverse

from ketaclinic.accounts.models import Membership, Role, User, UserSession
from ketaclinic.accounts.tests.helpers import session_exists, session_key
from ketaclinic.audit.models import AuditEntry
from ketaclinic.testing import BaseTestCase, make_user, sign_in

LIST = reverse("admin:accounts_membership_changelist")
ADD = reverse("admin:accounts_membership_add")


def change_url(m: Membership) -> str:
    return reverse("admin:accounts_membership_change", args=[m.pk])


class StaffAdminTestCase(BaseTestCase):
    def setUp(self) -> None:
        self.nurse_m = Membership.objects.get(user=self.users["nurse"], clinic=self.clinic)
        self.outsider_m = Membership.objects.get(user=self.outsider)

    def test_it_lists_only_this_clinics_staff(self) -> None:
        self.login("clinic_admin")
        response = self.client.get(LIST)
        self.assertEqual(response.status_code, 200)
        for user in self.users.values():
            self.assertContains(response, user.email)
        self.assertNotContains(response, self.outsider.email)

    def test_it_is_for_the_clinic_admin_only(self) -> None:
        for role in self.roles_except(Role.CLINIC_ADMIN):
            self.login(role)
            for url in (reverse("admin:index"), LIST, ADD, change_url(self.nurse_m)):
                self.assertEqual(self.client.get(url).status_code, 403, (role, url))
            response = self.client.post(
                change_url(self.nurse_m), {"role": "clinic_admin", "is_active": "on"}
            )
            self.assertEqual(response.status_code, 403)
        self.nurse_m.refresh_from_db()
        self.assertEqual(self.nurse_m.role, Role.NURSE)

    def test_it_is_closed_to_the_anonymous_and_half_signed_in(self) -> None:
        self.assert_denied(self.client.get(LIST), 302)
        self.client.force_login(self.users["clinic_admin"])
        self.assertRedirects(
            self.client.get(LIST), reverse("accounts:two_factor"), fetch_redirect_response=False
        )

    def test_the_other_clinics_admin_cannot_see_or_change_ours(self) -> None:
        self.login(self.outsider)
        response = self.client.get(LIST)
        self.assertNotContains(response, "nurse@sturges.example")
        response = self.client.get(change_url(self.nurse_m))
        self.assertEqual(response.status_code, 302)  # "does not exist" back to the index
        self.client.post(change_url(self.nurse_m), {"role": "clinic_admin", "is_active": "on"})
        self.nurse_m.refresh_from_db()
        self.assertEqual(self.nurse_m.role, Role.NURSE)
        self.assertTrue(self.nurse_m.is_active)

    def test_it_invites_a_new_person_with_a_password_link(self) -> None:
        self.login("clinic_admin")
        with self.captureOnCommitCallbacks(execute=True):
            response = self.client.post(
                ADD,
                {"email": "New.Nurse@Sturges.example", "full_name": "Nell New", "role": "nurse"},
            )
        self.assertEqual(response.status_code, 302)
        user = User.objects.get(email="new.nurse@sturges.example")
        self.assertFalse(user.has_usable_password())
        membership = Membership.objects.get(user=user)
        self.assertEqual((membership.clinic, membership.role), (self.clinic, Role.NURSE))
        self.assertEqual(len(mail.outbox), 1)
        link = re.search(r"testserver(/accounts/password-reset/\S+/)", str(mail.outbox[0].body))
        assert link is not None
        # The link lets them choose a password (then sign-in and 2FA enrolment follow).
        form_url = Client().get(link.group(1))
        self.assertEqual(form_url.status_code, 302)
        entry = AuditEntry.objects.get(action="staff.invite")
        self.assertEqual((entry.after or {})["role"], "nurse")
        self.assertTrue((entry.after or {})["new_account"])

    def test_it_refuses_an_existing_account_without_saying_where(self) -> None:
        # Reviewer's proof: inviting another clinic's admin attached their account, so this
        # clinic's admin could then end their sessions. Now it is refused at the field.
        theirs = Client()
        sign_in(theirs, self.outsider)
        key = session_key(theirs)
        self.login("clinic_admin")
        response = self.client.post(
            ADD, {"email": "Admin@Other.example", "full_name": "Typed name", "role": "nurse"}
        )
        self.assertContains(response, "This email cannot be invited here.")
        self.assertContains(response, 'value="Typed name"')
        self.assertContains(response, 'aria-invalid="true"')
        self.assertNotContains(response, "Other Clinic")
        self.assertFalse(Membership.objects.filter(user=self.outsider, clinic=self.clinic).exists())
        self.assertFalse(AuditEntry.objects.filter(action="staff.invite").exists())
        self.assertTrue(session_exists(key))
        self.outsider.refresh_from_db()
        self.assertTrue(self.outsider.has_usable_password())
        # An account with no clinic at all gets the very same words.
        User.objects.create_user("loose@example.org", None, full_name="Loose")
        response = self.client.post(
            ADD, {"email": "loose@example.org", "full_name": "Loose", "role": "nurse"}
        )
        self.assertContains(response, "This email cannot be invited here.")

    def test_it_refuses_a_duplicate_at_the_field(self) -> None:
        self.login("clinic_admin")
        response = self.client.post(
            ADD, {"email": "nurse@sturges.example", "full_name": "Again", "role": "nurse"}
        )
        self.assertContains(response, "already has a role in this clinic")
        self.assertContains(response, 'value="Again"')

    def test_it_changes_a_role_and_ends_their_sessions(self) -> None:
        nurse = Client()
        sign_in(nurse, self.users["nurse"])
        key = session_key(nurse)
        self.login("clinic_admin")
        response = self.client.post(
            change_url(self.nurse_m), {"role": "physician", "is_active": "on"}
        )
        self.assertEqual(response.status_code, 302)
        self.nurse_m.refresh_from_db()
        self.assertEqual(self.nurse_m.role, Role.PHYSICIAN)
        self.assertFalse(session_exists(key))
        entry = AuditEntry.objects.get(action="staff.update")
        self.assertEqual(
            ((entry.before or {})["role"], (entry.after or {})["role"]), ("nurse", "physician")
        )

    def test_deactivating_a_role_ends_their_sessions(self) -> None:
        nurse = Client()
        sign_in(nurse, self.users["nurse"])
        self.login("clinic_admin")
        self.client.post(change_url(self.nurse_m), {"role": "nurse"})
        self.nurse_m.refresh_from_db()
        self.assertFalse(self.nurse_m.is_active)
        self.assertEqual(nurse.get(reverse("web:home")).status_code, 302)
        self.assertTrue(self.users["nurse"].is_active)

    def test_the_only_admin_cannot_demote_themselves(self) -> None:
        self.login("clinic_admin")
        mine = Membership.objects.get(user=self.users["clinic_admin"])
        response = self.client.post(change_url(mine), {"role": "nurse", "is_active": "on"})
        self.assertContains(response, "only clinic admin")
        mine.refresh_from_db()
        self.assertEqual(mine.role, Role.CLINIC_ADMIN)

    def test_it_deactivates_an_account_and_its_sessions(self) -> None:
        nurse = Client()
        sign_in(nurse, self.users["nurse"])
        self.login("clinic_admin")
        response = self.client.post(
            LIST, {"action": "deactivate_accounts", "_selected_action": [self.nurse_m.pk]}
        )
        self.assertEqual(response.status_code, 302)
        self.users["nurse"].refresh_from_db()
        self.assertFalse(self.users["nurse"].is_active)
        self.assertEqual(nurse.get(reverse("web:home")).status_code, 302)
        self.assertFalse(
            UserSession.objects.filter(user=self.users["nurse"], ended_at__isnull=True).exists()
        )
        self.assertTrue(AuditEntry.objects.filter(action="account.deactivate").exists())

    def test_it_does_not_deactivate_an_account_another_clinic_uses(self) -> None:
        both = make_user("both@example.org", "Both", self.clinic, Role.NURSE)
        Membership.objects.create(user=both, clinic=self.other, role=Role.NURSE)
        self.login("clinic_admin")
        m = Membership.objects.get(user=both, clinic=self.clinic)
        self.client.post(LIST, {"action": "deactivate_accounts", "_selected_action": [m.pk]})
        both.refresh_from_db()
        self.assertTrue(both.is_active)

    def test_actions_ignore_another_clinics_rows(self) -> None:
        self.login("clinic_admin")
        self.client.post(
            LIST, {"action": "deactivate_accounts", "_selected_action": [self.outsider_m.pk]}
        )
        self.outsider.refresh_from_db()
        self.assertTrue(self.outsider.is_active)

    def test_it_signs_someone_out_everywhere(self) -> None:
        nurse = Client()
        sign_in(nurse, self.users["nurse"])
        self.login("clinic_admin")
        self.client.post(
            LIST, {"action": "sign_out_everywhere", "_selected_action": [self.nurse_m.pk]}
        )
        self.assertEqual(nurse.get(reverse("web:home")).status_code, 302)

    def test_nothing_can_be_deleted(self) -> None:
        self.login("clinic_admin")
        url = reverse("admin:accounts_membership_delete", args=[self.nurse_m.pk])
        self.assertEqual(self.client.get(url).status_code, 403)
        self.assertEqual(self.client.post(url, {"post": "yes"}).status_code, 403)
        response = self.client.post(
            LIST, {"action": "delete_selected", "_selected_action": [self.nurse_m.pk]}
        )
        self.assertTrue(Membership.objects.filter(pk=self.nurse_m.pk).exists())
        self.assertIn(response.status_code, (200, 302))

    def test_third_party_admins_are_not_served(self) -> None:
        self.login("clinic_admin")
        response = self.client.get(reverse("admin:index"))
        self.assertContains(response, "Memberships")
        self.assertNotContains(response, "TOTP")
        self.assertNotContains(response, "Access attempts")
