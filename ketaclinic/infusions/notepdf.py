"""The session note as a PDF (fpdf2, in the house style of ``consents.pdf``): uncompressed,
core fonts, so the text stays searchable in the file. The core fonts hold Latin-1 only:
typographic punctuation is mapped to its plain form, accented letters outside Latin-1 lose
their accent (NFKD), and anything else prints as "?"."""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from typing import Any
from zoneinfo import ZoneInfo

from fpdf import FPDF

from ketaclinic.consents.pdf import latin1 as _consent_latin1
from ketaclinic.infusions.models import NoteAddendum, SessionNote

_MORE = str.maketrans(
    {
        "\u00b1": "+/-",
        "\u2212": "-",
        "\u2022": "*",
        "\u0141": "L",
        "\u0142": "l",
        "\u0110": "D",
        "\u0111": "d",
    }
)


def latin1(text: str) -> str:
    out = []
    for ch in str(text).translate(_MORE):
        try:
            ch.encode("latin-1")
            out.append(ch)
        except UnicodeEncodeError:
            plain = "".join(
                c for c in unicodedata.normalize("NFKD", ch) if not unicodedata.combining(c)
            )
            out.append(plain)
    return _consent_latin1("".join(out))


def _yn(value: bool) -> str:
    return "yes" if value else "no"


def sections(content: dict[str, Any]) -> list[tuple[str, list[tuple[str, str]]]]:
    """The note as (heading, [(label, value)]) for the PDF."""
    p = content["patient"]
    out: list[tuple[str, list[tuple[str, str]]]] = [
        (
            "Patient and visit",
            [
                ("Patient", p["name"]),
                ("Date of birth", p["date_of_birth"]),
                ("Record number", p["mrn"]),
                ("Date", content["date"]),
                ("Chair", content["chair"]),
                (
                    "Clinicians",
                    ", ".join(f"{c['name']} ({c['role']})" for c in content["clinicians"]),
                ),
            ],
        )
    ]
    plan = content.get("plan")
    out.append(
        (
            "Plan",
            [
                (
                    "Plan version",
                    f"v{plan['version']}: {plan['dose_mg_per_kg']} mg/kg = {plan['dose_mg']} mg "
                    f"({plan['weight_basis']} weight {plan['weight_used_kg']} kg); "
                    f"signed {plan['signed_at']} by {plan['signed_by']}",
                )
            ]
            if plan
            else [("Plan version", "none pinned")],
        )
    )
    out.append(
        (
            "Pre-infusion checks",
            [
                (c["item"], f"{c['result']}: {c['summary']} ({c['at']}, {c['by']})")
                for c in content["prechecks"]
            ]
            + [
                (f"Override: {o['item']}", f"{o['reason']} ({o['physician']}, {o['at']})")
                for o in content["overrides"]
            ],
        )
    )
    prep = content["preparation"]
    out.append(
        (
            "Preparation",
            [
                ("Drug", prep["drug"]),
                ("Lot / expiry", f"{prep['lot']} / {prep['expiry']}"),
                (
                    "Container",
                    f"{prep['container_drug_mg']} mg in {prep['container_volume_ml']} mL "
                    f"({prep['concentration_mg_per_ml']} mg/mL)",
                ),
                ("Pump rate", f"{prep['rate_ml_per_h']} mL/h: " + "; ".join(prep["arithmetic"])),
            ],
        )
    )
    out.append(
        (
            "Flowsheet",
            [
                (
                    r["at"] + (" LATE" if r["late"] else ""),
                    f"{r['phase']} BP {r['bp']} HR {r['hr']} SpO2 {r['spo2']} RR {r['rr']}"
                    + (f" MOAA/S {r['moaas']}" if r["moaas"] is not None else "")
                    + (f" CADSS {r['dissociation']}" if r["dissociation"] is not None else "")
                    + (f" [STRUCK: {r['strike_reason']}]" if r["struck"] else ""),
                )
                for r in content["readings"]
            ],
        )
    )
    out.append(
        (
            "Pump",
            [
                (
                    e["at"],
                    f"{e['kind']}"
                    + (f" {e['rate_ml_per_h']} mL/h" if e["rate_ml_per_h"] is not None else "")
                    + (f": {e['reason']}" if e["reason"] else ""),
                )
                for e in content["pump"]
            ],
        )
    )
    out.append(
        (
            "Rules fired",
            [
                (
                    f["at"],
                    f"{f['rule']} on {f['reading']}; "
                    f"response: {f['response']} {f['response_note']}",
                )
                for f in content["firings"]
            ],
        )
    )
    out.append(
        (
            "Adverse events",
            [
                (
                    e["at"],
                    f"{e['kind']} ({e['severity']}) {e['description']} outcome: {e['outcome']}",
                )
                for e in content["events"]
            ],
        )
    )
    out.append(
        (
            "Rescue drugs",
            [
                (
                    d["at"],
                    f"{d['drug']} {d['dose_mg']} mg {d['route']}, given by {d['given_by']}, "
                    f"ordered by {d['ordered_by']}; trigger: {d['trigger'] or '-'}",
                )
                for d in content["rescues"]
            ],
        )
    )
    pred = content.get("prediction")
    out.append(
        (
            "Delivered and predicted",
            [
                ("Delivered", f"{pred['delivered_mg']} mg"),
                (
                    "Predicted peak",
                    f"plasma {pred['peak_plasma_ng_per_ml']} ng/mL at "
                    f"{pred['peak_plasma_time_min']} min; effect site "
                    f"{pred['peak_effect_ng_per_ml'] or '-'} ng/mL ({pred['model_id']})",
                ),
            ]
            if pred
            else [("Prediction", "prediction unavailable")],
        )
    )
    out.append(
        (
            "Recovery",
            [
                (
                    a["at"],
                    f"Aldrete {a['aldrete_total']}/10, PADSS {a['padss_total']}/10 ({a['by']})",
                )
                for a in content["assessments"]
            ]
            + [
                (
                    a["at"],
                    "After-effects: "
                    + ", ".join(f"{s['symptom']} {s['severity']}" for s in a["symptoms"]),
                )
                for a in content["after_effects"]
            ],
        )
    )
    d = content["discharge"]
    out.append(
        (
            "Discharge",
            [
                ("Discharged", d["at"]),
                ("Escort", f"{d['escort_name']} ({d['escort_relationship']}) {d['escort_phone']}"),
                (
                    "Override",
                    f"{d['override_reason']} ({d['override_by']})"
                    if d["override_reason"]
                    else "none",
                ),
            ],
        )
    )
    r = content["rems"]
    out.append(
        (
            "Monitoring summary (REMS-style)",
            [
                (
                    "Monitoring",
                    f"{r['monitoring_min']} min" if r["monitoring_min"] is not None else "-",
                ),
                ("BP pre-dose", r["bp_pre_dose"]),
                ("BP ~40 min", r["bp_40_min"]),
                ("BP before discharge", r["bp_before_discharge"]),
                ("Sedation", _yn(r["sedation"])),
                ("Dissociation", _yn(r["dissociation"])),
                ("Respiratory depression", _yn(r["respiratory_depression"])),
            ],
        )
    )
    return out


