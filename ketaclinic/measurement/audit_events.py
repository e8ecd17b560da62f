"""The audit actions of the measurement app (see ``ketaclinic.audit.registry``). Entries name
responses, requests and alerts by id; never the answers (they are the patient's words). The
outcome pages' actions are in ``outcome_audit_events``."""

from __future__ import annotations

from ketaclinic.audit.registry import register, register_kind
from ketaclinic.measurement import outcome_audit_events  # noqa: F401 - registers on import

RESPONSE = "measurement.response"
REQUEST = "measurement.questionnairerequest"
ALERT = "measurement.safetyalert"
SETTINGS = "measurement.measurementsettings"
register_kind(RESPONSE, "Questionnaire response")
register_kind(REQUEST, "Questionnaire request")
register_kind(ALERT, "Safety alert")
register_kind(SETTINGS, "Measurement settings")

register("measurement.response", "Recorded a questionnaire response", kind=RESPONSE)
register("measurement.response_strike", "Struck a questionnaire response through", kind=RESPONSE)
register("measurement.request_send", "Sent questionnaires to a patient", kind=REQUEST)
register("measurement.request_save", "Saved questionnaire answers (not sent yet)", kind=REQUEST)
register("measurement.request_mode", "Chose how to answer the questionnaires", kind=REQUEST)
register("measurement.request_submit", "Sent the questionnaire answers", kind=REQUEST)
register("measurement.alert_open", "Opened a safety alert from a questionnaire", kind=ALERT)
register("measurement.alert_notify", "Emailed the care team about a safety alert", kind=ALERT)
register(
    "measurement.alert_notify_outside",
    "Told an outside professional to contact the clinic (consent to share outcomes)",
    kind=ALERT,
)
register("measurement.alert_ack", "Acknowledged a safety alert, with the action taken", kind=ALERT)
register(
    "measurement.alert_escalate", "Escalated an unacknowledged safety alert to on-call", kind=ALERT
)
register("measurement.settings", "Changed the measurement settings", kind=SETTINGS)
register(
    "view.patient_questionnaires", "Opened a patient's questionnaires", kind="patients.patient"
)
register("view.safety_alert", "Opened a safety alert", kind=ALERT)
