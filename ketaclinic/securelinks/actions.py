"""The write layer of secure links: make, send, withdraw, and every use of one, audited.

Audit entries name the link by its id and the patient by theirs; the raw token is never
passed to ``record`` (nor kept anywhere but in the message that carries it). A use by the
patient has no acting membership (``by=None``); the link itself is the authority, checked
by :func:`check_token` first.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.http import HttpRequest
from django.utils import timezone

from ketaclinic.accounts.models import Membership
from ketaclinic.audit.log import record
from ketaclinic.clinics.models import Clinic
from ketaclinic.patients.models import Patient
from ketaclinic.securelinks import policies
from ketaclinic.securelinks.models import Purpose, Refusal, SecureLink, hash_token
from ketaclinic.securelinks.tokens import make_token, split_token

CHANNELS = ("email", "sms")


@dataclass(frozen=True)
class LinkCheck:
    """What a token opens: the live ``link``, or why not (``refusal``) and, when the token
    names one, the ``clinic`` whose calm page to show."""

    link: SecureLink | None
    refusal: str
    clinic: Clinic | None


def _require_sender(by: Membership, patient: Patient) -> None:
    if not policies.can_send(by, patient):
        raise PermissionDenied("Only the patient's coordinator, nurse or physician can do this.")


def create_link(
    by: Membership,
    patient: Patient,
    *,
    purpose: str,
    target: models.Model | None = None,
    lifetime: dt.timedelta,
    request: HttpRequest | None = None,
) -> tuple[SecureLink, str]:
    """Make a link for ``patient`` to do ``purpose`` (on ``target``), live for ``lifetime``.

    Returns the link and its raw token: the only time the token exists outside a message.
    """
    _require_sender(by, patient)
    if purpose not in Purpose.values:
        raise ValidationError(f"Unknown link purpose {purpose!r}.")
    clinic = by.clinic
    raw = make_token(clinic)
    now = timezone.now()
    with transaction.atomic():
        link = SecureLink.objects.create(
            clinic=clinic,
            patient=patient,
            purpose=purpose,
            token_hash=hash_token(raw),
            target_type=ContentType.objects.get_for_model(target) if target else None,
            target_id=target.pk if target else None,
            created_at=now,
            created_by=by.user,
            expires_at=now + lifetime,
        )
        record(
            "securelink.create",
            request=request,
            by=by,
            obj=link,
            patient_ref=patient.pk,
            after={"purpose": purpose, "expires_at": link.expires_at},
        )
    return link, raw


def mark_sent(
    by: Membership, link: SecureLink, *, via: list[str], request: HttpRequest | None = None
) -> None:
    """Note that ``link`` went out by ``via`` ("email", "sms"): after the message left."""
    _require_sender(by, link.patient)
    if not via or any(channel not in CHANNELS for channel in via):
        raise ValidationError("Send by email, text message or both.")
    with transaction.atomic():
        link.sent_via = sorted(set(link.sent_via) | set(via))
        link.sent_at = timezone.now()
        link.save(update_fields=["sent_via", "sent_at"])
        record(
            "securelink.send",
            request=request,
            by=by,
            obj=link,
            patient_ref=link.patient_id,
            after={"via": link.sent_via},
        )


def revoke_link(
    by: Membership, link: SecureLink, *, reason: str = "", request: HttpRequest | None = None
) -> bool:
    """Withdraw ``link`` (a resend replaces it). False if it was already withdrawn or used."""
    _require_sender(by, link.patient)
    with transaction.atomic():
        locked = SecureLink.objects.select_for_update().get(pk=link.pk)
        if locked.revoked_at is not None or locked.used_up_at is not None:
            return False
        locked.revoked_at = timezone.now()
        locked.revoked_by = by.user
        locked.save(update_fields=["revoked_at", "revoked_by"])
        record(
            "securelink.revoke",
            request=request,
            by=by,
            obj=locked,
            patient_ref=locked.patient_id,
            reason=reason,
        )
    link.revoked_at, link.revoked_by = locked.revoked_at, locked.revoked_by
    return True


def check_token(raw: str, *, purpose: str) -> LinkCheck:
    """Look ``raw`` up (by its hash) without recording anything."""
    clinic_slug, _secret = split_token(raw)
    link = (
        SecureLink.objects.select_related("clinic", "patient")
        .filter(token_hash=hash_token(raw), purpose=purpose)
        .first()
    )
    if link is None:
        clinic = Clinic.objects.filter(slug=clinic_slug).first() if clinic_slug else None
        return LinkCheck(None, Refusal.UNKNOWN, clinic)
    return LinkCheck(link, link.refusal(), link.clinic)


def record_refusal(check: LinkCheck, *, request: HttpRequest | None = None) -> None:
    """Audit a refused token: the link's id when the token was real, else nothing of it."""
    link = check.link
    record(
        "securelink.refused",
        request=request,
        clinic=check.clinic,
        obj=link,
        object_type="" if link else SecureLink._meta.label_lower,
        patient_ref=link.patient_id if link else "",
        after={"refusal": check.refusal},
    )


def record_open(link: SecureLink, *, step: str = "", request: HttpRequest | None = None) -> None:
    """Audit an opening of ``link`` (a page of it shown) and stamp when it was last opened."""
    now = timezone.now()
    with transaction.atomic():
        SecureLink.objects.filter(pk=link.pk).update(last_opened_at=now)
        link.last_opened_at = now
        record(
            "view.securelink",
            request=request,
            clinic=link.clinic,
            obj=link,
            patient_ref=link.patient_id,
            after={"step": step} if step else None,
        )


def record_step(link: SecureLink, *, step: str, request: HttpRequest | None = None) -> None:
    """Audit a step saved through ``link`` (call inside the step's own transaction)."""
    record(
        "securelink.step",
        request=request,
        clinic=link.clinic,
        obj=link,
        patient_ref=link.patient_id,
        after={"step": step},
    )


def use_up(link: SecureLink, *, request: HttpRequest | None = None) -> bool:
    """Mark ``link`` used (the final submit). Call inside the submit's transaction; False if
    it was used already (a double post), so the caller applies nothing twice."""
    locked = SecureLink.objects.select_for_update().get(pk=link.pk)
    if locked.used_up_at is not None:
        return False
    locked.used_up_at = timezone.now()
    locked.save(update_fields=["used_up_at"])
    link.used_up_at = locked.used_up_at
    record(
        "securelink.use",
        request=request,
        clinic=link.clinic,
        obj=link,
        patient_ref=link.patient_id,
    )
    return True


def links_for(target: models.Model) -> models.QuerySet[SecureLink]:
    """Every link made for ``target``, newest first."""
    return SecureLink.objects.filter(
        target_type=ContentType.objects.get_for_model(target), target_id=target.pk
    )
