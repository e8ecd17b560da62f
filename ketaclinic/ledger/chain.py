"""Appending to a clinic's ledger chain, and the hash of a transaction.

The audit trail's pattern (``ketaclinic.audit.log``): each transaction's ``entry_hash`` is
SHA-256 over a canonical JSON form of its content plus ``prev_hash``, the hash of the clinic's
previous transaction; the clinic's ``LedgerHead`` row is locked (``select_for_update``) from the
read of the last hash until the surrounding transaction commits, which serialises a clinic's
appends on PostgreSQL (on SQLite the IMMEDIATE transaction mode serialises every writer).
The canonical form is computed from values exactly as either database gives them back:
decimals as fixed three-place text, times as UTC ISO 8601 with microseconds, NUL characters
removed from text (PostgreSQL refuses them).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from decimal import Decimal
from typing import Any

from django.db import models
from django.utils import timezone

from ketaclinic.audit.log import GENESIS_HASH, canonical_json
from ketaclinic.ledger.models import LedgerHead, Transaction

THREE_PLACES = Decimal("0.001")
HASHED_FIELDS = (
    "clinic_id",
    "registration_id",
    "kind",
    "container_id",
    "from_location_id",
    "to_location_id",
    "quantity_mg",
    "quantity_ml",
    "balance_mg_delta",
    "balance_ml_delta",
    "session_id",
    "patient_id",
    "performed_by_id",
    "performed_role",
    "witness_1_id",
    "witness_2_id",
    "reason",
    "method",
    "form_41",
    "corrects_id",
    "clinical_at",
    "recorded_at",
    "idempotency_key",
    "prev_hash",
)


def clean_text(value: str) -> str:
    return value.replace("\x00", "\ufffd")


def _canonical(value: Any) -> Any:
    if isinstance(value, Decimal):
        # -0.000 (a correction to the same amount) is stored as 0 by PostgreSQL.
        return format(value.quantize(THREE_PLACES) if value != 0 else Decimal("0.000"), "f")
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).isoformat(timespec="microseconds")
    return value


def content_hash(txn: Transaction) -> str:
    """SHA-256 over the transaction's canonical JSON content, including ``prev_hash``."""
    content = {name: _canonical(getattr(txn, name)) for name in HASHED_FIELDS}
    return hashlib.sha256(canonical_json(content).encode()).hexdigest()


def ensure_head(clinic_id: int) -> None:
    """Create the clinic's chain head if missing (a no-op when two writers race to it)."""
    LedgerHead.objects.bulk_create(
        [LedgerHead(clinic_id=clinic_id, last_hash=GENESIS_HASH)], ignore_conflicts=True
    )


def append(txn: Transaction) -> Transaction:
    """Stamp, hash and insert ``txn`` at the end of its clinic's chain.

    Call inside the ``transaction.atomic`` block that also updates the container's balance
    and records the audit entry; lock the balance row first (the lock order is balance, then
    the ledger head, then the audit head, everywhere, so no two writers deadlock).
    """
    head = LedgerHead.objects.select_for_update().filter(clinic_id=txn.clinic_id).first()
    if head is None:
        ensure_head(txn.clinic_id)
        head = LedgerHead.objects.select_for_update().get(clinic_id=txn.clinic_id)
    txn.recorded_at = timezone.now()  # under the lock: time order and chain order agree
    if txn.clinical_at is None:
        txn.clinical_at = txn.recorded_at
    txn.prev_hash = head.last_hash
    txn.entry_hash = content_hash(txn)
    txn.save(force_insert=True)
    LedgerHead.objects.filter(pk=head.pk).update(last_hash=txn.entry_hash, last_entry_id=txn.pk)
    return txn


def model_ref(obj: models.Model | None) -> int | None:
    return None if obj is None else int(obj.pk)
