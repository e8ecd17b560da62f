"""Reading the ledger: effective quantities (corrections applied) and balances."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal

from ketaclinic.ledger.models import Kind, Transaction

ZERO = Decimal("0.000")


def effective(transactions: Iterable[Transaction]) -> list[tuple[Transaction, Decimal, Decimal]]:
    """Each original (non-correction) transaction with the mg and mL it counts for now: its
    own, or those of the newest correction in its chain (a correction to 0 strikes it)."""
    rows = sorted(transactions, key=lambda t: t.pk)
    by_id = {t.pk: t for t in rows}
    latest: dict[int, Transaction] = {}
    for txn in rows:
        if txn.kind != Kind.CORRECTION:
            continue
        root = txn
        while root.corrects_id is not None and root.corrects_id in by_id:
            root = by_id[root.corrects_id]
        latest[root.pk] = txn  # rows are in id order: the newest wins
    result = []
    for txn in rows:
        if txn.kind == Kind.CORRECTION:
            continue
        tip = latest.get(txn.pk, txn)
        result.append((txn, tip.quantity_mg, tip.quantity_ml))
    return result


def session_totals(
    session_id: int, container_id: int | None = None
) -> dict[tuple[int, str], Decimal]:
    """mg per (drug item id, kind) for a session's draws, administrations, waste, returns and
    session losses, corrections applied."""
    rows = Transaction.objects.filter(session_id=session_id).select_related("container__lot")
    if container_id is not None:
        rows = rows.filter(container_id=container_id)
    totals: dict[tuple[int, str], Decimal] = defaultdict(lambda: ZERO)
    for txn, mg, _ml in effective(rows):
        totals[(txn.container.lot.drug_id, txn.kind)] += mg
    return dict(totals)


def outstanding_mg(session_id: int, container_id: int) -> Decimal:
    """What was drawn from this container for this session and not yet accounted for."""
    totals = session_totals(session_id, container_id)
    drawn = sum((v for (_d, k), v in totals.items() if k == Kind.DRAW), ZERO)
    used = sum(
        (
            v
            for (_d, k), v in totals.items()
            if k in (Kind.ADMINISTER, Kind.WASTE, Kind.RETURN, Kind.LOSS, Kind.THEFT)
        ),
        ZERO,
    )
    return drawn - used


def balance_sign(txn: Transaction) -> int:
    """How an original entry's quantity moves its container's balance (see models.entries).

    An adjustment keeps the direction of its own delta; a loss or theft of drug already drawn
    for a session leaves the vial's balance alone."""
    if txn.kind in (Kind.RECEIPT, Kind.RETURN):
        return 1
    if txn.kind in (Kind.DRAW, Kind.DESTROY, Kind.EXPIRY_DESTRUCTION):
        return -1
    if txn.kind in (Kind.LOSS, Kind.THEFT):
        return 0 if txn.session_id else -1
    if txn.kind == Kind.ADJUSTMENT:
        return -1 if txn.balance_mg_delta < 0 or txn.balance_ml_delta < 0 else 1
    return 0  # transfer, administer, waste
