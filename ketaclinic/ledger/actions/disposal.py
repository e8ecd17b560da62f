"""Loss and theft, destruction, count adjustments and corrections."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest

from ketaclinic.access.zones import clinic_zone
from ketaclinic.accounts.models import Membership
from ketaclinic.infusions import states
from ketaclinic.infusions.models import InfusionSession
from ketaclinic.ledger import chain, deadlines, policies, queries
from ketaclinic.ledger.actions._base import (
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
from ketaclinic.ledger.models import Container, Kind, LossReport, Transaction
from ketaclinic.ledger.models.entries import SESSION_KINDS

ZERO = Decimal("0.000")


def _reason(reason: str) -> str:
    text = chain.clean_text(reason or "").strip()
    if not text:
        raise ValidationError({"reason": "Give the reason."})
    return text


def report_loss(
    by: Membership,
    container: Container,
    mg: Decimal | str | float,
    ml: Decimal | str | float | None = None,
    *,
    theft: bool = False,
    session: InfusionSession | None = None,
    reason: str,
    discovered_at: dt.datetime | None = None,
    idempotency_key: str = "",
    request: HttpRequest | None = None,
) -> tuple[Transaction, LossReport]:
    """Record a loss or theft and start its DEA clocks (``ledger.deadlines``): the written
    notice within 1 business day, DEA Form 106 within 45 days (21 CFR 1301.76(b) [E]).

    Without a session the quantity leaves the vial's stock; with one, it is drug already drawn
    for that session (a dropped syringe) and counts in the session's reconciliation."""
    require(policies.can_report_loss(by, container.clinic_id))
    if session is not None and session.clinic_id != by.clinic_id:
        raise ValidationError({"session": "Not a session of this clinic."})
    amount = quantity(mg, "mg")
    text = _reason(reason)
    keyed = replay(by.clinic_id, idempotency_key)
    if keyed is not None:
        return keyed, LossReport.objects.get(transaction=keyed)
    discovered = when(discovered_at, "discovered_at")
    with transaction.atomic():
        balance = lock_balance(container)
        if session is not None:
            open_mg = queries.outstanding_mg(session.pk, container.pk)
            if amount > open_mg:
                raise ValidationError(
                    {"mg": f"Only {open_mg} mg drawn for this session is unaccounted for."}
                )
        volume = ml_for(container, amount, ml, whole=balance.mg, whole_ml=balance.ml)
        sign = 0 if session is not None else -1
        txn = Transaction(
            registration_id=balance.location.registration_id,
            kind=Kind.THEFT if theft else Kind.LOSS,
            container=container,
            from_location_id=balance.location_id,
            quantity_mg=amount,
            quantity_ml=volume,
            balance_mg_delta=amount * sign,
            balance_ml_delta=volume * sign,
            session=session,
            patient_id=session.patient_id if session else None,
            reason=text,
            clinical_at=discovered,
            idempotency_key=idempotency_key,
        )
        write("ledger.loss", by, balance, txn, request=request)
        day = discovered.astimezone(clinic_zone(by.clinic)).date()
        report = LossReport.objects.create(
            clinic_id=by.clinic_id,
            transaction=txn,
            discovered_at=discovered,
            written_notice_due=deadlines.written_notice_due(day),
            form_106_due=deadlines.form_106_due(day),
        )
    return txn, report


def _form_41(details: Mapping[str, str]) -> dict[str, str]:
    cleaned = {
        chain.clean_text(str(k)).strip(): chain.clean_text(str(v)).strip()
        for k, v in (details or {}).items()
    }
    cleaned = {k: v for k, v in cleaned.items() if k and v}
    if not cleaned:
        raise ValidationError({"form_41": "Record the DEA Form 41 details."})
    return cleaned


def destroy(
    by: Membership,
    container: Container,
    mg: Decimal | str | float,
    ml: Decimal | str | float | None = None,
    *,
    method: str,
    form_41: Mapping[str, str],
    witnesses: Sequence[Witness],
    expired: bool = False,
    reason: str = "",
    clinical_at: dt.datetime | None = None,
    idempotency_key: str = "",
    request: HttpRequest | None = None,
) -> Transaction:
    """Destroy stock on site (or hand it to a reverse distributor), recorded with the DEA
    Form 41 details and two authorised employees as witnesses (21 CFR 1317, §8.1 [E]), each
    confirming with their password and TOTP code; neither may be the custodian acting."""
    require(policies.can_manage_stock(by, container.clinic_id))
    amount = quantity(mg, "mg")
    how = chain.clean_text(method or "").strip()
    if not how:
        raise ValidationError({"method": "Say how it was destroyed."})
    details = _form_41(form_41)
    if len(witnesses) != 2:
        raise ValidationError({"witnesses": "Two witnesses must confirm."})
    keyed = replay(by.clinic_id, idempotency_key)
    if keyed is not None:
        return keyed
    first = confirm_witness(
        witnesses[0],
        clinic_id=by.clinic_id,
        roles=policies.AUTHORISED_WITNESS_ROLES,
        not_users={by.user_id},
        field="witness_1",
    )
    second = confirm_witness(
        witnesses[1],
        clinic_id=by.clinic_id,
        roles=policies.AUTHORISED_WITNESS_ROLES,
        not_users={by.user_id, first.pk},
        field="witness_2",
    )
    clinical_at = when(clinical_at)
    with transaction.atomic():
        balance = lock_balance(container)
        volume = ml_for(container, amount, ml, whole=balance.mg, whole_ml=balance.ml)
        txn = Transaction(
            registration_id=balance.location.registration_id,
            kind=Kind.EXPIRY_DESTRUCTION if expired else Kind.DESTROY,
            container=container,
            from_location_id=balance.location_id,
            quantity_mg=amount,
            quantity_ml=volume,
            balance_mg_delta=-amount,
            balance_ml_delta=-volume,
            witness_1=first,
            witness_2=second,
            method=how,
            form_41=details,
            reason=chain.clean_text(reason).strip(),
            clinical_at=clinical_at,
            idempotency_key=idempotency_key,
        )
        return write("ledger.destroy", by, balance, txn, request=request)


