"""The write layer of responses: record one (scored by ``ketaclinic.instruments``), strike one.

A response is entered by staff for the patient (``by`` their membership; clinician-rated
instruments by physicians and nurses only) or by the patient through a verified secure link
(``by=None``, ``channel="self_report"``, ``link`` the live questionnaire link of this
patient). Each keeps the item-level answers, the instrument's version and the score computed
at the time; a response is never changed afterwards, only struck through with a reason.

A response whose score carries a safety flag opens a safety alert in the same transaction
(``measurement.safety``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from ketaclinic.accounts.models import Membership
from ketaclinic.audit.log import record
from ketaclinic.instruments import InstrumentInputError, get, parse_answers, score
from ketaclinic.measurement import policies, safety
from ketaclinic.measurement.models import Channel, QuestionnaireRequest, Response
from ketaclinic.patients.models import Patient
from ketaclinic.securelinks.models import Purpose, SecureLink

#: Instruments about alcohol and drug use: 42 CFR Part 2 records when the patient is treated
#: for a substance use disorder (clinical reference section 8.3). Every response of such a
#: patient is labelled Part 2 (as every ``HistoryEntry`` is), these included.
ADDICTION_INSTRUMENTS = frozenset({"audit", "audit-c", "dudit", "pacs"})
STAFF_CHANNELS = (Channel.STAFF, Channel.CLINICIAN, Channel.IN_CLINIC)
SEXES = ("female", "male")


def item_field(item: str) -> str | None:
    """The form field of an ``InstrumentInputError.item`` ("item 3", "question 3")."""
    word, _, number = item.partition(" ")
    if word in ("item", "question") and number.isdigit():
        return f"item_{number}"
    return None


def input_error(problem: InstrumentInputError) -> ValidationError:
    """The instrument's refusal as a form error at the item it names."""
    field = item_field(problem.item)
    message = f"{problem.item.capitalize()}: {problem.reason}"
    return ValidationError({field: message} if field else message)


def is_part2(patient: Patient, instrument_id: str) -> bool:
    """Part 2 when the patient is under SUD treatment: every response then (the addiction
    instruments, ``ADDICTION_INSTRUMENTS``, most obviously), as every chart history entry; never
    for a patient who is not (a screen is not a treatment record)."""
    return bool(patient.sud_treatment)


def _check_actor(
    by: Membership | None,
    patient: Patient,
    instrument_id: str,
    channel: str,
    link: SecureLink | None,
) -> None:
    instrument = get(instrument_id)
    if by is None:
        if channel != Channel.SELF_REPORT:
            raise PermissionDenied("Without a staff member, only a self-report is recorded.")
        if (
            link is None
            or link.patient_id != patient.pk
            or link.purpose != Purpose.QUESTIONNAIRE
            or not link.is_live
        ):
            raise PermissionDenied("This link does not open this patient's questionnaires.")
        if instrument.clinician_rated:
            raise PermissionDenied("A clinician-rated instrument is not self-reported.")
        return
    if channel not in STAFF_CHANNELS:
        raise ValidationError(f"Staff enter responses by {', '.join(STAFF_CHANNELS)}.")
    if not policies.can_enter(by, patient, instrument):
        if instrument.clinician_rated and policies.can_read(by, patient):
            raise PermissionDenied(
                f"{instrument.name} is clinician-rated: only a physician or nurse enters it."
            )
        raise PermissionDenied("Your role cannot enter questionnaires for this patient.")


def record_response(
    by: Membership | None,
    patient: Patient,
    instrument_id: str,
    answers: Sequence[Any],
    *,
    administered_at: dt.datetime,
    channel: str,
    link: SecureLink | None = None,
    request: HttpRequest | None = None,
    questionnaire_request: QuestionnaireRequest | None = None,
    site_url: str = "",
) -> Response:
    """Score ``answers`` (item order; None or "" for unanswered) and store the response.

    Raises
    ------
    PermissionDenied
        The actor may not enter this instrument for this patient.
    ValidationError
        An answer outside its item's options (keyed ``item_N``, the item named), a wrong
        count, or a time in the future.
    """
    _check_actor(by, patient, instrument_id, channel, link)
    instrument = get(instrument_id)
    if administered_at > timezone.now() + dt.timedelta(minutes=5):
        raise ValidationError({"administered_at": "This is in the future."})
    sex = patient.sex_at_birth if patient.sex_at_birth in SEXES else None
    try:
        typed = parse_answers(instrument_id, ["" if a is None else str(a) for a in answers])
        result = score(instrument_id, typed, sex=sex)  # type: ignore[arg-type]
    except InstrumentInputError as problem:
        raise input_error(problem) from None
    with transaction.atomic():
        response = Response.objects.create(
            patient=patient,
            instrument_id=instrument.id,
            instrument_version=instrument.version,
            answers=list(typed),
            total=result.total,
            severity=result.severity or "",
            subscores=dict(result.subscores),
            flags=list(result.flags),
            risk_level=result.risk_level or "",
            provisional_diagnosis=result.provisional_diagnosis,
            administered_at=administered_at,
            entered_by=by.user if by is not None else None,
            channel=channel,
            part2=is_part2(patient, instrument.id),
            questionnaire_request=questionnaire_request,
        )
        record(
            "measurement.response",
            request=request,
            by=by,
            clinic=patient.clinic,
            obj=response,
            patient_ref=patient.pk,
            after={
                "instrument": instrument.id,
                "version": instrument.version,
                "channel": channel,
                "total": result.total,
                "flags": list(result.flags),
                "link_id": link.pk if link is not None else None,
            },
        )
        reason = safety.alert_reason(instrument, list(typed), result)
        if reason:
            safety.open_alert(by, response, reason, site_url=site_url, request=request)
    return response


def strike_response(
    by: Membership, response: Response, *, reason: str, request: HttpRequest | None = None
) -> Response:
    """Strike ``response`` through (a wrong entry): kept, marked, excluded from outcomes."""
    if not policies.can_strike(by, response.patient):
        raise PermissionDenied("Only physicians and nurses strike a response through.")
    if not reason.strip():
        raise ValidationError({"reason": "Say why this response is wrong."})
    with transaction.atomic():
        current = Response.objects.select_for_update().get(pk=response.pk)
        if current.struck_at is not None:
            raise ValidationError("This response is already struck through.")
        current.struck_at = timezone.now()
        current.struck_by = by.user
        current.struck_reason = reason.strip()
        current.save(update_fields=["struck_at", "struck_by", "struck_reason"])
        record(
            "measurement.response_strike",
            request=request,
            by=by,
            obj=current,
            patient_ref=current.patient_id,
            reason=current.struck_reason,
        )
    response.struck_at, response.struck_by, response.struck_reason = (
        current.struck_at,
        current.struck_by,
        current.struck_reason,
    )
    return response
