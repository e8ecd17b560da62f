"""The 403 page says why access was refused and whom to ask; 404 and 429 render."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.test import override_settings
from django.urls import path, reverse

from ketaclinic import urls as site_urls
from ketaclinic.accounts.models import Membership, Role
from ketaclinic.testing import BaseTestCase, make_user


def undeclared(request: HttpRequest) -> HttpResponse:
    """A view someone forgot to give an access policy (the middleware refuses it)."""
    return HttpResponse("should never be seen")


urlpatterns = [path("undeclared/", undeclared), *site_urls.urlpatterns]
handler403 = site_urls.handler403
handler404 = site_urls.handler404
ROLE_REASON = "Your role in this clinic does not give access to this page."


class ForbiddenPageTests(BaseTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        make_user("ada@sturges.example", "Ada Lovelace", cls.clinic, Role.CLINIC_ADMIN)
        gone = make_user("gone@sturges.example", "Former Admin", cls.clinic, Role.CLINIC_ADMIN)
        Membership.objects.filter(user=gone).update(is_active=False)

    def test_it_says_why_and_names_the_clinic_admins(self) -> None:
        self.login("nurse")
        response = self.client.get(reverse("audit:report"))
        assert response.status_code == 403
        self.assertContains(response, ROLE_REASON, status_code=403)
        self.assertContains(response, "Ada Lovelace", status_code=403)
        self.assertContains(response, 'href="mailto:ada@sturges.example"', status_code=403)
        self.assertContains(response, "Sturges Family Practice", status_code=403)
        # Not a former admin, and nobody from another clinic.
        self.assertNotContains(response, "Former Admin", status_code=403)
        self.assertNotContains(response, "admin@other.example", status_code=403)

    @override_settings(ROOT_URLCONF=__name__)
    def test_an_admin_is_not_told_to_ask_themselves(self) -> None:
        self.login("clinic_admin")
        response = self.client.get("/undeclared/")
        self.assertContains(response, "Ada Lovelace", status_code=403)
        self.assertNotContains(response, "mailto:clinic_admin@sturges.example", status_code=403)

    @override_settings(ROOT_URLCONF=__name__)
    def test_the_only_admin_is_sent_to_the_site_operator(self) -> None:
        self.login(self.outsider)  # the only admin of the other clinic
        response = self.client.get("/undeclared/")
        self.assertContains(response, "This page has no access policy.", status_code=403)
        self.assertContains(
            response, "You are the only clinic admin of Other Clinic", status_code=403
        )
        self.assertNotContains(response, "Ada Lovelace", status_code=403)

    @override_settings(ROOT_URLCONF=__name__)
    def test_a_page_without_a_policy_says_so_and_still_has_the_clinic(self) -> None:
        self.login("nurse")
        response = self.client.get("/undeclared/")
        self.assertContains(response, "This page has no access policy.", status_code=403)
        self.assertNotContains(response, "should never be seen", status_code=403)
        self.assertContains(response, "Ada Lovelace", status_code=403)
        self.assertContains(response, 'id="workspace-nav"', status_code=403)

    @override_settings(ROOT_URLCONF=__name__, ADMINS=[("Sam Operator", "ops@example.org")])
    def test_anonymous_visitors_are_sent_to_the_site_operator_and_see_no_staff(self) -> None:
        response = self.client.get("/undeclared/")
        self.assertContains(response, "This page has no access policy.", status_code=403)
        self.assertContains(response, "site operator", status_code=403)
        self.assertContains(response, "Sam Operator", status_code=403)
        self.assertNotContains(response, "Ada Lovelace", status_code=403)
        self.assertNotContains(response, 'id="workspace-nav"', status_code=403)

    @override_settings(ROOT_URLCONF=__name__)
    def test_a_password_only_session_sees_no_staff_names(self) -> None:
        self.client.force_login(self.users["nurse"])  # second factor still pending
        response = self.client.get("/undeclared/")
        self.assertContains(response, "This page has no access policy.", status_code=403)
        self.assertNotContains(response, "Ada Lovelace", status_code=403)


class OtherErrorPageTests(BaseTestCase):
    def test_not_found_explains_itself(self) -> None:
        self.login("nurse")
        response = self.client.get("/no-such-page/")
        self.assertContains(response, "Page not found", status_code=404)
        self.assertContains(response, "not in your clinic", status_code=404)
