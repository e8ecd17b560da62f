import datetime as dt

import time_machine
from django.test import Client
from django.urls import reverse

from ketaclinic.accounts.actions.sessions import LAST_SEEN_KEY
from ketaclinic.accounts.models import UserSession
from ketaclinic.accounts.tests.helpers import full_login, session_key
from ketaclinic.testing import BaseTestCase

HOME = reverse("web:home")
START = dt.datetime(2026, 3, 2, 8, 0, 5, tzinfo=dt.UTC)


class SessionLimitsTestCase(BaseTestCase):
    def test_it_keeps_an_active_user_signed_in(self) -> None:
        with time_machine.travel(START, tick=False) as traveller:
            full_login(self.client, self.users["nurse"])
            for _ in range(4):
                traveller.shift(dt.timedelta(minutes=14))
                self.assertEqual(self.client.get(HOME).status_code, 200)

    def test_it_signs_out_after_the_idle_limit_and_says_why(self) -> None:
        with time_machine.travel(START, tick=False) as traveller:
            full_login(self.client, self.users["nurse"])
            key = session_key(self.client)
            traveller.shift(dt.timedelta(minutes=16))
            response = self.client.get(HOME)
            self.assertRedirects(
                response, reverse("accounts:login") + "?next=/home/", fetch_redirect_response=False
            )
            page = self.client.get(response["Location"])
            self.assertContains(page, "signed out because you were inactive")
            tracked = UserSession.objects.get(session_key=key)
            self.assertEqual(tracked.end_reason, UserSession.EndReason.IDLE)

    def test_it_uses_the_clinics_idle_limit(self) -> None:
        self.clinic.idle_timeout_min = 5
        self.clinic.save()
        with time_machine.travel(START, tick=False) as traveller:
            full_login(self.client, self.users["physician"])
            traveller.shift(dt.timedelta(minutes=4))
            self.assertEqual(self.client.get(HOME).status_code, 200)
            traveller.shift(dt.timedelta(minutes=6))
            self.assertEqual(self.client.get(HOME).status_code, 302)
        # The other clinic's admin keeps the default 15 minutes.
        with time_machine.travel(START, tick=False) as traveller:
            other = Client()
            full_login(other, self.outsider)
            traveller.shift(dt.timedelta(minutes=10))
            self.assertEqual(other.get(HOME).status_code, 200)

    def test_it_signs_out_at_the_absolute_limit_despite_activity(self) -> None:
        with time_machine.travel(START, tick=False) as traveller:
            full_login(self.client, self.users["coordinator"])
            for _ in range(11 * 6):  # 11 hours of a request every 10 minutes
                traveller.shift(dt.timedelta(minutes=10))
                self.assertEqual(self.client.get(HOME).status_code, 200)
            traveller.shift(dt.timedelta(minutes=61))
            response = self.client.get(HOME)
            self.assertEqual(response.status_code, 302)
            page = self.client.get(reverse("accounts:login"))
            self.assertContains(page, "reached its maximum length")

    def test_it_writes_last_seen_at_most_once_a_minute(self) -> None:
        with time_machine.travel(START, tick=False) as traveller:
            full_login(self.client, self.users["nurse"])
            tracked = UserSession.objects.get(session_key=session_key(self.client))
            first = tracked.last_seen_at
            traveller.shift(dt.timedelta(seconds=30))
            self.client.get(HOME)
            tracked.refresh_from_db()
            self.assertEqual(tracked.last_seen_at, first)
            traveller.shift(dt.timedelta(seconds=40))
            self.client.get(HOME)
            tracked.refresh_from_db()
            self.assertEqual(tracked.last_seen_at, START + dt.timedelta(seconds=70))

    def test_it_refuses_a_session_ended_elsewhere(self) -> None:
        full_login(self.client, self.users["nurse"])
        UserSession.objects.filter(session_key=session_key(self.client)).update(
            ended_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
        )
        self.assertEqual(self.client.get(HOME).status_code, 302)


class SessionLimitsByCurrentClinicTestCase(BaseTestCase):
    """Review findings 1 and 8: limits of the session's own clinic; adoption is audited."""

    def setUp(self) -> None:
        from ketaclinic.accounts.models import Membership, Role

        self.clinic.idle_timeout_min = 1
        self.clinic.save()
        self.both = self.users["physician"]
        Membership.objects.create(user=self.both, clinic=self.other, role=Role.PHYSICIAN)

    def choose(self, clinic_id: int) -> None:
        from ketaclinic.access.middleware import CLINIC_SESSION_KEY

        session = self.client.session
        session[CLINIC_SESSION_KEY] = clinic_id
        session.save()

    def test_a_strict_clinic_does_not_time_out_work_at_another(self) -> None:
        with time_machine.travel(START, tick=False) as traveller:
            full_login(self.client, self.both)
            self.choose(self.other.pk)
            traveller.shift(dt.timedelta(minutes=10))
            self.assertEqual(self.client.get(HOME).status_code, 200)

    def test_the_current_clinics_limit_applies(self) -> None:
        with time_machine.travel(START, tick=False) as traveller:
            full_login(self.client, self.both)
            self.choose(self.clinic.pk)
            traveller.shift(dt.timedelta(minutes=2))
            self.assertEqual(self.client.get(HOME).status_code, 302)

    def test_adopting_an_untracked_session_is_audited(self) -> None:
        from ketaclinic.audit.models import AuditEntry
        from ketaclinic.testing import sign_in

        sign_in(self.client, self.users["nurse"])
        key = session_key(self.client)
        # As a session from before tracking existed: no tracking row, no activity time.
        UserSession.objects.filter(session_key=key).delete()
        session = self.client.session
        del session[LAST_SEEN_KEY]
        session.save()
        self.assertEqual(self.client.get(HOME).status_code, 200)
        tracked = UserSession.objects.get(session_key=key)
        entry = AuditEntry.objects.get(action="auth.session.adopt")
        self.assertEqual(entry.object_id, str(self.users["nurse"].pk))
        self.assertEqual(entry.after, {"tracked_session": tracked.pk})
