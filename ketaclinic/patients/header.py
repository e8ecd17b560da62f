"""The patients app's own chart header items: allergies, open safety flags, next appointment.

Registered in ``PatientsConfig.ready``; eligibility, consents and the care team add theirs."""

from __future__ import annotations

from typing import Any

from ketaclinic.patients import queries, sections
from ketaclinic.patients.access import ChartViewer
from ketaclinic.patients.chart import HeaderItem, register_header_item
from ketaclinic.patients.models import Patient


def allergies_context(patient: Patient, viewer: ChartViewer) -> dict[str, Any]:
    rows, withheld = queries.visible(queries.current_allergies(patient), viewer)
    return {
        "allergies": [a for a in rows if not a.no_known_allergies],
        # Withheld rows leave the state unknown to this viewer: never "no known allergies".
        "state": queries.allergy_state(rows) if not withheld else "withheld",
        "withheld": withheld,
    }


def safety_flags_context(patient: Patient, viewer: ChartViewer) -> dict[str, Any]:
    rows, withheld = queries.visible(queries.open_safety_flags(patient), viewer)
    return {"flags": rows, "withheld": withheld}


def status_context(patient: Patient, viewer: ChartViewer) -> dict[str, Any]:
    return {"patient": patient, "part2": viewer.part2}


def register() -> None:
    register_header_item(
        HeaderItem("status", 5, "patients/header/status.html", status_context, sections.SUMMARY)
    )
    register_header_item(
        HeaderItem(
            "allergies", 10, "patients/header/allergies.html", allergies_context, sections.ALLERGIES
        )
    )
    register_header_item(
        HeaderItem(
            "safety_flags",
            20,
            "patients/header/safety_flags.html",
            safety_flags_context,
            sections.SUMMARY,
        )
    )
