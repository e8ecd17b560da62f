"""The write layer for consents: templates published, consents prepared, signed, revoked,
expired and superseded, and the sharing grants they start and end.

Each function takes the acting ``Membership`` first (``by``), checks ``policies``, writes in
one ``transaction.atomic`` with the consent row locked, appends a ``ConsentEvent`` and an audit
entry. A signed sharing consent naming a professional with an account starts an
``accounts.SharedAccess`` grant (through ``grant_shared_access``) that ends when the consent
does: revoked, superseded or expired (its grant carries the same ``expires_at``, so access
ends at that moment even before the daily task records the expiry). A Part 2 consent's grant
also holds the ``part2`` section (42 CFR 2.31: the consent names the recipient).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest

from ketaclinic.access.zones import clinic_today, clinic_zone
from ketaclinic.accounts.models import Membership
from ketaclinic.audit.log import record
from ketaclinic.careteam.models import OutsideProfessional
from ketaclinic.clinics.models import Clinic
from ketaclinic.consents import policies, queries
from ketaclinic.consents.defaults import default_text
from ketaclinic.consents.models import (
    SHARING_KINDS,
    Consent,
    ConsentEvent,
    ConsentTemplate,
    EventKind,
    Kind,
)
from ketaclinic.patients.models import Patient
from ketaclinic.patients.sections import SHAREABLE

REASON_MAX = 2000


def _event(consent: Consent, kind: str, by: Membership | None, reason: str = "") -> None:
    ConsentEvent.objects.create(
        consent=consent, kind=kind, by=by.user if by else None, reason=reason
    )


def _locked(consent: Consent) -> Consent:
    return (
        Consent.objects.select_for_update(of=("self",))
        .select_related("clinic", "patient", "template", "professional")
        .get(pk=consent.pk)
    )


def _require(by: Membership | None, patient: Patient, kind: str) -> Membership:
    if by is None or by.clinic_id != patient.clinic_id:
        raise Http404("No such patient in this clinic.")
    if not policies.can_record(by, patient, kind):
        raise PermissionDenied("Your role cannot record this kind of consent.")
    return by


# --- templates ------------------------------------------------------------------------------


def ensure_template(clinic: Clinic, kind: str) -> ConsentTemplate:
    """The newest version of ``kind`` at ``clinic``, saving the built-in text as version 1 on
    first use (audited as published by nobody: it is the software's text)."""
    latest = queries.latest_template(clinic, kind)
    if latest is not None:
        return latest
    title, body = default_text(kind, clinic.name)
    with transaction.atomic():
        template = ConsentTemplate.objects.create(
            clinic=clinic, kind=kind, version=1, title=title, body=body,
            change_note="The built-in text.",
        )  # fmt: skip
        record(
            "consent_template.publish",
            clinic=clinic,
            obj=template,
            after={"kind": kind, "version": 1},
            reason="built-in text, saved on first use",
        )
    return template


def publish_template(
    by: Membership,
    clinic: Clinic,
    kind: str,
    *,
    title: str,
    body: str,
    change_note: str,
    request: HttpRequest | None = None,
) -> ConsentTemplate:
    """Publish a new version of ``kind``: earlier versions are kept, and consents signed on them
    show "re-consent needed" until the patient signs the new one."""
    if not policies.can_publish(by, clinic):
        raise PermissionDenied("Only the clinic admin and physicians publish consent texts.")
    if kind not in Kind.values:
        raise ValidationError({"kind": "Unknown kind of consent."})
    errors = {}
    if not title.strip():
        errors["title"] = "Give the consent a title."
    if not body.strip():
        errors["body"] = "Write the text the patient reads."
    if not change_note.strip():
        errors["change_note"] = "Say what changed, so patients can be told."
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        ensure_template(clinic, kind)  # version 1 is the built-in text, kept like any other
        # Lock the clinic's templates of this kind so two publishers cannot take one number.
        latest = (
            ConsentTemplate.objects.select_for_update()
            .filter(clinic=clinic, kind=kind)
            .order_by("-version")
            .first()
        )
        assert latest is not None
        template = ConsentTemplate.objects.create(
            clinic=clinic,
            kind=kind,
            version=latest.version + 1,
            title=title.strip(),
            body=body.strip() + "\n",
            change_note=change_note.strip(),
            published_by=by.user,
        )
        record(
            "consent_template.publish",
            by=by,
            request=request,
            obj=template,
            before={"version": latest.version},
            after={"kind": kind, "version": template.version},
            reason=template.change_note,
        )
    return template


# --- preparing a consent --------------------------------------------------------------------


def _end_of(day: dt.date, clinic: Clinic) -> dt.datetime:
    """The first moment after ``day`` ends where the clinic is."""
    return dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min, tzinfo=clinic_zone(clinic))


