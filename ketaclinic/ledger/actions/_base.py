"""Pieces every ledger action shares: permission, quantities, the balance lock, witnesses,
idempotency and the append-then-audit step."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

import django_otp
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from ketaclinic.accounts import twofactor
from ketaclinic.accounts.models import Membership, Role, User
from ketaclinic.audit.log import record
from ketaclinic.ledger import chain
from ketaclinic.ledger.models import Container, ContainerBalance, Kind, Transaction

THREE_PLACES = chain.THREE_PLACES
ZERO = Decimal("0.000")
#: How far an entered mL may be from mg ÷ strength: one hundredth of a mL, the finest a 1 mL
#: syringe is read to (arithmetic tolerance, [D]).
ML_TOLERANCE = Decimal("0.01")


def require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


@dataclass(frozen=True)
class Witness:
    """A second person confirming with their own password and a current TOTP code."""

    user: User
    password: str
    otp_token: str


def quantity(value: Any, field: str, *, allow_zero: bool = False, signed: bool = False) -> Decimal:
    """``value`` as a three-place Decimal; refuses negatives (unless ``signed``) and zero
    (unless ``allow_zero``)."""
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError, TypeError):
        raise ValidationError({field: "Enter a number."}) from None
    if not number.is_finite():
        raise ValidationError({field: "Enter a number."})
    if number != number.quantize(THREE_PLACES):
        raise ValidationError({field: "Use at most three decimal places."})
    number = number.quantize(THREE_PLACES)
    if not signed and number < 0:
        raise ValidationError({field: "Enter an amount of zero or more."})
    if number == 0 and not allow_zero:
        raise ValidationError({field: "Enter an amount greater than zero."})
    if abs(number) >= Decimal("1e9"):
        raise ValidationError({field: "That amount is too large."})
    return number


def ml_for(
    container: Container,
    mg: Decimal,
    ml: Any,
    *,
    whole: Decimal | None = None,
    whole_ml: Decimal | None = None,
    field: str = "ml",
) -> Decimal:
    """The mL for ``mg`` of this container's drug: as entered (checked against mg ÷ strength)
    or computed. When ``mg`` is the container's whole balance ``whole``, the whole mL balance
    ``whole_ml`` (so rounding never leaves a thousandth of a mL behind, or goes below zero)."""
    strength = container.lot.drug.strength_mg_per_ml
    expected = (mg / strength).quantize(THREE_PLACES, rounding=ROUND_HALF_UP)
    if ml is None or ml == "":
        if whole is not None and whole_ml is not None and mg == whole:
            return whole_ml
        return expected
    entered = quantity(ml, field, allow_zero=mg == 0)
    if abs(entered - mg / strength) > ML_TOLERANCE:
        raise ValidationError(
            {field: f"{entered} mL of {strength} mg/mL is not {mg} mg (expected {expected} mL)."}
        )
    return entered


def when(value: dt.datetime | None, field: str = "clinical_at") -> dt.datetime:
    """A clinical time as given (aware, not in the future), or now."""
    if value is None:
        return timezone.now()
    if timezone.is_naive(value):
        raise ValidationError({field: "Give the time with its time zone."})
    if value > timezone.now() + dt.timedelta(minutes=5):
        raise ValidationError({field: "That time is in the future."})
    return value


def lock_balance(container: Container) -> ContainerBalance:
    """The container's balance row, locked until the transaction ends (PostgreSQL: FOR
    UPDATE, so a parallel draw waits and then reads the new balance; SQLite: the IMMEDIATE
    transaction already holds the write lock)."""
    balance = (
        ContainerBalance.objects.select_for_update(of=("self",))
        .select_related("location")
        .get(container_id=container.pk)
    )
    balance.container = container
    return balance


def replay(clinic_id: int, idempotency_key: str) -> Transaction | None:
    """The transaction an earlier submit with this key wrote, if any."""
    if not idempotency_key:
        return None
    return Transaction.objects.filter(clinic_id=clinic_id, idempotency_key=idempotency_key).first()


def confirm_witness(
    witness: Witness | None,
    *,
    clinic_id: int,
    roles: tuple[Role, ...],
    not_users: set[int],
    field: str = "witness",
) -> User:
    """Check a witness: an active member of the clinic in one of ``roles``, not one of
    ``not_users`` (the person acting, another witness), with the right password and a valid,
    unused TOTP code (django-otp: ``last_t`` refuses a replayed code, throttling slows
    guessing). Runs in its own transaction when called outside one, so a failed attempt still
    counts towards the throttle."""
    if witness is None or witness.user is None:
        raise ValidationError({field: "A witness must confirm."})
    user = witness.user
    if user.pk in not_users:
        raise ValidationError({field: "The witness must be a different person."})
    membership = Membership.objects.filter(user=user, clinic_id=clinic_id, is_active=True).first()
    if not user.is_active or membership is None or membership.role not in {str(r) for r in roles}:
        raise ValidationError({field: "The witness must be a licensed colleague of this clinic."})
    password_ok = user.check_password(witness.password)
    token = (witness.otp_token or "").strip().replace(" ", "")
    device = twofactor.confirmed_totp(user)
    token_ok = False
    if device is not None and token.isdigit():
        with transaction.atomic():
            token_ok = django_otp.verify_token(user, device.persistent_id, token) is not None
    if not password_ok or not token_ok:
        raise ValidationError({field: "The witness's password or authenticator code is not right."})
    return user


def snapshot(txn: Transaction) -> dict[str, Any]:
    """What the audit entry says about a transaction."""
    return {
        "kind": txn.kind,
        "container": txn.container_id,
        "quantity_mg": str(txn.quantity_mg),
        "quantity_ml": str(txn.quantity_ml),
        "balance_mg_delta": str(txn.balance_mg_delta),
        "session": txn.session_id,
        "from_location": txn.from_location_id,
        "to_location": txn.to_location_id,
        "witness_1": txn.witness_1_id,
        "witness_2": txn.witness_2_id,
        "corrects": txn.corrects_id,
        "entry_hash": txn.entry_hash,
    }


def write(
    action: str,
    by: Membership,
    balance: ContainerBalance,
    txn: Transaction,
    *,
    request: HttpRequest | None,
    new_location_id: int | None = None,
) -> Transaction:
    """Append ``txn``, apply its deltas to the (locked) ``balance`` and record the audit
    entry. A balance that would go negative is refused here with a message; the CHECK
    constraint refuses it again should anything bypass this."""
    mg = balance.mg + txn.balance_mg_delta
    ml = balance.ml + txn.balance_ml_delta
    if mg < 0 or ml < 0:
        raise ValidationError(
            {
                "mg": f"Vial {txn.container.label} holds {balance.mg} mg ({balance.ml} mL): "
                "not enough for this."
            }
        )
    for field in ("quantity_mg", "quantity_ml", "balance_mg_delta", "balance_ml_delta"):
        if getattr(txn, field) == 0:
            setattr(txn, field, ZERO)  # never -0.000, which the databases give back as 0
    txn.clinic_id = by.clinic_id
    txn.performed_by_id = by.user_id
    txn.performed_role = by.role
    chain.append(txn)
    before = {"mg": str(balance.mg), "ml": str(balance.ml), "location": balance.location_id}
    balance.mg, balance.ml = mg, ml
    if new_location_id is not None:
        balance.location_id = new_location_id
    balance.last_transaction_id = txn.pk
    balance.updated_at = txn.recorded_at
    balance.save(update_fields=["mg", "ml", "location", "last_transaction_id", "updated_at"])
    after = {"mg": str(mg), "ml": str(ml), "location": balance.location_id, **snapshot(txn)}
    record(
        action,
        request=request,
        by=by,
        clinic=by.clinic,
        obj=txn,
        object_type="ledger.transaction",
        patient_ref=txn.patient_id or "",
        before=before,
        after=after,
        reason=txn.reason,
    )
    return txn


KIND_ACTION: dict[str, str] = {
    Kind.RECEIPT: "ledger.receive",
    Kind.TRANSFER: "ledger.transfer",
    Kind.DRAW: "ledger.draw",
    Kind.ADMINISTER: "ledger.administer",
    Kind.WASTE: "ledger.waste",
    Kind.RETURN: "ledger.return",
    Kind.LOSS: "ledger.loss",
    Kind.THEFT: "ledger.loss",
    Kind.EXPIRY_DESTRUCTION: "ledger.destroy",
    Kind.DESTROY: "ledger.destroy",
    Kind.ADJUSTMENT: "ledger.adjust",
    Kind.CORRECTION: "ledger.correct",
}
