"""Adverse events and rescue drugs at the chair (clinical reference §4.1, §4.2).

* :func:`record_adverse_event`: one typed event (``models.entries.EventKind``) with severity,
  time and optionally its outcome and the reading it showed in.
* :func:`record_event_outcome`: the outcome, written once; a later change is a strike-through
  of the event and a new entry (never an edit).
* :func:`give_rescue`: a dose from the clinic's formulary, linked to what triggered it, checked
  by ``infusions.dosecheck`` against the patient's weight, age and this session's earlier
  doses. Refusals stop it; other findings need the ordering physician's reason.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from ketaclinic.access.policy import acts_as
from ketaclinic.access.zones import clinic_zone
from ketaclinic.accounts.models import Membership, Role, User
from ketaclinic.audit.log import record
from ketaclinic.infusions import dosecheck, policies, states
from ketaclinic.infusions.actions._base import append_once, is_late, lock, require
from ketaclinic.infusions.formulary import limits_of
from ketaclinic.infusions.models import (
    AdverseEvent,
    FormularyDrug,
    InfusionSession,
    RescueDose,
    RuleFiring,
    VitalsReading,
)
from ketaclinic.infusions.models.entries import EventKind, Severity
from ketaclinic.patients.models import BodyMeasurement

#: Where an adverse event may be charted: in the chair, and after discharge for something
#: noticed before the note is signed.
EVENT_STATES = states.IN_CHAIR | {states.DISCHARGED}
#: Where a rescue drug may be given: in the chair only.
RESCUE_STATES = states.IN_CHAIR
#: Clock skew allowed for a clinical time "now" typed on a tablet.
FUTURE_SLACK = dt.timedelta(minutes=2)


def _clinical_time(clinical_at: dt.datetime | None) -> dt.datetime:
    now = timezone.now()
    at = clinical_at or now
    if at > now + FUTURE_SLACK:
        raise ValidationError({"clinical_at": "That time is in the future."})
    return at


def _in_state(session: InfusionSession, allowed: frozenset[str], what: str) -> None:
    if session.state not in allowed:
        raise ValidationError(
            {"__all__": f"{what} cannot be recorded while the session is {session.state_label}."}
        )


def _reading_of(session: InfusionSession, reading: VitalsReading | None) -> None:
    if reading is not None and reading.session_id != session.pk:
        raise ValidationError({"reading": "That reading is not from this session."})


def record_adverse_event(
    by: Membership,
    session: InfusionSession,
    *,
    kind: str,
    severity: str,
    clinical_at: dt.datetime | None = None,
    description: str = "",
    outcome: str = "",
    reading: VitalsReading | None = None,
    idempotency_key: str,
    request: HttpRequest | None = None,
) -> AdverseEvent:
    """Chart one adverse event (stored once per ``idempotency_key``) and audit it."""
    require(policies.can_chart(by, session), "Only physicians and nurses chart adverse events.")
    errors: dict[str, str] = {}
    if kind not in EventKind.values:
        errors["kind"] = "Choose what happened."
    if severity not in Severity.values:
        errors["severity"] = "Choose how severe it is."
    description = description.strip()
    if kind == EventKind.OTHER and not description:
        errors["description"] = "Describe what happened (needed for 'Other')."
    if errors:
        raise ValidationError(errors)
    at = _clinical_time(clinical_at)
    _reading_of(session, reading)
    outcome = outcome.strip()
    with transaction.atomic():
        locked = lock(session)
        _in_state(locked, EVENT_STATES, "An adverse event")
        event, created = append_once(
            AdverseEvent,
            session=locked,
            idempotency_key=idempotency_key,
            clinical_at=at,
            entered_by=by.user,
            kind=kind,
            severity=severity,
            description=description,
            outcome=outcome,
            resolved_at=None,
            reading=reading,
        )
        if created:
            record(
                "infusions.event.record",
                request=request,
                by=by,
                clinic=locked.clinic,
                obj=event,
                patient_ref=locked.patient_id,
                after={
                    "session": locked.pk,
                    "kind": kind,
                    "severity": severity,
                    "clinical_at": at,
                    "late": is_late(locked, at, event.entered_at),
                    "description": description,
                    "outcome": outcome,
                    "reading": reading.pk if reading else None,
                },
            )
    return event


def record_event_outcome(
    by: Membership,
    event: AdverseEvent,
    *,
    outcome: str,
    resolved_at: dt.datetime | None = None,
    request: HttpRequest | None = None,
) -> AdverseEvent:
    """Write the event's outcome (and when it resolved) once. Refused when an outcome is
    already there: a different outcome is a strike-through of the event and a new entry."""
    session = event.session
    require(policies.can_chart(by, session), "Only physicians and nurses chart adverse events.")
    outcome = outcome.strip()
    if not outcome:
        raise ValidationError({"outcome": "Say how it ended (or how it stands)."})
    if resolved_at is not None:
        _clinical_time(resolved_at)
    with transaction.atomic():
        locked = lock(session)
        _in_state(locked, EVENT_STATES, "An outcome")
        row = AdverseEvent.objects.select_for_update().get(pk=event.pk)
        if row.is_struck:
            raise ValidationError({"outcome": "That event was struck through."})
        if row.outcome:
            raise ValidationError(
                {
                    "outcome": "The outcome is already recorded. To change it, strike the event "
                    "through with a reason and record it again."
                }
            )
        if resolved_at is not None and resolved_at < row.clinical_at:
            raise ValidationError({"resolved_at": "It cannot resolve before it began."})
        row.outcome = outcome
        row.resolved_at = resolved_at
        row.save(update_fields=["outcome", "resolved_at"])
        record(
            "infusions.event.outcome",
            request=request,
            by=by,
            clinic=locked.clinic,
            obj=row,
            patient_ref=locked.patient_id,
            before={"outcome": "", "resolved_at": None},
            after={"outcome": outcome, "resolved_at": resolved_at},
        )
    return row


# --- rescue drugs ---------------------------------------------------------------------------


def weight_kg_of(session: InfusionSession) -> float | None:
    """The weight the session's dose was planned on (the plan version's), else the patient's
    latest standing measured or reported weight, kg."""
    if session.plan_version is not None:
        return float(session.plan_version.weight_kg)
    latest = (
        BodyMeasurement.objects.filter(
            patient_id=session.patient_id, struck_at__isnull=True, weight_kg__isnull=False
        )
        .order_by("-measured_on", "-recorded_at", "-id")
        .first()
    )
    return float(latest.weight_kg) if latest is not None and latest.weight_kg else None


def age_years_at(date_of_birth: dt.date, on: dt.date) -> int:
    """Age in whole years on ``on``."""
    before_birthday = (on.month, on.day) < (date_of_birth.month, date_of_birth.day)
    return on.year - date_of_birth.year - int(before_birthday)


def prior_doses(
    session: InfusionSession, drug: FormularyDrug, at: dt.datetime
) -> list[tuple[float, float]]:
    """This session's standing doses of ``drug``: (minutes before ``at``, mg)."""
    rows = RescueDose.objects.filter(session=session, drug=drug, struck_at__isnull=True)
    return [
        ((at - r.clinical_at).total_seconds() / 60.0, r.dose_mg)
        for r in rows.only("clinical_at", "dose_mg")
    ]


