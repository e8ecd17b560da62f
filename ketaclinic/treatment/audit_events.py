"""The audit actions the treatment app records (see ``ketaclinic.audit.registry``)."""

from __future__ import annotations

from ketaclinic.audit.registry import register, register_kind

PROTOCOL = "treatment.protocol"
PLAN = "treatment.treatmentplan"
SETTINGS = "treatment.treatmentsettings"
register_kind(PROTOCOL, "Treatment protocol")
register_kind(PLAN, "Treatment plan")
register_kind(SETTINGS, "Treatment settings")

register("treatment.protocol.copy", "Copied a built-in protocol for the clinic", kind=PROTOCOL)
register("treatment.protocol.version", "Made a new version of a protocol", kind=PROTOCOL)
register("treatment.plan.draft", "Drafted a treatment plan", kind=PLAN)
register("treatment.plan.change", "Changed a treatment plan (a new version)", kind=PLAN)
register("treatment.plan.sign", "Signed a treatment plan", kind=PLAN)
register("treatment.settings.update", "Changed the clinic's treatment settings", kind=SETTINGS)
register("view.treatment", "Opened a patient's treatment plan", kind="patients.patient")
