from django.test import Client
from django.urls import reverse

from ketaclinic.accounts.models import UserSession
from ketaclinic.accounts.tests.helpers import session_exists, session_key
from ketaclinic.testing import BaseTestCase, sign_in

URL = reverse("accounts:sessions")


class MySessionsTestCase(BaseTestCase):
    def test_it_lists_only_my_sessions(self) -> None:
        for role, user in self.users.items():
            other = Client()
            sign_in(other, user)
            self.login(role)
            response = self.client.get(URL)
            self.assertEqual(response.status_code, 200)
            mine = UserSession.objects.filter(user=user)
            self.assertEqual(len(response.context["page"].object_list), mine.count())
            self.assertContains(response, "This browser")
            self.assertContains(response, "/end/", count=mine.count())

    def test_it_ends_another_session_of_mine(self) -> None:
        user = self.users["nurse"]
        other = Client()
        sign_in(other, user)
        tracked = UserSession.objects.get(session_key=session_key(other))
        self.login("nurse")
        response = self.client.post(reverse("accounts:session_end", args=[tracked.pk]))
        self.assertRedirects(response, URL, fetch_redirect_response=False)
        self.assertFalse(session_exists(tracked.session_key))
        tracked.refresh_from_db()
        self.assertEqual(tracked.end_reason, UserSession.EndReason.ENDED_BY_USER)
        self.assertRedirects(
            other.get(reverse("web:home")),
            reverse("accounts:login") + "?next=/home/",
            fetch_redirect_response=False,
        )
        self.assertEqual(self.client.get(reverse("web:home")).status_code, 200)

    def test_it_signs_me_out_when_i_end_this_session(self) -> None:
        self.login("nurse")
        tracked = UserSession.objects.get(session_key=session_key(self.client))
        response = self.client.post(reverse("accounts:session_end", args=[tracked.pk]))
        self.assertRedirects(response, reverse("accounts:login"), fetch_redirect_response=False)
        self.assertEqual(self.client.get(reverse("web:home")).status_code, 302)

    def test_it_does_not_end_someone_elses_session(self) -> None:
        victim = Client()
        sign_in(victim, self.users["physician"])
        tracked = UserSession.objects.get(session_key=session_key(victim))
        for who in ("clinic_admin", self.outsider):
            self.login(who)
            response = self.client.post(reverse("accounts:session_end", args=[tracked.pk]))
            self.assertEqual(response.status_code, 404)
        self.assertTrue(session_exists(tracked.session_key))

    def test_it_refuses_get_on_end(self) -> None:
        self.login("nurse")
        tracked = UserSession.objects.get(session_key=session_key(self.client))
        response = self.client.get(reverse("accounts:session_end", args=[tracked.pk]))
        self.assertEqual(response.status_code, 405)

    def test_it_is_closed_to_the_anonymous(self) -> None:
        self.assert_denied(self.client.get(URL), 302)

    def test_it_shows_times_in_my_clinics_zone(self) -> None:
        import datetime as dt

        self.clinic.time_zone = "America/Chicago"
        self.clinic.save()
        user = self.users["nurse"]
        when = dt.datetime(2026, 7, 1, 15, 30, tzinfo=dt.UTC)
        UserSession.objects.create(
            user=user, session_key="old", created_at=when, last_seen_at=when, ended_at=when
        )
        self.login("nurse")
        response = self.client.get(URL)
        self.assertContains(response, "2026-07-01 10:30 CDT")
        self.assertNotContains(response, "15:30")