def build_pdf(
    content: dict[str, Any],
    *,
    note: SessionNote | None = None,
    addenda: Sequence[NoteAddendum] = (),
) -> bytes:
    """The PDF bytes of the note ``content`` (signed ``note`` and its ``addenda`` if any)."""
    zone = ZoneInfo(content.get("zone") or "UTC")
    pdf = FPDF(format="Letter")
    pdf.set_compression(False)
    title = f"Infusion session note - {content['patient']['name']}"
    pdf.set_title(latin1(title))
    pdf.set_creator("ketaclinic")
    pdf.set_auto_page_break(auto=True, margin=18)
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 14)
    pdf.multi_cell(0, 7, latin1(title), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 9)
    status = (
        f"Signed {note.signed_at.astimezone(zone):%Y-%m-%d %H:%M} by {note.signed_by}; "
        f"SHA-256 {note.content_sha256}"
        if note is not None
        else "DRAFT: not signed"
    )
    pdf.multi_cell(0, 5, latin1(f"{content['clinic']} - {status}"), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    for heading, rows in sections(content):
        _table(pdf, heading, rows)
    if addenda:
        _table(
            pdf,
            "Addenda",
            [(f"{a.at.astimezone(zone):%Y-%m-%d %H:%M} {a.by}", a.text) for a in addenda],
        )
    return bytes(pdf.output())


def _table(pdf: FPDF, heading: str, rows: list[tuple[str, str]]) -> None:
    pdf.set_font("Helvetica", "B", 11)
    pdf.multi_cell(0, 6, latin1(heading), new_x="LMARGIN", new_y="NEXT")
    if not rows:
        pdf.set_font("Helvetica", "", 9)
        pdf.multi_cell(0, 5, "None.", new_x="LMARGIN", new_y="NEXT")
    for label, value in rows:
        pdf.set_font("Helvetica", "B", 9)
        pdf.cell(44, 5, latin1(label)[:40])
        pdf.set_font("Helvetica", "", 9)
        pdf.multi_cell(0, 5, latin1(str(value) or "-"), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
