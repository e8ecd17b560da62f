"""The write layer for inquiries: every change is one function here, audited with before/after.

Views, the demo seed and tests call these; nothing else writes inquiry rows. Each staff action
takes the acting ``Membership`` first (``by``; see ``ketaclinic.access.policy``), checks permission
on it, writes inside ``transaction.atomic`` (with the inquiry row locked, so two
coordinators cannot interleave) and appends an audit entry in the same transaction.
Free text never goes into the audit entry's before/after values: the entry says what changed,
the row holds what was typed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from ketaclinic.accounts.models import Membership, User
from ketaclinic.audit.log import record
from ketaclinic.clinics.models import Clinic
from ketaclinic.inquiries import policies
from ketaclinic.inquiries.models import (
    Channel,
    ContactAttempt,
    Inquiry,
    Outcome,
    PreferredTime,
    Status,
    StatusChange,
    normalise_email,
    normalise_phone,
)
from ketaclinic.inquiries.safety import crisis_phrases_in


@dataclass(frozen=True)
class Submission:
    """What a visitor sent through the "learn more" form, already validated."""

    name: str
    consent_wording: str
    email: str = ""
    phone: str = ""
    preferred_contact: str = ""
    preferred_time: str = PreferredTime.ANY
    conditions: list[str] = field(default_factory=list)
    other_condition: str = ""
    professional: str = ""
    professional_name: str = ""
    professional_contact: str = ""
    heard_about: str = ""
    message: str = ""

    def free_text(self) -> list[str]:
        return [
            self.name,
            self.other_condition,
            self.professional_name,
            self.professional_contact,
            self.heard_about,
            self.message,
        ]


def _require_editor(by: Membership, clinic: Clinic) -> None:
    if not policies.can_edit(by, clinic):
        raise PermissionDenied("Only coordinators and clinic admins can change inquiries.")


def _locked(inquiry: Inquiry) -> Inquiry:
    # The clinic comes along (of=self: only the inquiry row is locked), for the audit entry.
    return (
        Inquiry.objects.select_for_update(of=("self",)).select_related("clinic").get(pk=inquiry.pk)
    )


def submit_inquiry(
    clinic: Clinic,
    submission: Submission,
    *,
    request: HttpRequest | None = None,
    received_at: dt.datetime | None = None,
) -> Inquiry:
    """Store a visitor's inquiry (status "new"), flagging it urgent if it mentions self-harm.

    Anyone may submit (the form is public); consent to be contacted must already have been
    given. ``received_at`` is for the demo seed and imports; the form leaves it to now.
    """
    if not submission.email and not submission.phone:
        raise ValidationError("An inquiry needs an email address or a phone number.")
    phrases = crisis_phrases_in(submission.free_text())
    when = received_at or timezone.now()
    with transaction.atomic():
        inquiry = Inquiry.objects.create(
            clinic=clinic,
            received_at=when,
            name=submission.name,
            email=submission.email,
            phone=submission.phone,
            email_normalised=normalise_email(submission.email),
            phone_normalised=normalise_phone(submission.phone),
            preferred_contact=submission.preferred_contact,
            preferred_time=submission.preferred_time,
            conditions=list(submission.conditions),
            other_condition=submission.other_condition,
            professional=submission.professional,
            professional_name=submission.professional_name,
            professional_contact=submission.professional_contact,
            heard_about=submission.heard_about,
            message=submission.message,
            consent_to_contact=True,
            consent_wording=submission.consent_wording,
            is_urgent=bool(phrases),
            urgent_phrases=phrases,
        )
        StatusChange.objects.create(inquiry=inquiry, to_status=Status.NEW, changed_at=when)
        record(
            "inquiry.submit",
            request=request,
            clinic=clinic,
            obj=inquiry,
            after={"status": Status.NEW.value, "is_urgent": inquiry.is_urgent},
        )
    return inquiry


def change_status(
    by: Membership,
    inquiry: Inquiry,
    new_status: str,
    note: str = "",
    *,
    request: HttpRequest | None = None,
    changed_at: dt.datetime | None = None,
) -> StatusChange:
    """Move an inquiry to ``new_status``, keeping a ``StatusChange`` row with the note.

    "Became patient" stamps ``converted_at`` the first time (the patients app later fills in
    ``converted_reference``). ``changed_at`` is for the demo seed and imports; it defaults to
    now (the audit entry is always stamped with the real time).
    """
    _require_editor(by, inquiry.clinic)
    actor = by.user
    if new_status not in Status.values:
        raise ValidationError(f"Unknown status {new_status!r}.")
    with transaction.atomic():
        locked = _locked(inquiry)
        old_status = locked.status
        if new_status == old_status:
            raise ValidationError("The inquiry already has that status.")
        now = changed_at or timezone.now()
        locked.status = new_status
        updated = ["status"]
        if new_status == Status.BECAME_PATIENT and locked.converted_at is None:
            locked.converted_at = now
            updated.append("converted_at")
        locked.save(update_fields=updated)
        change = StatusChange.objects.create(
            inquiry=locked,
            from_status=old_status,
            to_status=new_status,
            note=note,
            changed_by=actor,
            changed_at=now,
        )
        record(
            "inquiry.status",
            request=request,
            by=by,
            clinic=locked.clinic,
            obj=locked,
            before={"status": old_status},
            after={"status": new_status},
            reason=note,
        )
    inquiry.status = locked.status
    inquiry.converted_at = locked.converted_at
    return change


def add_contact(
    by: Membership,
    inquiry: Inquiry,
    *,
    channel: str,
    contacted_at: dt.datetime,
    outcome: str,
    note: str = "",
    request: HttpRequest | None = None,
) -> ContactAttempt:
    """Append a call, email or text to the inquiry's contact log (entries are never edited)."""
    _require_editor(by, inquiry.clinic)
    actor = by.user
    if channel not in Channel.values or outcome not in Outcome.values:
        raise ValidationError("Unknown channel or outcome.")
    with transaction.atomic():
        locked = _locked(inquiry)
        attempt = ContactAttempt.objects.create(
            inquiry=locked,
            channel=channel,
            contacted_at=contacted_at,
            outcome=outcome,
            note=note,
            by=actor,
            recorded_at=timezone.now(),
        )
        record(
            "inquiry.contact",
            request=request,
            by=by,
            clinic=locked.clinic,
            obj=locked,
            after={
                "contact_id": attempt.pk,
                "channel": channel,
                "contacted_at": contacted_at.isoformat(),
                "outcome": outcome,
            },
        )
    return attempt


