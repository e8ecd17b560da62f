"""The patient list (search never in the URL, filters, paging) and the new-patient form (from
an inquiry too, with the duplicate check)."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse

from ketaclinic.accounts.models import Role
from ketaclinic.audit.models import AuditEntry
from ketaclinic.inquiries.models import Inquiry, Professional, Status
from ketaclinic.inquiries.tests.base import make_inquiry
from ketaclinic.patients.models import Patient
from ketaclinic.patients.tests.base import PatientCase, make_patient
from ketaclinic.patients.views.listing import PAGE_SIZE, split_name

LIST = reverse("patients:list")
NEW = reverse("patients:new")


def form_data(**over: str) -> dict[str, str]:
    data = {
        "legal_given_name": "Nora",
        "legal_family_name": "Quill",
        "date_of_birth": "1991-07-08",
        "sex_at_birth": "female",
        "email": "nora.quill@example.com",
        "phone_mobile": "(415) 555-0142",
        "preferred_language": "English",
    }
    data.update(over)
    return data


class ListTests(PatientCase):
    def test_search_is_posted_kept_in_the_session_and_never_in_the_url(self) -> None:
        make_patient(
            self.clinic,
            self.users[Role.COORDINATOR],
            legal_given_name="Zed",
            legal_family_name="Orwin",
        )
        self.login(Role.COORDINATOR)
        response = self.client.post(LIST, {"q": "Orwin", "status": ""})
        assert response.status_code == 302
        assert "Orwin" not in response["Location"]
        page = self.client.get(response["Location"]).content.decode()
        assert "Orwin, Zed" in page and "Testperson" not in page
        entry = AuditEntry.objects.filter(action="view.patient_search").latest("id")
        assert "Orwin" not in str(entry.after)
        # A search text in the URL is ignored.
        self.client.post(LIST, {"clear": "1"})
        page = self.client.get(LIST + "?q=Orwin").content.decode()
        assert "Testperson" in page

    def test_search_by_date_of_birth_and_record_number(self) -> None:
        other = make_patient(
            self.clinic,
            self.users[Role.COORDINATOR],
            legal_family_name="Birch",
            date_of_birth=dt.date(2001, 4, 9),
        )
        self.login(Role.NURSE)
        for text in ("2001-04-09", "04/09/2001", other.mrn, "2"):
            self.client.post(LIST, {"q": text})
            page = self.client.get(LIST).content.decode()
            assert "Birch" in page and "Testperson" not in page, text

    def test_status_filter_sort_and_pages(self) -> None:
        coordinator = self.users[Role.COORDINATOR]
        for i in range(PAGE_SIZE + 2):
            make_patient(self.clinic, coordinator, legal_family_name=f"Paged{i:02d}")
        self.login(Role.COORDINATOR)
        first = self.client.get(LIST + "?sort=name").content.decode()
        assert "Page 1 of 2" in first
        second = self.client.get(LIST + "?sort=name&page=2").content.decode()
        assert "Testperson" in second and "Paged00" not in second
        Patient.objects.filter(legal_family_name="Paged03").update(status="active")
        active = self.client.get(LIST + "?status=active").content.decode()
        assert "Paged03" in active and "Paged04" not in active

    def test_who_reaches_the_list(self) -> None:
        for role in (Role.CLINIC_ADMIN, Role.CUSTODIAN):
            self.login(role)
            self.assert_denied(self.client.get(LIST), 403)
        self.client.logout()
        self.assert_denied(self.client.get(LIST), 302)


class NewPatientTests(PatientCase):
    def test_create_stores_e164_and_goes_to_the_chart(self) -> None:
        self.login(Role.COORDINATOR)
        response = self.client.post(NEW, form_data())
        assert response.status_code == 302
        patient = Patient.objects.get(legal_family_name="Quill")
        assert patient.phone_mobile == "+14155550142"
        assert response["Location"] == reverse("patients:overview", args=[patient.pk])

    def test_bad_input_is_reported_at_each_field_and_kept(self) -> None:
        self.login(Role.COORDINATOR)
        response = self.client.post(
            NEW,
            form_data(
                date_of_birth="2999-01-01", phone_mobile="12", email="nora@", escort_phone="555-12"
            ),
        )
        assert response.status_code == 200
        form = response.context["form"]
        assert set(form.errors) == {"date_of_birth", "phone_mobile", "email", "escort_phone"}
        body = response.content.decode()
        assert 'value="Nora"' in body and 'value="12"' in body and 'value="nora@"' in body
        assert not Patient.objects.filter(legal_family_name="Quill").exists()

    def test_an_age_over_120_is_refused(self) -> None:
        self.login(Role.COORDINATOR)
        response = self.client.post(NEW, form_data(date_of_birth="1850-01-01"))
        assert "older than 120" in str(response.context["form"].errors["date_of_birth"])

    def test_a_possible_duplicate_needs_create_anyway(self) -> None:
        self.login(Role.COORDINATOR)
        data = form_data(
            legal_given_name="Ada",
            legal_family_name="testperson",
            date_of_birth="1980-05-17",
            email="",
            phone_mobile="",
        )
        response = self.client.post(NEW, data)
        assert response.status_code == 200
        assert response.context["duplicates"] == [self.patient]
        assert reverse("patients:overview", args=[self.patient.pk]).encode() in response.content
        assert Patient.objects.count() == 1
        response = self.client.post(NEW, {**data, "create_anyway": "on"})
        assert response.status_code == 302
        assert Patient.objects.count() == 2

    def test_same_email_or_phone_is_a_possible_duplicate(self) -> None:
        self.login(Role.COORDINATOR)
        self.client.post(NEW, form_data())
        again = self.client.post(
            NEW,
            form_data(
                legal_given_name="Other",
                legal_family_name="Name",
                email="NORA.quill@example.com",
                phone_mobile="",
            ),
        )
        assert len(again.context["duplicates"]) == 1
        again = self.client.post(
            NEW,
            form_data(
                legal_given_name="Other",
                legal_family_name="Name",
                email="",
                phone_mobile="+1 415 555 0142",
            ),
        )
        assert len(again.context["duplicates"]) == 1


class ConvertTests(PatientCase):
    def test_split_name(self) -> None:
        assert split_name("Cara M. Lind") == ("Cara M.", "Lind")
        assert split_name("Prince") == ("Prince", "")

    def test_the_inquiry_offers_convert_and_the_form_is_prefilled(self) -> None:
        inquiry = make_inquiry(
            self.clinic, name="Cara Lind", email="Cara@Example.com", phone="415 555 0199"
        )
        Inquiry.objects.filter(pk=inquiry.pk).update(
            professional=Professional.WANTS_INTRODUCTION, conditions=["depression", "ptsd"]
        )
        self.login(Role.COORDINATOR)
        detail = self.client.get(reverse("inquiries:detail", args=[inquiry.pk])).content.decode()
        assert f"{NEW}?inquiry={inquiry.pk}" in detail
        response = self.client.get(NEW, {"inquiry": inquiry.pk})
        initial = response.context["form"].initial
        assert initial["legal_given_name"] == "Cara" and initial["legal_family_name"] == "Lind"
        assert initial["email"] == "cara@example.com"
        assert initial["phone_mobile"] == "+14155550199"
        assert initial["wants_professional_introduction"] is True
        assert "PTSD" in response.content.decode()
        created = self.client.post(
            NEW,
            form_data(
                legal_given_name="Cara",
                legal_family_name="Lind",
                email="cara@example.com",
                phone_mobile="+14155550199",
                inquiry=str(inquiry.pk),
                wants_professional_introduction="on",
            ),
        )
        assert created.status_code == 302
        patient = Patient.objects.get(legal_family_name="Lind")
        inquiry.refresh_from_db()
        assert patient.inquiry == inquiry and patient.wants_professional_introduction
        assert inquiry.status == Status.BECAME_PATIENT
        assert inquiry.converted_reference == patient.mrn
        detail = self.client.get(reverse("inquiries:detail", args=[inquiry.pk])).content.decode()
        assert f"?inquiry={inquiry.pk}" not in detail and patient.mrn in detail
        # Converting again goes to the record made.
        again = self.client.get(NEW, {"inquiry": inquiry.pk})
        assert again["Location"] == reverse("patients:overview", args=[patient.pk])

    def test_another_clinics_inquiry_is_404(self) -> None:
        theirs = make_inquiry(self.other, name="Not Ours")
        self.login(Role.COORDINATOR)
        self.assert_denied(self.client.get(NEW, {"inquiry": theirs.pk}), 404)
