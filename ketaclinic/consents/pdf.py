"""The PDF copy of a signed consent (fpdf2): the exact template text the patient read, the
consent's fields, the typed and drawn signature, when, from where and before whom.

Written uncompressed with the PDF core fonts, so the text stays readable in the file itself
(anyone can check a copy with a text search) and nothing depends on fonts installed on the
server. The core fonts hold Latin-1 only: typographic punctuation is mapped to its plain form
and any other character outside Latin-1 prints as "?" (a gap noted in the README of the app).
"""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

from django.utils import timezone
from fpdf import FPDF

from ketaclinic.access.zones import clinic_zone
from ketaclinic.consents.defaults import REDISCLOSURE_NOTICE
from ketaclinic.lib.markdown import render_markdown

if TYPE_CHECKING:
    from ketaclinic.consents.models import Consent

_PLAIN = str.maketrans(
    {
        "\u2014": "-",
        "\u2013": "-",
        "\u2018": "'",
        "\u2019": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u2026": "...",
        "\u2265": ">=",
        "\u2264": "<=",
        "\u2192": "->",
        "\u00a0": " ",
    }
)


def latin1(text: str) -> str:
    return text.translate(_PLAIN).encode("latin-1", "replace").decode("latin-1")


def consent_fields(consent: Consent) -> list[tuple[str, str]]:
    """The consent's own facts, as (label, value), for the page and the PDF."""
    from ketaclinic.patients.sections import SHAREABLE

    patient = consent.patient
    rows = [
        ("Patient", patient.legal_name),
        ("Date of birth", patient.date_of_birth.isoformat()),
        ("Medical record number", patient.mrn),
        ("Consent", f"#{consent.pk}: {consent.template.title}"),
        (
            "Template version",
            f"{consent.template.get_kind_display()}, version {consent.template.version}",
        ),
    ]
    if consent.indications:
        rows.append(("Indication(s)", "; ".join(consent.indications)))
    if consent.professional_id:
        pro = consent.professional
        assert pro is not None
        detail = ", ".join(x for x in (pro.credentials, pro.practice) if x)
        rows.append(("Recipient", pro.name + (f" ({detail})" if detail else "")))
        rows.append(("Who may disclose", consent.clinic.name))
    if consent.sections:
        labels = [SHAREABLE.get(s, s) for s in consent.sections if s in SHAREABLE]
        if "part2" in consent.sections or consent.kind == "part2_disclosure":
            labels.append("Substance use disorder information (42 CFR Part 2)")
        rows.append(("Information shared", "; ".join(labels)))
    if consent.purpose:
        rows.append(("Purpose", consent.purpose))
    if consent.expires_on:
        rows.append(("Expires", f"At the end of {consent.expires_on.isoformat()}"))
    if consent.expiry_event:
        rows.append(("Expires at the event", consent.expiry_event))
    return rows


def signature_fields(consent: Consent) -> list[tuple[str, str]]:
    zone = clinic_zone(consent.clinic)
    signed = timezone.localtime(consent.signed_at, zone) if consent.signed_at else None
    witness = consent.witnessed_by
    return [
        ("Signed (typed name)", consent.typed_name),
        ("Signed at", f"{signed:%Y-%m-%d %H:%M %Z}" if signed else ""),
        ("From address", consent.signed_ip or "not recorded"),
        ("Device", consent.signed_user_agent or "not recorded"),
        ("Witnessed by", witness.full_name if witness else ""),
    ]


def build_pdf(consent: Consent) -> bytes:
    """The PDF bytes of the signed ``consent`` (its fields must already be set)."""
    pdf = FPDF(format="Letter")
    pdf.set_compression(False)
    pdf.set_title(latin1(consent.template.title))
    pdf.set_creator("ketaclinic")
    pdf.set_auto_page_break(auto=True, margin=18)
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 15)
    pdf.multi_cell(0, 8, latin1(consent.template.title), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 10)
    pdf.multi_cell(
        0,
        5,
        latin1(f"{consent.clinic.name} - version {consent.template.version}"),
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.ln(2)
    pdf.set_font("Helvetica", "", 10)
    pdf.write_html(latin1(str(render_markdown(consent.template.body))))
    pdf.ln(4)
    _table(pdf, "This consent", consent_fields(consent))
    _table(pdf, "Signature", signature_fields(consent))
    if consent.signature_png:
        pdf.image(io.BytesIO(bytes(consent.signature_png)), w=70)
    if consent.kind == "part2_disclosure":
        pdf.ln(3)
        pdf.set_font("Helvetica", "B", 10)
        pdf.multi_cell(0, 5, "Notice to the recipient (42 CFR 2.32)", new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("Helvetica", "", 9)
        pdf.multi_cell(0, 4.5, latin1(REDISCLOSURE_NOTICE), new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def _table(pdf: FPDF, heading: str, rows: list[tuple[str, str]]) -> None:
    pdf.set_font("Helvetica", "B", 11)
    pdf.multi_cell(0, 6, heading, new_x="LMARGIN", new_y="NEXT")
    for label, value in rows:
        pdf.set_font("Helvetica", "B", 9)
        pdf.cell(48, 5, latin1(label))
        pdf.set_font("Helvetica", "", 9)
        pdf.multi_cell(0, 5, latin1(value or "-"), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