def set_follow_up(
    by: Membership,
    inquiry: Inquiry,
    *,
    owner: User | None,
    next_action_on: dt.date | None,
    request: HttpRequest | None = None,
) -> bool:
    """Set who owns the inquiry and when it next needs action. Returns False if nothing changed.

    The owner must be active staff of the inquiry's clinic.
    """
    _require_editor(by, inquiry.clinic)
    if owner is not None and not policies.staff_of(inquiry.clinic).filter(pk=owner.pk).exists():
        raise ValidationError("The owner must be a staff member of this clinic.")
    with transaction.atomic():
        locked = _locked(inquiry)
        before = {
            "owner_id": locked.owner_id,
            "next_action_on": locked.next_action_on.isoformat() if locked.next_action_on else None,
        }
        after = {
            "owner_id": owner.pk if owner else None,
            "next_action_on": next_action_on.isoformat() if next_action_on else None,
        }
        if before == after:
            return False
        locked.owner = owner
        locked.next_action_on = next_action_on
        locked.save(update_fields=["owner", "next_action_on"])
        record(
            "inquiry.follow_up",
            request=request,
            by=by,
            clinic=locked.clinic,
            obj=locked,
            before=before,
            after=after,
        )
    inquiry.owner = owner
    inquiry.next_action_on = next_action_on
    return True


def mark_staff_notified(inquiry: Inquiry, recipients: int) -> None:
    """Note that the staff email went out (so the detail page can say whether it did).

    Only the first send is recorded: a retried or duplicated task finds it done."""
    with transaction.atomic():
        now = timezone.now()
        first = Inquiry.objects.filter(pk=inquiry.pk, staff_notified_at__isnull=True).update(
            staff_notified_at=now
        )
        if first:
            record(
                "inquiry.notify_staff",
                clinic=inquiry.clinic,
                obj=inquiry,
                after={"recipients": recipients},
            )
    inquiry.staff_notified_at = now
