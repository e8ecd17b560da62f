"""The audit actions the eligibility app records (see ``ketaclinic.audit.registry``)."""

from __future__ import annotations

from ketaclinic.audit.registry import register, register_kind

DECISION = "eligibility.eligibilitydecision"
SETTINGS = "eligibility.eligibilitysettings"
# No describe: a decision is about a patient. The report says "Eligibility decision #12".
register_kind(DECISION, "Eligibility decision")
register_kind(SETTINGS, "Eligibility settings")

register("eligibility.settings.update", "Changed the clinic's eligibility settings", kind=SETTINGS)
register("eligibility.decision.sign", "Signed an eligibility decision", kind=DECISION)
register(
    "eligibility.decision.stale",
    "A record change altered the screening: the eligibility decision is out of date",
    kind=DECISION,
)
register(
    "eligibility.decision.alert_email",
    "Emailed physicians that an eligibility decision is out of date",
    kind=DECISION,
)
register("view.eligibility", "Opened a patient's eligibility screening", kind="patients.patient")
