"""One clinic's admin acts on a person's sessions in that clinic only (review finding 1)."""

from django.db.models.signals import pre_save
from django.test import Client
from django.urls import reverse

from ketaclinic.access.middleware import CLINIC_SESSION_KEY
from ketaclinic.accounts.actions.staff import CANNOT_INVITE
from ketaclinic.accounts.models import Membership, Role, User, UserSession
from ketaclinic.accounts.tests.helpers import session_exists, session_key
from ketaclinic.audit.models import AuditEntry
from ketaclinic.testing import BaseTestCase, make_user, sign_in

LIST = reverse("admin:accounts_membership_changelist")
ADD = reverse("admin:accounts_membership_add")


def in_clinic(user: User, clinic_id: int) -> Client:
    """A browser signed in as ``user`` that chose ``clinic_id`` as its current clinic."""
    client = Client()
    sign_in(client, user)
    session = client.session
    session[CLINIC_SESSION_KEY] = clinic_id
    session.save()
    return client


class StaffScopeTestCase(BaseTestCase):
    def setUp(self) -> None:
        # Works at both clinics (added by the site operator, as invitations cannot do it).
        self.both = make_user("both@example.org", "Bo Both", self.clinic, Role.NURSE)
        Membership.objects.create(user=self.both, clinic=self.other, role=Role.NURSE)
        self.here = Membership.objects.get(user=self.both, clinic=self.clinic)
        self.at_other = in_clinic(self.both, self.other.pk)
        self.at_ours = in_clinic(self.both, self.clinic.pk)
        self.other_key = session_key(self.at_other)
        self.our_key = session_key(self.at_ours)

    def test_sign_out_everywhere_ends_only_sessions_in_this_clinic(self) -> None:
        self.login("clinic_admin")
        response = self.client.post(
            LIST, {"action": "sign_out_everywhere", "_selected_action": [self.here.pk]}
        )
        self.assertEqual(response.status_code, 302)
        self.assertFalse(session_exists(self.our_key))
        self.assertTrue(session_exists(self.other_key))
        self.assertEqual(self.at_other.get(reverse("web:home")).status_code, 200)
        self.assertTrue(
            UserSession.objects.filter(session_key=self.other_key, ended_at=None).exists()
        )
        entry = AuditEntry.objects.get(action="auth.sessions.end")
        self.assertEqual((entry.after or {})["clinic"], self.clinic.pk)

    def test_a_role_change_here_spares_their_sessions_elsewhere(self) -> None:
        self.login("clinic_admin")
        self.client.post(
            reverse("admin:accounts_membership_change", args=[self.here.pk]),
            {"role": "physician", "is_active": "on"},
        )
        self.here.refresh_from_db()
        self.assertEqual(self.here.role, Role.PHYSICIAN)
        self.assertFalse(session_exists(self.our_key))
        self.assertTrue(session_exists(self.other_key))

    def test_deactivating_the_role_here_ends_the_sessions_working_here(self) -> None:
        # A session that never chose a clinic works in the first by name: Other Clinic.
        unchosen = Client()
        sign_in(unchosen, self.both)
        self.login("clinic_admin")
        self.client.post(
            reverse("admin:accounts_membership_change", args=[self.here.pk]), {"role": "nurse"}
        )
        self.here.refresh_from_db()
        self.assertFalse(self.here.is_active)
        self.assertFalse(session_exists(self.our_key))
        self.assertTrue(session_exists(self.other_key))
        self.assertTrue(session_exists(session_key(unchosen)))

    def test_a_session_in_this_clinic_by_default_is_in_scope(self) -> None:
        only_here = make_user("only@sturges.example", "Only Here", self.clinic, Role.NURSE)
        browser = Client()
        sign_in(browser, only_here)
        key = session_key(browser)
        self.login("clinic_admin")
        m = Membership.objects.get(user=only_here)
        self.client.post(LIST, {"action": "sign_out_everywhere", "_selected_action": [m.pk]})
        self.assertFalse(session_exists(key))

    def test_the_account_is_not_deactivated_while_another_clinic_uses_it(self) -> None:
        self.login("clinic_admin")
        response = self.client.post(
            LIST, {"action": "deactivate_accounts", "_selected_action": [self.here.pk]}, follow=True
        )
        self.assertContains(response, "also works at another clinic")
        self.both.refresh_from_db()
        self.assertTrue(self.both.is_active)
        self.assertTrue(session_exists(self.other_key))
        self.assertTrue(session_exists(self.our_key))


class InviteRaceTestCase(BaseTestCase):
    def test_an_address_taken_during_the_invite_is_refused_at_the_field(self) -> None:
        def racer(sender: type[User], instance: User, **kwargs: object) -> None:
            # Another request creates the account between the form's check and the insert.
            if instance.pk is None and instance.email == "race@example.org":
                User.objects.bulk_create([User(email=instance.email, full_name="Racer")])

        pre_save.connect(racer, sender=User, dispatch_uid="test_invite_race")
        self.addCleanup(pre_save.disconnect, sender=User, dispatch_uid="test_invite_race")
        self.login("clinic_admin")
        response = self.client.post(
            ADD, {"email": "race@example.org", "full_name": "Rae Race", "role": "nurse"}
        )
        self.assertContains(response, CANNOT_INVITE)
        self.assertContains(response, 'value="Rae Race"')
        # (The racer's row went with the rolled-back attempt here; in real life it was
        # committed by the other request.)
        self.assertFalse(User.objects.filter(full_name="Rae Race").exists())
        self.assertFalse(Membership.objects.filter(user__email="race@example.org").exists())
        self.assertFalse(AuditEntry.objects.filter(action="staff.invite").exists())

    def test_it_is_still_for_the_clinic_admin_only(self) -> None:
        for role in self.roles_except(Role.CLINIC_ADMIN):
            self.login(role)
            response = self.client.post(
                ADD, {"email": f"new.{role}@example.org", "full_name": "N", "role": "nurse"}
            )
            self.assertEqual(response.status_code, 403)
        self.assertFalse(User.objects.filter(email__startswith="new.").exists())


class UpdateMembershipRaceTestCase(BaseTestCase):
    def test_the_action_refuses_the_last_admins_demotion_at_the_role_field(self) -> None:
        # The form saw a second admin; by the time the action runs, that admin is gone.
        from django.core.exceptions import ValidationError
        from django.test import RequestFactory

        from ketaclinic.accounts.actions.staff import update_membership

        mine = Membership.objects.get(user=self.users["clinic_admin"])
        request = RequestFactory().post("/")
        request.user = self.users["clinic_admin"]
        request.membership = mine  # type: ignore[attr-defined]
        request.clinic = self.clinic  # type: ignore[attr-defined]
        with self.assertRaises(ValidationError) as caught:
            update_membership(mine, mine, role=Role.NURSE, is_active=True, request=request)
        self.assertIn("only clinic admin", caught.exception.message_dict["role"][0])
        mine.refresh_from_db()
        self.assertEqual(mine.role, Role.CLINIC_ADMIN)
