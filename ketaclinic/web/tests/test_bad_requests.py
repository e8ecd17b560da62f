"""The 400 and 500 pages are the project's own and never read the request body.

A form POST whose urlencoded body declares a charset other than UTF-8 cannot be parsed:
Django raises BadRequest when anything reads ``request.POST``. Django's own 400 and 500 views
run the CSRF check again (``requires_csrf_token``), which reads ``request.POST`` again and
raises again, so such a request used to end in an unhandled exception (a 500 from the server).
"""

from __future__ import annotations

from typing import Any

from django.db import OperationalError, connection
from django.http import HttpRequest, HttpResponse
from django.test import Client, RequestFactory, override_settings
from django.urls import get_resolver, path, reverse

from ketaclinic import urls as site_urls
from ketaclinic.access.policy import public
from ketaclinic.testing import TEST_PASSWORD, BaseTestCase


@public
def broken(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("a bug in a view")


urlpatterns = [path("broken/", broken), *site_urls.urlpatterns]
handler400 = site_urls.handler400
handler403 = site_urls.handler403
handler404 = site_urls.handler404
handler500 = site_urls.handler500

LATIN1 = "application/x-www-form-urlencoded; charset=iso-8859-1"


class NonUtf8FormBodyTests(BaseTestCase):
    """The real test client with CSRF checks on, as a browser's request goes through."""

    def csrf_client(self) -> tuple[Client, str]:
        client = Client(enforce_csrf_checks=True)
        client.get(reverse("accounts:login"))
        return client, client.cookies["ketaclinic-csrf"].value

    def test_the_sign_in_form_answers_400_with_the_projects_page(self) -> None:
        client, token = self.csrf_client()
        body = f"csrfmiddlewaretoken={token}&username=nurse%40sturges.example&password=x%E9"
        response = client.post(reverse("accounts:login"), body.encode(), content_type=LATIN1)
        self.assertEqual(response.status_code, 400)
        self.assertTemplateUsed(response, "web/400.html")
        self.assertContains(response, "The page could not read what was sent", status_code=400)
        self.assertContains(response, "ketaclinic/tokens.css", status_code=400)  # design system
        self.assertNotIn("_auth_user_id", client.session)

    def test_a_staff_form_answers_400_too(self) -> None:
        client, token = self.csrf_client()
        self.client = client
        self.login("nurse")
        body = (
            f"csrfmiddlewaretoken={token}&old_password={TEST_PASSWORD}"
            "&new_password1=caf%E9+caf%E9+caf%E9&new_password2=caf%E9+caf%E9+caf%E9"
        )
        response = client.post(
            reverse("accounts:password_change"), body.encode(), content_type=LATIN1
        )
        self.assertContains(response, "The page could not read what was sent", status_code=400)
        self.users["nurse"].refresh_from_db()
        self.assertTrue(self.users["nurse"].check_password(TEST_PASSWORD))  # nothing changed

    def test_a_view_that_reads_the_body_itself_answers_400(self) -> None:
        # Without the CSRF check (the test client's default) the view is the first to read it.
        response = self.client.post(
            reverse("accounts:login"), b"username=a%E9&password=x", content_type=LATIN1
        )
        self.assertContains(response, "The page could not read what was sent", status_code=400)

    def test_a_utf8_form_body_still_signs_in(self) -> None:
        client, token = self.csrf_client()
        body = f"csrfmiddlewaretoken={token}&username=nurse%40sturges.example&password="
        body += TEST_PASSWORD.replace(" ", "+")
        response = client.post(
            reverse("accounts:login"),
            body.encode(),
            content_type="application/x-www-form-urlencoded; charset=utf-8",
        )
        self.assertRedirects(
            response, reverse("accounts:two_factor"), fetch_redirect_response=False
        )


@override_settings(ROOT_URLCONF=__name__)
class ServerErrorPageTests(BaseTestCase):
    def test_a_bug_gets_the_projects_500_page(self) -> None:
        client = Client(raise_request_exception=False)
        with self.assertLogs("django.request", "ERROR"):
            response = client.get("/broken/")
        self.assertEqual(response.status_code, 500)
        self.assertContains(response, "Something went wrong on our side", status_code=500)
        self.assertContains(response, "ketaclinic/tokens.css", status_code=500)
        self.assertNotContains(response, "a bug in a view", status_code=500)

    def test_the_500_page_needs_neither_the_database_nor_a_user(self) -> None:
        request = RequestFactory().get("/anything/")  # no session, no user: nothing ran

        def refuse(*args: object) -> None:
            raise OperationalError("the database is down")

        with connection.execute_wrapper(refuse):
            response = get_resolver().resolve_error_handler(500)(request)
        self.assertEqual(response.status_code, 500)
        self.assertContains(response, "Something went wrong on our side", status_code=500)

    def test_the_400_page_needs_neither_the_database_nor_a_user(self) -> None:
        request = RequestFactory().post("/accounts/login/", b"a=%E9", content_type=LATIN1)

        def refuse(*args: object) -> None:
            raise OperationalError("the database is down")

        with connection.execute_wrapper(refuse):
            handler: Any = get_resolver().resolve_error_handler(400)  # stubs omit `exception`
            response = handler(request, exception=None)
        self.assertContains(response, "The page could not read what was sent", status_code=400)
        self.assertFalse(hasattr(request, "_post"))  # the body was never parsed
