"""``ketaclinic ledger verify``: the hash chains, and every balance recomputed.

For each clinic, walks its transactions in id order (in chunks): each ``prev_hash`` must be the
previous transaction's hash, each ``entry_hash`` must match the row's content, and the clinic's
head must name the last one. Each transaction's balance delta must follow from its kind and
quantity (a correction: from the entry it corrects). Then every container's balance and
location are recomputed from its transactions and compared with ``ContainerBalance``.
Reports the first problem found.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from ketaclinic.audit.log import GENESIS_HASH
from ketaclinic.ledger.chain import content_hash
from ketaclinic.ledger.models import ContainerBalance, Kind, LedgerHead, Transaction
from ketaclinic.ledger.queries import ZERO, balance_sign

CHUNK = 2000


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    checked: int
    containers: int = 0
    first_bad_id: int | None = None
    problem: str = ""


@dataclass
class _Running:
    mg: Decimal = ZERO
    ml: Decimal = ZERO
    location_id: int | None = None
    last_id: int | None = None


def _delta_problem(txn: Transaction, by_id: dict[int, Transaction]) -> str:
    if txn.kind == Kind.CORRECTION:
        previous = by_id.get(txn.corrects_id or 0)
        if previous is None:
            return "a correction of an entry that is not in the ledger"
        root = previous
        while root.corrects_id is not None:
            root = by_id[root.corrects_id]
        sign = balance_sign(root)
        expected = (
            sign * (txn.quantity_mg - previous.quantity_mg),
            sign * (txn.quantity_ml - previous.quantity_ml),
        )
    elif txn.kind == Kind.ADJUSTMENT:
        if (abs(txn.balance_mg_delta), abs(txn.balance_ml_delta)) == (
            txn.quantity_mg,
            txn.quantity_ml,
        ):
            return ""
        return "an adjustment whose delta is not its quantity"
    else:
        sign = balance_sign(txn)
        expected = (sign * txn.quantity_mg, sign * txn.quantity_ml)
    if (txn.balance_mg_delta, txn.balance_ml_delta) != expected:
        return f"its balance change does not follow from a {txn.kind} of its quantity"
    return ""


def verify_ledger(chunk: int = CHUNK) -> VerifyResult:
    checked = 0
    running: dict[int, _Running] = defaultdict(_Running)
    clinics = sorted(
        set(Transaction.objects.values_list("clinic_id", flat=True).distinct())
        | set(LedgerHead.objects.values_list("clinic_id", flat=True))
    )
    for clinic_id in clinics:
        expected_prev = GENESIS_HASH
        last_id: int | None = None
        by_id: dict[int, Transaction] = {}
        while True:
            rows = Transaction.objects.filter(clinic_id=clinic_id).order_by("id")
            if last_id is not None:
                rows = rows.filter(id__gt=last_id)
            batch = list(rows[:chunk])
            for txn in batch:
                if txn.prev_hash != expected_prev:
                    return VerifyResult(
                        False,
                        checked,
                        first_bad_id=txn.pk,
                        problem=(
                            "prev_hash does not match the clinic's previous entry: an entry in "
                            "between was removed, or an earlier hash was changed"
                        ),
                    )
                if content_hash(txn) != txn.entry_hash:
                    return VerifyResult(
                        False,
                        checked,
                        first_bad_id=txn.pk,
                        problem="content does not match its hash (altered)",
                    )
                # Keep only what the delta check needs of earlier rows (corrections' chains).
                by_id[txn.pk] = txn
                problem = _delta_problem(txn, by_id)
                if problem:
                    return VerifyResult(False, checked, first_bad_id=txn.pk, problem=problem)
                state = running[txn.container_id]
                state.mg += txn.balance_mg_delta
                state.ml += txn.balance_ml_delta
                if state.mg < 0 or state.ml < 0:
                    return VerifyResult(
                        False,
                        checked,
                        first_bad_id=txn.pk,
                        problem="the container's balance goes below zero here",
                    )
                if txn.kind in (Kind.RECEIPT, Kind.TRANSFER) and txn.to_location_id:
                    state.location_id = txn.to_location_id
                state.last_id = txn.pk
                checked += 1
                expected_prev = txn.entry_hash
                last_id = txn.pk
            if not batch:
                break
        head = LedgerHead.objects.filter(clinic_id=clinic_id).first()
        head_hash = head.last_hash if head is not None else GENESIS_HASH
        head_id = head.last_entry_id if head is not None else None
        if head_hash != expected_prev or head_id != last_id:
            return VerifyResult(
                False,
                checked,
                first_bad_id=last_id if last_id else head_id,
                problem=f"clinic #{clinic_id}'s chain head names entry "
                f"#{head_id} but its last entry is #{last_id}: entries "
                "at the end were removed, or the head was changed",
            )
    stored = {b.container_id: b for b in ContainerBalance.objects.all()}
    for container_id in sorted(set(stored) | set(running)):
        balance = stored.get(container_id)
        found = running.get(container_id)
        if balance is None or found is None:
            return VerifyResult(
                False,
                checked,
                first_bad_id=found.last_id if found else None,
                problem=f"container #{container_id} has transactions but no "
                "balance row, or a balance row but no transactions",
            )
        state = found
        if (balance.mg, balance.ml) != (state.mg, state.ml):
            return VerifyResult(
                False,
                checked,
                first_bad_id=state.last_id,
                problem=(
                    f"wrong balance of container #{container_id}: stored {balance.mg} mg "
                    f"{balance.ml} mL, the transactions give {state.mg} mg {state.ml} mL"
                ),
            )
        if balance.location_id != state.location_id:
            return VerifyResult(
                False,
                checked,
                first_bad_id=state.last_id,
                problem=(
                    f"wrong location of container #{container_id}: stored #{balance.location_id}, "
                    f"the transactions give #{state.location_id}"
                ),
            )
    return VerifyResult(True, checked, containers=len(stored))
