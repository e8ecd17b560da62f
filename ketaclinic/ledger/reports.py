"""The ledger's reports: administration log (by period, patient, staff member and lot),
receipts, waste, discrepancies, and the initial/biennial inventory; as rows for the page, CSV
(cells that would run as a spreadsheet formula neutralised with ``audit.report.csv_cell``) and
PDF (fpdf2, Latin-1 core fonts: ``consents.pdf.latin1`` transliterates).

Records are kept at least two years (21 CFR 1304.04(a) [E]); the period is the registration's
``retention_years`` (a per-registration setting, default 2) and nothing is ever deleted, so
the reports read every row.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterator
from dataclasses import dataclass

from fpdf import FPDF

from ketaclinic.audit.report import csv_cell
from ketaclinic.consents.pdf import latin1
from ketaclinic.ledger.models import Discrepancy, Inventory, Kind, Transaction

KINDS = {
    "administration": ("Administration log", [Kind.ADMINISTER]),
    "receipts": ("Receipts", [Kind.RECEIPT]),
    "waste": ("Waste", [Kind.WASTE]),
    "draws": ("Draws", [Kind.DRAW]),
    "disposals": (
        "Losses, thefts and destruction",
        [Kind.LOSS, Kind.THEFT, Kind.DESTROY, Kind.EXPIRY_DESTRUCTION],
    ),
    "discrepancies": ("Discrepancies", []),
}

TXN_HEADER = [
    "Entry",
    "When",
    "Kind",
    "Drug",
    "Schedule",
    "Lot",
    "Container",
    "mg",
    "mL",
    "Patient",
    "MRN",
    "Session",
    "By",
    "Witness 1",
    "Witness 2",
    "Method",
    "Reason",
    "Corrects",
    "Hash",
]
DISC_HEADER = [
    "Discrepancy",
    "Opened",
    "Source",
    "Container",
    "Expected mg",
    "Found mg",
    "Summary",
    "Resolved",
    "Resolved by",
    "Resolution",
]


@dataclass(frozen=True)
class Filters:
    report: str = "administration"
    start: dt.date | None = None
    end: dt.date | None = None
    patient_id: int | None = None
    staff_id: int | None = None
    lot_id: int | None = None


def transactions(clinic_id: int, f: Filters, zone: dt.tzinfo) -> list[Transaction]:
    kinds = KINDS.get(f.report, KINDS["administration"])[1]
    rows = Transaction.objects.filter(clinic_id=clinic_id, kind__in=kinds).select_related(
        "container__lot__drug", "patient", "performed_by", "witness_1", "witness_2"
    )
    if f.start:
        rows = rows.filter(clinical_at__gte=dt.datetime.combine(f.start, dt.time.min, zone))
    if f.end:
        end = dt.datetime.combine(f.end + dt.timedelta(days=1), dt.time.min, zone)
        rows = rows.filter(clinical_at__lt=end)
    if f.patient_id:
        rows = rows.filter(patient_id=f.patient_id)
    if f.staff_id:
        rows = rows.filter(performed_by_id=f.staff_id)
    if f.lot_id:
        rows = rows.filter(container__lot_id=f.lot_id)
    return list(rows.order_by("clinical_at", "id"))


def discrepancies(clinic_id: int, f: Filters, zone: dt.tzinfo) -> list[Discrepancy]:
    rows = Discrepancy.objects.filter(clinic_id=clinic_id).select_related(
        "container", "resolved_by"
    )
    if f.start:
        rows = rows.filter(opened_at__gte=dt.datetime.combine(f.start, dt.time.min, zone))
    if f.end:
        end = dt.datetime.combine(f.end + dt.timedelta(days=1), dt.time.min, zone)
        rows = rows.filter(opened_at__lt=end)
    return list(rows.order_by("opened_at", "id"))


def _when(moment: dt.datetime | None, zone: dt.tzinfo) -> str:
    return moment.astimezone(zone).strftime("%Y-%m-%d %H:%M") if moment else ""


def txn_values(t: Transaction, zone: dt.tzinfo) -> list[str]:
    lot = t.container.lot
    patient = t.patient
    return [
        str(t.pk),
        _when(t.clinical_at, zone),
        t.get_kind_display(),
        lot.drug.name,
        lot.drug.schedule,
        lot.lot_number,
        t.container.label,
        str(t.quantity_mg),
        str(t.quantity_ml),
        patient.legal_name if patient else "",
        patient.mrn if patient else "",
        str(t.session_id or ""),
        t.performed_by.full_name,
        t.witness_1.full_name if t.witness_1 else "",
        t.witness_2.full_name if t.witness_2 else "",
        t.method,
        t.reason,
        str(t.corrects_id or ""),
        t.entry_hash,
    ]


def disc_values(d: Discrepancy, zone: dt.tzinfo) -> list[str]:
    return [
        str(d.pk),
        _when(d.opened_at, zone),
        d.get_source_display(),
        d.container.label if d.container else "",
        str(d.expected_mg),
        str(d.found_mg),
        d.summary,
        _when(d.resolved_at, zone),
        d.resolved_by.full_name if d.resolved_by else "",
        d.resolution,
    ]


def table(clinic_id: int, f: Filters, zone: dt.tzinfo) -> tuple[list[str], list[list[str]]]:
    if f.report == "discrepancies":
        return DISC_HEADER, [disc_values(d, zone) for d in discrepancies(clinic_id, f, zone)]
    return TXN_HEADER, [txn_values(t, zone) for t in transactions(clinic_id, f, zone)]


def csv_text(header: list[str], rows: list[list[str]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    for row in [header, *rows]:
        writer.writerow([csv_cell(v) for v in row])
    return out.getvalue()


def _pdf(title: str, subtitle: str) -> FPDF:
    pdf = FPDF(format="Letter", orientation="L")
    pdf.set_compression(False)
    pdf.set_title(latin1(title))
    pdf.set_creator("ketaclinic")
    pdf.set_auto_page_break(auto=True, margin=14)
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 14)
    pdf.multi_cell(0, 7, latin1(title), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 9)
    pdf.multi_cell(0, 5, latin1(subtitle), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    return pdf


def _rows(pdf: FPDF, header: list[str], rows: list[list[str]], widths: list[float]) -> None:
    pdf.set_font("Helvetica", "B", 7)
    for text, w in zip(header, widths, strict=False):
        pdf.cell(w, 5, latin1(text)[:40], border=1)
    pdf.ln()
    pdf.set_font("Helvetica", "", 7)
    for row in rows:
        for text, w in zip(row, widths, strict=False):
            limit = max(4, int(w / 1.4))
            pdf.cell(w, 5, latin1(text)[:limit], border=1)
        pdf.ln()


def report_pdf(title: str, subtitle: str, header: list[str], rows: list[list[str]]) -> bytes:
    pdf = _pdf(title, subtitle)
    shown = [i for i, h in enumerate(header) if h not in ("Hash", "Session", "Corrects")]
    usable = pdf.w - pdf.l_margin - pdf.r_margin
    widths = [usable / len(shown)] * len(shown)
    _rows(pdf, [header[i] for i in shown], [[r[i] for i in shown] for r in rows], widths)
    pdf.ln(3)
    pdf.set_font("Helvetica", "", 8)
    pdf.multi_cell(
        0,
        4,
        latin1(f"{len(rows)} entries. Full hashes are in the CSV export."),
        new_x="LMARGIN",
        new_y="NEXT",
    )
    return bytes(pdf.output())


INVENTORY_HEADER = [
    "Container",
    "Drug",
    "Schedule",
    "NDC",
    "Lot",
    "Expiry",
    "Opened",
    "Count",
    "Counted mL",
    "Counted mg",
    "Ledger mL",
    "Ledger mg",
]


def inventory_rows(inventory: Inventory) -> Iterator[list[str]]:
    for line in inventory.lines.select_related("container__lot__drug").order_by("container_id"):
        c = line.container
        drug = c.lot.drug
        yield [
            c.label,
            drug.name,
            drug.schedule,
            drug.ndc,
            c.lot.lot_number,
            str(c.lot.expiry),
            "yes" if line.opened else "sealed",
            "estimated" if line.estimated else "exact",
            str(line.counted_ml),
            str(line.counted_mg),
            str(line.expected_ml),
            str(line.expected_mg),
        ]


def inventory_pdf(inventory: Inventory) -> bytes:
    """The inventory record of 21 CFR 1304.11: date, opening or close of business, each
    substance's name, form, strength, container size and count (estimated only for an opened
    Schedule III–V container of at most 1,000 units), the registrant and who took it."""
    reg = inventory.registration
    subtitle = (
        f"{reg.registrant_name}, DEA {reg.dea_number}, {reg.address.replace(chr(10), ', ')}. "
        f"Taken {inventory.taken_on} at {inventory.get_business_time_display().lower()} by "
        f"{inventory.taken_by.full_name}. {inventory.note}"
    )
    rows = list(inventory_rows(inventory))
    pdf = _pdf(inventory.get_kind_display(), subtitle)
    usable = pdf.w - pdf.l_margin - pdf.r_margin
    widths = [22, 70, 14, 22, 20, 20, 14, 18, 18, 18, 18, 0.0]
    widths[-1] = usable - sum(widths[:-1])
    _rows(pdf, INVENTORY_HEADER, rows, widths)
    pdf.ln(3)
    pdf.set_font("Helvetica", "", 8)
    pdf.multi_cell(
        0,
        4,
        latin1(
            "Estimated counts are allowed for opened Schedule III-V containers of 1,000 units or "
            "fewer; other containers are counted exactly (21 CFR 1304.11(e)(3)). Keep this record "
            f"at least {reg.retention_years} years (21 CFR 1304.04(a))."
        ),
        new_x="LMARGIN",
        new_y="NEXT",
    )
    return bytes(pdf.output())
