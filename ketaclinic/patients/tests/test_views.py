from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.urls import reverse

from ketaclinic.accounts.models import Role
from ketaclinic.audit.models import AuditEntry
from ketaclinic.patients import actions, queries
from ketaclinic.patients.tests.base import PatientCase
from ketaclinic.testing import member

TABS = ("overview", "weight", "medications", "diagnoses", "history")


class ChartPagesTests(PatientCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        nurse = member(cls.users[Role.NURSE], cls.clinic)
        p = cls.patient
        actions.record_measurement(
            nurse,
            p,
            measured_on=dt.date(2026, 1, 5),
            height_cm=Decimal("177.8"),
            weight_kg=Decimal("100.0"),
            method="measured",
        )
        actions.add_medication(
            nurse,
            p,
            name="Clonazepam",
            flag="benzodiazepine",
            lorazepam_equivalent_mg_per_day=Decimal("1.00"),
        )
        actions.add_diagnosis(
            nurse, p, icd10_code="F33.2", description="Major depressive disorder, recurrent severe"
        )
        actions.record_psychiatric_history(nurse, p, adequate_antidepressant_trials=2)

    def test_every_tab_opens_for_each_reader(self) -> None:
        for role in (Role.PHYSICIAN, Role.NURSE, Role.COORDINATOR):
            self.login(role)
            for tab in TABS:
                response = self.client.get(reverse(f"patients:{tab}", args=[self.patient.pk]))
                assert response.status_code == 200, (role, tab)
                assert b"Allergies not recorded" in response.content
                assert b"None booked" in response.content

    def test_weight_tab_shows_derived_values(self) -> None:
        self.login(Role.NURSE)
        body = self.client.get(reverse("patients:weight", args=[self.patient.pk])).content.decode()
        assert "Devine BJ. Drug Intell Clin Pharm 1974;8:650" in body
        assert "100.0 kg" in body

    def test_history_flags_treatment_resistant(self) -> None:
        self.login(Role.NURSE)
        body = self.client.get(reverse("patients:history", args=[self.patient.pk])).content.decode()
        assert "Treatment-resistant" in body
        assert "not taken from the clinical reference" in body

    def test_pdf_is_a_pdf_and_audited(self) -> None:
        self.login(Role.PHYSICIAN)
        response = self.client.get(reverse("patients:summary_pdf", args=[self.patient.pk]))
        assert response.status_code == 200
        assert response.content.startswith(b"%PDF")
        assert AuditEntry.objects.filter(action="patients.summary.export").count() == 1


class ChartSettingsTests(PatientCase):
    def test_the_threshold_is_a_per_clinic_choice(self) -> None:
        nurse = member(self.users[Role.NURSE], self.clinic)
        actions.record_psychiatric_history(nurse, self.patient, adequate_antidepressant_trials=2)
        settings_url = reverse("patients:settings")
        for role in (Role.NURSE, Role.COORDINATOR, Role.CUSTODIAN, Role.OUTSIDE_PROFESSIONAL):
            self.login(role)
            self.assert_denied(self.client.get(settings_url), 403)
        self.login(Role.PHYSICIAN)
        page = self.client.get(settings_url).content.decode()
        assert "not taken from the clinical reference" in page
        bad = self.client.post(settings_url, {"treatment_resistant_min_trials": "0"})
        assert bad.status_code == 200 and bad.context["form"].errors
        assert (
            self.client.post(settings_url, {"treatment_resistant_min_trials": "3"}).status_code
            == 302
        )
        entry = AuditEntry.objects.get(action="patient.chart_settings")
        assert (entry.before, entry.after) == (
            {"treatment_resistant_min_trials": 2},
            {"treatment_resistant_min_trials": 3},
        )
        # Two trials no longer make the patient treatment-resistant here.
        body = self.client.get(reverse("patients:history", args=[self.patient.pk])).content.decode()
        assert "Not treatment-resistant by the clinic" in body
        self.login(self.outsider)
        self.client.post(settings_url, {"treatment_resistant_min_trials": "5"})
        assert queries.trd_min_trials(self.clinic) == 3
