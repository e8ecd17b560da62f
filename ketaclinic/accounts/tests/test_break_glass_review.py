import datetime as dt

from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils import timezone

from ketaclinic.accounts.models import BreakGlassGrant, Role
from ketaclinic.audit.models import AuditEntry
from ketaclinic.clinics.models import Clinic
from ketaclinic.testing import BaseTestCase

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
        self.assert_denied(self.client.get(URL))
