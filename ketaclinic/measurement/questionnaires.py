"""The write layer of self-report by secure link: send, choose how to answer, save, submit.

Staff send one or more self-report instruments (``send_questionnaire``): a
``QuestionnaireRequest`` and a ``securelinks`` link of purpose ``questionnaire`` pointing at it,
carried by email and/or text message. The patient then saves answers page by page (all of an
instrument's items, or one item at a time: ``mode``), server-side, so they can stop and come
back with the same link; the final submit stores one ``Response`` per instrument (through
``actions.record_response``, ``by=None``) and uses the link up.

Every step by the patient is ``by=None`` with the link its caller verified (``open_or_refuse``)
and is checked again here: the link must be live, of this request.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from ketaclinic.accounts.models import Membership
from ketaclinic.audit.log import record
from ketaclinic.instruments import INSTRUMENTS, Instrument, InstrumentInputError, get, score
from ketaclinic.lib.messaging import send_email, send_sms
from ketaclinic.measurement import actions, policies, safety
from ketaclinic.measurement.models import (
    AnswerMode,
    Channel,
    QuestionnaireRequest,
    RequestStatus,
    Response,
)
from ketaclinic.measurement.safety import ALERT_FLAGS
from ketaclinic.patients.models import Patient
from ketaclinic.securelinks import actions as links
from ketaclinic.securelinks.models import Purpose, SecureLink

#: How long a questionnaire link works: a product decision [D] (a week, as the intake link).
LINK_DAYS = 7


def self_report_instruments() -> list[Instrument]:
    """What a patient may answer alone: the instruments not rated by a clinician."""
    return [i for i in INSTRUMENTS.values() if not i.clinician_rated]


def subject(patient: Patient) -> str:
    return f"Questions from {patient.clinic.name}"  # no patient data in a subject line


def default_text(patient: Patient) -> str:
    return (
        f"Hello, this is {patient.clinic.name}. Please answer a few short questions about how "
        "you have been, using this private link. Your answers are saved as you go."
    )


def compose(message: str, url: str, patient: Patient, expires_at: dt.datetime) -> str:
    from ketaclinic.intake.messages import compose as compose_link_message

    return compose_link_message(message, url, patient.clinic, expires_at)


@dataclass(frozen=True)
class Sent:
    request: QuestionnaireRequest
    link: SecureLink
    via: list[str]
    failed: list[str]


def send_questionnaire(
    by: Membership,
    patient: Patient,
    instruments: list[str],
    *,
    via: list[str],
    message: str,
    link_url: Any,
    request: HttpRequest | None = None,
) -> Sent:
    """Make a request for ``instruments`` and its link, and send the link by ``via``.

    ``link_url(token)`` makes the full address. Made in one transaction; the messages go after
    it, and a channel that fails is reported (the link stands; staff can send again).
    """
    if not policies.can_send(by, patient):
        raise PermissionDenied("Only the patient's coordinator, nurse or physician can do this.")
    allowed = {i.id for i in self_report_instruments()}
    if not instruments:
        raise ValidationError({"instruments": "Choose at least one questionnaire."})
    unknown = [i for i in instruments if i not in allowed]
    if unknown:
        raise ValidationError(
            {"instruments": f"Not a self-report questionnaire: {', '.join(unknown)}."}
        )
    if not via:
        raise ValidationError({"via": "Choose email, text message or both."})
    if "email" in via and not patient.email:
        raise ValidationError({"via": "The patient has no email address on their record."})
    if "sms" in via and not patient.phone_mobile:
        raise ValidationError({"via": "The patient has no mobile number on their record."})
    with transaction.atomic():
        req = QuestionnaireRequest.objects.create(
            clinic=patient.clinic,
            patient=patient,
            instruments=list(instruments),
            created_by=by.user,
        )
        link, token = links.create_link(
            by,
            patient,
            purpose=Purpose.QUESTIONNAIRE,
            target=req,
            lifetime=dt.timedelta(days=LINK_DAYS),
            request=request,
        )
        req.link = link
        req.save(update_fields=["link"])
        record(
            "measurement.request_send",
            request=request,
            by=by,
            obj=req,
            patient_ref=patient.pk,
            after={"instruments": list(instruments), "link_id": link.pk},
        )
    body = compose(message, link_url(token), patient, link.expires_at)
    went, failed = [], []
    for channel in via:
        try:
            if channel == "email":
                send_email(patient.email, subject(patient), body)
            else:
                send_sms(patient.phone_mobile, body)
            went.append(channel)
        except Exception:  # noqa: BLE001 (reported to staff; the link stands)
            failed.append(channel)
    if went:
        links.mark_sent(by, link, via=went, request=request)
    return Sent(req, link, went, failed)


def _check_link(req: QuestionnaireRequest, link: SecureLink | None) -> None:
    if (
        link is None
        or link.purpose != Purpose.QUESTIONNAIRE
        or link.target_id != req.pk
        or link.patient_id != req.patient_id
        or not link.is_live
    ):
        raise PermissionDenied("This link does not open these questions.")


def _locked(req: QuestionnaireRequest) -> QuestionnaireRequest:
    return QuestionnaireRequest.objects.select_for_update().get(pk=req.pk)


def set_mode(
    req: QuestionnaireRequest,
    mode: str,
    *,
    link: SecureLink | None,
    request: HttpRequest | None = None,
) -> None:
    """The patient's choice: the whole questionnaire on a page, or one question at a time."""
    _check_link(req, link)
    if mode not in AnswerMode.values:
        raise ValidationError({"mode": "Choose how you would like to answer."})
    with transaction.atomic():
        locked = _locked(req)
        locked.mode = mode
        locked.save(update_fields=["mode"])
        record(
            "measurement.request_mode",
            request=request,
            clinic=locked.clinic,
            obj=locked,
            patient_ref=locked.patient_id,
            after={"mode": mode},
        )
    req.mode = mode


