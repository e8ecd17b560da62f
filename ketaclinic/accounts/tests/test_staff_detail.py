"""One person's page: the summary, and changing their role or turning it off."""

from django.test import Client
from django.urls import reverse

from ketaclinic.accounts.models import Membership, Role, User
from ketaclinic.accounts.tests.helpers import session_exists, session_key
from ketaclinic.accounts.tests.staff_helpers import (
    StaffTestCase,
    action_url,
    detail_url,
    invited,
)
from ketaclinic.audit.models import AuditEntry
from ketaclinic.testing import make_user, sign_in


class StaffDetailTestCase(StaffTestCase):
    def setUp(self) -> None:
        self.nurse_m = self.membership("nurse")

    def test_it_shows_the_summary_and_the_actions(self) -> None:
        self.login("clinic_admin")
        browser = Client()
        sign_in(browser, self.users["nurse"])
        response = self.client.get(detail_url(self.nurse_m))
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "<h1>Nurse</h1>", html=True)
        self.assertContains(response, "nurse@sturges.example")
        self.assertContains(response, '<span class="badge badge--success">Active</span>')
        self.assertContains(response, "1 session now")
        self.assertEqual(response.context["form"]["role"].value(), "nurse")
        for name in ("sign_out", "reset_two_factor", "deactivate"):
            self.assertContains(response, f'action="{action_url(name, self.nurse_m)}"')
        # Resend and revoke are for an invitation nobody has used.
        for name in ("resend_invitation", "revoke_invitation"):
            self.assertNotContains(response, action_url(name, self.nurse_m))
        self.assertContains(response, "<dialog", count=3)
        self.assertContains(response, "Deactivate this account?</h2>")

    def test_a_pending_invitation_offers_resend_and_revoke(self) -> None:
        pending = invited("new.nurse@sturges.example", self.clinic)
        self.login("clinic_admin")
        response = self.client.get(detail_url(pending))
        self.assertContains(response, "Invitation pending")
        self.assertContains(response, action_url("resend_invitation", pending))
        self.assertContains(response, action_url("revoke_invitation", pending))
        self.assertNotContains(response, action_url("reset_two_factor", pending))
        self.assertNotContains(response, action_url("deactivate", pending))
        self.assertContains(response, "Not set up yet")
        self.assertContains(response, "Never")

    def test_the_admins_own_page_points_to_my_account(self) -> None:
        self.login("clinic_admin")
        mine = self.membership("clinic_admin")
        response = self.client.get(detail_url(mine))
        self.assertContains(response, reverse("accounts:security"))
        for name in ("sign_out", "reset_two_factor", "deactivate"):
            self.assertNotContains(response, action_url(name, mine))

    def test_it_changes_a_role_and_ends_their_sessions_here(self) -> None:
        nurse = Client()
        sign_in(nurse, self.users["nurse"])
        key = session_key(nurse)
        self.login("clinic_admin")
        response = self.post(
            detail_url(self.nurse_m), {"role": "physician", "is_active": "on"}, follow=True
        )
        self.assertRedirects(response, detail_url(self.nurse_m))
        self.assertContains(response, "Saved the role of Nurse.")
        self.nurse_m.refresh_from_db()
        self.assertEqual(self.nurse_m.role, Role.PHYSICIAN)
        self.assertFalse(session_exists(key))
        entry = AuditEntry.objects.get(action="staff.update")
        self.assertEqual(
            ((entry.before or {})["role"], (entry.after or {})["role"]), ("nurse", "physician")
        )
        self.assertEqual(entry.object_id, str(self.nurse_m.pk))
        self.assertEqual(entry.clinic_id, self.clinic.pk)

    def test_turning_a_role_off_ends_their_sessions_and_keeps_the_account(self) -> None:
        nurse = Client()
        sign_in(nurse, self.users["nurse"])
        self.login("clinic_admin")
        self.post(detail_url(self.nurse_m), {"role": "nurse"})
        self.nurse_m.refresh_from_db()
        self.assertFalse(self.nurse_m.is_active)
        self.assertEqual(nurse.get(reverse("web:home")).status_code, 302)
        self.users["nurse"].refresh_from_db()
        self.assertTrue(self.users["nurse"].is_active)
        response = self.client.get(detail_url(self.nurse_m))
        self.assertContains(response, "Role turned off")

    def test_saving_nothing_new_records_nothing(self) -> None:
        self.login("clinic_admin")
        self.post(detail_url(self.nurse_m), {"role": "nurse", "is_active": "on"})
        self.assertFalse(AuditEntry.objects.filter(action="staff.update").exists())

    def test_the_only_admin_cannot_demote_themselves_and_sees_it_at_the_field(self) -> None:
        self.login("clinic_admin")
        mine = self.membership("clinic_admin")
        for data in ({"role": "nurse", "is_active": "on"}, {"role": "clinic_admin"}):
            response = self.post(detail_url(mine), data)
            self.assertEqual(response.status_code, 200)
            self.assertContains(response, "You are the only clinic admin; appoint another first.")
            self.assertContains(response, 'id="id_role_error"')
            self.assertEqual(response.context["form"]["role"].value(), data["role"])
            mine.refresh_from_db()
            self.assertEqual((mine.role, mine.is_active), (Role.CLINIC_ADMIN, True))
        self.assertFalse(AuditEntry.objects.filter(action="staff.update").exists())

    def test_an_admin_whose_account_is_off_does_not_count_as_another(self) -> None:
        spare = make_user("spare@sturges.example", "Spare Admin", self.clinic, Role.CLINIC_ADMIN)
        User.objects.filter(pk=spare.pk).update(is_active=False)
        self.login("clinic_admin")
        mine = self.membership("clinic_admin")
        response = self.post(detail_url(mine), {"role": "nurse", "is_active": "on"})
        self.assertContains(response, "only clinic admin")

    def test_with_a_second_admin_one_may_step_down_and_is_signed_out_here(self) -> None:
        make_user("second@sturges.example", "Second Admin", self.clinic, Role.CLINIC_ADMIN)
        self.login("clinic_admin")
        mine = self.membership("clinic_admin")
        response = self.post(detail_url(mine), {"role": "coordinator", "is_active": "on"})
        self.assertRedirects(response, reverse("accounts:login"), fetch_redirect_response=False)
        mine.refresh_from_db()
        self.assertEqual(mine.role, Role.COORDINATOR)
        self.assertEqual(self.client.get(reverse("web:home")).status_code, 302)

    def test_the_action_refuses_the_last_admins_demotion_at_the_role_field(self) -> None:
        # The form saw a second admin; by the time the action runs, that admin is gone.
        from django.core.exceptions import ValidationError
        from django.test import RequestFactory

        from ketaclinic.accounts.actions.staff import update_membership

        mine = Membership.objects.select_related("user", "clinic").get(
            user=self.users["clinic_admin"]
        )
        request = RequestFactory().post("/")
        request.user = self.users["clinic_admin"]
        with self.assertRaises(ValidationError) as caught:
            update_membership(mine, mine, role=Role.NURSE, is_active=True, request=request)
        self.assertIn("only clinic admin", caught.exception.message_dict["role"][0])
        mine.refresh_from_db()
        self.assertEqual(mine.role, Role.CLINIC_ADMIN)

    def test_the_other_clinics_admin_cannot_see_or_change_ours(self) -> None:
        self.login(self.outsider)
        self.assertEqual(self.client.get(detail_url(self.nurse_m)).status_code, 404)
        response = self.post(detail_url(self.nurse_m), {"role": "clinic_admin", "is_active": "on"})
        self.assertEqual(response.status_code, 404)
        self.nurse_m.refresh_from_db()
        self.assertEqual((self.nurse_m.role, self.nurse_m.is_active), (Role.NURSE, True))
        self.assertFalse(AuditEntry.objects.filter(action="staff.update").exists())

    def test_it_is_for_the_clinic_admin_only(self) -> None:
        url = detail_url(self.nurse_m)
        self.assert_for_the_clinic_admin_only(url)
        data = {"role": "clinic_admin", "is_active": "on"}
        self.assert_for_the_clinic_admin_only(url, method="post", data=data)
        self.nurse_m.refresh_from_db()
        self.assertEqual(self.nurse_m.role, Role.NURSE)
