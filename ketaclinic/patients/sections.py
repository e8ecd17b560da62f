"""The sections of a patient's record a sharing consent can name.

A consent to share with an outside professional lists some of these; the grant it creates
(``accounts.SharedAccess.sections``) holds the same keys, and every screen that shows part of a
record to someone outside the clinic asks ``shared_sections`` for its key. ``PART2`` is never
shared by an ordinary sharing consent: only a 42 CFR Part 2 consent that names the recipient
adds it (42 CFR 2.31; clinical reference section 8.3).
"""

from __future__ import annotations

SUMMARY = "summary"  # name, date of birth, pronouns, the care team
CONTACT = "contact"
DIAGNOSES = "diagnoses"
MEDICATIONS = "medications"
ALLERGIES = "allergies"
WEIGHT = "weight"
HISTORY = "history"  # psychiatric, medical and substance-use history
ELIGIBILITY = "eligibility"
TREATMENT = "treatment"  # plans and infusion sessions (later issues)
OUTCOMES = "outcomes"  # questionnaire scores (the measurement issue)
PART2 = "part2"

SHAREABLE: dict[str, str] = {
    SUMMARY: "Name, date of birth, pronouns and care team",
    CONTACT: "Contact details",
    DIAGNOSES: "Diagnoses",
    MEDICATIONS: "Current medications",
    ALLERGIES: "Allergies",
    WEIGHT: "Height and weight",
    HISTORY: "Psychiatric, medical and substance-use history",
    ELIGIBILITY: "Eligibility screening and the physician's decision",
    TREATMENT: "Treatment plan and infusion sessions",
    OUTCOMES: "Questionnaire scores and progress",
}
