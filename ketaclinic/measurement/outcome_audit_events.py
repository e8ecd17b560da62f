"""The audit actions of per-patient outcomes and their export (see ``ketaclinic.audit.registry``).

Imported by ``measurement/audit_events.py``, which the audit app discovers.
"""

from __future__ import annotations

from ketaclinic.audit.registry import register, register_kind

OUTCOME_SETTINGS = "measurement.outcomesettings"
register_kind(OUTCOME_SETTINGS, "Outcome definitions")
PATIENT = "patients.patient"

register(
    "outcome_settings.update", "Chose an outcome definition (remission rule)", kind=OUTCOME_SETTINGS
)
# Openings (record_view): scores are clinical data.
register("view.patient_outcomes", "Opened a patient's outcomes", kind=PATIENT)
register("view.outcome_plot", "Opened a patient's outcome plot", kind=PATIENT)
# A download of a patient's responses is a disclosure: who, which format, how many, Part 2 or not.
register("responses.export", "Exported a patient's questionnaire responses", kind=PATIENT)