def saved_answers(req: QuestionnaireRequest, instrument: Instrument) -> list[Any]:
    """The answers saved so far for ``instrument``, in item order (None: not yet)."""
    saved = list(req.progress.get(instrument.id) or [])
    return (saved + [None] * len(instrument.items))[: len(instrument.items)]


def _crisis(instrument: Instrument, answers: list[Any]) -> str:
    """Why these saved answers already call for crisis resources and an alert (before the
    submit), or "": the scoring core sets its safety flags from the answered items even when
    some are missing."""
    try:
        result = score(instrument.id, answers)
    except InstrumentInputError:  # an odd partial set: the submit decides
        return ""
    if not any(flag in ALERT_FLAGS for flag in result.flags):
        return ""
    return safety.alert_reason(instrument, answers, result)


def save_answers(
    req: QuestionnaireRequest,
    instrument_id: str,
    answers: dict[int, Any],
    *,
    link: SecureLink | None,
    request: HttpRequest | None = None,
    site_url: str = "",
) -> bool:
    """Keep ``answers`` (item number -> option value) for one instrument; True when they call
    for crisis resources now, and then the safety alert is opened at once (before the
    submit). An answer outside an item's options is refused at that item."""
    _check_link(req, link)
    if instrument_id not in req.instruments:
        raise ValidationError("This questionnaire is not part of this request.")
    instrument = get(instrument_id)
    errors = {}
    for number, value in answers.items():
        item = instrument.item(number)
        if value is not None and value not in item.values:
            errors[f"item_{number}"] = f"Item {number}: choose one of the answers shown."
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        locked = _locked(req)
        if locked.submitted_at is not None:
            raise ValidationError("These answers were already sent.")
        current = saved_answers(locked, instrument)
        for number, value in answers.items():
            current[[it.number for it in instrument.items].index(number)] = value
        locked.progress[instrument_id] = current
        if locked.status == RequestStatus.SENT:
            locked.status = RequestStatus.STARTED
        reason = _crisis(instrument, current)
        crisis = bool(reason)
        if crisis and locked.crisis_shown_at is None:
            locked.crisis_shown_at = timezone.now()
        locked.save(update_fields=["progress", "status", "crisis_shown_at"])
        if crisis:
            safety.open_alert_for_saved_answers(locked, reason, site_url=site_url, request=request)
        links.record_step(locked.link or link, step=instrument_id, request=request)  # type: ignore[arg-type]
        record(
            "measurement.request_save",
            request=request,
            clinic=locked.clinic,
            obj=locked,
            patient_ref=locked.patient_id,
            after={"instrument": instrument_id, "items": sorted(answers)},
        )
    req.progress, req.status, req.crisis_shown_at = (
        locked.progress,
        locked.status,
        locked.crisis_shown_at,
    )
    return crisis


def missing_items(req: QuestionnaireRequest) -> dict[str, list[int]]:
    """Per instrument, the required items not answered yet (optional ones may stay empty)."""
    out = {}
    for instrument_id in req.instruments:
        instrument = get(instrument_id)
        saved = saved_answers(req, instrument)
        missing = [
            it.number
            for it, value in zip(instrument.items, saved, strict=True)
            if value is None and not it.optional
        ]
        if missing:
            out[instrument_id] = missing
    return out


def submit_questionnaire(
    req: QuestionnaireRequest,
    *,
    link: SecureLink | None,
    request: HttpRequest | None = None,
    site_url: str = "",
) -> list[Response] | None:
    """Store one response per instrument and use the link up. None when already sent (a
    double post); ``ValidationError`` while a required item is unanswered."""
    _check_link(req, link)
    assert link is not None
    with transaction.atomic():
        locked = _locked(req)
        if locked.submitted_at is not None:
            return None
        missing = missing_items(locked)
        if missing:
            names = ", ".join(get(i).name.split(" (")[0] for i in missing)
            raise ValidationError(f"Some questions are not answered yet: {names}.")
        patient = Patient.objects.select_related("clinic").get(pk=locked.patient_id)
        now = timezone.now()
        stored = [
            actions.record_response(
                None,
                patient,
                instrument_id,
                saved_answers(locked, get(instrument_id)),
                administered_at=now,
                channel=Channel.SELF_REPORT,
                link=link,
                request=request,
                questionnaire_request=locked,
                site_url=site_url,
            )
            for instrument_id in locked.instruments
        ]
        if not links.use_up(link, request=request):
            # Used by another submit meanwhile: roll these responses back.
            raise ValidationError("These answers were already sent.")
        locked.submitted_at = now
        locked.status = RequestStatus.SUBMITTED
        if any(set(r.flags) & set(ALERT_FLAGS) for r in stored) and not locked.crisis_shown_at:
            locked.crisis_shown_at = now
        locked.save(update_fields=["submitted_at", "status", "crisis_shown_at"])
        record(
            "measurement.request_submit",
            request=request,
            clinic=locked.clinic,
            obj=locked,
            patient_ref=locked.patient_id,
            after={"responses": [r.pk for r in stored]},
        )
    req.submitted_at, req.status, req.crisis_shown_at = (
        locked.submitted_at,
        locked.status,
        locked.crisis_shown_at,
    )
    return stored
