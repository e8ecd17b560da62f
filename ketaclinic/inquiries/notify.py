"""Telling the clinic's staff about a new inquiry by email.

Called only after the inquiry is safely stored: a mail server that is down or refuses the
message is logged and never loses the inquiry or the visitor's confirmation. The email is
plain text only (no HTML part), so whatever a visitor typed arrives as inert characters.
The subject carries no visitor data (subjects show up in notifications and cannot hold line
breaks).
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse

from ketaclinic.accounts.models import Membership, Role
from ketaclinic.inquiries.actions import mark_staff_notified
from ketaclinic.inquiries.models import Inquiry

logger = logging.getLogger(__name__)


def recipients_for(inquiry: Inquiry) -> list[str]:
    """The clinic's own address and every active coordinator, without duplicates."""
    clinic = inquiry.clinic
    addresses = [clinic.email] if clinic.email else []
    coordinators = Membership.objects.filter(
        clinic=clinic, role=Role.COORDINATOR, is_active=True, user__is_active=True
    ).values_list("user__email", flat=True)
    for address in coordinators:
        if address and address.lower() not in {a.lower() for a in addresses}:
            addresses.append(address)
    return addresses


def subject_for(inquiry: Inquiry) -> str:
    prefix = "URGENT: " if inquiry.is_urgent else ""
    suffix = " (mentions self-harm or suicide)" if inquiry.is_urgent else ""
    return f"{prefix}New inquiry #{inquiry.pk} at {inquiry.clinic.name}{suffix}"


def notify_staff(inquiry: Inquiry, detail_url: str = "") -> bool:
    """Email the staff about ``inquiry`` unless that was done already. Returns True if the email
    is (now or before) sent; failures are logged, not raised.

    Called from the task queue (``inquiries.tasks``), which retries a failed send; a send is
    recorded once, however many attempts or duplicate tasks there were.
    """
    if inquiry.staff_notified_at is not None:
        return True
    to = recipients_for(inquiry)
    if not to:
        logger.warning(
            "No staff address to announce inquiry %s of clinic %s", inquiry.pk, inquiry.clinic_id
        )
        return False
    body = render_to_string(
        "inquiries/email/new_inquiry.txt",
        {
            "inquiry": inquiry,
            "detail_url": detail_url or reverse("inquiries:detail", args=[inquiry.pk]),
        },
    )
    message = EmailMessage(
        subject=subject_for(inquiry),
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=to,
    )
    try:
        message.send()
    except Exception:  # noqa: BLE001 - any mail failure must leave the stored inquiry alone
        logger.exception("Could not email staff about inquiry %s; it is saved", inquiry.pk)
        return False
    mark_staff_notified(inquiry, len(to))
    return True
