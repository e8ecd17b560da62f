"""What happens at the chair: draw, administer, waste (witnessed) and return (nurse or
physician). Each is tied to an infusion session and its patient."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from ketaclinic.access.zones import clinic_zone
from ketaclinic.accounts.models import Membership, User
from ketaclinic.infusions import states
from ketaclinic.infusions.models import InfusionSession
from ketaclinic.ledger import chain, policies, queries
from ketaclinic.ledger.actions._base import (
    KIND_ACTION,
    Witness,
    confirm_witness,
    lock_balance,
    ml_for,
    quantity,
    replay,
    require,
    when,
    write,
)
from ketaclinic.ledger.models import Container, ContainerBalance, Kind, Transaction

ZERO = Decimal("0.000")
#: Rounding allowance when an administered amount is charted from pump segments (§1.9):
#: one hundredth of a mg, the reconciliation tolerance.
TOLERANCE_MG = Decimal("0.01")


def _check(by: Membership, container: Container, session: InfusionSession) -> None:
    require(policies.can_chart_doses(by, container.clinic_id))
    if session.clinic_id != by.clinic_id:
        raise ValidationError({"session": "Not a session of this clinic."})
    if session.state in states.FINAL:
        raise ValidationError(
            {
                "session": f"The session is {session.state_label.lower()}: record a correction "
                "with a reason instead."
            }
        )


def _entry(
    kind: str,
    balance: ContainerBalance,
    session: InfusionSession,
    mg: Decimal,
    ml: Decimal,
    sign: int,
    **extra: Any,
) -> Transaction:
    container = balance.container
    return Transaction(
        registration_id=balance.location.registration_id,
        kind=kind,
        container=container,
        session=session,
        patient_id=session.patient_id,
        quantity_mg=mg,
        quantity_ml=ml,
        balance_mg_delta=mg * sign,
        balance_ml_delta=ml * sign,
        **extra,
    )


def draw(
    by: Membership,
    container: Container,
    session: InfusionSession,
    mg: Decimal | str | float,
    ml: Decimal | str | float | None = None,
    *,
    clinical_at: dt.datetime | None = None,
    idempotency_key: str = "",
    request: HttpRequest | None = None,
) -> Transaction:
    """Draw ``mg`` from the vial for the session. Refused when the vial holds less (the
    balance row is locked first, so parallel draws are served one at a time), or when its
    lot has expired."""
    _check(by, container, session)
    amount = quantity(mg, "mg")
    keyed = replay(by.clinic_id, idempotency_key)
    if keyed is not None:
        return keyed
    clinical_at = when(clinical_at)
    today = timezone.now().astimezone(clinic_zone(by.clinic)).date()
    if container.lot.expiry < today:
        raise ValidationError({"container": f"Lot {container.lot.lot_number} has expired."})
    with transaction.atomic():
        balance = lock_balance(container)
        if amount > balance.mg:
            raise ValidationError(
                {
                    "mg": f"Vial {container.label} holds {balance.mg} mg: {amount} mg cannot be "
                    "drawn from it."
                }
            )
        volume = ml_for(container, amount, ml, whole=balance.mg, whole_ml=balance.ml)
        txn = _entry(
            Kind.DRAW,
            balance,
            session,
            amount,
            volume,
            -1,
            clinical_at=clinical_at,
            idempotency_key=idempotency_key,
        )
        return write("ledger.draw", by, balance, txn, request=request)


def _from_drawn(
    kind: str,
    by: Membership,
    container: Container,
    session: InfusionSession,
    mg: Any,
    ml: Any,
    *,
    sign: int,
    clinical_at: dt.datetime | None,
    idempotency_key: str,
    request: HttpRequest | None,
    **extra: Any,
) -> Transaction:
    amount = quantity(mg, "mg")
    keyed = replay(by.clinic_id, idempotency_key)
    if keyed is not None:
        return keyed
    clinical_at = when(clinical_at)
    with transaction.atomic():
        balance = lock_balance(container)  # serialises the session's entries on this vial
        open_mg = queries.outstanding_mg(session.pk, container.pk)
        if amount > open_mg + TOLERANCE_MG:
            raise ValidationError(
                {
                    "mg": f"Only {open_mg} mg drawn from vial {container.label} for this session "
                    "is not yet accounted for."
                }
            )
        volume = ml_for(container, amount, ml)
        txn = _entry(
            kind,
            balance,
            session,
            amount,
            volume,
            sign,
            clinical_at=clinical_at,
            idempotency_key=idempotency_key,
            **extra,
        )
        return write(KIND_ACTION[kind], by, balance, txn, request=request)


def administer(
    by: Membership,
    container: Container,
    session: InfusionSession,
    mg: Decimal | str | float,
    ml: Decimal | str | float | None = None,
    *,
    clinical_at: dt.datetime | None = None,
    idempotency_key: str = "",
    request: HttpRequest | None = None,
) -> Transaction:
    """Record ``mg`` of what was drawn from this vial as given. Pass the session's delivered
    mg as charted (``ketaclinic.infusions.pk.delivered_mg(session)`` once the live workflow
    provides it): the ledger records what the caller passes and does not recompute it.
    The container balance does not move (the drug left the vial when it was drawn)."""
    _check(by, container, session)
    return _from_drawn(
        Kind.ADMINISTER,
        by,
        container,
        session,
        mg,
        ml,
        sign=0,
        clinical_at=clinical_at,
        idempotency_key=idempotency_key,
        request=request,
    )


def waste(
    by: Membership,
    container: Container,
    session: InfusionSession,
    mg: Decimal | str | float,
    method: str,
    witness_user: User | None,
    witness_password: str,
    witness_otp_token: str,
    ml: Decimal | str | float | None = None,
    *,
    clinical_at: dt.datetime | None = None,
    idempotency_key: str = "",
    request: HttpRequest | None = None,
) -> Transaction:
    """Waste the unused part of what was drawn, witnessed by a second licensed clinician
    (nurse or physician) who confirms with their own password and TOTP code; never the
    person wasting (clinical reference §8.1: witnessed waste is standard practice [C])."""
    _check(by, container, session)
    method = chain.clean_text(method or "").strip()
    if not method:
        raise ValidationError({"method": "Say how it was wasted."})
    quantity(mg, "mg")  # a bad amount is reported before the witness's code is spent
    witness = confirm_witness(
        Witness(witness_user, witness_password, witness_otp_token) if witness_user else None,
        clinic_id=by.clinic_id,
        roles=policies.WASTE_WITNESS_ROLES,
        not_users={by.user_id},
    )
    return _from_drawn(
        Kind.WASTE,
        by,
        container,
        session,
        mg,
        ml,
        sign=0,
        clinical_at=clinical_at,
        idempotency_key=idempotency_key,
        request=request,
        method=method,
        witness_1=witness,
    )


def return_to_stock(
    by: Membership,
    container: Container,
    session: InfusionSession,
    mg: Decimal | str | float,
    ml: Decimal | str | float | None = None,
    *,
    reason: str = "",
    clinical_at: dt.datetime | None = None,
    idempotency_key: str = "",
    request: HttpRequest | None = None,
) -> Transaction:
    """Put back into the vial's stock what was drawn for the session and not used."""
    _check(by, container, session)
    return _from_drawn(
        Kind.RETURN,
        by,
        container,
        session,
        mg,
        ml,
        sign=1,
        clinical_at=clinical_at,
        idempotency_key=idempotency_key,
        request=request,
        reason=chain.clean_text(reason).strip(),
    )
