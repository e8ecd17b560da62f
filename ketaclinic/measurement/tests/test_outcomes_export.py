"""The trajectory SVG, the CSV export and the FHIR R4 Bundle (validated with fhir.resources)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import xml.etree.ElementTree as ET
from typing import Any

from django.test import SimpleTestCase, TestCase
from fhir.resources.R4B.bundle import Bundle

from ketaclinic.clinics.models import Clinic
from ketaclinic.measurement import export
from ketaclinic.measurement.demo_outcomes import answers_for_total, write_response
from ketaclinic.measurement.outcome_settings import rules
from ketaclinic.measurement.outcomes import Infusion, Outcome, Point, outcome
from ketaclinic.measurement.plots import trajectory_svg
from ketaclinic.patients.models import Patient

SVG = "{http://www.w3.org/2000/svg}"
AT = dt.datetime(2026, 1, 5, 18, 0, tzinfo=dt.UTC)
NOTICE = "Part 2 notice (test)"


def validated(data: dict[str, Any]) -> Any:
    """The Bundle as fhir.resources' R4 (R4B package) models build it; raises if invalid.
    Typed Any: the models' every field is optional, which says nothing in a test."""
    return Bundle.model_validate(data)


def phq9_outcome(totals: list[int]) -> Outcome:
    r = rules(None)
    points = [Point(AT + dt.timedelta(weeks=i), t, i) for i, t in enumerate(totals)]
    return outcome(
        "phq9",
        points,
        zone=dt.UTC,
        response_rule=r.response_rule("phq9"),
        remission_rule=r.remission_rule("phq9"),
    )


class PlotTests(SimpleTestCase):
    def test_it_is_valid_svg_with_title_desc_and_the_band_labels(self) -> None:
        svg = trajectory_svg(phq9_outcome([20, 14, 9, 4]))
        root = ET.fromstring(svg.encode())  # noqa: S314 - our own output
        assert root.tag == f"{SVG}svg" and root.get("role") == "img"
        assert root[0].tag == f"{SVG}title" and root[0].text == (
            "Patient Health Questionnaire-9 (PHQ-9) over time"
        )
        desc = root[1].text or ""
        assert root[1].tag == f"{SVG}desc"
        assert "baseline 20, latest 4" in desc and "Response threshold 10 or less" in desc
        texts = {t.text for t in root.iter(f"{SVG}text")}
        # The PHQ-9 bands of Kroenke 2001, as labels on the plot.
        assert {"none/minimal", "mild", "moderate", "moderately severe", "severe"} <= texts
        assert "response (total ≤ 10)" in texts and "remission (total < 5)" in texts
        assert not list(root.iter(f"{SVG}script"))

    def test_it_is_deterministic(self) -> None:
        o = phq9_outcome([20, 14, 9, 4])
        assert trajectory_svg(o) == trajectory_svg(o)

    def test_infusions_are_marked_with_their_dose(self) -> None:
        o = phq9_outcome([20, 14, 9])
        plain = trajectory_svg(o)
        marked = trajectory_svg(o, [Infusion(AT + dt.timedelta(days=1), 35.0)])
        assert "35 mg" in marked and "35 mg" not in plain
        assert ">infusion<" in marked

    def test_a_single_score_still_plots(self) -> None:
        assert "<svg" in trajectory_svg(phq9_outcome([12]))


