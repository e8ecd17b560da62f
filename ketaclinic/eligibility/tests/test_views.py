"""The eligibility screens from every side."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils import timezone

from ketaclinic.accounts.models import BreakGlassGrant, Role, SharedAccess
from ketaclinic.eligibility.models import EligibilityDecision, EligibilitySettings
from ketaclinic.eligibility.tests.base import answer, complete_record, make_patient
from ketaclinic.patients.conditions import ConditionCode
from ketaclinic.patients.models import Patient, SubstanceUse
from ketaclinic.testing import TEST_PASSWORD, BaseTestCase, member


class EligibilityViewTests(BaseTestCase):
    patient: Patient

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.patient = complete_record(make_patient(cls.clinic, given="Rowan"))
        answer(cls.patient, ConditionCode.BIPOLAR, "yes")

    def tab(self) -> str:
        return reverse("eligibility:tab", args=[self.patient.pk])

    def sign_url(self) -> str:
        return reverse("eligibility:sign", args=[self.patient.pk])

    def post_sign(self, **kw: str) -> Any:
        data = {"decision": "eligible", "reason": "Stable on lithium.", "password": TEST_PASSWORD}
        data.update(kw)
        return self.client.post(self.sign_url(), data)

    def test_chart_readers_see_the_reasons_with_class_and_source(self) -> None:
        for role in (Role.PHYSICIAN, Role.NURSE, Role.COORDINATOR):
            self.login(role)
            response = self.client.get(self.tab())
            self.assertContains(response, "Bipolar disorder")
            self.assertContains(response, "Zarate 2012")
            self.assertContains(response, "Needs physician review")
            self.assertContains(response, f'href="/patients/{self.patient.pk}/"')
            signs = role == Role.PHYSICIAN
            self.assertEqual("Sign the decision" in response.content.decode(), signs, role)
            self.client.logout()

    def test_the_physician_signs_with_their_password(self) -> None:
        self.login(Role.PHYSICIAN)
        response = self.post_sign()
        assert response.status_code == 302 and response["Location"] == self.tab()
        decision = EligibilityDecision.objects.get()
        assert (decision.decision, decision.signed_by) == ("eligible", self.users[Role.PHYSICIAN])
        page = self.client.get(self.tab())
        self.assertContains(page, "Stable on lithium.")

    def test_bad_input_shows_at_the_field_and_keeps_what_was_typed(self) -> None:
        self.login(Role.PHYSICIAN)
        response = self.post_sign(decision="eligible_with_conditions", password="wrong")
        assert response.status_code == 200
        form = response.context["form"]
        assert "conditions" in form.errors
        response = self.post_sign(password="not it")
        assert response.context["form"].errors == {"password": ["That password is not right."]}
        self.assertContains(response, "Stable on lithium.")
        response = self.post_sign(reason="")
        assert "reason" in response.context["form"].errors
        assert not EligibilityDecision.objects.exists()

    def test_nurse_and_coordinator_cannot_sign(self) -> None:
        for role in (Role.NURSE, Role.COORDINATOR, Role.CLINIC_ADMIN, Role.CUSTODIAN):
            self.login(role)
            self.assert_denied(self.post_sign(), 403)
            self.client.logout()
        assert not EligibilityDecision.objects.exists()

    def test_admin_and_custodian_reach_it_only_by_break_glass(self) -> None:
        for role in (Role.CLINIC_ADMIN, Role.CUSTODIAN):
            user = self.login(role)
            response = self.client.get(self.tab())
            assert response.status_code == 302
            assert response["Location"].startswith(reverse("accounts:break_glass"))
            BreakGlassGrant.objects.create(
                clinic=self.clinic,
                user=user,
                role=role,
                content_type=ContentType.objects.get_for_model(Patient),
                object_id=str(self.patient.pk),
                reason="Emergency: the physician is unreachable.",
                expires_at=timezone.now() + dt.timedelta(hours=1),
            )
            self.assertContains(self.client.get(self.tab()), "Bipolar disorder")
            self.client.logout()

    def test_another_clinic_gets_404(self) -> None:
        self.login(self.outsider)
        self.assert_denied(self.client.get(self.tab()), 404)

    def test_an_outside_professional_needs_the_eligibility_section(self) -> None:
        professional = self.login(Role.OUTSIDE_PROFESSIONAL)
        self.assert_denied(self.client.get(self.tab()), 404)
        grant = SharedAccess.objects.create(
            clinic=self.clinic,
            professional=professional,
            content_type=ContentType.objects.get_for_model(Patient),
            object_id=str(self.patient.pk),
            sections=["summary"],
            granted_by=self.users[Role.PHYSICIAN],
            reason="Consent to share the summary.",
        )
        self.assert_denied(self.client.get(self.tab()), 404)
        grant.sections = ["summary", "eligibility"]
        grant.save()
        response = self.client.get(self.tab())
        self.assertContains(response, "Bipolar disorder")
        self.assertNotContains(response, "Sign the decision")
        self.assert_denied(self.post_sign(), 403)

    def test_part2_reasons_are_withheld_from_the_coordinator(self) -> None:
        SubstanceUse.objects.create(
            patient=self.patient, substance="Cocaine", pattern="current", part2=True
        )
        self.login(Role.COORDINATOR)
        response = self.client.get(self.tab())
        self.assertNotContains(response, "Current substance use")
        self.assertContains(response, "Reasons withheld")
        self.client.logout()
        self.login(Role.NURSE)
        self.assertContains(self.client.get(self.tab()), "Current substance use")


class SettingsViewTests(BaseTestCase):
    URL = "/clinic/eligibility/"

    def test_admin_and_physician_change_it_with_defaults_and_sources_shown(self) -> None:
        for role in (Role.CLINIC_ADMIN, Role.PHYSICIAN):
            self.login(role)
            response = self.client.get(self.URL)
            self.assertContains(response, "Swiss Ketalar label")
            self.assertContains(response, "140/90 mmHg: Spravato label")
            self.assertContains(response, "PMC10812090")
            self.assertContains(response, "2 mg/day: the Dutch trial")
            self.client.logout()
        assert not EligibilitySettings.objects.exists()  # a GET writes nothing
        self.login(Role.PHYSICIAN)
        data = {
            "current_psychosis_class": "absolute",
            "past_psychosis_class": "absolute",
            "resting_systolic_limit_mmhg": "140",
            "resting_diastolic_limit_mmhg": "90",
            "benzodiazepine_limit_lorazepam_mg_per_day": "2",
        }
        response = self.client.post(self.URL, data)
        assert response.status_code == 302
        saved = EligibilitySettings.objects.get(clinic=self.clinic)
        assert (saved.resting_systolic_limit_mmhg, saved.past_psychosis_class) == (140, "absolute")

    def test_out_of_range_is_refused_at_the_field(self) -> None:
        self.login(Role.CLINIC_ADMIN)
        response = self.client.post(
            self.URL,
            {
                "current_psychosis_class": "absolute",
                "past_psychosis_class": "relative",
                "resting_systolic_limit_mmhg": "400",
                "resting_diastolic_limit_mmhg": "100",
                "benzodiazepine_limit_lorazepam_mg_per_day": "3",
            },
        )
        assert response.status_code == 200
        assert list(response.context["form"].errors) == ["resting_systolic_limit_mmhg"]
        assert not EligibilitySettings.objects.exists()

    def test_other_roles_are_refused(self) -> None:
        for role in (Role.NURSE, Role.COORDINATOR, Role.CUSTODIAN, Role.OUTSIDE_PROFESSIONAL):
            self.login(role)
            self.assert_denied(self.client.get(self.URL), 403)
            self.client.logout()

    def test_the_clinical_defaults_page_links_here(self) -> None:
        self.login(Role.CLINIC_ADMIN)
        response = self.client.get("/clinic/settings/clinical-defaults/")
        self.assertContains(response, f'href="{self.URL}"')
        self.assertContains(response, "Dosing protocol defaults")


class NurseHomeQueueTests(BaseTestCase):
    """The nurse's "Patients in screening with missing information" reads the stored
    screening: incomplete screenings of patients in screening, with what is missing."""

    def test_incomplete_screenings_of_patients_in_screening_are_listed(self) -> None:
        from ketaclinic.eligibility.queues import missing_information
        from ketaclinic.patients.actions import set_status
        from ketaclinic.patients.models import PatientStatus
        from ketaclinic.patients.tests.base import make_patient as make_bare_patient

        waiting = make_bare_patient(self.clinic, self.users[Role.COORDINATOR])
        pending = make_bare_patient(
            self.clinic, self.users[Role.COORDINATOR], legal_family_name="Pending"
        )
        set_status(member(self.users[Role.COORDINATOR]), waiting, PatientStatus.SCREENING)
        queue = missing_information(self.clinic)
        assert [i.patient_id for i in queue.items] == [waiting.pk]
        assert pending.pk not in [i.patient_id for i in queue.items]
        item = queue.items[0]
        assert item.missing and len(item.missing) <= 3
        self.login(Role.NURSE)
        page = self.client.get("/home/")
        self.assertContains(page, "Patients in screening with missing information")
        self.assertContains(page, f'href="/patients/{waiting.pk}/eligibility/"')
        self.assertContains(page, item.missing[0])
        self.login(Role.PHYSICIAN)
        page = self.client.get("/home/")
        self.assertNotContains(page, "Patients in screening with missing information")
        self.assertContains(page, "Clinic rules")
        self.assertContains(page, 'href="/clinic/outcomes/"')
