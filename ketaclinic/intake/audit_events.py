"""The audit actions of the intake (the secure link's own uses are in securelinks)."""

from __future__ import annotations

from ketaclinic.audit.registry import register, register_kind

SUBMISSION = "intake.intakesubmission"
register_kind(SUBMISSION, "Intake")

register("intake.start", "Started a patient's intake", kind=SUBMISSION)
register("intake.step", "Saved a step of a patient's intake", kind=SUBMISSION)
register("intake.submit", "Submitted a patient's intake to their record", kind=SUBMISSION)
register("view.patient_intake", "Opened a patient's intake status", kind="patients.patient")
register(
    "view.intake_step", "Opened a step of a patient's intake for staff", kind="patients.patient"
)
