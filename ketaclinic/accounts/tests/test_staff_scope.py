"""One clinic's admin acts on a person's sessions in that clinic only (review finding 1)."""

from django.test import Client
from django.urls import reverse

from ketaclinic.access.middleware import CLINIC_SESSION_KEY
from ketaclinic.accounts.models import Membership, Role, User, UserSession
from ketaclinic.accounts.tests.helpers import session_exists, session_key
from ketaclinic.accounts.tests.staff_helpers import StaffTestCase, action_url, detail_url
from ketaclinic.audit.models import AuditEntry
from ketaclinic.testing import make_user, sign_in

CONFIRMED = {"confirmed": "1"}


def in_clinic(user: User, clinic_id: int) -> Client:
    """A browser signed in as ``user`` that chose ``clinic_id`` as its current clinic."""
    client = Client()
    sign_in(client, user)
    session = client.session
    session[CLINIC_SESSION_KEY] = clinic_id
    session.save()
    return client


class StaffScopeTestCase(StaffTestCase):
    def setUp(self) -> None:
        # Works at both clinics (added by the site operator, as invitations cannot do it).
        self.both = make_user("both@example.org", "Bo Both", self.clinic, Role.NURSE)
        Membership.objects.create(user=self.both, clinic=self.other, role=Role.NURSE)
        self.here = Membership.objects.get(user=self.both, clinic=self.clinic)
        self.at_other = in_clinic(self.both, self.other.pk)
        self.at_ours = in_clinic(self.both, self.clinic.pk)
        self.other_key = session_key(self.at_other)
        self.our_key = session_key(self.at_ours)

    def test_the_page_counts_only_the_sessions_working_here(self) -> None:
        self.login("clinic_admin")
        response = self.client.get(detail_url(self.here))
        self.assertEqual(response.context["sessions_here"], 1)

    def test_sign_out_ends_only_sessions_in_this_clinic(self) -> None:
        self.login("clinic_admin")
        response = self.post(action_url("sign_out", self.here), CONFIRMED)
        self.assertRedirects(response, detail_url(self.here), fetch_redirect_response=False)
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
        self.post(detail_url(self.here), {"role": "physician", "is_active": "on"})
        self.here.refresh_from_db()
        self.assertEqual(self.here.role, Role.PHYSICIAN)
        self.assertFalse(session_exists(self.our_key))
        self.assertTrue(session_exists(self.other_key))

    def test_turning_the_role_off_here_ends_the_sessions_working_here(self) -> None:
        # A session that never chose a clinic works in the first by name: Other Clinic.
        unchosen = Client()
        sign_in(unchosen, self.both)
        self.login("clinic_admin")
        self.post(detail_url(self.here), {"role": "nurse"})
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
        self.post(action_url("sign_out", m), CONFIRMED)
        self.assertFalse(session_exists(key))

    def test_the_account_is_not_deactivated_while_another_clinic_uses_it(self) -> None:
        self.login("clinic_admin")
        response = self.post(action_url("deactivate", self.here), CONFIRMED)
        self.assertContains(response, "also works at another clinic")
        self.both.refresh_from_db()
        self.assertTrue(self.both.is_active)
        self.assertTrue(session_exists(self.other_key))
        self.assertTrue(session_exists(self.our_key))
