"""Django's admin is the site operator's (a superuser with both factors); clinic admins are
refused with a page that points to the workspace's own staff pages."""

from django.test import Client
from django.urls import NoReverseMatch, reverse

from ketaclinic.accounts.models import Role, User
from ketaclinic.testing import BaseTestCase, sign_in

INDEX = reverse("admin:index")


class AdminSiteTestCase(BaseTestCase):
    def operator(self) -> User:
        user = self.users["clinic_admin"]
        User.objects.filter(pk=user.pk).update(is_superuser=True, is_staff=True)
        user.refresh_from_db()
        return user

    def test_the_site_operator_keeps_it(self) -> None:
        self.login(self.operator())
        response = self.client.get(INDEX)
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "Site operator")

    def test_a_superuser_without_a_clinic_role_gets_in_too(self) -> None:
        loose = User.objects.create_superuser("operator@example.org", "x" * 20, full_name="Op")
        from django_otp.plugins.otp_totp.models import TOTPDevice

        TOTPDevice.objects.create(user=loose, name="authenticator", confirmed=True)
        self.login(loose)
        self.assertEqual(self.client.get(INDEX).status_code, 200)

    def test_the_clinic_admin_is_refused_and_pointed_to_the_workspace(self) -> None:
        for who in (self.users["clinic_admin"], self.outsider):
            self.login(who)
            response = self.client.get(INDEX)
            self.assertEqual(response.status_code, 403)
            self.assertContains(response, "for the site operator", status_code=403)
            self.assertContains(
                response, f'href="{reverse("accounts:staff_list")}"', status_code=403
            )
            self.assertContains(
                response, f'href="{reverse("accounts:shared_access_list")}"', status_code=403
            )
            # Every admin page, not only the index; a POST changes nothing either.
            response = self.client.get(reverse("admin:clinics_clinic_changelist"))
            self.assertEqual(response.status_code, 403)
            url = reverse("admin:clinics_clinic_change", args=[self.clinic.pk])
            self.assertEqual(self.client.post(url, {"name": "Hijacked"}).status_code, 403)
        self.clinic.refresh_from_db()
        self.assertEqual(self.clinic.name, "Sturges Family Practice")

    def test_django_staff_status_alone_is_not_enough(self) -> None:
        User.objects.filter(pk=self.users["nurse"].pk).update(is_staff=True)
        self.login("nurse")
        self.assertEqual(self.client.get(INDEX).status_code, 403)

    def test_every_other_role_is_refused_without_the_clinic_admin_links(self) -> None:
        for role in self.roles_except(Role.CLINIC_ADMIN):
            self.login(role)
            response = self.client.get(INDEX)
            self.assertEqual(response.status_code, 403, role)
            self.assertNotContains(response, reverse("accounts:staff_list"), status_code=403)

    def test_it_is_closed_to_the_anonymous_and_half_signed_in(self) -> None:
        response = self.client.get(INDEX)
        self.assertEqual(response.status_code, 302)
        self.assertTrue(response["Location"].startswith(reverse("accounts:login")))
        half = Client()
        half.force_login(self.operator())
        self.assertRedirects(
            half.get(INDEX), reverse("accounts:two_factor"), fetch_redirect_response=False
        )

    def test_staff_and_shared_access_are_no_longer_in_it(self) -> None:
        for name in (
            "admin:accounts_membership_changelist",
            "admin:accounts_sharedaccess_changelist",
        ):
            with self.assertRaises(NoReverseMatch):
                reverse(name)
        operator = Client()
        sign_in(operator, self.operator())
        self.assertEqual(operator.get("/clinic-admin/accounts/membership/").status_code, 404)

    def test_third_party_admins_are_not_served(self) -> None:
        self.login(self.operator())
        response = self.client.get(INDEX)
        self.assertNotContains(response, "TOTP")
        self.assertNotContains(response, "Access attempts")
        self.assertNotContains(response, "Groups")
