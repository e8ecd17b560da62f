"""The audit actions the patients app records (see ``ketaclinic.audit.registry``)."""

from __future__ import annotations

from ketaclinic.audit.registry import register, register_kind

PATIENT = "patients.patient"
# No describe: a patient's name is patient data. The report says "Patient #12".
register_kind(PATIENT, "Patient")

register("patient.create", "Created a patient record", kind=PATIENT)
register("patient.update", "Changed a patient's identity, contact or escort details", kind=PATIENT)
register("patient.status", "Changed a patient's status", kind=PATIENT)
register("patient.convert_inquiry", "Made a patient record from an inquiry", kind=PATIENT)
register("patient.measurement", "Recorded a height or weight", kind=PATIENT)
register("patient.blood_pressure", "Recorded a blood pressure", kind=PATIENT)
register("patient.allergy", "Recorded an allergy", kind=PATIENT)
register(
    "patient.no_known_allergies", "Recorded that the patient has no known allergies", kind=PATIENT
)
register("patient.medication", "Recorded a medication", kind=PATIENT)
register("patient.medication_stop", "Recorded that a medication was stopped", kind=PATIENT)
register("patient.diagnosis", "Recorded a diagnosis", kind=PATIENT)
register("patient.psychiatric_history", "Recorded psychiatric treatment history", kind=PATIENT)
register("patient.medical_answers", "Recorded medical history answers", kind=PATIENT)
register("patient.substance_use", "Recorded substance use history", kind=PATIENT)
register("patient.reproductive_status", "Recorded pregnancy and breastfeeding status", kind=PATIENT)
register("patient.strike", "Struck a chart entry through, with a reason", kind=PATIENT)
register("patient.safety_flag", "Raised a safety flag", kind=PATIENT)
register("patient.safety_flag_resolve", "Resolved a safety flag", kind=PATIENT)
# A 42 CFR Part 2 row shown (or exported) to someone outside the program under a Part 2
# consent: a disclosure, recorded as such (42 CFR 2.31, 2.32; clinical reference section 8.3).
register(
    "patient.part2_disclosure", "Disclosed 42 CFR Part 2 records under a consent", kind=PATIENT
)

# Openings (record_view). A search records that it was made, never the text searched for.
register("view.patient_list", "Opened the patient list", kind=PATIENT)
register("view.patient_search", "Searched the patients (the text is not kept)", kind=PATIENT)
register("view.patient_chart", "Opened a patient's chart", kind=PATIENT)
register("patients.summary.export", "Downloaded a patient's chart summary (PDF)", kind=PATIENT)

register(
    "patient.chart_settings",
    "Changed the clinic's chart settings (the treatment-resistant threshold)",
    kind="clinics.clinic",
)
