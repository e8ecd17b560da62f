"""The chart from every side: readers by role, other staff by break-glass, another clinic, and
outside professionals with a live, expired, revoked, partial or Part 2 grant."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils import timezone

from ketaclinic.accounts.actions.grants import grant_shared_access, revoke_shared_access
from ketaclinic.accounts.models import BreakGlassGrant, Role, User
from ketaclinic.accounts.policies import break_glass_url
from ketaclinic.audit.models import AuditEntry
from ketaclinic.patients import actions, sections
from ketaclinic.patients.models import Patient
from ketaclinic.patients.tests.base import PatientCase, make_patient
from ketaclinic.patients.views._chart import REDISCLOSURE_NOTICE
from ketaclinic.testing import member

TABS = ("overview", "weight", "medications", "diagnoses", "history")
NOTICE = "Notice of prohibition on redisclosure (42 CFR 2.32)"


def url(name: str, patient: Patient) -> str:
    return reverse(f"patients:{name}", args=[patient.pk])


class StaffSidesTests(PatientCase):
    def test_readers_open_every_tab(self) -> None:
        for role in (Role.PHYSICIAN, Role.NURSE, Role.COORDINATOR):
            self.login(role)
            for tab in TABS:
                assert self.client.get(url(tab, self.patient)).status_code == 200, (role, tab)

    def test_admin_and_custodian_go_through_break_glass(self) -> None:
        for role in (Role.CLINIC_ADMIN, Role.CUSTODIAN):
            self.login(role)
            target = url("overview", self.patient)
            response = self.client.get(target)
            assert response.status_code == 302
            assert response["Location"] == break_glass_url(self.patient, target)
            BreakGlassGrant.objects.create(
                clinic=self.clinic,
                user=self.users[role],
                role=role,
                content_type=ContentType.objects.get_for_model(Patient),
                object_id=str(self.patient.pk),
                reason="Emergency: patient collapsed in the waiting room.",
                expires_at=timezone.now() + dt.timedelta(hours=1),
            )
            response = self.client.get(target)
            assert response.status_code == 200
            assert b"Emergency access" in response.content
            assert AuditEntry.objects.filter(
                action="break_glass.use", actor=self.users[role]
            ).exists()
            # Break-glass reads; it does not make them a clinician.
            post = self.client.post(
                reverse("patients:add_entry", args=[self.patient.pk, "allergy"]), {"substance": "X"}
            )
            assert post.status_code == 403

    def test_another_clinic_gets_404(self) -> None:
        self.login(self.outsider)
        for tab in (*TABS, "edit", "summary_pdf"):
            self.assert_denied(self.client.get(url(tab, self.patient)), 404)
        self.assert_denied(
            self.client.post(reverse("patients:add_entry", args=[self.patient.pk, "allergy"])), 404
        )

    def test_anonymous_is_sent_to_sign_in(self) -> None:
        self.assert_denied(self.client.get(url("overview", self.patient)), 302)
        self.assert_denied(self.client.get(reverse("patients:list")), 302)

    def test_coordinator_reads_but_cannot_add_clinical_history(self) -> None:
        self.login(Role.COORDINATOR)
        body = self.client.get(url("medications", self.patient)).content
        assert b"Add a medication" not in body
        response = self.client.post(
            reverse("patients:add_entry", args=[self.patient.pk, "medication"]), {"name": "X"}
        )
        assert response.status_code == 403

    def test_nurse_adds_and_strikes_through_the_screens(self) -> None:
        self.login(Role.NURSE)
        response = self.client.post(
            reverse("patients:add_entry", args=[self.patient.pk, "allergy"]),
            {"substance": "Penicillin", "reaction": "Hives", "severity": "moderate"},
        )
        assert response.status_code == 302
        allergy = self.patient.allergies.get()
        response = self.client.post(
            reverse("patients:strike", args=[self.patient.pk, "allergy", allergy.pk]),
            {"reason": "Entered on the wrong patient"},
        )
        assert response.status_code == 302
        body = self.client.get(url("medications", self.patient)).content.decode()
        assert "<del>Penicillin</del>" in body
        assert "Entered on the wrong patient" in body

    def test_a_bad_add_keeps_what_was_typed(self) -> None:
        self.login(Role.NURSE)
        response = self.client.post(
            reverse("patients:add_entry", args=[self.patient.pk, "measurement"]),
            {
                "measured_on": "2026-01-05",
                "height_cm": "17",
                "weight_kg": "81.5",
                "method": "measured",
            },
        )
        assert response.status_code == 200
        body = response.content.decode()
        assert "A height under 50 cm" in body
        assert 'value="81.5"' in body
        assert not self.patient.measurements.exists()


class EditTests(PatientCase):
    def test_a_stale_version_is_shown_and_the_typing_kept(self) -> None:
        self.login(Role.COORDINATOR)
        edit = url("edit", self.patient)
        form = self.client.get(edit).context["form"]
        data = {k: v for k, v in form.initial.items() if v is not None}
        data["date_of_birth"] = "1980-05-17"
        actions.update_patient(
            member(self.users[Role.NURSE], self.clinic),
            self.patient,
            {"pronouns": "she/her"},
            expected_version=1,
        )
        data.update(
            pronouns="they/them",
            version="1",
            interpreter_needed="",
            wants_professional_introduction="",
        )
        response = self.client.post(edit, data)
        assert response.status_code == 200
        assert b"Not saved: the record changed" in response.content
        assert b'value="they/them"' in response.content
        self.patient.refresh_from_db()
        assert self.patient.pronouns == "she/her"
        data["version"] = "2"
        response = self.client.post(edit, data)
        assert response.status_code == 302
        self.patient.refresh_from_db()
        assert self.patient.pronouns == "they/them"


class SharedCase(PatientCase):
    """A Part 2 patient (treated here for a substance use disorder) and one not shared."""

    pro: User
    other_patient: Patient

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.pro = cls.users[Role.OUTSIDE_PROFESSIONAL]
        nurse = member(cls.users[Role.NURSE], cls.clinic)
        actions.update_patient(nurse, cls.patient, {"sud_treatment": True}, expected_version=None)
        actions.add_diagnosis(
            nurse, cls.patient, icd10_code="F10.20", description="Alcohol use disorder, moderate"
        )
        actions.add_medication(nurse, cls.patient, name="Naltrexone", flag="naltrexone")
        cls.other_patient = make_patient(
            cls.clinic, cls.users[Role.COORDINATOR], legal_given_name="Unshared"
        )

    def grant(self, *names: str, **kw: object) -> object:
        return grant_shared_access(
            member(self.users[Role.PHYSICIAN], self.clinic),
            professional=self.pro,
            target=self.patient,
            sections=names,
            reason="Signed consent to share (test).",
            **kw,  # type: ignore[arg-type]
        )


class OutsideProfessionalTests(SharedCase):
    def test_without_a_grant_everything_is_404(self) -> None:
        self.login(Role.OUTSIDE_PROFESSIONAL)
        for tab in (*TABS, "summary_pdf"):
            self.assert_denied(self.client.get(url(tab, self.patient)), 404)
        assert b"No patient records are shared" in self.client.get(reverse("patients:list")).content

    def test_only_shared_sections_and_only_shared_patients(self) -> None:
        self.grant(sections.SUMMARY, sections.DIAGNOSES)
        self.login(Role.OUTSIDE_PROFESSIONAL)
        assert self.client.get(url("overview", self.patient)).status_code == 200
        assert self.client.get(url("diagnoses", self.patient)).status_code == 200
        for tab in ("weight", "medications", "history"):
            self.assert_denied(self.client.get(url(tab, self.patient)), 404)
        self.assert_denied(self.client.get(url("edit", self.patient)), 403)
        self.assert_denied(self.client.get(url("overview", self.other_patient)), 404)
        listing = self.client.get(reverse("patients:list")).content.decode()
        assert self.patient.mrn in listing and self.other_patient.mrn not in listing
        overview = self.client.get(url("overview", self.patient)).content.decode()
        assert "Contact, emergency contact and escort" not in overview  # contact not shared

    def test_expired_and_revoked_grants_cut_access(self) -> None:
        now = timezone.now()
        self.grant(
            sections.SUMMARY,
            valid_from=now - dt.timedelta(days=10),
            expires_at=now - dt.timedelta(days=1),
        )
        self.login(Role.OUTSIDE_PROFESSIONAL)
        self.assert_denied(self.client.get(url("overview", self.patient)), 404)
        live = self.grant(sections.SUMMARY)
        assert self.client.get(url("overview", self.patient)).status_code == 200
        revoke_shared_access(member(self.users[Role.PHYSICIAN], self.clinic), live)  # type: ignore[arg-type]
        self.assert_denied(self.client.get(url("overview", self.patient)), 404)

    def test_part2_rows_are_withheld_without_a_part2_grant(self) -> None:
        self.grant(sections.SUMMARY, sections.DIAGNOSES)
        self.login(Role.OUTSIDE_PROFESSIONAL)
        body = self.client.get(url("diagnoses", self.patient)).content.decode()
        assert "Alcohol use disorder" not in body
        assert "1 entries are withheld under 42 CFR Part 2." in body
        assert NOTICE not in body
        assert ">42 CFR Part 2</span>" not in body  # the label itself is Part 2 information
        assert not AuditEntry.objects.filter(action="patient.part2_disclosure").exists()

    def test_with_a_part2_grant_the_notice_is_shown_and_the_disclosure_audited(self) -> None:
        self.grant(sections.SUMMARY, sections.DIAGNOSES, sections.PART2)
        self.login(Role.OUTSIDE_PROFESSIONAL)
        body = self.client.get(url("diagnoses", self.patient)).content.decode()
        assert "Alcohol use disorder" in body
        assert NOTICE in body
        assert ">42 CFR Part 2</span>" in body
        assert "42 CFR part 2" in REDISCLOSURE_NOTICE
        entry = AuditEntry.objects.get(action="patient.part2_disclosure")
        assert entry.after == {"where": "diagnoses", "rows": 1}
        assert entry.actor == self.pro

    def test_clinicians_see_part2_rows_and_the_coordinator_does_not(self) -> None:
        self.login(Role.NURSE)
        assert b"Alcohol use disorder" in self.client.get(url("diagnoses", self.patient)).content
        self.login(Role.COORDINATOR)
        body = self.client.get(url("diagnoses", self.patient)).content.decode()
        assert "Alcohol use disorder" not in body
        assert "withheld under 42 CFR Part 2" in body


class SummaryPdfTests(SharedCase):
    """The same rules in the export (its text is compressed: read what went into it)."""

    def pdf_text(self) -> tuple[int, str]:
        from ketaclinic.patients.views import export

        captured: dict[str, object] = {}
        original = export.summary_rows

        def spy(patient: Patient, viewer: object) -> object:
            result = original(patient, viewer)  # type: ignore[arg-type]
            captured["rows"] = result
            return result

        export.summary_rows = spy  # type: ignore[assignment]
        self.addCleanup(setattr, export, "summary_rows", original)
        response = self.client.get(url("summary_pdf", self.patient))
        if response.status_code != 200:
            return response.status_code, ""
        assert response.content.startswith(b"%PDF")
        result: Any = captured["rows"]
        return 200, repr(result[0]) + f" withheld={result[2]}"

    def test_pdf_without_part2_grant(self) -> None:
        self.grant(sections.SUMMARY, sections.DIAGNOSES)
        self.login(Role.OUTSIDE_PROFESSIONAL)
        status, text = self.pdf_text()
        assert status == 200
        assert "Alcohol use disorder" not in text and "withheld=1" in text
        assert "Naltrexone" not in text  # medications not shared
        assert AuditEntry.objects.filter(action="patients.summary.export").count() == 1
        assert not AuditEntry.objects.filter(action="patient.part2_disclosure").exists()

    def test_pdf_with_part2_grant_is_a_disclosure(self) -> None:
        self.grant(sections.SUMMARY, sections.DIAGNOSES, sections.PART2)
        self.login(Role.OUTSIDE_PROFESSIONAL)
        status, text = self.pdf_text()
        assert status == 200 and "Alcohol use disorder" in text
        entry = AuditEntry.objects.get(action="patient.part2_disclosure")
        assert entry.after == {"where": "summary.pdf", "rows": 1}

    def test_pdf_notice_text_is_in_the_file(self) -> None:
        from ketaclinic.patients.access import ChartViewer
        from ketaclinic.patients.views.export import build_pdf

        viewer = ChartViewer(
            member(self.pro, self.clinic),
            frozenset({sections.SUMMARY, sections.DIAGNOSES}),
            part2=True,
        )
        body, part2 = build_pdf(self.patient, viewer, dt.date(2026, 3, 1))
        assert part2 == 1 and body.startswith(b"%PDF")
        viewer = ChartViewer(
            member(self.pro, self.clinic), frozenset({sections.SUMMARY}), part2=False
        )
        assert build_pdf(self.patient, viewer, dt.date(2026, 3, 1))[1] == 0