def adjust(
    by: Membership,
    container: Container,
    mg_delta: Decimal | str | float,
    ml_delta: Decimal | str | float | None = None,
    *,
    reason: str,
    witness: Witness,
    clinical_at: dt.datetime | None = None,
    idempotency_key: str = "",
    request: HttpRequest | None = None,
) -> Transaction:
    """Adjust a vial's balance by a signed amount after a count, with the reason and two
    signatures: the custodian's (signed in) and a second authorised employee's (password and
    TOTP code)."""
    require(policies.can_manage_stock(by, container.clinic_id))
    delta = quantity(mg_delta, "mg_delta", signed=True)
    text = _reason(reason)
    keyed = replay(by.clinic_id, idempotency_key)
    if keyed is not None:
        return keyed
    second = confirm_witness(
        witness,
        clinic_id=by.clinic_id,
        roles=policies.AUTHORISED_WITNESS_ROLES,
        not_users={by.user_id},
    )
    clinical_at = when(clinical_at)
    with transaction.atomic():
        balance = lock_balance(container)
        if ml_delta is None or ml_delta == "":
            volume = ml_for(container, abs(delta), None, whole=balance.mg, whole_ml=balance.ml)
            volume_delta = volume if delta >= 0 else -volume
        else:
            volume_delta = quantity(ml_delta, "ml_delta", signed=True, allow_zero=True)
        if (delta < 0 < volume_delta) or (volume_delta < 0 < delta):
            raise ValidationError({"ml_delta": "mg and mL must change in the same direction."})
        txn = Transaction(
            registration_id=balance.location.registration_id,
            kind=Kind.ADJUSTMENT,
            container=container,
            quantity_mg=abs(delta),
            quantity_ml=abs(volume_delta),
            balance_mg_delta=delta,
            balance_ml_delta=volume_delta,
            witness_1=second,
            reason=text,
            clinical_at=clinical_at,
            idempotency_key=idempotency_key,
        )
        return write("ledger.adjust", by, balance, txn, request=request)


def root_of(txn: Transaction) -> Transaction:
    root = txn
    while root.corrects_id is not None:
        root = Transaction.objects.get(pk=root.corrects_id)
    return root


def correct(
    by: Membership,
    original: Transaction,
    *,
    mg: Decimal | str | float,
    ml: Decimal | str | float | None = None,
    reason: str,
    idempotency_key: str = "",
    request: HttpRequest | None = None,
) -> Transaction:
    """Append a correction of ``original`` (strike-through and re-entry): ``mg``/``ml`` are
    what the entry should have said (0 strikes an entry made in error). The original stays;
    the correction references it, and moves the balance by the difference. Correct the newest
    correction of an entry, not an older one. A correction that leaves a signed session
    unreconciled opens a session discrepancy."""
    root = root_of(original)
    if root.kind == Kind.TRANSFER:
        raise ValidationError({"original": "Move the vial back with a transfer instead."})
    if root.kind in SESSION_KINDS:
        require(
            policies.can_chart_doses(by, original.clinic_id)
            or policies.can_manage_stock(by, original.clinic_id)
        )
    else:
        require(policies.can_manage_stock(by, original.clinic_id))
    text = _reason(reason)
    keyed = replay(by.clinic_id, idempotency_key)
    if keyed is not None:
        return keyed
    container = original.container
    amount = quantity(mg, "mg", allow_zero=True)
    with transaction.atomic():
        balance = lock_balance(container)
        if Transaction.objects.filter(corrects=original).exists():
            raise ValidationError(
                {"original": "This entry was corrected already: correct the newest correction."}
            )
        volume = ml_for(container, amount, ml)
        sign = queries.balance_sign(root)
        txn = Transaction(
            registration_id=original.registration_id,
            kind=Kind.CORRECTION,
            container=container,
            from_location_id=original.from_location_id,
            to_location_id=original.to_location_id,
            quantity_mg=amount,
            quantity_ml=volume,
            balance_mg_delta=sign * (amount - original.quantity_mg),
            balance_ml_delta=sign * (volume - original.quantity_ml),
            session_id=root.session_id,
            patient_id=root.patient_id,
            corrects=original,
            reason=text,
            idempotency_key=idempotency_key,
        )
        write("ledger.correct", by, balance, txn, request=request)
        # Read fresh: the entry's cached session may predate the signing.
        signed = InfusionSession.objects.filter(state=states.SIGNED)
        session = signed.filter(pk=root.session_id).first() if root.session_id else None
        if session is not None:
            from ketaclinic.ledger.actions.oversight import open_session_discrepancy

            open_session_discrepancy(by, session, request=request)
    return txn