def _clean_sharing(
    patient: Patient,
    kind: str,
    professional: OutsideProfessional | None,
    sections: list[str],
    purpose: str,
    expires_on: dt.date | None,
    expiry_event: str,
) -> dict[str, str]:
    errors = {}
    if professional is None or professional.clinic_id != patient.clinic_id:
        errors["professional"] = "Choose the professional this consent names."
    elif professional.archived_at is not None:
        errors["professional"] = "This professional is archived; choose a current one."
    if kind == Kind.SHARE and not sections:
        errors["sections"] = "Choose at least one part of the record to share."
    if any(s not in SHAREABLE for s in sections):
        errors["sections"] = "Choose only from the parts listed."
    if not purpose.strip():
        errors["purpose"] = "Say why the information is shared (42 CFR 2.31 asks for it)."
    if expires_on is None and not expiry_event.strip():
        errors["expires_on"] = "Give an expiry date, or the event that ends this consent."
    elif expires_on is not None and expires_on < clinic_today(patient.clinic):
        errors["expires_on"] = "The expiry date has passed; give today or a later date."
    return errors


def create_consent(
    by: Membership,
    patient: Patient,
    kind: str,
    *,
    professional: OutsideProfessional | None = None,
    sections: Iterable[str] = (),
    purpose: str = "",
    expires_on: dt.date | None = None,
    expiry_event: str = "",
    indications: Iterable[str] = (),
    request: HttpRequest | None = None,
) -> Consent:
    """Prepare a consent (status draft) on the newest text of ``kind`` for the patient to sign.

    An off-label consent naming an indication the live one does not cover marks the live one
    "re-consent needed" (a material change, clinical reference 8.4)."""
    if kind not in Kind.values:
        raise ValidationError({"kind": "Choose the kind of consent."})
    by = _require(by, patient, kind)
    section_list = sorted({str(s) for s in sections})
    indication_list = [i.strip() for i in indications if i.strip()]
    errors: dict[str, str] = {}
    if kind in SHARING_KINDS:
        errors = _clean_sharing(
            patient, kind, professional, section_list, purpose, expires_on, expiry_event
        )
    if kind == Kind.OFF_LABEL and not indication_list:
        errors["indications"] = "Name the condition(s) the treatment is for."
    if len(purpose) > REASON_MAX or len(expiry_event) > 200:
        errors["purpose"] = "Keep this shorter."
    if errors:
        raise ValidationError(errors)
    sharing = kind in SHARING_KINDS
    with transaction.atomic():
        template = ensure_template(patient.clinic, kind)
        consent = Consent.objects.create(
            clinic=patient.clinic,
            patient=patient,
            template=template,
            professional=professional if sharing else None,
            sections=section_list if sharing else [],
            purpose=purpose.strip() if sharing else "",
            expires_on=expires_on if sharing else None,
            expiry_event=expiry_event.strip() if sharing else "",
            expires_at=_end_of(expires_on, patient.clinic) if sharing and expires_on else None,
            indications=indication_list if kind == Kind.OFF_LABEL else [],
            created_by=by.user,
        )
        _event(consent, EventKind.CREATED, by)
        record(
            "consent.create",
            by=by,
            request=request,
            obj=consent,
            patient_ref=patient.pk,
            after={
                "kind": kind,
                "version": template.version,
                "professional": consent.professional_id,
                "sections": consent.sections,
                "expires_on": consent.expires_on.isoformat() if consent.expires_on else None,
            },
        )
        if kind == Kind.OFF_LABEL:
            _flag_new_indications(by, consent, request)
    return consent


def _flag_new_indications(by: Membership, draft: Consent, request: HttpRequest | None) -> None:
    live = queries.live_consents(draft.patient)
    for consent in live:
        if consent.template.kind != Kind.OFF_LABEL:
            continue
        covered = {i.casefold() for i in consent.indications}
        new = [i for i in draft.indications if i.casefold() not in covered]
        if new:
            _ask_reconsent(by, consent, f"New indication: {', '.join(new)}.", request)


def _ask_reconsent(
    by: Membership | None, consent: Consent, reason: str, request: HttpRequest | None
) -> None:
    locked = _locked(consent)
    if reason in locked.reconsent_reason:
        return
    before = locked.reconsent_reason
    locked.reconsent_reason = f"{before} {reason}".strip()
    locked.save(update_fields=["reconsent_reason"])
    _event(locked, EventKind.RECONSENT, by, reason)
    record(
        "consent.reconsent",
        by=by,
        request=request,
        clinic=locked.clinic,
        obj=locked,
        patient_ref=locked.patient_id,
        after={"reconsent": True},
        reason=reason,
    )


def request_reconsent(
    by: Membership, consent: Consent, *, reason: str, request: HttpRequest | None = None
) -> None:
    """Mark a live consent "re-consent needed" after a material change elsewhere (the
    treatment plan calls this for a new indication or a dose above the clinic's threshold)."""
    _require(by, consent.patient, consent.template.kind)
    if not reason.strip():
        raise ValidationError({"reason": "Say what changed."})
    with transaction.atomic():
        _ask_reconsent(by, consent, reason.strip(), request)
