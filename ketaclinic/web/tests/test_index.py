from __future__ import annotations

from django.test import TestCase
from django.urls import reverse

from ketaclinic.clinics.models import Clinic

URL = reverse("web:index")


class IndexTests(TestCase):
    def test_it_lists_clinics_when_several_share_a_server(self) -> None:
        Clinic.objects.create(name="Sturges Family Practice", slug="sturges")
        Clinic.objects.create(name="Lakeside", slug="lakeside")
        response = self.client.get(URL)
        assert response.status_code == 200
        self.assertContains(response, reverse("inquiries:public_page", args=["sturges"]))
        self.assertContains(response, reverse("inquiries:public_page", args=["lakeside"]))

    def test_it_goes_straight_to_the_only_clinic(self) -> None:
        Clinic.objects.create(name="Sturges Family Practice", slug="sturges")
        response = self.client.get(URL)
        assert response.status_code == 302
        assert response["Location"] == reverse("inquiries:public_page", args=["sturges"])

    def test_it_explains_an_empty_server(self) -> None:
        response = self.client.get(URL)
        self.assertContains(response, "No clinic has been set up yet")
