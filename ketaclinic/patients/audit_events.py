"""The audit actions the patients app records (see ``ketaclinic.audit.registry``)."""

from __future__ import annotations

from ketaclinic.audit.registry import register_kind

PATIENT = "patients.patient"
# No describe: a patient's name is patient data. The report says "Patient #12".
register_kind(PATIENT, "Patient")