class ExportTests(TestCase):
    clinic: Clinic
    patient: Patient

    @classmethod
    def setUpTestData(cls) -> None:
        cls.clinic = Clinic.objects.create(name="Export Clinic", slug="export")
        cls.patient = Patient.objects.create(
            clinic=cls.clinic,
            mrn="KC-000001",
            legal_given_name="Ada",
            legal_family_name="Export (test)",
            date_of_birth=dt.date(1980, 1, 2),
        )

    def phq9(self, total: int, at: dt.datetime = AT) -> None:
        write_response(self.patient, "phq9", answers_for_total("phq9", total), at)

    def test_csv_neutralises_formula_cells(self) -> None:
        self.phq9(14)
        r = self.patient.responses.get()
        type(r).objects.filter(pk=r.pk).update(struck_at=AT, struck_reason='=HYPERLINK("http://x")')
        rows, withheld = export.exported_rows(self.patient, part2=False)
        lines = list(export.csv_rows(self.patient, rows, dt.UTC, notice=None))
        assert lines[0] == export.CSV_HEADER and withheld == 0
        row = dict(zip(lines[0], lines[1], strict=True))
        assert row["struck_reason"] == '\'=HYPERLINK("http://x")'
        assert row["total"] == "14" and row["severity"] == "moderate"
        assert row["answers"] == "[3, 3, 3, 3, 2, 0, 0, 0, 0]"

    def test_csv_starts_with_the_redisclosure_notice_when_part2_rows_are_in(self) -> None:
        self.phq9(14)
        rows, _ = export.exported_rows(self.patient, part2=True)
        buf = io.StringIO()
        csv.writer(buf).writerows(export.csv_rows(self.patient, rows, dt.UTC, notice=NOTICE))
        assert buf.getvalue().splitlines()[0] == f"# {NOTICE}"

    def test_part2_rows_are_left_out_without_part2(self) -> None:
        Patient.objects.filter(pk=self.patient.pk).update(sud_treatment=True)
        self.patient.refresh_from_db()
        self.phq9(14)
        assert export.exported_rows(self.patient, part2=False) == ([], 1)
        assert len(export.exported_rows(self.patient, part2=True)[0]) == 1

    def test_fhir_bundle_validates_and_carries_the_phq9_loinc_codes(self) -> None:
        self.phq9(14)
        write_response(self.patient, "pcl5", answers_for_total("pcl5", 40), AT)
        rows, _ = export.exported_rows(self.patient, part2=True)
        data = export.fhir_bundle(self.patient, rows, generated_at=AT, notice=NOTICE)
        bundle = validated(data)
        assert bundle.type == "collection"
        kinds = [e.resource.__resource_type__ for e in bundle.entry]
        assert kinds == [
            "Patient",
            "QuestionnaireResponse",
            "Observation",
            "QuestionnaireResponse",
            "Observation",
        ]
        qr = bundle.entry[1].resource
        assert qr.questionnaire == "http://loinc.org/q/44249-1"  # the PHQ-9 panel
        assert qr.status == "completed"
        assert [i.linkId for i in qr.item][:2] == ["44250-9", "44255-8"]
        first = qr.item[0].answer[0].valueCoding
        assert (first.system, first.code, first.display) == (
            "http://loinc.org",
            "LA6571-9",  # "Nearly every day" = 3
            "Nearly every day",
        )
        assert first.extension[0].valueDecimal == 3
        obs = bundle.entry[2].resource
        assert (obs.code.coding[0].system, obs.code.coding[0].code) == (
            "http://loinc.org",
            "44261-6",  # PHQ-9 total score
        )
        assert obs.valueInteger == 14 and obs.derivedFrom[0].reference == bundle.entry[1].fullUrl
        assert obs.subject.reference == bundle.entry[0].fullUrl
        pcl = bundle.entry[4].resource
        # No LOINC code was found for the PCL-5 (clinical.md 6.11): the local code system.
        assert pcl.code.coding[0].system == "https://ketaclinic.org/fhir/CodeSystem/instruments"
        assert pcl.code.coding[0].code == "ketaclinic-pcl5-total"
        assert bundle.meta is None  # no Part 2 row

    def test_part2_resources_carry_security_labels_and_the_notice(self) -> None:
        Patient.objects.filter(pk=self.patient.pk).update(sud_treatment=True)
        self.patient.refresh_from_db()
        self.phq9(9)
        rows, _ = export.exported_rows(self.patient, part2=True)
        bundle = validated(export.fhir_bundle(self.patient, rows, generated_at=AT, notice=NOTICE))
        codes = {c.code for c in bundle.meta.security}
        assert codes == {"42CFRPart2", "NORDSLCD", "R"}
        obs = bundle.entry[2].resource
        assert {c.code for c in obs.meta.security} == codes
        assert obs.note[0].text == NOTICE

    def test_a_struck_response_is_exported_as_entered_in_error(self) -> None:
        self.phq9(9)
        self.patient.responses.update(struck_at=AT, struck_reason="wrong patient")
        rows, _ = export.exported_rows(self.patient, part2=False)
        bundle = validated(export.fhir_bundle(self.patient, rows, generated_at=AT, notice=NOTICE))
        assert [e.resource.status for e in bundle.entry[1:]] == [
            "entered-in-error",
            "entered-in-error",
        ]
