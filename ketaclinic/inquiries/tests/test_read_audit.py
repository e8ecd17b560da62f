"""Every page that shows inquirers' details is audited as an opening (``record_view``): the
list, a search's results (that a search was made, never its text, which is patient data), and a
detail page drawn again after a form error."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from ketaclinic.accounts.models import Role
from ketaclinic.audit.models import AuditEntry
from ketaclinic.inquiries.models import Status
from ketaclinic.inquiries.tests.base import InquiryTestCase, make_inquiry

LIST = reverse("inquiries:list")
SEARCH_TEXT = "Anders"


class ReadAuditTests(InquiryTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.alice = make_inquiry(self.clinic, name="Alice Anders (test)", email="a@example.com")
        make_inquiry(self.clinic, name="Bob Brown (test)", email="b@example.com")

    def entries(self, action: str) -> list[AuditEntry]:
        return list(AuditEntry.objects.filter(action=action).order_by("id"))

    def test_opening_the_list_is_recorded_each_time_with_its_filters(self) -> None:
        user = self.login(Role.NURSE)
        self.assertEqual(self.client.get(LIST).status_code, 200)
        self.assertEqual(self.client.get(LIST, {"status": Status.NEW}).status_code, 200)
        first, second = self.entries("view.inquiry_list")
        self.assertEqual(
            (first.actor, first.actor_role, first.clinic), (user, "nurse", self.clinic)
        )
        self.assertEqual((first.object_type, first.object_id), ("inquiries.inquiry", ""))
        self.assertEqual(first.after, {"filters": {}, "page": 1})
        self.assertEqual(second.after, {"filters": {"status": "new"}, "page": 1})
        self.assertFalse(self.entries("view.inquiry_search"))

    def test_a_search_is_recorded_without_its_text(self) -> None:
        self.login(Role.COORDINATOR)
        response = self.client.post(LIST, {"q": SEARCH_TEXT, "urgent": "yes"}, follow=True)
        self.assertEqual([i.name for i in response.context["page"].object_list], [])  # not urgent
        response = self.client.post(LIST, {"q": SEARCH_TEXT}, follow=True)
        self.assertContains(response, "Alice Anders (test)")
        self.assertNotContains(response, "Bob Brown (test)")
        searches = self.entries("view.inquiry_search")
        self.assertEqual(len(searches), 2)  # one per results page shown
        self.assertEqual(searches[0].after, {"filters": {"urgent": "yes"}, "page": 1})
        self.assertEqual(searches[1].after, {"filters": {}, "page": 1})
        self.assertFalse(self.entries("view.inquiry_list"))  # results, not the whole list
        for entry in AuditEntry.objects.all():
            row = " ".join(str(getattr(entry, f.name)) for f in AuditEntry._meta.fields)
            self.assertNotIn(SEARCH_TEXT.lower(), row.lower(), entry.action)

    def test_after_clearing_the_search_the_list_is_recorded_again(self) -> None:
        self.login(Role.COORDINATOR)
        self.client.post(LIST, {"q": SEARCH_TEXT}, follow=True)
        self.client.post(LIST, {"clear": "1"}, follow=True)
        self.assertEqual(len(self.entries("view.inquiry_search")), 1)
        self.assertEqual(len(self.entries("view.inquiry_list")), 1)

    def test_a_refused_list_records_nothing(self) -> None:
        self.login(Role.CUSTODIAN)
        self.assertEqual(self.client.get(LIST).status_code, 403)
        self.assertFalse(AuditEntry.objects.filter(action__startswith="view.inquiry").exists())


class DetailRedrawAuditTests(InquiryTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.inquiry = make_inquiry(self.clinic, name="Alice Anders (test)")
        self.login(Role.COORDINATOR)

    def post(self, name: str, data: dict[str, Any]) -> Any:
        return self.client.post(reverse(f"inquiries:{name}", args=[self.inquiry.pk]), data)

    def assert_one_opening(self, response: Any) -> None:
        self.assertContains(response, "Alice Anders (test)")  # the record is shown again
        [entry] = AuditEntry.objects.filter(action="view")
        self.assertEqual(
            (entry.object_type, entry.object_id), ("inquiries.inquiry", str(self.inquiry.pk))
        )
        self.assertEqual(entry.clinic, self.clinic)

    def test_a_status_form_error_records_the_opening(self) -> None:
        self.assert_one_opening(self.post("change_status", {"status": "bogus"}))

    def test_a_contact_form_error_records_the_opening(self) -> None:
        self.assert_one_opening(self.post("add_contact", {"channel": "pigeon"}))

    def test_a_follow_up_form_error_records_the_opening(self) -> None:
        self.assert_one_opening(self.post("follow_up", {"next_action_on": "31/31/2030"}))

    def test_a_saved_change_records_the_change_not_an_opening(self) -> None:
        response = self.post("change_status", {"status": Status.CONTACTED, "note": ""})
        self.assertEqual(response.status_code, 302)
        self.assertFalse(AuditEntry.objects.filter(action="view").exists())
        self.assertTrue(AuditEntry.objects.filter(action="inquiry.status").exists())