def findings_for(
    session: InfusionSession, drug: FormularyDrug, dose_mg: float, at: dt.datetime
) -> list[dosecheck.Finding]:
    """The dose-range findings of ``dose_mg`` of ``drug`` at ``at`` for this session."""
    local_day = at.astimezone(clinic_zone(session.clinic)).date()
    return dosecheck.check(
        limits_of(drug),
        dose_mg,
        weight_kg_of(session),
        age_years_at(session.patient.date_of_birth, local_day),
        prior_doses(session, drug, at) if drug.pk else [],
    )


def _ordering_physician(session: InfusionSession, ordered_by: Membership | User) -> Membership:
    if isinstance(ordered_by, Membership):
        membership: Membership | None = ordered_by
    else:
        membership = (
            Membership.objects.select_related("user")
            .filter(user=ordered_by, clinic_id=session.clinic_id)
            .first()
        )
    if (
        membership is None
        or membership.clinic_id != session.clinic_id
        or not acts_as(membership, [Role.PHYSICIAN])
    ):
        raise ValidationError({"ordered_by": "A rescue drug is given on a physician's order."})
    return membership


def _check_triggers(
    session: InfusionSession,
    adverse_event: AdverseEvent | None,
    reading: VitalsReading | None,
    firing: RuleFiring | None,
) -> None:
    if adverse_event is None and reading is None and firing is None:
        raise ValidationError(
            {"trigger": "Link the reading, rule firing or adverse event that called for it."}
        )
    if adverse_event is not None and (
        adverse_event.session_id != session.pk or adverse_event.is_struck
    ):
        raise ValidationError(
            {"trigger": "That adverse event is not a standing one of this session."}
        )
    if firing is not None and firing.session_id != session.pk:
        raise ValidationError({"trigger": "That rule firing is not from this session."})
    if reading is not None and (reading.session_id != session.pk or reading.is_struck):
        raise ValidationError({"trigger": "That reading is not a standing one of this session."})


