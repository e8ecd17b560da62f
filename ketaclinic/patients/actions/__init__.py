"""The write layer of the patients app: every change to a patient's record is one function
here (the API in CONVENTIONS.md, "patients.actions API"). Each checks permission through
``patients.policies``, writes inside ``transaction.atomic`` with the patient row locked,
records an audit entry, and sends ``patients.signals.record_changed`` where clinical facts
change."""

from ketaclinic.patients.actions._common import StaleVersion
from ketaclinic.patients.actions.history import (
    add_allergy,
    add_diagnosis,
    add_medication,
    is_sud_code,
    record_blood_pressure,
    record_measurement,
    record_medical_answers,
    record_no_known_allergies,
    record_psychiatric_history,
    record_reproductive_status,
    record_substance_use,
    stop_medication,
    strike_entry,
)
from ketaclinic.patients.actions.record import (
    create_patient,
    next_mrn,
    raise_safety_flag,
    resolve_safety_flag,
    set_status,
    update_chart_settings,
    update_patient,
)

__all__ = [
    "StaleVersion",
    "add_allergy",
    "add_diagnosis",
    "add_medication",
    "create_patient",
    "is_sud_code",
    "next_mrn",
    "raise_safety_flag",
    "record_blood_pressure",
    "record_measurement",
    "record_medical_answers",
    "record_no_known_allergies",
    "record_psychiatric_history",
    "record_reproductive_status",
    "record_substance_use",
    "resolve_safety_flag",
    "set_status",
    "stop_medication",
    "strike_entry",
    "update_chart_settings",
    "update_patient",
]
