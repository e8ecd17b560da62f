"""The session's state machine: one audited action per transition of ``infusions.states``.

Each action checks the role (``policies.TRANSITION_ROLES``), the state table and the form's
``expected_version`` through ``_base.transition``, inside one ``transaction.atomic``; the pump
steps also append their ``PumpEvent`` under the form's idempotency key, so a double tap on
"Start" stores one start. Discharge and signing are the recovery and note workflows' actions.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone

from ketaclinic.accounts.models import Membership
from ketaclinic.audit.log import record
from ketaclinic.infusions import policies
from ketaclinic.infusions.actions._base import append_once, require, transition
from ketaclinic.infusions.actions.prechecks import ItemStatus, checklist
from ketaclinic.infusions.models import InfusionSession, PumpEvent
from ketaclinic.infusions.models.entries import PumpKind
from ketaclinic.patients.models import Patient
from ketaclinic.scheduling.actions.bookings import cancel_booking, record_no_show
from ketaclinic.scheduling.models import Booking, BookingStatus
from ketaclinic.treatment.models import PlanVersion
from ketaclinic.treatment.queries import current_version


def _signed_version(patient: Patient) -> PlanVersion | None:
    version = current_version(patient)
    return version if version is not None and version.signed_at is not None else None


def open_session(
    by: Membership, booking: Booking, *, request: HttpRequest | None = None
) -> InfusionSession:
    """The booking's session, opened now if it has none (one per booking: opening twice gives
    the same session). It pins the patient's current plan version when that is signed."""
    require(policies.can_open(by, booking.clinic_id), "Your role cannot open a session.")
    existing = InfusionSession.objects.filter(booking=booking).first()
    if existing is not None:
        return existing
    if booking.status != BookingStatus.BOOKED:
        raise ValidationError(
            {"__all__": f"This booking is {booking.get_status_display().lower()}."}
        )
    pinned = _signed_version(booking.patient)
    try:
        with transaction.atomic():
            session = InfusionSession.objects.create(
                clinic_id=booking.clinic_id,
                patient_id=booking.patient_id,
                booking=booking,
                plan_version=pinned,
                created_by=by.user,
            )
            record(
                "infusions.session.open",
                request=request,
                by=by,
                clinic=session.clinic,
                obj=session,
                patient_ref=session.patient_id,
                after={
                    "state": session.state,
                    "booking": booking.pk,
                    "plan_version": pinned.pk if pinned is not None else None,
                },
            )
    except IntegrityError:
        # Two people opened it at the same moment: the unique booking decided, use theirs.
        found = InfusionSession.objects.filter(booking=booking).first()
        if found is None:
            raise
        return found
    return session


def _fresh(session: InfusionSession) -> InfusionSession:
    return InfusionSession.objects.get(pk=session.pk)


def _already(by: Membership, session: InfusionSession, name: str, idempotency_key: str) -> bool:
    """This form was stored already (a double submit or a retry)."""
    require(policies.can_take(by, session, name), "Your role cannot take this step.")
    return PumpEvent.objects.filter(session=session, idempotency_key=idempotency_key).exists()


def _pump(
    by: Membership,
    session: InfusionSession,
    kind: str,
    *,
    idempotency_key: str,
    at: dt.datetime,
    rate_ml_per_h: float | None,
    reason: str = "",
    firing: Any = None,
    adverse_event: Any = None,
) -> PumpEvent:
    row, _created = append_once(
        PumpEvent,
        session=session,
        idempotency_key=idempotency_key,
        kind=kind,
        rate_ml_per_h=rate_ml_per_h,
        reason=reason.strip(),
        firing=firing,
        adverse_event=adverse_event,
        clinical_at=at,
        entered_at=timezone.now(),
        entered_by=by.user,
    )
    return row


def _when(clinical_at: dt.datetime | None) -> dt.datetime:
    moment = clinical_at or timezone.now()
    if moment > timezone.now() + dt.timedelta(minutes=1):
        raise ValidationError({"clinical_at": "That time is in the future."})
    return moment


