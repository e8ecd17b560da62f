"""Inviting someone: a new account without a password, a link by mail, refusals at the field."""

from django.core import mail
from django.db.models.signals import pre_save
from django.test import Client
from django.urls import reverse

from ketaclinic.accounts.actions.staff import CANNOT_INVITE
from ketaclinic.accounts.models import Invitation, Membership, Role, User
from ketaclinic.accounts.policies import ROLE_CAPABILITIES, ROLE_SUMMARIES
from ketaclinic.accounts.tests.helpers import session_exists, session_key
from ketaclinic.accounts.tests.staff_helpers import (
    INVITE,
    LIST,
    StaffTestCase,
    invitation_link,
)
from ketaclinic.audit.models import AuditEntry
from ketaclinic.testing import sign_in

NEW = {"email": "New.Nurse@Sturges.example", "full_name": "Nell New", "role": "nurse"}


class StaffInviteTestCase(StaffTestCase):
    def test_it_shows_the_form_and_what_each_role_can_do(self) -> None:
        self.login("clinic_admin")
        response = self.client.get(INVITE)
        self.assertEqual(response.status_code, 200)
        for name in ("full_name", "email", "role"):
            self.assertContains(response, f'name="{name}"')
        for role in Role:
            self.assertContains(response, f'value="{role.value}"')
            self.assertContains(response, ROLE_SUMMARIES[role.value].replace("'", "&#x27;"))
        for capability in ROLE_CAPABILITIES:
            self.assertContains(response, capability.text.replace("'", "&#x27;"))

    def test_it_invites_a_new_person_who_then_shows_as_pending(self) -> None:
        self.login("clinic_admin")
        response = self.post(INVITE, NEW, follow=True)
        self.assertRedirects(response, LIST)
        self.assertContains(response, "Invitation sent to new.nurse@sturges.example")
        user = User.objects.get(email="new.nurse@sturges.example")
        self.assertFalse(user.has_usable_password())
        self.assertEqual(user.full_name, "Nell New")
        membership = Membership.objects.get(user=user)
        self.assertEqual((membership.clinic, membership.role), (self.clinic, Role.NURSE))
        statuses = {m.user_id: status.label for m, status in response.context["people"]}
        self.assertEqual(statuses[user.pk], "Invitation pending")
        self.assertEqual(len(mail.outbox), 1)
        self.assertEqual(mail.outbox[0].to, ["new.nurse@sturges.example"])
        # The link leads to the page to choose a password.
        self.assertEqual(Client().get(invitation_link()).status_code, 302)
        entry = AuditEntry.objects.get(action="staff.invite")
        self.assertEqual(entry.object_id, str(membership.pk))
        self.assertEqual(entry.clinic_id, self.clinic.pk)
        self.assertEqual(entry.actor_id, self.users["clinic_admin"].pk)
        self.assertEqual((entry.after or {})["role"], "nurse")
        self.assertEqual((entry.after or {})["email"], "new.nurse@sturges.example")
        self.assertTrue((entry.after or {})["new_account"])

    def test_an_existing_account_gets_an_invitation_and_nothing_else_changes(self) -> None:
        # Attaching another clinic's admin without their say would let this clinic's admin
        # end their sessions: they get an invitation to accept after signing in instead.
        theirs = Client()
        sign_in(theirs, self.outsider)
        key = session_key(theirs)
        self.login("clinic_admin")
        response = self.post(
            INVITE, {"email": "Admin@Other.example", "full_name": "Typed name", "role": "nurse"}
        )
        self.assertEqual(response.status_code, 302)
        listed = self.client.get(reverse("accounts:staff_list"))
        self.assertContains(listed, "Invitation sent")
        self.assertNotContains(listed, "Other Clinic")
        self.assertFalse(Membership.objects.filter(user=self.outsider, clinic=self.clinic).exists())
        invitation = Invitation.objects.get(user=self.outsider)
        self.assertEqual((invitation.clinic, invitation.role), (self.clinic, "nurse"))
        self.assertFalse(AuditEntry.objects.filter(action="staff.invite").exists())
        self.assertTrue(AuditEntry.objects.filter(action="invitation.send").exists())
        self.assertEqual(len(mail.outbox), 1)
        self.assertIn("Sturges Family Practice", mail.outbox[0].subject)
        self.assertEqual(mail.outbox[0].to, ["admin@other.example"])
        self.assertTrue(session_exists(key))
        self.outsider.refresh_from_db()
        self.assertTrue(self.outsider.has_usable_password())
        self.assertEqual(self.outsider.full_name, "Other Admin")  # the typed name is not used

    def test_it_refuses_someone_already_here_at_the_field(self) -> None:
        self.login("clinic_admin")
        response = self.post(
            INVITE, {"email": "nurse@sturges.example", "full_name": "Again", "role": "physician"}
        )
        self.assertContains(response, "already has a role in this clinic")
        self.assertContains(response, 'value="Again"')
        self.assertContains(response, 'value="physician" id="id_role_1" required checked')
        self.assertEqual(Membership.objects.filter(user=self.users["nurse"]).count(), 1)

    def test_it_asks_for_every_field(self) -> None:
        self.login("clinic_admin")
        response = self.post(INVITE, {"email": "not an email", "full_name": "  "})
        self.assertEqual(response.status_code, 200)
        errors = response.context["form"].errors
        self.assertEqual(set(errors), {"email", "full_name", "role"})
        self.assertContains(response, "There is a problem")
        self.assertContains(response, 'value="not an email"')
        self.assertFalse(User.objects.filter(email="not an email").exists())

    def test_an_address_taken_during_the_invite_is_refused_at_the_field(self) -> None:
        def racer(sender: type[User], instance: User, **kwargs: object) -> None:
            # Another request creates the account between the form's check and the insert.
            if instance.pk is None and instance.email == "race@example.org":
                User.objects.bulk_create([User(email=instance.email, full_name="Racer")])

        pre_save.connect(racer, sender=User, dispatch_uid="test_invite_race")
        self.addCleanup(pre_save.disconnect, sender=User, dispatch_uid="test_invite_race")
        self.login("clinic_admin")
        response = self.post(
            INVITE, {"email": "race@example.org", "full_name": "Rae Race", "role": "nurse"}
        )
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, CANNOT_INVITE)
        self.assertContains(response, 'value="Rae Race"')
        # (The racer's row went with the rolled-back attempt here; in real life it was
        # committed by the other request.)
        self.assertFalse(User.objects.filter(full_name="Rae Race").exists())
        self.assertFalse(Membership.objects.filter(user__email="race@example.org").exists())
        self.assertFalse(AuditEntry.objects.filter(action="staff.invite").exists())
        self.assertEqual(len(mail.outbox), 0)

    def test_the_other_clinics_admin_invites_into_their_own_clinic(self) -> None:
        self.login(self.outsider)
        self.post(INVITE, {"email": "x@other.example", "full_name": "X", "role": "nurse"})
        membership = Membership.objects.get(user__email="x@other.example")
        self.assertEqual(membership.clinic, self.other)
        self.assertFalse(
            Membership.objects.filter(clinic=self.clinic, user__full_name="X").exists()
        )

    def test_it_is_for_the_clinic_admin_only(self) -> None:
        self.assert_for_the_clinic_admin_only(INVITE)
        data = {"email": "sneaky@example.org", "full_name": "S", "role": "clinic_admin"}
        self.assert_for_the_clinic_admin_only(INVITE, method="post", data=data)
        self.assertFalse(User.objects.filter(email="sneaky@example.org").exists())
        self.assertEqual(len(mail.outbox), 0)
