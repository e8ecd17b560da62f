"""Safety alerts: a questionnaire answer that signals danger reaches a clinician at once.

Triggers (issue 9 item 4; clinical.md 6.1 and 6.4): the PHQ-9 ``suicidal-ideation`` flag (item 9
answered 1 or more) and the C-SSRS screener's ``suicide-risk`` flag (risk level moderate or
high under the clinic's triage table). Both flags are set by the pure scoring core
(``ketaclinic.instruments``), even when a missing item refuses the total.

What a trigger does, inside the transaction that stores the response:

* a :class:`SafetyAlert` row and a ``patients.SafetyFlag`` (so the chart header shows it);
* the care-team email and, where the patient's consent shares ``outcomes`` with an outside
  professional, a minimal notice to them (no answers), both sent by the task queue
  (``measurement.tasks.notify_safety_alert``) once the alert is committed;
* the escalation task, due ``safety_escalation_minutes`` after the alert opened.

The patient's next screen shows crisis resources (the views read ``crisis_shown_at`` / the
submit's result). The alert stays open until a physician or nurse acknowledges it, recording
the action taken; acknowledging resolves the flag.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from ketaclinic.accounts.models import Membership
from ketaclinic.audit.log import record
from ketaclinic.clinics.models import Clinic
from ketaclinic.instruments import Instrument, Score
from ketaclinic.measurement import policies
from ketaclinic.measurement.models import (
    MeasurementSettings,
    QuestionnaireRequest,
    Response,
    SafetyAlert,
)
from ketaclinic.patients import actions as patient_actions
from ketaclinic.patients.models import Patient

logger = logging.getLogger(__name__)

#: Score flags that open an alert (set by ``ketaclinic.instruments``).
ALERT_FLAGS = ("suicidal-ideation", "suicide-risk")
FLAG_KIND = "questionnaire-safety"


def has_open_safety_alert(patient: Patient) -> bool:
    """True while ``patient`` has a safety alert no clinician has acknowledged (the infusion
    session refuses to start then)."""
    return SafetyAlert.objects.filter(patient=patient, acknowledged_at__isnull=True).exists()


def settings_for(clinic: Clinic) -> MeasurementSettings:
    """The clinic's settings row (defaults when none is saved; not written here)."""
    found = MeasurementSettings.objects.filter(clinic=clinic).first()
    return found or MeasurementSettings(clinic=clinic)


def alert_reason(instrument: Instrument, answers: list[object], score: Score) -> str:
    """Why ``score`` opens an alert, in words ("" when it does not). Names the answer that
    triggered it, never the rest."""
    reasons = []
    if "suicidal-ideation" in score.flags:
        item = instrument.item(9)
        value = answers[8]
        label = next((o.label for o in item.options if o.value == value), str(value))
        reasons.append(
            f"PHQ-9 item 9 (thoughts of being better off dead or of self-harm) answered "
            f"\u201c{label}\u201d ({value})"
        )
    if "suicide-risk" in score.flags:
        reasons.append(f"C-SSRS screener: {score.risk_level} risk")
    return "; ".join(reasons)


def open_alert(
    by: Membership | None,
    response: Response,
    reason: str,
    *,
    site_url: str = "",
    request: HttpRequest | None = None,
) -> SafetyAlert:
    """Open an alert for ``response`` (call inside the transaction that stored it).

    When the patient's answer already opened an alert while it was only saved on their link
    (``open_alert_for_saved_answers``), that alert gets the response instead: one alert, one
    notice, one escalation."""
    from ketaclinic.measurement import tasks

    if response.questionnaire_request_id is not None:
        waiting = (
            SafetyAlert.objects.select_for_update()
            .filter(questionnaire_request_id=response.questionnaire_request_id, response=None)
            .first()
        )
        if waiting is not None:
            waiting.response = response
            waiting.save(update_fields=["response"])
            return waiting
    patient = response.patient
    flag = patient_actions.raise_safety_flag(
        by,
        patient,
        kind=FLAG_KIND,
        detail=f"Questionnaire answer: {reason}. Acknowledge the safety alert to resolve.",
        request=request,
        from_patient_answer=by is None,
    )
    alert = SafetyAlert.objects.create(
        clinic=patient.clinic,
        patient=patient,
        response=response,
        reason=reason,
        flag=flag,
        opened_at=response.entered_at,
        part2=response.part2,
    )
    record(
        "measurement.alert_open",
        request=request,
        by=by,
        clinic=patient.clinic,
        obj=alert,
        patient_ref=patient.pk,
        after={"response_id": response.pk, "instrument": response.instrument_id},
    )
    tasks.notify_safety_alert.enqueue(alert.pk, site_url)
    tasks.queue_escalation(alert, site_url)
    return alert