def check_in(
    by: Membership,
    session: InfusionSession,
    *,
    expected_version: int | None = None,
    clinical_at: dt.datetime | None = None,
    request: HttpRequest | None = None,
) -> InfusionSession:
    """The patient is here. A session opened before the plan was signed pins the signed
    version now (one opened with a signed version keeps it)."""
    at = _when(clinical_at)
    changes: dict[str, Any] = {"checked_in_at": at}
    after: dict[str, Any] = {}
    if session.plan_version_id is None:
        pinned = _signed_version(session.patient)
        if pinned is not None:
            changes["plan_version"] = pinned
            after["plan_version"] = pinned.pk
    with transaction.atomic():
        return transition(
            by, session, "check_in", expected_version=expected_version, at=at,
            changes=changes, after=after, request=request,
        )  # fmt: skip


def begin_checks(
    by: Membership,
    session: InfusionSession,
    *,
    expected_version: int | None = None,
    request: HttpRequest | None = None,
) -> InfusionSession:
    with transaction.atomic():
        return transition(
            by, session, "begin_checks", expected_version=expected_version, request=request
        )


def start_blockers(
    session: InfusionSession, statuses: Sequence[ItemStatus] | None = None
) -> list[str]:
    """What still stands between the session and its start, as sentences (empty: ready);
    ``statuses`` is ``checklist(session)`` when the caller has it already."""
    out: list[str] = []
    if session.ordered_rate_ml_per_h is None:
        out.append("The preparation is not recorded (drug, container and pump rate).")
    plan = session.plan_version
    if plan is None or plan.signed_at is None:
        out.append("No signed plan version is pinned to this session.")
    for status in statuses if statuses is not None else checklist(session):
        if not status.ok:
            out.append(f"{status.label}: {status.blocker}")
    return out


def start(
    by: Membership,
    session: InfusionSession,
    *,
    expected_version: int | None,
    idempotency_key: str,
    clinical_at: dt.datetime | None = None,
    request: HttpRequest | None = None,
) -> InfusionSession:
    """Start the pump at the ordered rate. Refused while the preparation is unrecorded, no
    signed plan is pinned, or a check failed or is missing without a physician's override."""
    at = _when(clinical_at)
    with transaction.atomic():
        if _already(by, session, "start", idempotency_key):
            return _fresh(session)
        locked = transition(
            by, session, "start", expected_version=expected_version, at=at,
            changes={"started_at": at}, request=request,
        )  # fmt: skip
        blockers = start_blockers(locked)
        if blockers:
            raise ValidationError({"__all__": ["The infusion cannot start yet.", *blockers]})
        _pump(
            by, locked, PumpKind.START, idempotency_key=idempotency_key, at=at,
            rate_ml_per_h=locked.ordered_rate_ml_per_h,
        )  # fmt: skip
        return locked


def pause(
    by: Membership,
    session: InfusionSession,
    *,
    reason: str,
    expected_version: int | None,
    idempotency_key: str,
    clinical_at: dt.datetime | None = None,
    firing: Any = None,
    adverse_event: Any = None,
    request: HttpRequest | None = None,
) -> InfusionSession:
    """Pause the pump (rate 0 until resumed), with the reason and what prompted it."""
    at = _when(clinical_at)
    with transaction.atomic():
        if _already(by, session, "pause", idempotency_key):
            return _fresh(session)
        locked = transition(
            by, session, "pause", expected_version=expected_version, reason=reason, at=at,
            request=request,
        )  # fmt: skip
        _pump(
            by, locked, PumpKind.PAUSE, idempotency_key=idempotency_key, at=at, rate_ml_per_h=0.0,
            reason=reason, firing=firing, adverse_event=adverse_event,
        )  # fmt: skip
        return locked


def last_rate_ml_per_h(session: InfusionSession) -> float | None:
    """The newest running rate charted (start, rate change or resume; struck ones ignored)."""
    row = (
        PumpEvent.objects.filter(
            session=session,
            struck_at__isnull=True,
            kind__in=[PumpKind.START, PumpKind.RATE, PumpKind.RESUME],
        )
        .order_by("-clinical_at", "-id")
        .first()
    )
    if row is None or row.rate_ml_per_h is None:
        return session.ordered_rate_ml_per_h
    return row.rate_ml_per_h


