import datetime as dt
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils import timezone

from ketaclinic.accounts.models import BreakGlassGrant, Role
from ketaclinic.audit.models import AuditEntry
from ketaclinic.clinics.models import Clinic
from ketaclinic.testing import BaseTestCase, make_user

URL = reverse("accounts:break_glass_review")


class BreakGlassReviewTestCase(BaseTestCase):
    def setUp(self) -> None:
        now = timezone.now()
        ct = ContentType.objects.get_for_model(Clinic)
        self.grant = BreakGlassGrant.objects.create(
            clinic=self.clinic,
            user=self.users["nurse"],
            role=Role.NURSE,
            content_type=ct,
            object_id=str(self.clinic.pk),
            reason="<b>Emergency</b> in chair 2",
            expires_at=now + dt.timedelta(hours=1),
        )
        self.foreign = BreakGlassGrant.objects.create(
            clinic=self.other,
            user=self.outsider,
            role=Role.CLINIC_ADMIN,
            content_type=ct,
            object_id=str(self.other.pk),
            reason="Other clinic's secret reason",
            expires_at=now + dt.timedelta(hours=1),
        )

    def test_it_lists_this_clinics_grants_for_the_admin(self) -> None:
        self.login("clinic_admin")
        response = self.client.get(URL)
        self.assertContains(response, "&lt;b&gt;Emergency&lt;/b&gt; in chair 2")
        self.assertNotContains(response, "Other clinic's secret reason")
        self.assertContains(response, "Mark reviewed")

    def test_it_marks_a_grant_reviewed(self) -> None:
        self.login("clinic_admin")
        response = self.client.post(
            reverse("accounts:break_glass_reviewed", args=[self.grant.pk]), {"note": "Justified."}
        )
        self.assertRedirects(response, URL, fetch_redirect_response=False)
        self.grant.refresh_from_db()
        self.assertEqual(self.grant.reviewed_by, self.users["clinic_admin"])
        self.assertEqual(self.grant.review_note, "Justified.")
        self.assertTrue(AuditEntry.objects.filter(action="break_glass.review").exists())
        self.assertNotContains(self.client.get(URL), "chair 2")
        self.assertContains(self.client.get(URL + "?show=all"), "Justified.")

    def test_it_is_for_the_clinic_admin_only(self) -> None:
        for role in self.roles_except(Role.CLINIC_ADMIN):
            self.login(role)
            self.assertEqual(self.client.get(URL).status_code, 403)
            response = self.client.post(
                reverse("accounts:break_glass_reviewed", args=[self.grant.pk])
            )
            self.assertEqual(response.status_code, 403)
        self.grant.refresh_from_db()
        self.assertIsNone(self.grant.reviewed_at)

    def test_the_other_clinics_admin_cannot_review_ours(self) -> None:
        self.login(self.outsider)
        self.assertNotContains(self.client.get(URL), "chair 2")
        response = self.client.post(reverse("accounts:break_glass_reviewed", args=[self.grant.pk]))
        self.assertEqual(response.status_code, 404)

    def test_it_refuses_get_on_review(self) -> None:
        self.login("clinic_admin")
        response = self.client.get(reverse("accounts:break_glass_reviewed", args=[self.grant.pk]))
        self.assertEqual(response.status_code, 405)

    def test_it_is_closed_to_the_anonymous(self) -> None:
        self.assert_denied(self.client.get(URL), 302)


class BreakGlassReviewFixesTestCase(BaseTestCase):
    """Review findings 4 and 5: notes are not dropped, no self-review, local times."""

    def grant_for(self, user_role: str, **extra: object) -> BreakGlassGrant:
        fields: dict[str, object] = {
            "clinic": self.clinic,
            "user": self.users[user_role],
            "role": user_role,
            "content_type": ContentType.objects.get_for_model(Clinic),
            "object_id": str(self.clinic.pk),
            "reason": "Emergency in chair 2",
            "expires_at": timezone.now() + dt.timedelta(hours=1),
            **extra,
        }
        return BreakGlassGrant.objects.create(**fields)

    def review(self, grant: BreakGlassGrant, note: str) -> Any:
        return self.client.post(
            reverse("accounts:break_glass_reviewed", args=[grant.pk]), {"note": note}
        )

    def test_an_overlong_note_is_shown_back_at_the_field(self) -> None:
        grant = self.grant_for("nurse")
        self.login("clinic_admin")
        note = "Checked with the nurse. " + "x" * 2000
        response = self.review(grant, note)
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "Keep the note to 2000 characters or fewer")
        self.assertContains(response, note)
        self.assertContains(response, f'aria-describedby="note-{grant.pk}_error"')
        self.assertContains(response, 'aria-invalid="true"')
        grant.refresh_from_db()
        self.assertIsNone(grant.reviewed_at)
        self.assertFalse(AuditEntry.objects.filter(action="break_glass.review").exists())

    def test_an_admin_does_not_review_their_own_grant_when_another_admin_can(self) -> None:
        second = make_user(
            "second.admin@sturges.example", "Second Admin", self.clinic, "clinic_admin"
        )
        grant = self.grant_for("clinic_admin")
        self.login("clinic_admin")
        response = self.review(grant, "It was fine")
        self.assertContains(response, "Another clinic admin must review it")
        self.assertContains(response, "It was fine")
        grant.refresh_from_db()
        self.assertIsNone(grant.reviewed_at)
        # The other admin can.
        self.login(second)
        self.review(grant, "Agreed")
        grant.refresh_from_db()
        self.assertEqual(grant.reviewed_by, second)
        entry = AuditEntry.objects.get(action="break_glass.review")
        self.assertFalse((entry.after or {})["self_review"])

    def test_the_only_admin_may_review_their_own_grant_on_the_record(self) -> None:
        grant = self.grant_for("clinic_admin")
        self.login("clinic_admin")
        response = self.review(grant, "No one else to ask")
        self.assertEqual(response.status_code, 302)
        grant.refresh_from_db()
        self.assertEqual(grant.reviewed_by, self.users["clinic_admin"])
        entry = AuditEntry.objects.get(action="break_glass.review")
        self.assertTrue((entry.after or {})["self_review"])
        self.assertIn("self-review", entry.reason)

    def test_it_shows_times_in_the_clinics_zone(self) -> None:
        self.clinic.time_zone = "America/Chicago"
        self.clinic.save()
        when = dt.datetime(2026, 1, 15, 18, 0, tzinfo=dt.UTC)
        self.grant_for("nurse", created_at=when, expires_at=when + dt.timedelta(hours=1))
        self.login("clinic_admin")
        response = self.client.get(URL)
        self.assertContains(response, "2026-01-15 12:00 CST")
        self.assertContains(response, "2026-01-15 13:00 CST")
        self.assertNotContains(response, "18:00")
