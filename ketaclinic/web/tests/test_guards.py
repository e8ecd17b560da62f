"""Response and request guards that apply to every page."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse

from ketaclinic.testing import BaseTestCase


class GuardTests(BaseTestCase):
    def test_it_refuses_an_oversized_body_before_reading_it(self) -> None:
        url = reverse("inquiries:form", args=[self.clinic.slug])
        with override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=1000):
            response = self.client.post(url, {"message": "x" * 5000})
        assert response.status_code == 413
        assert response.content == b"Request too large."

    def test_only_upload_pages_take_a_large_multipart_body(self) -> None:
        def body() -> dict[str, object]:  # a 300 KB file: over the 256 KB default, multipart
            return {"new_logo": SimpleUploadedFile("logo.png", b"x" * (300 * 1024))}

        response = self.client.post(reverse("inquiries:form", args=[self.clinic.slug]), body())
        assert response.status_code == 413
        self.login("clinic_admin")
        url = reverse("clinics:settings_group", args=["public-page"])
        response = self.client.post(url, body())
        assert response.status_code == 200  # reaches the form and its own logo checks
        self.assertContains(response, "new_logo_error")

    def test_it_accepts_a_body_under_the_limit(self) -> None:
        url = reverse("inquiries:form", args=[self.clinic.slug])
        response = self.client.post(url, {"message": "short"})
        assert response.status_code == 200  # the form re-renders with its field errors

    def test_it_marks_pages_no_store_and_sends_csp_and_frame_headers(self) -> None:
        self.login("coordinator")
        response = self.client.get(reverse("inquiries:list"))
        assert response["Cache-Control"] == "no-store"
        assert "default-src 'self'" in response["Content-Security-Policy"]
        assert "frame-ancestors 'none'" in response["Content-Security-Policy"]
        assert response["X-Frame-Options"] == "DENY"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Referrer-Policy"] == "same-origin"

    def test_it_lets_static_files_be_cached(self) -> None:
        response = self.client.get("/static/ketaclinic/components.css")
        assert response.status_code == 200
        assert response.get("Cache-Control") != "no-store"
