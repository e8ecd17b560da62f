"""Recovery and discharge: scores, the after-effects checklist, discharge and the
instructions sent to the patient (clinical reference §5.1-§5.3; criteria in
``infusions.discharge``)."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from ketaclinic.accounts.models import Membership
from ketaclinic.audit.log import record
from ketaclinic.infusions import discharge as criteria_mod
from ketaclinic.infusions import policies, scores, states
from ketaclinic.infusions.actions._base import append_once, lock, require, transition
from ketaclinic.infusions.models import (
    AfterEffectsCheck,
    CheckOverride,
    InfusionSession,
    RecoveryAssessment,
    VitalsReading,
)
from ketaclinic.lib.messaging import send_email, send_sms
from ketaclinic.measurement.actions import record_response
from ketaclinic.measurement.models import Channel
from ketaclinic.scheduling.actions.bookings import complete_booking
from ketaclinic.scheduling.models import BookingStatus

logger = logging.getLogger(__name__)

#: States in which recovery is charted.
RECOVERY_STATES = frozenset({states.RECOVERY, states.STOPPED_EARLY})


def _vitals(r: VitalsReading, *, on_oxygen: bool | None = None) -> scores.Vitals:
    return scores.Vitals(
        systolic_mmhg=r.systolic_mmhg,
        heart_rate_bpm=r.heart_rate_bpm,
        spo2_percent=r.spo2_percent,
        on_oxygen=r.on_oxygen if on_oxygen is None else on_oxygen,
    )


def _in_recovery(session: InfusionSession) -> None:
    if session.state not in RECOVERY_STATES:
        raise ValidationError(
            {"__all__": f"Recovery is not charted while the session is {session.state_label}."}
        )


def record_assessment(
    by: Membership,
    session: InfusionSession,
    *,
    activity: int,
    respiration: int,
    consciousness: int,
    oriented: bool,
    steady_gait: bool,
    pain_nausea: int,
    took_fluids: bool,
    voided: bool,
    bleeding: int = 2,
    reading: VitalsReading | None = None,
    on_oxygen: bool | None = None,
    bp_variant: scores.BpVariant = "mmhg",
    clinical_at: dt.datetime | None = None,
    idempotency_key: str,
    request: HttpRequest | None = None,
) -> RecoveryAssessment:
    """Score modified Aldrete and PADSS against the baseline reading (§5.1, §5.2): the
    vitals items from ``reading`` (default the newest recovery reading not struck) and the
    baseline, the rest from the nurse's observations. Totals are computed here, never taken
    from a form."""
    require(policies.can_chart(by, session), "Your role cannot chart this session.")
    with transaction.atomic():
        locked = lock(session)
        _in_recovery(locked)
        base = criteria_mod.baseline_reading(locked)
        if base is None:
            raise ValidationError({"__all__": "No baseline reading: chart one first."})
        scored = reading or criteria_mod.newest_recovery_reading(locked)
        if scored is None or scored.session_id != locked.pk or scored.is_struck:
            raise ValidationError({"reading": "Chart a recovery reading first."})
        try:
            ald = scores.aldrete(
                _vitals(base),
                _vitals(scored, on_oxygen=on_oxygen),
                activity=activity,
                respiration=respiration,
                consciousness=consciousness,
                variant=bp_variant,
            )
            pad = scores.padss(
                _vitals(base),
                _vitals(scored),
                oriented=oriented,
                steady_gait=steady_gait,
                pain_nausea=pain_nausea,
                took_fluids=took_fluids,
                voided=voided,
                bleeding=bleeding,
            )
        except ValueError as problem:
            raise ValidationError({"__all__": str(problem)}) from None
        moment = clinical_at or timezone.now()
        row, created = append_once(
            RecoveryAssessment,
            session=locked,
            idempotency_key=idempotency_key,
            clinical_at=moment,
            entered_by=by.user,
            reading=scored,
            aldrete_items={
                **ald.items,
                "bp_variant": bp_variant,
                "notes": ald.notes,
                "on_oxygen": on_oxygen if on_oxygen is not None else scored.on_oxygen,
            },
            aldrete_total=ald.total,
            padss_items={
                **pad.items,
                "notes": pad.notes,
                "observed": {
                    "oriented": oriented,
                    "steady_gait": steady_gait,
                    "took_fluids": took_fluids,
                    "voided": voided,
                },
            },
            padss_total=pad.total,
        )
        if created:
            record(
                "infusions.recovery.assess",
                request=request,
                by=by,
                clinic=locked.clinic,
                obj=locked,
                patient_ref=locked.patient_id,
                after={
                    "assessment": row.pk,
                    "aldrete": ald.total,
                    "padss": pad.total,
                    "reading": scored.pk,
                },
            )
    return row


def record_after_effects(
    by: Membership,
    session: InfusionSession,
    *,
    answers: Sequence[int | str | None],
    clinical_at: dt.datetime | None = None,
    idempotency_key: str,
    request: HttpRequest | None = None,
) -> AfterEffectsCheck:
    """The post-infusion after-effects checklist (``after-effects`` instrument, severity 0-3
    per symptom), stored as a measurement response entered by staff for the patient."""
    require(policies.can_chart(by, session), "Your role cannot chart this session.")
    if not idempotency_key or len(idempotency_key) > 64:
        raise ValidationError({"idempotency_key": "Missing form key: reload the page."})
    with transaction.atomic():
        locked = lock(session)
        _in_recovery(locked)
        existing = AfterEffectsCheck.objects.filter(
            session=locked, idempotency_key=idempotency_key
        ).first()
        if existing is not None:
            return existing
        moment = clinical_at or timezone.now()
        response = record_response(
            by,
            locked.patient,
            "after-effects",
            list(answers),
            administered_at=moment,
            channel=Channel.STAFF,
            request=request,
        )
        row = AfterEffectsCheck.objects.create(
            session=locked,
            idempotency_key=idempotency_key,
            clinical_at=moment,
            entered_by=by.user,
            response=response,
        )
        record(
            "infusions.recovery.after_effects",
            request=request,
            by=by,
            clinic=locked.clinic,
            obj=locked,
            patient_ref=locked.patient_id,
            after={"response": response.pk, "subscores": response.subscores},
        )
    return row


def discharge(
    by: Membership,
    session: InfusionSession,
    *,
    escort_name: str,
    escort_relationship: str,
    escort_phone: str,
    clinical_at: dt.datetime | None = None,
    override_reason: str = "",
    expected_version: int,
    request: HttpRequest | None = None,
) -> InfusionSession:
    """Discharge from recovery when every criterion is met (``infusions.discharge.criteria``)
    or a physician overrides the unmet ones with a reason; the booking is completed in the
    same transaction and the instructions are sent after commit."""
    moment = clinical_at or timezone.now()
    reason = override_reason.strip()
    if reason:
        require(
            policies.can_override(by, session), "Only a physician can discharge despite criteria."
        )
    phone = escort_phone.strip()
    phone_e164 = criteria_mod.escort_phone_e164(phone) if phone else ""
    if phone and phone_e164 is None:
        raise ValidationError({"escort_phone": "That is not a valid phone number."})
    with transaction.atomic():
        locked = lock(session, expected_version)
        if locked.state != states.RECOVERY:
            raise ValidationError(
                {"__all__": f"Discharge is not possible while the session is {locked.state_label}."}
            )
        found = criteria_mod.criteria(
            locked, at=moment, escort_name=escort_name, escort_phone=phone
        )
        missing = criteria_mod.unmet(found)
        if missing and not reason:
            raise ValidationError(
                {"__all__": [f"Not met: {c.label} ({c.detail})." for c in missing]}
            )
        overridden = [c.key for c in missing]
        changes: dict[str, Any] = {
            "discharged_at": moment,
            "escort_name": escort_name.strip(),
            "escort_relationship": escort_relationship.strip(),
            "escort_phone": phone_e164 or "",
        }
        if overridden:
            changes["discharge_override_reason"] = reason
            changes["discharge_override_by"] = by.user
        done = transition(
            by,
            locked,
            "discharge",
            expected_version=expected_version,
            reason=reason if overridden else "",
            at=moment,
            changes=changes,
            after={"overridden": overridden, "escort_name": changes["escort_name"]},
            request=request,
        )
        if overridden:
            CheckOverride.objects.create(
                session=done, item="discharge", reason=reason, by=by.user, at=moment
            )
        booking = done.booking
        if booking.status == BookingStatus.BOOKED:
            complete_booking(by, booking, request=request, now=max(moment, booking.starts_at))
        session_id = done.pk
        transaction.on_commit(lambda: send_instructions(session_id))
    return done


def send_instructions(session_id: int) -> list[str]:
    """Send the discharge instructions once (email: the full text; text message: one short
    line), then set ``instructions_sent_at``; returns the channels used. A failed send is
    logged and leaves ``instructions_sent_at`` empty (the instructions page can be printed)."""
    session = (
        InfusionSession.objects.select_related("patient", "clinic").filter(pk=session_id).first()
    )
    if session is None or session.instructions_sent_at is not None:
        return []
    patient = session.patient
    went: list[str] = []
    try:
        if patient.email:
            send_email(
                patient.email,
                "Your aftercare instructions",
                criteria_mod.instructions_text(session),
            )
            went.append("email")
        if patient.phone_mobile:
            send_sms(patient.phone_mobile, criteria_mod.instructions_sms(session))
            went.append("sms")
    except Exception:  # a mail or SMS provider failure must not undo a discharge
        logger.exception("Discharge instructions for session %s not sent", session_id)
        return went
    if not went:
        return went
    with transaction.atomic():
        locked = lock(session)
        locked.instructions_sent_at = timezone.now()
        locked.version += 1
        locked.save(update_fields=["instructions_sent_at", "version"])
        record(
            "infusions.recovery.instructions_sent",
            clinic=locked.clinic,
            obj=locked,
            patient_ref=locked.patient_id,
            after={"channels": went},
        )
    return went
