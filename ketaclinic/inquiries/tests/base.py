"""Shared fixtures for the inquiries tests."""

from __future__ import annotations

from typing import Any

from django.core.cache import cache

from ketaclinic.clinics.models import Clinic
from ketaclinic.inquiries import actions
from ketaclinic.inquiries.models import Inquiry
from ketaclinic.testing import BaseTestCase

XSS_SCRIPT = "<script>alert(1)</script>"
XSS_IMG = "<img src=x onerror=alert(1)>"


def valid_post(**overrides: Any) -> dict[str, Any]:
    """A complete, valid "learn more" POST body."""
    data: dict[str, Any] = {
        "name": "Alex Example (test)",
        "email": "alex@example.com",
        "phone": "(555) 010-0199",
        "preferred_contact": "email",
        "preferred_time": "morning",
        "conditions": ["depression", "anxiety"],
        "other_condition": "",
        "professional": "yes",
        "professional_name": "Jo Therapist",
        "professional_contact": "jo@example.org",
        "heard_about": "A friend",
        "message": "I would like to know more about the infusions.",
        "consent": "on",
        "website": "",
    }
    data.update(overrides)
    return data


def make_inquiry(clinic: Clinic, **fields: Any) -> Inquiry:
    """An inquiry stored through the real action (as the public form would)."""
    values: dict[str, Any] = {
        "name": "Sam Sample (test)",
        "email": "sam@example.com",
        "consent_wording": "I agree to be contacted.",
    }
    values.update(fields)
    return actions.submit_inquiry(clinic, actions.Submission(**values))


class InquiryTestCase(BaseTestCase):
    """BaseTestCase with the rate-limit counters reset (they live in the shared cache)."""

    def setUp(self) -> None:
        super().setUp()
        cache.clear()

    def assert_allowed(self, response: Any) -> None:
        assert response.status_code == 200, response.status_code
