"""Background work of safety alerts: the care-team email and the escalation to on-call.

Both are enqueued inside the transaction that opens the alert (``safety.open_alert``), so with
the database backend they commit with it. The escalation runs ``safety_escalation_minutes``
after the alert opened (``run_after``); it does nothing for an alert acknowledged by then, and
nothing a second time (``escalated_at`` is set once, under a row lock), so a duplicate task or
a retried one is harmless.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_tasks import task

from ketaclinic.audit.log import record
from ketaclinic.measurement import notify
from ketaclinic.measurement.models import SafetyAlert
from ketaclinic.ops.queue import daily, every

logger = logging.getLogger(__name__)


@task()
def notify_safety_alert(alert_id: int, site_url: str = "") -> str:
    """Email the care team and, with consent, the outside professional (once each)."""
    alert = SafetyAlert.objects.select_related("clinic", "patient").filter(pk=alert_id).first()
    if alert is None:
        return "no such alert"
    if alert.acknowledged_at is not None:
        return "acknowledged before the email went"
    url = _alert_url(alert, site_url)
    done = []
    # (field recording who was told, how to tell them, the audit action, the word for the log)
    steps = (
        ("care_team_notified", lambda: notify.send_care_team(alert, url),
         "measurement.alert_notify", "care team"),
        ("outside_notified", lambda: notify.send_outside(alert),
         "measurement.alert_notify_outside", "outside professional"),
    )  # fmt: skip
    for field, send, action, who in steps:
        if getattr(alert, field):
            continue  # told already: a retried task sends nothing twice
        sent = send()
        if not sent:
            continue
        with transaction.atomic():
            SafetyAlert.objects.filter(pk=alert.pk).update(**{field: sent})
            record(
                action,
                clinic=alert.clinic,
                obj=alert,
                patient_ref=alert.patient_id,
                after={"recipients": len(sent)},
            )
        done.append(who)
    return ", ".join(done) or "nothing to send"


def _alert_url(alert: SafetyAlert, site_url: str) -> str:
    """The alert's page, on ``site_url`` (the site's address, from the request that opened
    the alert; relative where none was known)."""
    from django.urls import reverse

    return site_url.rstrip("/") + reverse("measurement:alert", args=[alert.patient_id, alert.pk])


def queue_escalation(alert: SafetyAlert, site_url: str = "") -> bool:
    """Enqueue the escalation for when it is due. False where the backend cannot wait (the
    immediate backend of the tests: escalating at once would be wrong)."""
    from ketaclinic.measurement.safety import escalation_due_at

    if not escalate_safety_alert.get_backend().supports_defer:
        logger.info("Safety alert %s: no deferred escalation on this task backend", alert.pk)
        return False
    escalate_safety_alert.using(run_after=escalation_due_at(alert)).enqueue(alert.pk, site_url)
    return True


@task()
def escalate_safety_alert(alert_id: int, site_url: str = "") -> str:
    """If ``alert`` is still open once due, email the on-call physician and record it."""
    from ketaclinic.measurement.safety import escalation_due_at

    with transaction.atomic():
        alert = (
            SafetyAlert.objects.select_for_update()
            .select_related("clinic", "patient")
            .filter(pk=alert_id)
            .first()
        )
        if alert is None:
            return "no such alert"
        if alert.acknowledged_at is not None:
            return "acknowledged"
        if alert.escalated_at is not None:
            return "already escalated"
        if timezone.now() < escalation_due_at(alert):
            return "not due yet"
        sent = notify.send_on_call(alert, _alert_url(alert, site_url))
        if not sent:
            return "no on-call address"
        alert.escalated_at = timezone.now()
        alert.escalated_to = sent
        alert.save(update_fields=["escalated_at", "escalated_to"])
        record(
            "measurement.alert_escalate",
            clinic=alert.clinic,
            obj=alert,
            patient_ref=alert.patient_id,
            after={"recipients": len(sent)},
        )
    return "escalated"


# --- scheduled questionnaires (measurement/schedules.py, sends.py) -------------------------


@daily
@task()
def plan_questionnaire_sends() -> int:
    """Keep every active schedule's due sends planned ``schedules.PLAN_DAYS`` ahead."""
    from ketaclinic.measurement.schedules import plan_all

    return plan_all()


@every(dt.timedelta(seconds=settings.QUESTIONNAIRE_SEND_EVERY_S))
@task()
def send_due_questionnaires() -> dict[str, int]:
    """Claim and send the due questionnaire sends (several workers may run this at once)."""
    from ketaclinic.measurement.sends import send_due

    return send_due()
