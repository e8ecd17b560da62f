"""Emailing physicians that an eligibility decision is out of date.

The physician of record (``careteam.CareTeamMember``, still on the team, an active physician of
the clinic) gets it; without one, every active physician of the clinic. The email names no
patient (subjects and bodies travel through mail servers and phones' lock screens): it says a
decision needs review and links to the eligibility page, behind sign-in.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse

from ketaclinic.accounts.models import Membership, Role
from ketaclinic.audit.log import record
from ketaclinic.careteam.models import TeamRole
from ketaclinic.eligibility.models import EligibilityDecision

logger = logging.getLogger(__name__)


def recipients_for(decision: EligibilityDecision) -> list[str]:
    patient = decision.patient
    physicians = Membership.objects.filter(
        clinic_id=patient.clinic_id, role=Role.PHYSICIAN, is_active=True, user__is_active=True
    )
    of_record = physicians.filter(
        user__in=patient.care_team.filter(
            role=TeamRole.PHYSICIAN_OF_RECORD, left_at__isnull=True
        ).values("user")
    )
    chosen = of_record if of_record.exists() else physicians
    return sorted({email for email in chosen.values_list("user__email", flat=True) if email})


def email_stale_decision(decision: EligibilityDecision) -> bool:
    """Send the alert; a mail failure is logged and leaves the stale mark (and the home queue
    entry) in place. Returns True when sent."""
    to = recipients_for(decision)
    if not to:
        logger.warning("No physician to alert about eligibility decision %s", decision.pk)
        return False
    url = reverse("eligibility:tab", args=[decision.patient_id])
    body = render_to_string(
        "eligibility/email/stale_decision.txt", {"decision": decision, "url": url}
    )
    message = EmailMessage(
        subject=f"An eligibility decision at {decision.patient.clinic.name} needs review",
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=to,
    )
    try:
        message.send()
    except Exception:  # noqa: BLE001 - the alert on the home page still stands
        logger.exception("Could not email physicians about eligibility decision %s", decision.pk)
        return False
    with transaction.atomic():
        record(
            "eligibility.decision.alert_email",
            clinic=decision.patient.clinic,
            obj=decision,
            patient_ref=decision.patient_id,
            after={"recipients": len(to)},
        )
    return True
