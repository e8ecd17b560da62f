"""Pieces every session action shares: permission, the optimistic-concurrency lock, the
audited state change, and idempotent appends."""

from __future__ import annotations

import datetime as dt
from typing import Any, TypeVar

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, models, transaction
from django.http import HttpRequest
from django.utils import timezone

from ketaclinic.accounts.models import Membership
from ketaclinic.audit.log import record
from ketaclinic.infusions import policies, states
from ketaclinic.infusions.models import InfusionSession, SessionTransition
from ketaclinic.infusions.queries import settings_for

CONFLICT_MESSAGE = (
    "Someone else changed this session while you were entering this ({what}). "
    "The screen now shows their change; check it, then enter yours again if it is still needed."
)


class SessionConflict(ValidationError):
    """The form was drawn from an older version of the session."""


def require(allowed: bool, message: str) -> None:
    if not allowed:
        raise PermissionDenied(message)


def lock(session: InfusionSession, expected_version: int | None = None) -> InfusionSession:
    """The session row locked for this transaction (``select_for_update``; SQLite's
    IMMEDIATE transactions already serialise writers). ``expected_version``, when given, must
    be the current version, else :class:`SessionConflict`."""
    locked = InfusionSession.objects.select_for_update().get(pk=session.pk)
    if expected_version is not None and locked.version != expected_version:
        raise SessionConflict({"__all__": CONFLICT_MESSAGE.format(what=locked.state_label)})
    return locked


def bump(session: InfusionSession, fields: list[str]) -> None:
    """Save ``fields`` and the next version."""
    session.version += 1
    session.save(update_fields=[*fields, "version"])


def transition(
    by: Membership,
    session: InfusionSession,
    name: str,
    *,
    expected_version: int | None = None,
    reason: str = "",
    at: dt.datetime | None = None,
    changes: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    request: HttpRequest | None = None,
) -> InfusionSession:
    """Take transition ``name``: permission, the state table, the version, then the new state,
    ``changes`` (field -> value) on the session, one ``SessionTransition`` and one audit entry,
    all in the caller's transaction. Call inside ``transaction.atomic``."""
    require(policies.can_take(by, session, name), "Your role cannot take this step.")
    locked = lock(session, expected_version)
    spec = states.TRANSITIONS[name]
    if locked.state not in spec.sources:
        raise ValidationError(
            {"__all__": f"{spec.label} is not possible while the session is {locked.state_label}."}
        )
    if spec.needs_reason and not reason.strip():
        raise ValidationError({"reason": "Give the reason."})
    before = locked.state
    locked.state = spec.target
    fields = ["state"]
    for field, value in (changes or {}).items():
        setattr(locked, field, value)
        fields.append(field)
    bump(locked, fields)
    SessionTransition.objects.create(
        session=locked,
        name=name,
        from_state=before,
        to_state=spec.target,
        reason=reason.strip(),
        at=at or timezone.now(),
        by=by.user,
    )
    record(
        f"infusions.session.{name}",
        request=request,
        by=by,
        clinic=locked.clinic,
        obj=locked,
        patient_ref=locked.patient_id,
        before={"state": before},
        after={"state": spec.target, **(after or {})},
        reason=reason.strip(),
    )
    return locked


M = TypeVar("M", bound=models.Model)


def append_once(
    model: type[M], *, session: InfusionSession, idempotency_key: str, **fields: Any
) -> tuple[M, bool]:
    """Insert one entry, or return the row already stored under ``idempotency_key`` for this
    session (a double submit or a retry): ``(row, created)``. The unique constraint decides,
    so twenty parallel posts of one key store one row on SQLite and PostgreSQL alike."""
    if not idempotency_key or len(idempotency_key) > 64:
        raise ValidationError({"idempotency_key": "Missing form key: reload the page."})
    existing = model._default_manager.filter(
        session=session, idempotency_key=idempotency_key
    ).first()
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            row = model._default_manager.create(
                session=session, idempotency_key=idempotency_key, **fields
            )
    except IntegrityError:
        found = model._default_manager.filter(
            session=session, idempotency_key=idempotency_key
        ).first()
        if found is None:
            raise
        return found, False
    return row, True


def is_late(session: InfusionSession, clinical_at: dt.datetime, entered_at: dt.datetime) -> bool:
    """Charted ``late_entry_min`` or more after its clinical time (a per-clinic setting)."""
    minutes = settings_for(session.clinic).late_entry_min
    return (entered_at - clinical_at) >= dt.timedelta(minutes=minutes)
