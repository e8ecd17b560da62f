"""Signing (with the PDF copy), revoking, expiring and superseding consents."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from ketaclinic.accounts.models import Membership
from ketaclinic.audit.log import client_ip, record
from ketaclinic.consents import queries
from ketaclinic.consents.actions.prepare import REASON_MAX, _event, _locked, _require
from ketaclinic.consents.actions.sharing import end_grant, start_grant
from ketaclinic.consents.models import SHARING_KINDS, Consent, EventKind, Status
from ketaclinic.consents.pdf import build_pdf
from ketaclinic.consents.signature import signature_png
from ketaclinic.consents.storage import store_pdf

NAME_MISMATCH = (
    "This does not match the patient's legal name on the record (%(name)s). The patient types "
    "their full legal name; if the record is wrong, correct it first."
)


def _normal(name: str) -> str:
    return " ".join(name.split()).casefold()


def sign_consent(
    by: Membership,
    consent: Consent,
    *,
    typed_name: str,
    signature_data_url: str = "",
    request: HttpRequest | None = None,
    signed_at: dt.datetime | None = None,
) -> Consent:
    """The patient signs a draft at the clinic, ``by`` witnessing; returns the signed consent.

    The typed name must be the patient's legal name (case and spacing aside). The PDF copy is
    written and its SHA-256 kept; the consents this one replaces (same kind, and for sharing
    the same professional) are superseded and their grants end; a sharing consent's grant
    starts. ``signed_at`` is for the demo seed; it defaults to now."""
    _require(by, consent.patient, consent.template.kind)
    with transaction.atomic():
        locked = _locked(consent)
        patient = locked.patient
        if locked.status != Status.DRAFT:
            raise ValidationError(f"This consent is {locked.get_status_display()}, not a draft.")
        latest = queries.latest_versions(locked.clinic).get(locked.template.kind, 0)
        if latest > locked.template.version:
            raise ValidationError(
                f"Version {latest} of this text was published after this draft was prepared. "
                "Prepare the consent again, on the new text."
            )
        now = signed_at or timezone.now()
        if locked.expires_at is not None and locked.expires_at <= now:
            raise ValidationError("Its expiry date has passed; prepare a new consent.")
        errors = {}
        if _normal(typed_name) != _normal(patient.legal_name):
            errors["typed_name"] = ValidationError(
                NAME_MISMATCH, params={"name": patient.legal_name}, code="name_mismatch"
            )
        png = None
        try:
            png = signature_png(signature_data_url)
        except ValidationError as error:
            errors["signature"] = error
        if errors:
            raise ValidationError(errors)
        locked.status = Status.SIGNED
        locked.typed_name = " ".join(typed_name.split())
        locked.signature_png = png
        locked.signed_at = now
        locked.witnessed_by = by.user
        if request is not None:
            locked.signed_ip = client_ip(request) or None
            locked.signed_user_agent = request.META.get("HTTP_USER_AGENT", "")[:300]
        locked.pdf_name, locked.pdf_sha256 = store_pdf(build_pdf(locked))
        locked.save()
        _event(locked, EventKind.SIGNED, by)
        record(
            "consent.sign",
            by=by,
            request=request,
            obj=locked,
            patient_ref=patient.pk,
            before={"status": Status.DRAFT.value},
            after={
                "status": Status.SIGNED.value,
                "version": locked.template.version,
                "pdf_sha256": locked.pdf_sha256,
                "drawn_signature": png is not None,
            },
        )
        _supersede_earlier(by, locked, request)
        start_grant(by, locked, request)
    return locked


def _supersede_earlier(by: Membership, new: Consent, request: HttpRequest | None) -> None:
    earlier = Consent.objects.filter(
        patient=new.patient, template__kind=new.template.kind, status=Status.SIGNED
    ).exclude(pk=new.pk)
    if new.template.kind in SHARING_KINDS:
        earlier = earlier.filter(professional=new.professional)
    for old in earlier.select_related("grant"):
        old.status = Status.SUPERSEDED
        old.superseded_by = new
        old.ended_at = new.signed_at
        old.end_reason = f"Replaced by consent #{new.pk}."
        old.save(update_fields=["status", "superseded_by", "ended_at", "end_reason"])
        _event(old, EventKind.SUPERSEDED, by, old.end_reason)
        record(
            "consent.supersede",
            by=by,
            request=request,
            obj=old,
            patient_ref=old.patient_id,
            before={"status": Status.SIGNED.value},
            after={"status": Status.SUPERSEDED.value, "superseded_by": new.pk},
        )
        end_grant(by, old, old.end_reason, request)


def _end(
    by: Membership,
    consent: Consent,
    status: Status,
    event: EventKind,
    action: str,
    reason: str,
    request: HttpRequest | None,
) -> Consent:
    _require(by, consent.patient, consent.template.kind)
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": "Say why (for a revocation: how the patient asked)."})
    if len(reason) > REASON_MAX:
        raise ValidationError({"reason": f"Keep this under {REASON_MAX} characters."})
    with transaction.atomic():
        locked = _locked(consent)
        if locked.status not in (Status.SIGNED, Status.DRAFT):
            raise ValidationError(f"This consent is already {locked.get_status_display()}.")
        before = locked.status
        locked.status = status
        locked.ended_at = timezone.now()
        locked.end_reason = reason
        locked.save(update_fields=["status", "ended_at", "end_reason"])
        _event(locked, event, by, reason)
        record(
            action,
            by=by,
            request=request,
            obj=locked,
            patient_ref=locked.patient_id,
            before={"status": before},
            after={"status": status.value},
            reason=reason,
        )
        end_grant(by, locked, reason, request)
    return locked


def revoke_consent(
    by: Membership, consent: Consent, *, reason: str, request: HttpRequest | None = None
) -> Consent:
    """The patient revokes the consent (any time, any reason); its sharing ends at once."""
    return _end(by, consent, Status.REVOKED, EventKind.REVOKED, "consent.revoke", reason, request)


def expire_consent(
    by: Membership, consent: Consent, *, reason: str, request: HttpRequest | None = None
) -> Consent:
    """Record that the consent's expiry event happened (for example, the end of treatment)."""
    return _end(by, consent, Status.EXPIRED, EventKind.EXPIRED, "consent.expire", reason, request)


def record_expiries(now: dt.datetime | None = None) -> int:
    """Mark every signed consent past its expiry date as expired (the daily task). Access has
    already ended at ``expires_at``: the grant carries the same end."""
    moment = now or timezone.now()
    count = 0
    due = Consent.objects.filter(status=Status.SIGNED, expires_at__lte=moment)
    for consent in due.select_related("clinic"):
        with transaction.atomic():
            updated = Consent.objects.filter(pk=consent.pk, status=Status.SIGNED).update(
                status=Status.EXPIRED,
                ended_at=consent.expires_at,
                end_reason="Expiry date reached.",
            )
            if not updated:
                continue
            _event(consent, EventKind.EXPIRED, None, "Expiry date reached.")
            record(
                "consent.expire",
                clinic=consent.clinic,
                obj=consent,
                patient_ref=consent.patient_id,
                before={"status": Status.SIGNED.value},
                after={"status": Status.EXPIRED.value},
                reason="expiry date reached",
            )
            count += 1
    return count
