from django.core import mail
from django.db.models.signals import pre_save
from django.urls import reverse

from ketaclinic.accounts.models import User
from ketaclinic.accounts.tests.helpers import enter_sudo
from ketaclinic.audit.models import AuditEntry
from ketaclinic.testing import BaseTestCase

URL = reverse("accounts:email_change")


class EmailChangeTestCase(BaseTestCase):
    def test_it_asks_for_the_password_first(self) -> None:
        self.login("nurse")
        for response in (self.client.get(URL), self.client.post(URL, {"email": "x@y.example"})):
            self.assertEqual(response.status_code, 302)
            self.assertTrue(response["Location"].startswith(reverse("accounts:reauth")))
        self.users["nurse"].refresh_from_db()
        self.assertEqual(self.users["nurse"].email, "nurse@sturges.example")

    def test_it_changes_the_email_for_every_role(self) -> None:
        for role, user in self.users.items():
            self.login(role)
            enter_sudo(self.client)
            with self.captureOnCommitCallbacks(execute=True):
                response = self.client.post(URL, {"email": f"New.{role}@Example.org"})
            self.assertRedirects(
                response, reverse("accounts:security"), fetch_redirect_response=False
            )
            user.refresh_from_db()
            self.assertEqual(user.email, f"new.{role}@example.org")
            entry = AuditEntry.objects.get(action="account.email.change", object_id=str(user.pk))
            self.assertEqual(entry.before, {"email": f"{role}@sturges.example"})
        self.assertEqual(len(mail.outbox), len(self.users))
        self.assertEqual(mail.outbox[0].to, ["clinic_admin@sturges.example"])

    def test_it_refuses_an_email_in_use_at_the_field(self) -> None:
        self.login("nurse")
        enter_sudo(self.client)
        response = self.client.post(URL, {"email": "physician@sturges.example"})
        self.assertContains(response, "Another account uses this email.")
        self.assertContains(response, 'value="physician@sturges.example"')
        self.assertContains(response, 'aria-invalid="true"')

    def test_an_address_taken_meanwhile_is_refused_at_the_field(self) -> None:
        def racer(sender: type[User], instance: User, **kwargs: object) -> None:
            # Another account takes the address between the form's check and the save.
            if instance.pk is not None and instance.email == "taken@example.org":
                User.objects.bulk_create([User(email="taken@example.org", full_name="Racer")])

        pre_save.connect(racer, sender=User, dispatch_uid="test_email_race")
        self.addCleanup(pre_save.disconnect, sender=User, dispatch_uid="test_email_race")
        self.login("nurse")
        enter_sudo(self.client)
        response = self.client.post(URL, {"email": "taken@example.org"})
        self.assertContains(response, "Another account uses this email.")
        self.assertContains(response, 'value="taken@example.org"')
        self.users["nurse"].refresh_from_db()
        self.assertEqual(self.users["nurse"].email, "nurse@sturges.example")
        self.assertFalse(AuditEntry.objects.filter(action="account.email.change").exists())
        self.assertEqual(len(mail.outbox), 0)

    def test_it_is_closed_to_the_anonymous(self) -> None:
        self.assert_denied(self.client.get(URL), 302)

    def test_it_changes_only_the_other_clinics_admins_own_email(self) -> None:
        self.login(self.outsider)
        enter_sudo(self.client)
        self.client.post(URL, {"email": "boss@other.example"})
        self.outsider.refresh_from_db()
        self.assertEqual(self.outsider.email, "boss@other.example")
        self.users["clinic_admin"].refresh_from_db()
        self.assertEqual(self.users["clinic_admin"].email, "clinic_admin@sturges.example")
