"""Who hears about a safety alert, and the words they get (plain-text email, Django mail).

* The care team: the patient's current ``careteam.CareTeamMember`` staff users who are active
  physicians or nurses of the clinic; when there are none, every active physician of the
  clinic (someone must hear at once).
* The on-call physician (escalation): the clinic's ``MeasurementSettings.on_call_physician``
  when it is an active physician membership, else every active physician.
* An outside professional: only with a live ``SharedAccess`` grant on the patient naming the
  ``outcomes`` section; a minimal notice, no answers, "please contact the clinic".

Subjects carry no patient data (they show in notifications); bodies name the patient by record
number only.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.mail import EmailMessage
from django.db.models import Q
from django.utils import timezone

from ketaclinic.accounts.models import Membership, Role, SharedAccess
from ketaclinic.careteam.models import CareTeamMember
from ketaclinic.measurement.models import SafetyAlert
from ketaclinic.patients.models import Patient
from ketaclinic.patients.sections import OUTCOMES

logger = logging.getLogger(__name__)

CARE_ROLES = (Role.PHYSICIAN, Role.NURSE)


def _emails(users: list[tuple[str]] | list[str]) -> list[str]:
    seen: list[str] = []
    for address in users:
        text = str(address or "").strip()
        if text and text.lower() not in {s.lower() for s in seen}:
            seen.append(text)
    return seen


def _physicians(clinic_id: int) -> list[str]:
    return _emails(
        list(
            Membership.objects.filter(
                clinic_id=clinic_id, role=Role.PHYSICIAN, is_active=True, user__is_active=True
            )
            .order_by("id")
            .values_list("user__email", flat=True)
        )
    )


def care_team_recipients(patient: Patient) -> list[str]:
    """Current staff members of the patient's care team who are clinicians here; else every
    physician of the clinic."""
    team_user_ids = CareTeamMember.objects.filter(
        patient=patient, user__isnull=False, left_at__isnull=True
    ).values("user_id")
    found = _emails(
        list(
            Membership.objects.filter(
                clinic_id=patient.clinic_id,
                role__in=CARE_ROLES,
                is_active=True,
                user__is_active=True,
                user_id__in=team_user_ids,
            )
            .order_by("id")
            .values_list("user__email", flat=True)
        )
    )
    return found or _physicians(patient.clinic_id)


def on_call_recipients(clinic_id: int) -> list[str]:
    from ketaclinic.measurement.models import MeasurementSettings

    chosen = (
        MeasurementSettings.objects.filter(
            clinic_id=clinic_id,
            on_call_physician__is_active=True,
            on_call_physician__role=Role.PHYSICIAN,
            on_call_physician__user__is_active=True,
        )
        .values_list("on_call_physician__user__email", flat=True)
        .first()
    )
    return _emails([chosen]) if chosen else _physicians(clinic_id)


def outside_recipients(patient: Patient) -> list[str]:
    """Outside professionals whose live grant on this patient shares ``outcomes``."""
    now = timezone.now()
    grants = SharedAccess.objects.filter(
        clinic_id=patient.clinic_id,
        content_type=ContentType.objects.get_for_model(Patient),
        object_id=str(patient.pk),
        revoked_at__isnull=True,
        valid_from__lte=now,
        professional__is_active=True,
        professional__memberships__clinic_id=patient.clinic_id,
        professional__memberships__role=Role.OUTSIDE_PROFESSIONAL,
        professional__memberships__is_active=True,
    ).filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now))
    addresses = [
        g.professional.email
        for g in grants.select_related("professional")
        if OUTCOMES in (g.sections or [])
    ]
    return _emails(addresses)


def _send(subject: str, body: str, to: list[str]) -> bool:
    try:
        EmailMessage(
            subject=subject, body=body, from_email=settings.DEFAULT_FROM_EMAIL, to=to
        ).send()
    except Exception:  # noqa: BLE001 - logged; the alert stands and shows in the app
        logger.exception("Could not send a safety-alert email")
        return False
    return True


def alert_body(alert: SafetyAlert, alert_url: str, *, escalation: bool = False) -> str:
    patient = alert.patient
    opened = timezone.localtime(alert.opened_at).strftime("%Y-%m-%d %H:%M %Z")
    lead = (
        "This safety alert is still not acknowledged and is escalated to you as on-call physician."
        if escalation
        else "A questionnaire answer needs a clinician now."
    )
    return (
        f"{lead}\n\n"
        f"Patient record: {patient.mrn}\n"
        f"Why: {alert.reason}\n"
        f"Opened: {opened}\n\n"
        f"Open the alert, contact the patient and record what you did:\n{alert_url}\n\n"
        f"{alert.clinic.name} · ketaclinic\n"
    )


def send_care_team(alert: SafetyAlert, alert_url: str) -> list[str]:
    to = care_team_recipients(alert.patient)
    if not to:
        logger.error("Safety alert %s: no physician address to email", alert.pk)
        return []
    subject = f"URGENT: safety alert at {alert.clinic.name}"
    return to if _send(subject, alert_body(alert, alert_url), to) else []


def send_on_call(alert: SafetyAlert, alert_url: str) -> list[str]:
    to = on_call_recipients(alert.clinic_id)
    if not to:
        logger.error("Safety alert %s: no on-call address to escalate to", alert.pk)
        return []
    subject = f"URGENT: unacknowledged safety alert at {alert.clinic.name}"
    return to if _send(subject, alert_body(alert, alert_url, escalation=True), to) else []


def send_outside(alert: SafetyAlert) -> list[str]:
    """The minimal notice: no answers, no score, only that the clinic asks for contact."""
    to = outside_recipients(alert.patient)
    if not to:
        return []
    clinic = alert.clinic
    phone = f" on {clinic.phone}" if clinic.phone else ""
    body = (
        f"{clinic.name} would like to speak with you about a patient you share care of "
        f"(record {alert.patient.mrn}), as the patient's consent allows.\n\n"
        f"Please contact the clinic{phone} today.\n"
    )
    return to if _send(f"Please contact {clinic.name}", body, to) else []