def give_rescue(
    by: Membership,
    session: InfusionSession,
    *,
    drug: FormularyDrug,
    dose_mg: float,
    route: str,
    clinical_at: dt.datetime | None = None,
    ordered_by: Membership | User,
    adverse_event: AdverseEvent | None = None,
    reading: VitalsReading | None = None,
    firing: RuleFiring | None = None,
    response: str = "",
    override_reason: str = "",
    idempotency_key: str,
    request: HttpRequest | None = None,
) -> RescueDose:
    """Record a rescue dose given (stored once per ``idempotency_key``).

    ``by`` gives it (a physician or a nurse); ``ordered_by`` must be a physician of the clinic.
    At least one of ``adverse_event``, ``reading``, ``firing`` says what triggered it. The
    dose is checked (``dosecheck.check``): a refusal raises ``ValidationError`` at
    ``dose_mg``; findings that need a physician's reason raise it at ``dose_mg`` and
    ``override_reason`` unless ``override_reason`` is given. The findings are stored in
    ``dose_warnings``.
    """
    require(policies.can_chart(by, session), "Only physicians and nurses give rescue drugs.")
    if drug.clinic_id != session.clinic_id or drug.pk is None:
        raise ValidationError({"drug": "Choose a drug of this clinic's formulary."})
    if not drug.is_active:
        raise ValidationError({"drug": f"{drug.name} is retired from the formulary."})
    route = (route or drug.route).strip()
    if not route:
        raise ValidationError({"route": "Give the route."})
    physician = _ordering_physician(session, ordered_by)
    _check_triggers(session, adverse_event, reading, firing)
    at = _clinical_time(clinical_at)
    override_reason = override_reason.strip()
    with transaction.atomic():
        locked = lock(session)  # serialises doses, so two at once cannot pass a maximum total
        existing = RescueDose.objects.filter(
            session=locked, idempotency_key=idempotency_key
        ).first()
        if existing is not None:
            return existing
        _in_state(locked, RESCUE_STATES, "A rescue drug")
        findings = findings_for(locked, drug, float(dose_mg), at)
        refused = dosecheck.refusals(findings)
        if refused:
            raise ValidationError({"dose_mg": [f.message for f in refused]})
        to_override = dosecheck.needs_override(findings)
        if to_override and not override_reason:
            raise ValidationError(
                {
                    "dose_mg": [f.message for f in to_override],
                    "override_reason": "Give the ordering physician's reason to give it anyway.",
                }
            )
        dose, created = append_once(
            RescueDose,
            session=locked,
            idempotency_key=idempotency_key,
            clinical_at=at,
            entered_by=by.user,
            drug=drug,
            dose_mg=float(dose_mg),
            route=route,
            ordered_by=physician.user,
            adverse_event=adverse_event,
            reading=reading,
            firing=firing,
            response=response.strip(),
            dose_warnings=[f.as_dict() for f in findings],
            override_reason=override_reason if to_override else "",
        )
        if created:
            after: dict[str, Any] = {
                "session": locked.pk,
                "drug": drug.key,
                "schedule": drug.schedule,
                "dose_mg": float(dose_mg),
                "route": route,
                "clinical_at": at,
                "late": is_late(locked, at, dose.entered_at),
                "ordered_by": physician.user_id,
                "adverse_event": adverse_event.pk if adverse_event else None,
                "reading": reading.pk if reading else None,
                "firing": firing.pk if firing else None,
                "dose_warnings": [f.code for f in findings],
            }
            record(
                "infusions.rescue.give",
                request=request,
                by=by,
                clinic=locked.clinic,
                obj=dose,
                patient_ref=locked.patient_id,
                after=after,
                reason=dose.override_reason,
            )
    return dose
