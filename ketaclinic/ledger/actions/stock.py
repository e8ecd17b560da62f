"""Receipts and transfers (custodian)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest

from ketaclinic.accounts.models import Membership
from ketaclinic.ledger import chain, policies
from ketaclinic.ledger.actions._base import (
    lock_balance,
    ml_for,
    quantity,
    replay,
    require,
    when,
    write,
)
from ketaclinic.ledger.models import (
    Container,
    ContainerBalance,
    DrugItem,
    Kind,
    Lot,
    StorageLocation,
    Supplier,
    Transaction,
)

ZERO = Decimal("0.000")


def receive(
    by: Membership,
    *,
    drug: DrugItem,
    supplier: Supplier,
    lot_number: str,
    expiry: dt.date,
    invoice_number: str,
    received_on: dt.date,
    location: StorageLocation,
    labels: Sequence[str],
    mg_per_container: Decimal | str | float | None = None,
    ml_per_container: Decimal | str | float | None = None,
    clinical_at: dt.datetime | None = None,
    idempotency_key: str = "",
    request: HttpRequest | None = None,
) -> list[Transaction]:
    """Receive ``len(labels)`` containers of one lot into ``location``: one receipt
    transaction per container (the receipt record of 21 CFR 1304.22(c): substance, form,
    units per container, number of containers, date, supplier with address and DEA number
    — from the drug item, the lot and the supplier). Each container's content defaults to the
    drug item's full container (strength × volume)."""
    require(policies.can_manage_stock(by, by.clinic_id))
    for obj in (drug, supplier, location):
        if obj.clinic_id != by.clinic_id:
            raise ValidationError({"drug": "Not a drug item, supplier or location of this clinic."})
    keyed = replay(by.clinic_id, f"{idempotency_key}:0" if idempotency_key else "")
    if keyed is not None:
        return list(
            Transaction.objects.filter(
                clinic_id=by.clinic_id, idempotency_key__startswith=f"{idempotency_key}:"
            ).order_by("id")
        )
    lot_number = chain.clean_text(lot_number).strip()
    invoice_number = chain.clean_text(invoice_number).strip()
    errors = {}
    if not lot_number:
        errors["lot_number"] = "Required."
    if not invoice_number:
        errors["invoice_number"] = "Required (Schedule III–V are ordered by invoice)."
    cleaned = [chain.clean_text(label).strip() for label in labels]
    if not cleaned or any(not label for label in cleaned):
        errors["labels"] = "Give each container's label."
    elif len(set(cleaned)) != len(cleaned):
        errors["labels"] = "Each container needs its own label."
    if errors:
        raise ValidationError(errors)
    mg = (
        drug.container_mg.quantize(chain.THREE_PLACES)
        if mg_per_container is None
        else quantity(mg_per_container, "mg_per_container")
    )
    clinical_at = when(clinical_at)
    with transaction.atomic():
        if Container.objects.filter(clinic_id=by.clinic_id, label__in=cleaned).exists():
            raise ValidationError({"labels": "A container with one of these labels exists."})
        lot = Lot.objects.filter(drug=drug, lot_number=lot_number).first()
        if lot is None:
            lot = Lot.objects.create(
                clinic_id=by.clinic_id,
                drug=drug,
                lot_number=lot_number,
                expiry=expiry,
                supplier=supplier,
                invoice_number=invoice_number,
                received_on=received_on,
            )
        elif lot.expiry != expiry:
            raise ValidationError(
                {"expiry": f"Lot {lot_number} is recorded as expiring {lot.expiry}."}
            )
        written = []
        for n, label in enumerate(cleaned):
            container = Container(
                clinic_id=by.clinic_id,
                lot=lot,
                label=label,
                initial_mg=mg,
                initial_ml=ZERO,
                received_by_id=by.user_id,
            )
            container.initial_ml = ml_for(container, mg, ml_per_container, field="ml_per_container")
            container.save()
            balance = ContainerBalance.objects.create(
                container=container, clinic_id=by.clinic_id, location=location, mg=ZERO, ml=ZERO
            )
            txn = Transaction(
                registration_id=location.registration_id,
                kind=Kind.RECEIPT,
                container=container,
                to_location=location,
                quantity_mg=mg,
                quantity_ml=container.initial_ml,
                balance_mg_delta=mg,
                balance_ml_delta=container.initial_ml,
                reason=f"Invoice {invoice_number} from {supplier.name}",
                clinical_at=clinical_at,
                idempotency_key=f"{idempotency_key}:{n}" if idempotency_key else "",
            )
            written.append(write("ledger.receive", by, balance, txn, request=request))
    return written


def transfer(
    by: Membership,
    container: Container,
    to_location: StorageLocation,
    *,
    reason: str = "",
    clinical_at: dt.datetime | None = None,
    idempotency_key: str = "",
    request: HttpRequest | None = None,
) -> Transaction:
    require(policies.can_manage_stock(by, container.clinic_id))
    if to_location.clinic_id != by.clinic_id:
        raise ValidationError({"to_location": "Not a location of this clinic."})
    keyed = replay(by.clinic_id, idempotency_key)
    if keyed is not None:
        return keyed
    clinical_at = when(clinical_at)
    with transaction.atomic():
        balance = lock_balance(container)
        if balance.location_id == to_location.pk:
            raise ValidationError({"to_location": f"Vial {container.label} is already there."})
        txn = Transaction(
            registration_id=to_location.registration_id,
            kind=Kind.TRANSFER,
            container=container,
            from_location_id=balance.location_id,
            to_location=to_location,
            quantity_mg=balance.mg,
            quantity_ml=balance.ml,
            balance_mg_delta=ZERO,
            balance_ml_delta=ZERO,
            reason=chain.clean_text(reason).strip(),
            clinical_at=clinical_at,
            idempotency_key=idempotency_key,
        )
        return write(
            "ledger.transfer", by, balance, txn, request=request, new_location_id=to_location.pk
        )
