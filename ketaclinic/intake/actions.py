"""The write layer of the intake: start it, send its link, save a step, submit it.

A step is saved by the patient through a verified link (``by=None``, the link passed) or by a
staff member on the patient's behalf (``by`` their membership). Saving the same answers again
changes nothing (the step's revision counter moves only when its content does), so a re-sent
form or a double tap is harmless. Submitting applies everything to the record once
(``apply.apply_intake``); a second submit finds it done and does nothing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from ketaclinic.accounts.models import Membership
from ketaclinic.audit.log import canonical_json, record
from ketaclinic.intake import messages as intake_messages
from ketaclinic.intake import policies
from ketaclinic.intake.apply import apply_intake
from ketaclinic.intake.models import IntakeSubmission
from ketaclinic.intake.steps import BY_KEY, missing_steps
from ketaclinic.lib.messaging import send_email, send_sms
from ketaclinic.patients.models import Patient
from ketaclinic.securelinks import actions as links
from ketaclinic.securelinks.models import Purpose, SecureLink


def intake_lifetime() -> dt.timedelta:
    """How long an intake link stays usable (``SECURELINK_INTAKE_DAYS``, 7 by default)."""
    return dt.timedelta(days=settings.SECURELINK_INTAKE_DAYS)


def open_submission(patient: Patient) -> IntakeSubmission | None:
    return IntakeSubmission.objects.filter(patient=patient, submitted_at__isnull=True).first()


def start_intake(
    by: Membership, patient: Patient, *, request: HttpRequest | None = None
) -> IntakeSubmission:
    """The patient's open intake, made now if there is none."""
    if not policies.can_send(by, patient):
        raise PermissionDenied("Only the patient's coordinator, nurse or physician can do this.")
    with transaction.atomic():
        Patient.objects.select_for_update(of=("self",)).get(pk=patient.pk)
        existing = open_submission(patient)
        if existing is not None:
            return existing
        submission = IntakeSubmission.objects.create(clinic=patient.clinic, patient=patient)
        record("intake.start", request=request, by=by, obj=submission, patient_ref=patient.pk)
    return submission


@dataclass(frozen=True)
class Sent:
    link: SecureLink
    via: list[str]
    failed: list[str]


def send_intake_link(
    by: Membership,
    patient: Patient,
    *,
    via: list[str],
    message: str,
    link_url: Any,
    request: HttpRequest | None = None,
) -> Sent:
    """Make a new intake link (withdrawing any live one: a resend replaces it) and send it by
    ``via`` ("email", "sms") to the patient's email or mobile, ``message`` followed by the link.

    ``link_url(token)`` makes the link's full address. The link is made and the old one
    withdrawn in one transaction; the messages go after it commits, and the channels that went
    are noted on the link (a failed one is reported, never raised: the link stands, and
    staff can resend).
    """
    if not via:
        raise ValidationError("Choose email, text message or both.")
    if "email" in via and not patient.email:
        raise ValidationError("The patient has no email address on their record.")
    if "sms" in via and not patient.phone_mobile:
        raise ValidationError("The patient has no mobile number on their record.")
    with transaction.atomic():
        submission = start_intake(by, patient, request=request)
        for old in links.links_for(submission).filter(
            revoked_at__isnull=True, used_up_at__isnull=True
        ):
            links.revoke_link(by, old, reason="Replaced by a new intake link", request=request)
        link, token = links.create_link(
            by,
            patient,
            purpose=Purpose.INTAKE,
            target=submission,
            lifetime=intake_lifetime(),
            request=request,
        )
    url = link_url(token)
    body = intake_messages.compose(message, url, patient.clinic, link.expires_at)
    went, failed = [], []
    for channel in via:
        try:
            if channel == "email":
                send_email(patient.email, intake_messages.subject(patient.clinic), body)
            else:
                send_sms(patient.phone_mobile, body)
            went.append(channel)
        except Exception:  # noqa: BLE001 (reported to staff; the link stands, resend works)
            failed.append(channel)
    if went:
        links.mark_sent(by, link, via=went, request=request)
    return Sent(link, went, failed)


def _lock(submission: IntakeSubmission) -> IntakeSubmission:
    return IntakeSubmission.objects.select_for_update().get(pk=submission.pk)


def _check_actor(by: Membership | None, link: SecureLink | None, submission: Any) -> None:
    if by is None:
        # The patient: the caller verified ``link`` is live; it must be this intake's.
        if link is None or link.target_id != submission.pk or not link.is_live:
            raise PermissionDenied("This link does not open this intake.")
    elif not policies.can_complete_on_behalf(by, submission.patient):
        raise PermissionDenied("Only the patient's nurse or physician can complete it for them.")


def save_step(
    submission: IntakeSubmission,
    step_key: str,
    answers: dict[str, Any],
    *,
    by: Membership | None = None,
    link: SecureLink | None = None,
    request: HttpRequest | None = None,
) -> bool:
    """Keep ``answers`` as the step's saved answers. Returns True if they changed."""
    if step_key not in BY_KEY:
        raise ValidationError(f"Unknown intake step {step_key!r}.")
    _check_actor(by, link, submission)
    with transaction.atomic():
        locked = _lock(submission)
        if locked.submitted_at is not None:
            raise ValidationError("This intake was already sent.")
        previous = locked.answers.get(step_key)
        changed = previous is None or canonical_json(previous) != canonical_json(answers)
        if changed:
            locked.answers[step_key] = answers
            locked.revisions[step_key] = int(locked.revisions.get(step_key, 0)) + 1
            locked.updated_at = timezone.now()
            locked.last_saved_by = by.user if by is not None else None
            locked.save(update_fields=["answers", "revisions", "updated_at", "last_saved_by"])
        if by is None and link is not None:
            links.record_step(link, step=step_key, request=request)
        # What changed is named, never the answers themselves (they are the patient's words).
        record(
            "intake.step",
            request=request,
            by=by,
            clinic=locked.clinic,
            obj=locked,
            patient_ref=locked.patient_id,
            after={
                "step": step_key,
                "revision": locked.revisions.get(step_key, 0),
                "changed": changed,
            },
        )
    submission.answers, submission.revisions = locked.answers, locked.revisions
    return changed


def submit_intake(
    submission: IntakeSubmission,
    *,
    by: Membership | None = None,
    link: SecureLink | None = None,
    request: HttpRequest | None = None,
) -> bool:
    """Apply the intake to the record, move the patient on to screening, use up the link.

    Returns False (and does nothing) when it was already submitted: a double post. Refuses
    (``ValidationError``) while a step that applies has no saved answers.
    """
    _check_actor(by, link, submission)
    with transaction.atomic():
        locked = _lock(submission)
        if locked.submitted_at is not None:
            return False
        patient = Patient.objects.get(pk=locked.patient_id)
        missing = missing_steps(patient, locked.answers)
        if missing:
            raise ValidationError(
                "Some steps are not done yet: " + ", ".join(step.label for step in missing)
            )
        apply_intake(locked, by=by, request=request)
        locked.submitted_at = timezone.now()
        locked.submitted_by = by.user if by is not None else None
        locked.save(update_fields=["submitted_at", "submitted_by"])
        for live in links.links_for(locked).filter(
            used_up_at__isnull=True, revoked_at__isnull=True
        ):
            links.use_up(live, request=request)
        record(
            "intake.submit",
            request=request,
            by=by,
            clinic=locked.clinic,
            obj=locked,
            patient_ref=locked.patient_id,
            after={"on_behalf": by is not None},
        )
    submission.submitted_at, submission.submitted_by = locked.submitted_at, locked.submitted_by
    return True
