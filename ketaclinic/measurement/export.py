"""A patient's questionnaire responses as CSV and as a FHIR R4 Bundle.

CSV: one row per response, struck-through ones included (with when and why), cells that a
spreadsheet would run as a formula neutralised (``audit.report.csv_cell``, the audit export's
rule). When 42 CFR Part 2 responses are included, the first row is the redisclosure notice
(42 CFR 2.32).

FHIR (software.md B; HL7 FHIR R4): a ``collection`` Bundle with the Patient (MRN, name, date of
birth), one QuestionnaireResponse per response (answers by item: the item's LOINC code, or its
local code, as ``linkId``; an option with a LOINC answer code as a Coding carrying the option's
value as ``ordinalValue``) and one Observation per scored response (the total, coded with the
instrument's LOINC total code where it has one, else the local code system, ``derivedFrom``
its QuestionnaireResponse). A struck response is exported ``entered-in-error``. Part 2
resources carry the security labels 42CFRPart2, NORDSLCD (no redisclosure without consent)
and confidentiality R, the Bundle the same when any is included, and each Part 2 Observation
the notice as a note.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from ketaclinic.audit.report import csv_cell
from ketaclinic.instruments import INSTRUMENTS
from ketaclinic.instruments.model import LOCAL_CODE_SYSTEM, LOINC_SYSTEM, Instrument
from ketaclinic.measurement.models import Response
from ketaclinic.patients.models import Patient

ORDINAL_VALUE = "http://hl7.org/fhir/StructureDefinition/ordinalValue"
ACT_CODE = "http://terminology.hl7.org/CodeSystem/v3-ActCode"
CONFIDENTIALITY = "http://terminology.hl7.org/CodeSystem/v3-Confidentiality"
OBSERVATION_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"
MRN_SYSTEM = "https://ketaclinic.org/fhir/NamingSystem/mrn"
RESPONSE_SYSTEM = "https://ketaclinic.org/fhir/NamingSystem/response"
LOCAL_QUESTIONNAIRE = "https://ketaclinic.org/fhir/Questionnaire"
PART2_SECURITY: list[dict[str, str]] = [
    {"system": ACT_CODE, "code": "42CFRPart2", "display": "42 CFR Part2"},
    {
        "system": ACT_CODE,
        "code": "NORDSLCD",
        "display": "no redisclosure without consent directive",
    },
    {"system": CONFIDENTIALITY, "code": "R", "display": "restricted"},
]

CSV_HEADER = [
    "response_id",
    "mrn",
    "instrument",
    "instrument_version",
    "administered_at",
    "administered_at_utc",
    "total",
    "severity",
    "subscores",
    "flags",
    "answers",
    "channel",
    "entered_by",
    "part2",
    "struck_at_utc",
    "struck_reason",
]


def exported_rows(patient: Patient, *, part2: bool) -> tuple[list[Response], int]:
    """The patient's responses oldest first (struck ones too), Part 2 ones only with
    ``part2``; and how many were withheld. One query."""
    rows = list(
        Response.objects.filter(patient=patient)
        .select_related("entered_by")
        .order_by("administered_at", "id")
    )
    shown = [r for r in rows if part2 or not r.part2]
    return shown, len(rows) - len(shown)


def csv_rows(
    patient: Patient, responses: Iterable[Response], zone: dt.tzinfo, *, notice: str | None
) -> Iterator[list[str]]:
    if notice is not None:
        yield [csv_cell(f"# {notice}")]
    yield CSV_HEADER
    for r in responses:
        values = [
            str(r.pk),
            patient.mrn,
            r.instrument_id,
            r.instrument_version,
            r.administered_at.astimezone(zone).isoformat(),
            r.administered_at.astimezone(dt.UTC).isoformat(),
            "" if r.total is None else str(r.total),
            r.severity,
            json.dumps(r.subscores, sort_keys=True) if r.subscores else "",
            " ".join(r.flags),
            json.dumps(r.answers),
            r.channel,
            r.entered_by.email if r.entered_by is not None else "",
            "yes" if r.part2 else "no",
            r.struck_at.astimezone(dt.UTC).isoformat() if r.struck_at else "",
            r.struck_reason,
        ]
        yield [csv_cell(v) for v in values]


# --- FHIR R4 --------------------------------------------------------------------------------


def _urn(patient: Patient, kind: str, key: object) -> str:
    """A stable ``urn:uuid`` for a resource of this export (the same every time)."""
    name = f"ketaclinic:{patient.clinic_id}:{kind}:{key}"
    return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, name)}"


def _code_system(code: str) -> str:
    return LOCAL_CODE_SYSTEM if code.startswith("ketaclinic-") else LOINC_SYSTEM


def questionnaire_url(inst: Instrument) -> str:
    if inst.uses_loinc:
        return f"http://loinc.org/q/{inst.panel_code}"
    return f"{LOCAL_QUESTIONNAIRE}/{inst.id}|{inst.version}"


def _answer(inst: Instrument, index: int, value: object) -> list[dict[str, Any]]:
    if value is None or index >= len(inst.items):
        return []
    item = inst.items[index]
    option = next((o for o in item.options if o.value == value), None)
    if option is not None and option.loinc and isinstance(value, int):
        coding = {
            "system": LOINC_SYSTEM,
            "code": option.loinc,
            "display": option.label,
            "extension": [{"url": ORDINAL_VALUE, "valueDecimal": value}],
        }
        return [{"valueCoding": coding}]
    if isinstance(value, bool) or not isinstance(value, int):
        return [{"valueString": str(value)}]
    return [{"valueInteger": value}]


def questionnaire_response(
    patient: Patient, r: Response, subject: dict[str, Any]
) -> dict[str, Any]:
    inst = INSTRUMENTS[r.instrument_id]
    items = []
    for i, value in enumerate(r.answers):
        if i >= len(inst.items):
            break
        item: dict[str, Any] = {
            "linkId": inst.items[i].code,
            "text": inst.items[i].text or inst.items[i].label,
        }
        answer = _answer(inst, i, value)
        if answer:
            item["answer"] = answer
        items.append(item)
    resource: dict[str, Any] = {
        "resourceType": "QuestionnaireResponse",
        "identifier": {"system": RESPONSE_SYSTEM, "value": str(r.pk)},
        "questionnaire": questionnaire_url(inst),
        "status": "entered-in-error" if r.struck_at else "completed",
        "subject": subject,
        "authored": r.administered_at.astimezone(dt.UTC).isoformat(),
        "item": items,
    }
    if r.part2:
        resource["meta"] = {"security": PART2_SECURITY}
    return resource


def observation(
    patient: Patient, r: Response, subject: dict[str, Any], derived_from: str, notice: str
) -> dict[str, Any]:
    inst = INSTRUMENTS[r.instrument_id]
    resource: dict[str, Any] = {
        "resourceType": "Observation",
        "identifier": [{"system": RESPONSE_SYSTEM, "value": f"{r.pk}-total"}],
        "status": "entered-in-error" if r.struck_at else "final",
        "category": [
            {"coding": [{"system": OBSERVATION_CATEGORY, "code": "survey", "display": "Survey"}]}
        ],
        "code": {
            "coding": [
                {
                    "system": _code_system(inst.total_code),
                    "code": inst.total_code,
                    "display": f"{inst.name} total score",
                }
            ],
            "text": f"{inst.name} total score",
        },
        "subject": subject,
        "effectiveDateTime": r.administered_at.astimezone(dt.UTC).isoformat(),
        "valueInteger": r.total,
        "derivedFrom": [{"reference": derived_from}],
    }
    if r.severity:
        resource["interpretation"] = [{"text": r.severity}]
    if r.part2:
        resource["meta"] = {"security": PART2_SECURITY}
        resource["note"] = [{"text": notice}]
    return resource


def fhir_bundle(
    patient: Patient, responses: Sequence[Response], *, generated_at: dt.datetime, notice: str
) -> dict[str, Any]:
    """The Bundle (module docstring); ``notice`` is the 42 CFR 2.32 redisclosure notice."""
    patient_url = _urn(patient, "patient", patient.pk)
    subject = {"reference": patient_url, "display": patient.mrn}
    entries: list[dict[str, Any]] = [
        {
            "fullUrl": patient_url,
            "resource": {
                "resourceType": "Patient",
                "identifier": [{"system": MRN_SYSTEM, "value": patient.mrn}],
                "name": [
                    {"family": patient.legal_family_name, "given": [patient.legal_given_name]}
                ],
                "birthDate": patient.date_of_birth.isoformat(),
            },
        }
    ]
    for r in responses:
        if r.instrument_id not in INSTRUMENTS:
            continue
        qr_url = _urn(patient, "response", r.pk)
        entries.append({"fullUrl": qr_url, "resource": questionnaire_response(patient, r, subject)})
        if r.total is not None:
            entries.append(
                {
                    "fullUrl": _urn(patient, "total", r.pk),
                    "resource": observation(patient, r, subject, qr_url, notice),
                }
            )
    bundle: dict[str, Any] = {
        "resourceType": "Bundle",
        "type": "collection",
        "timestamp": generated_at.astimezone(dt.UTC).isoformat(),
        "entry": entries,
    }
    if any(r.part2 for r in responses):
        bundle["meta"] = {"security": PART2_SECURITY}
    return bundle
