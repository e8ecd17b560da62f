"""The chart summary as a PDF (fpdf2), honouring the viewer's sections and 42 CFR Part 2.

Each download is audited (``patients.summary.export``); one that contains Part 2 rows is also
recorded as a disclosure and carries the redisclosure notice (42 CFR 2.32) on its first page.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from django.views.decorators.http import require_safe
from fpdf import FPDF

from ketaclinic.access.request import ClinicRequest
from ketaclinic.access.zones import clinic_today
from ketaclinic.accounts.policies import break_glass_or_roles
from ketaclinic.audit.log import record
from ketaclinic.patients import queries, sections
from ketaclinic.patients.access import ChartViewer
from ketaclinic.patients.models import Patient
from ketaclinic.patients.views._chart import (
    CHART_READERS,
    REDISCLOSURE_NOTICE,
    chart_target,
    open_chart,
)
from ketaclinic.patients.weights import derived_weights

# The PDF core fonts are Latin-1: characters outside it are spelled out, never dropped.
_SPELLED = {
    "−": "-",
    "–": "-",
    "—": "-",
    "×": "x",
    "÷": "/",
    "²": "2",
    "≥": ">=",
    "≤": "<=",
    "’": "'",
    "“": '"',
    "”": '"',
}


def _text(value: Any) -> str:
    text = str(value)
    for char, spelled in _SPELLED.items():
        text = text.replace(char, spelled)
    return text.encode("latin-1", "replace").decode("latin-1")


def _yes(value: bool) -> str:
    return "yes" if value else "no"


def summary_rows(
    patient: Patient, viewer: ChartViewer
) -> tuple[list[tuple[str, list[str]]], int, int]:
    """The summary's sections as (heading, lines), how many Part 2 rows it holds and how many
    were withheld."""
    out: list[tuple[str, list[str]]] = []
    part2 = withheld = 0

    def take(rows: Any) -> list[Any]:
        nonlocal part2, withheld
        shown, w = queries.visible([r for r in rows if not r.is_struck], viewer)
        withheld += w
        part2 += sum(1 for r in shown if r.part2)
        return shown

    out.append(
        (
            "Patient",
            [
                f"Name: {patient.display_name} (legal: {patient.legal_name})",
                f"Record number: {patient.mrn}",
                f"Date of birth: {patient.date_of_birth:%Y-%m-%d}",
                f"Pronouns: {patient.pronouns or 'not given'}",
                f"Status: {patient.get_status_display()}",
            ],
        )
    )
    if viewer.sees(sections.CONTACT):
        out.append(
            (
                "Contact",
                [
                    f"Mobile: {patient.phone_mobile or '-'}  Email: {patient.email or '-'}",
                    f"Emergency contact: {patient.emergency_contact_name or '-'} "
                    f"{patient.emergency_contact_phone}",
                    f"Escort: {patient.escort_name or '-'} {patient.escort_phone}",
                ],
            )
        )
    if viewer.sees(sections.ALLERGIES):
        rows = take(patient.allergies.all())
        state = queries.allergy_state(rows)
        lines = [
            f"{a.substance}: {a.reaction or 'reaction not given'} ({a.get_severity_display()})"
            for a in rows
            if not a.no_known_allergies
        ]
        if state == "none_known":
            lines = ["No known allergies"]
        out.append(("Allergies", lines or ["Allergies not recorded"]))
    if viewer.sees(sections.MEDICATIONS):
        meds = take(patient.medications.filter(stopped_on__isnull=True))
        lines = []
        for m in meds:
            extra = (
                f", {m.lorazepam_equivalent_mg_per_day} mg/day lorazepam-eq"
                if m.lorazepam_equivalent_mg_per_day is not None
                else ""
            )
            flag = f" [{m.get_flag_display()}]" if m.flag else ""
            lines.append(f"{m.name} {m.dose_text}{flag}{extra}")
        out.append(("Current medications", lines or ["None recorded"]))
    if viewer.sees(sections.DIAGNOSES):
        rows = take(patient.diagnoses.all())
        out.append(
            (
                "Diagnoses",
                [
                    f"{d.icd10_code} {d.description}{' (primary)' if d.is_primary else ''}"
                    for d in rows
                ]
                or ["None recorded"],
            )
        )
    if viewer.sees(sections.WEIGHT):
        rows = take(patient.measurements.all())
        height = next((r.height_cm for r in rows if r.height_cm is not None), None)
        weight = next((r.weight_kg for r in rows if r.weight_kg is not None), None)
        lines = [f"Latest height {height or '-'} cm, weight {weight or '-'} kg"]
        for d in derived_weights(height, weight, patient.sex_at_birth):
            value = f"{d.value} {d.unit}" if d.value is not None else d.note
            lines.append(f"{d.label}: {value} = {d.formula}. Source: {d.source}")
        out.append(("Height and weight", lines))
    if viewer.sees(sections.HISTORY):
        psych = take(patient.psychiatric_histories.all())[:1]
        subs = take(patient.substance_uses.all())
        lines = [
            f"Adequate antidepressant trials: {p.adequate_antidepressant_trials}; "
            f"ECT {_yes(p.prior_ect)}, TMS {_yes(p.prior_tms)}, "
            f"esketamine {_yes(p.prior_esketamine)}"
            for p in psych
        ]
        lines += [
            f"Substance: {s.substance}, {s.get_pattern_display()}"
            + (", in treatment" if s.in_treatment else "")
            for s in subs
        ]
        out.append(("History", lines or ["None recorded"]))
    return out, part2, withheld


def build_pdf(patient: Patient, viewer: ChartViewer, today: Any) -> tuple[bytes, int]:
    rows, part2, withheld = summary_rows(patient, viewer)
    pdf = FPDF(format="Letter")
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 15)
    pdf.multi_cell(
        0,
        8,
        _text(f"Chart summary: {patient.display_name} ({patient.mrn})"),
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.set_font("Helvetica", "", 9)
    pdf.multi_cell(
        0,
        5,
        _text(f"{patient.clinic.name}. Printed {today:%Y-%m-%d}. Confidential medical record."),
        new_x="LMARGIN",
        new_y="NEXT",
    )
    if part2:
        pdf.ln(2)
        pdf.set_font("Helvetica", "B", 10)
        pdf.multi_cell(
            0,
            5,
            "Notice of prohibition on redisclosure (42 CFR 2.32)",
            new_x="LMARGIN",
            new_y="NEXT",
        )
        pdf.set_font("Helvetica", "", 9)
        pdf.multi_cell(0, 5, _text(REDISCLOSURE_NOTICE), new_x="LMARGIN", new_y="NEXT")
    if withheld:
        pdf.ln(2)
        pdf.multi_cell(
            0,
            5,
            _text(f"{withheld} entries are withheld under 42 CFR Part 2."),
            new_x="LMARGIN",
            new_y="NEXT",
        )
    for heading, lines in rows:
        pdf.ln(3)
        pdf.set_font("Helvetica", "B", 11)
        pdf.multi_cell(0, 6, _text(heading), new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("Helvetica", "", 10)
        for line in lines:
            pdf.multi_cell(0, 5, _text(line), new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output()), part2


@break_glass_or_roles(*CHART_READERS, target=chart_target)
@require_safe
def summary_pdf(request: ClinicRequest, pk: int) -> HttpResponse:
    patient, viewer = open_chart(request, pk)
    if not viewer.sees(sections.SUMMARY):
        from django.http import Http404

        raise Http404("No such page.")
    body, part2 = build_pdf(patient, viewer, clinic_today(patient.clinic))
    record(
        "patients.summary.export",
        request=request,
        obj=patient,
        patient_ref=patient.pk,
        after={"part2_rows": part2},
    )
    if part2:
        record(
            "patient.part2_disclosure",
            request=request,
            obj=patient,
            patient_ref=patient.pk,
            after={"where": "summary.pdf", "rows": part2},
        )
    response = HttpResponse(body, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="summary-{patient.mrn}.pdf"'
    response["Cache-Control"] = "no-store"
    return response