def resume(
    by: Membership,
    session: InfusionSession,
    *,
    reason: str,
    expected_version: int | None,
    idempotency_key: str,
    rate_ml_per_h: float | None = None,
    clinical_at: dt.datetime | None = None,
    request: HttpRequest | None = None,
) -> InfusionSession:
    """Resume at ``rate_ml_per_h``, or at the last rate that was running."""
    at = _when(clinical_at)
    if rate_ml_per_h is not None and rate_ml_per_h <= 0:
        raise ValidationError({"rate_ml_per_h": "A resumed rate is above 0 mL/h."})
    with transaction.atomic():
        if _already(by, session, "resume", idempotency_key):
            return _fresh(session)
        locked = transition(
            by, session, "resume", expected_version=expected_version, reason=reason, at=at,
            request=request,
        )  # fmt: skip
        rate = rate_ml_per_h if rate_ml_per_h is not None else last_rate_ml_per_h(locked)
        _pump(
            by, locked, PumpKind.RESUME, idempotency_key=idempotency_key, at=at,
            rate_ml_per_h=rate, reason=reason,
        )  # fmt: skip
        return locked


def complete(
    by: Membership,
    session: InfusionSession,
    *,
    expected_version: int | None,
    idempotency_key: str,
    clinical_at: dt.datetime | None = None,
    reason: str = "",
    request: HttpRequest | None = None,
) -> InfusionSession:
    """The ordered infusion ran to its end: the pump stops and recovery begins."""
    at = _when(clinical_at)
    with transaction.atomic():
        if _already(by, session, "complete", idempotency_key):
            return _fresh(session)
        locked = transition(
            by, session, "complete", expected_version=expected_version, reason=reason, at=at,
            changes={"infusion_ended_at": at, "recovery_started_at": at}, request=request,
        )  # fmt: skip
        _pump(
            by, locked, PumpKind.STOP, idempotency_key=idempotency_key, at=at, rate_ml_per_h=0.0,
            reason=reason.strip() or "End of the ordered infusion",
        )  # fmt: skip
        return locked


def stop_early(
    by: Membership,
    session: InfusionSession,
    *,
    reason: str,
    expected_version: int | None,
    idempotency_key: str,
    clinical_at: dt.datetime | None = None,
    firing: Any = None,
    adverse_event: Any = None,
    request: HttpRequest | None = None,
) -> InfusionSession:
    """Stop before the ordered dose is in, with the reason (and the rule or event behind it)."""
    at = _when(clinical_at)
    with transaction.atomic():
        if _already(by, session, "stop_early", idempotency_key):
            return _fresh(session)
        locked = transition(
            by, session, "stop_early", expected_version=expected_version, reason=reason, at=at,
            changes={"stop_reason": reason.strip(), "infusion_ended_at": at}, request=request,
        )  # fmt: skip
        _pump(
            by, locked, PumpKind.STOP, idempotency_key=idempotency_key, at=at, rate_ml_per_h=0.0,
            reason=reason, firing=firing, adverse_event=adverse_event,
        )  # fmt: skip
        return locked


def begin_recovery(
    by: Membership,
    session: InfusionSession,
    *,
    expected_version: int | None = None,
    clinical_at: dt.datetime | None = None,
    request: HttpRequest | None = None,
) -> InfusionSession:
    at = _when(clinical_at)
    with transaction.atomic():
        return transition(
            by, session, "begin_recovery", expected_version=expected_version, at=at,
            changes={"recovery_started_at": at}, request=request,
        )  # fmt: skip


def no_show(
    by: Membership,
    session: InfusionSession,
    *,
    reason: str,
    expected_version: int | None = None,
    request: HttpRequest | None = None,
) -> InfusionSession:
    """The patient did not come: the session ends and the booking records the no-show (its
    fee and the free chair), in one transaction."""
    with transaction.atomic():
        locked = transition(
            by, session, "no_show", expected_version=expected_version, reason=reason,
            request=request,
        )  # fmt: skip
        booking = Booking.objects.get(pk=locked.booking_id)
        if booking.status != BookingStatus.NO_SHOW:
            record_no_show(by, booking, reason=reason, request=request)
        return locked


def cancel(
    by: Membership,
    session: InfusionSession,
    *,
    reason: str,
    expected_version: int | None = None,
    request: HttpRequest | None = None,
) -> InfusionSession:
    """Cancel the session and its booking (late-cancellation rules are the booking's)."""
    with transaction.atomic():
        locked = transition(
            by, session, "cancel", expected_version=expected_version, reason=reason,
            changes={"cancel_reason": reason.strip()}, request=request,
        )  # fmt: skip
        booking = Booking.objects.get(pk=locked.booking_id)
        if booking.status != BookingStatus.CANCELLED:
            cancel_booking(by, booking, reason=reason, request=request)
        return locked