def open_alert_for_saved_answers(
    questionnaire_request: QuestionnaireRequest,
    reason: str,
    *,
    site_url: str = "",
    request: HttpRequest | None = None,
) -> SafetyAlert:
    """Open the alert the moment the patient's answer is saved on their link, before the
    questionnaire is sent (a patient who answers item 9 and then closes the page must still
    reach a clinician). Call inside the transaction that saved the answers; the submit
    attaches the stored response to this alert (``open_alert``)."""
    from ketaclinic.measurement import tasks

    patient = questionnaire_request.patient
    existing = SafetyAlert.objects.filter(questionnaire_request=questionnaire_request).first()
    if existing is not None:
        return existing
    flag = patient_actions.raise_safety_flag(
        None,
        patient,
        kind=FLAG_KIND,
        detail=f"Questionnaire answer: {reason}. Acknowledge the safety alert to resolve.",
        request=request,
        from_patient_answer=True,
    )
    alert = SafetyAlert.objects.create(
        clinic=patient.clinic,
        patient=patient,
        questionnaire_request=questionnaire_request,
        reason=reason,
        flag=flag,
        opened_at=timezone.now(),
        part2=bool(patient.sud_treatment),
    )
    record(
        "measurement.alert_open",
        request=request,
        clinic=patient.clinic,
        obj=alert,
        patient_ref=patient.pk,
        after={"questionnaire_request_id": questionnaire_request.pk, "saved_not_sent": True},
    )
    tasks.notify_safety_alert.enqueue(alert.pk, site_url)
    tasks.queue_escalation(alert, site_url)
    return alert


def acknowledge_alert(
    by: Membership,
    alert: SafetyAlert,
    *,
    action_taken: str,
    request: HttpRequest | None = None,
) -> SafetyAlert:
    """A physician or nurse closes ``alert``, saying what they did; resolves its flag."""
    if not policies.can_acknowledge(by, alert.patient):
        raise PermissionDenied("Only physicians and nurses can acknowledge safety alerts.")
    if not action_taken.strip():
        raise ValidationError(
            {
                "action_taken": "Say what was done (for example, who called the "
                "patient and what was agreed)."
            }
        )
    with transaction.atomic():
        current = SafetyAlert.objects.select_for_update().get(pk=alert.pk)
        if current.acknowledged_at is not None:
            raise ValidationError("This alert was already acknowledged.")
        current.acknowledged_at = timezone.now()
        current.acknowledged_by = by.user
        current.action_taken = action_taken.strip()
        current.save(update_fields=["acknowledged_at", "acknowledged_by", "action_taken"])
        record(
            "measurement.alert_ack",
            request=request,
            by=by,
            obj=current,
            patient_ref=current.patient_id,
            after={"acknowledged_at": current.acknowledged_at},
        )
        if current.flag is not None and current.flag.resolved_at is None:
            patient_actions.resolve_safety_flag(
                by, current.flag, action_taken=current.action_taken, request=request
            )
    alert.acknowledged_at, alert.acknowledged_by, alert.action_taken = (
        current.acknowledged_at,
        current.acknowledged_by,
        current.action_taken,
    )
    return alert


def escalation_due_at(alert: SafetyAlert) -> dt.datetime:
    minutes = settings_for(alert.clinic).safety_escalation_minutes
    return alert.opened_at + dt.timedelta(minutes=minutes)
