"""The Outcomes tab, its plot and the exports, from every side; Part 2 withheld and allowed."""

from __future__ import annotations

import datetime as dt
import json

from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from ketaclinic.accounts.models import Role, SharedAccess
from ketaclinic.audit.models import AuditEntry
from ketaclinic.measurement.demo_outcomes import answers_for_total, write_response
from ketaclinic.measurement.outcome_settings import set_remission_rule
from ketaclinic.measurement.tests.test_outcomes_export import validated
from ketaclinic.patients import actions as patient_actions
from ketaclinic.patients.models import Patient
from ketaclinic.patients.sections import OUTCOMES, PART2, SUMMARY
from ketaclinic.testing import BaseTestCase, member

AT = dt.datetime(2026, 1, 5, 18, 0, tzinfo=dt.UTC)
LOST = [20, 14, 9, 8, 12, 15]  # lost from the 12 of week 4 (2026-02-02)


class OutcomeViewTests(BaseTestCase):
    patient: Patient
    part2_patient: Patient

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        physician = member(cls.users[Role.PHYSICIAN], cls.clinic)
        cls.patient = patient_actions.create_patient(
            physician,
            cls.clinic,
            values={
                "legal_given_name": "Olive",
                "legal_family_name": "Outcome (test)",
                "date_of_birth": dt.date(1980, 6, 1),
                "sex_at_birth": "female",
            },
        )
        cls.part2_patient = patient_actions.create_patient(
            physician,
            cls.clinic,
            values={
                "legal_given_name": "Parker",
                "legal_family_name": "Parttwo (test)",
                "date_of_birth": dt.date(1975, 2, 3),
                "sex_at_birth": "male",
                "sud_treatment": True,
            },
        )
        for patient in (cls.patient, cls.part2_patient):
            for week, total in enumerate(LOST):
                at = AT + dt.timedelta(weeks=week)
                write_response(patient, "phq9", answers_for_total("phq9", total), at)
        # A struck response would be the baseline if it counted.
        struck = write_response(
            cls.patient, "phq9", answers_for_total("phq9", 27), AT - dt.timedelta(days=7)
        )
        struck.struck_at, struck.struck_reason = AT, "entered for the wrong patient"
        struck.save()

    def page(self, patient: Patient | None = None) -> str:
        return reverse("outcomes:page", args=[(patient or self.patient).pk])

    def share(self, patient: Patient, sections: list[str]) -> None:
        SharedAccess.objects.create(
            clinic=self.clinic,
            professional=self.users[Role.OUTSIDE_PROFESSIONAL],
            content_type=ContentType.objects.get_for_model(Patient),
            object_id=str(patient.pk),
            sections=sections,
            granted_by=self.users[Role.PHYSICIAN],
            reason="Test consent",
        )

    # --- the page ----------------------------------------------------------------------------

    def test_chart_readers_see_the_summary_and_the_plot(self) -> None:
        for role in (Role.PHYSICIAN, Role.NURSE, Role.COORDINATOR):
            self.login(role)
            response = self.client.get(self.page())
            assert response.status_code == 200, role
            content = response.content.decode()
            assert 'data-label="Baseline">20 <span class="help">2026-01-05' in content
            assert 'data-label="Change">-5</td>' in content
            assert 'data-label="% change">-25%</td>' in content
            assert 'data-label="Response lost since">2026-02-02</td>' in content
            assert 'data-label="Days to first response">14</td>' in content
            assert reverse("outcomes:plot", args=[self.patient.pk, "phq9"]) in content
            assert "No infusions recorded yet." in content
            assert "McInnes 2022; general usage" in content  # the response rule's source
            assert 'aria-current="page">Outcomes</a>' in content

    def test_opening_it_is_audited(self) -> None:
        self.login(Role.NURSE)
        self.client.get(self.page())
        entry = AuditEntry.objects.filter(action="view.patient_outcomes").get()
        assert entry.patient_ref == str(self.patient.pk)

    def test_other_sides_are_refused(self) -> None:
        self.assert_denied(self.client.get(self.page()), 302)
        for role in (Role.CLINIC_ADMIN, Role.CUSTODIAN):
            self.login(role)
            response = self.client.get(self.page())
            assert response.status_code == 302 and "break-glass" in response["Location"], role
        self.login(self.outsider)
        self.assert_denied(self.client.get(self.page()), 404)

    def test_an_empty_patient_shows_the_empty_state(self) -> None:
        empty = patient_actions.create_patient(
            member(self.users[Role.NURSE], self.clinic),
            self.clinic,
            values={
                "legal_given_name": "Eve",
                "legal_family_name": "Empty (test)",
                "date_of_birth": dt.date(1990, 1, 1),
                "sex_at_birth": "female",
            },
        )
        self.login(Role.NURSE)
        assert "No questionnaire scores yet." in self.client.get(self.page(empty)).content.decode()

    def test_the_clinics_madrs_choice_is_shown_with_its_source(self) -> None:
        for week, total in enumerate([30, 20, 10]):
            write_response(
                self.patient,
                "madrs",
                answers_for_total("madrs", total),
                AT + dt.timedelta(weeks=week),
                channel="clinician",
            )
        self.login(Role.PHYSICIAN)
        content = self.client.get(self.page()).content.decode()
        assert "Default; source: Hawley et al. 2002" in content
        badge = 'badge--success">Remission</span>'
        assert badge not in content  # MADRS 10 is not < 10; PHQ-9 15 is not < 5
        set_remission_rule(
            member(self.users[Role.PHYSICIAN], self.clinic), self.clinic, "madrs", "<=10"
        )
        content = self.client.get(self.page()).content.decode()
        assert "The clinic's choice; source: KetECT, Ekstrand et al. 2022" in content
        assert content.count(badge) == 1  # MADRS 10 remits under <= 10

    # --- Part 2 ------------------------------------------------------------------------------

    def test_part2_responses_are_withheld_from_the_coordinator(self) -> None:
        self.login(Role.COORDINATOR)
        content = self.client.get(self.page(self.part2_patient)).content.decode()
        assert "6 entries are withheld under 42 CFR Part 2." in content
        assert "No questionnaire scores yet." in content
        plot = reverse("outcomes:plot", args=[self.part2_patient.pk, "phq9"])
        self.assert_denied(self.client.get(plot), 404)

    def test_clinicians_see_part2_responses(self) -> None:
        self.login(Role.NURSE)
        content = self.client.get(self.page(self.part2_patient)).content.decode()
        assert "withheld" not in content and 'data-label="Change">-5</td>' in content
        assert not AuditEntry.objects.filter(action="patient.part2_disclosure").exists()

    def test_outside_professional_sees_it_only_when_outcomes_are_shared(self) -> None:
        self.login(Role.OUTSIDE_PROFESSIONAL)
        self.assert_denied(self.client.get(self.page()), 404)  # nothing shared
        self.share(self.patient, [SUMMARY])
        self.assert_denied(self.client.get(self.page()), 404)  # outcomes not shared
        self.share(self.patient, [SUMMARY, OUTCOMES])
        response = self.client.get(self.page())
        assert response.status_code == 200
        assert 'data-label="Response lost since">2026-02-02</td>' in response.content.decode()

    def test_outside_professional_needs_a_part2_grant_for_part2_rows(self) -> None:
        self.login(Role.OUTSIDE_PROFESSIONAL)
        self.share(self.part2_patient, [SUMMARY, OUTCOMES])
        assert (
            "6 entries are withheld"
            in self.client.get(self.page(self.part2_patient)).content.decode()
        )
        self.share(self.part2_patient, [SUMMARY, OUTCOMES, PART2])
        content = self.client.get(self.page(self.part2_patient)).content.decode()
        assert "withheld" not in content
        assert "Notice of prohibition on redisclosure (42 CFR 2.32)" in content
        entry = AuditEntry.objects.get(action="patient.part2_disclosure")
        assert entry.after == {"where": "outcomes", "rows": 6}

    # --- the plot and the exports ------------------------------------------------------------

    def test_the_plot_is_an_svg_image(self) -> None:
        self.login(Role.PHYSICIAN)
        response = self.client.get(reverse("outcomes:plot", args=[self.patient.pk, "phq9"]))
        assert response.status_code == 200
        assert response["Content-Type"] == "image/svg+xml"
        assert "no-store" in response["Cache-Control"]
        assert b"moderately severe" in response.content and b"<title" in response.content
        for missing in ("gad7", "no-such"):
            url = reverse("outcomes:plot", args=[self.patient.pk, missing])
            self.assert_denied(self.client.get(url), 404)

    def test_csv_export_is_audited_and_leaves_part2_out_for_the_coordinator(self) -> None:
        self.login(Role.COORDINATOR)
        response = self.client.get(reverse("outcomes:export_csv", args=[self.part2_patient.pk]))
        assert response.status_code == 200
        assert response["Content-Type"] == "text/csv; charset=utf-8"
        assert response.content.decode().splitlines() == [",".join(export_header())]
        entry = AuditEntry.objects.get(action="responses.export")
        assert entry.after == {"format": "csv", "responses": 0, "part2": 0, "withheld": 6}

    def test_fhir_export_to_an_outside_professional_with_part2(self) -> None:
        self.share(self.part2_patient, [SUMMARY, OUTCOMES, PART2])
        self.login(Role.OUTSIDE_PROFESSIONAL)
        response = self.client.get(reverse("outcomes:export_fhir", args=[self.part2_patient.pk]))
        assert response.status_code == 200
        assert response["Content-Type"] == "application/fhir+json; charset=utf-8"
        bundle = validated(json.loads(response.content))
        assert len(bundle.entry) == 1 + 2 * 6
        assert "42CFRPart2" in {c.code for c in bundle.meta.security}
        assert AuditEntry.objects.get(action="patient.part2_disclosure").after == {
            "where": "export fhir",
            "rows": 6,
        }
        assert AuditEntry.objects.get(action="responses.export").after == {
            "format": "fhir",
            "responses": 6,
            "part2": 6,
            "withheld": 0,
        }

    def test_exports_are_refused_to_other_sides(self) -> None:
        url = reverse("outcomes:export_csv", args=[self.patient.pk])
        self.assert_denied(self.client.get(url), 302)
        self.login(self.outsider)
        self.assert_denied(self.client.get(url), 404)
        self.client.logout()
        self.login(Role.OUTSIDE_PROFESSIONAL)
        self.assert_denied(self.client.get(url), 404)
        assert not AuditEntry.objects.filter(action="responses.export").exists()


def export_header() -> list[str]:
    from ketaclinic.measurement.export import CSV_HEADER

    return CSV_HEADER
