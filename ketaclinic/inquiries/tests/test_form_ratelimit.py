from __future__ import annotations

from django.conf import settings
from django.urls import reverse

from ketaclinic.inquiries.models import Inquiry
from ketaclinic.inquiries.tests.base import InquiryTestCase, valid_post


class RateLimitTestCase(InquiryTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.url = reverse("inquiries:form", args=[self.clinic.slug])
        self.limit = int(settings.INQUIRY_RATE.split("/")[0])

    def test_it_answers_429_with_crisis_resources_once_the_limit_is_reached(self) -> None:
        for _ in range(self.limit):
            self.assertEqual(self.client.post(self.url, valid_post()).status_code, 302)
        with self.assertLogs("ketaclinic.inquiries.views.public", level="WARNING"):
            r = self.client.post(self.url, valid_post())
        self.assertEqual(r.status_code, 429)
        self.assertContains(r, "call or text 988", status_code=429)
        self.assertContains(r, 'role="alert"', status_code=429)
        self.assertEqual(Inquiry.objects.count(), self.limit)

    def test_it_counts_invalid_posts_too(self) -> None:
        for _ in range(self.limit):
            self.client.post(self.url, {"name": ""})
        r = self.client.post(self.url, valid_post())
        self.assertEqual(r.status_code, 429)
        self.assertEqual(Inquiry.objects.count(), 0)

    def test_it_counts_per_address(self) -> None:
        for _ in range(self.limit + 1):
            self.client.post(self.url, valid_post(), REMOTE_ADDR="192.0.2.1")
        r = self.client.post(self.url, valid_post(), REMOTE_ADDR="192.0.2.2")
        self.assertEqual(r.status_code, 302)

    def test_it_does_not_limit_reading_the_form(self) -> None:
        for _ in range(self.limit + 2):
            self.assertEqual(self.client.get(self.url).status_code, 200)
