"""Balances per container, lot and location (mg and mL), for ``ledger balance --json`` and the
custodian's screens. Lot and location balances are sums of container balances."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import Any

from ketaclinic.ledger.models import ContainerBalance

ZERO = Decimal("0.000")


def balances(clinic_id: int | None = None) -> dict[str, list[dict[str, Any]]]:
    rows = ContainerBalance.objects.select_related("container__lot__drug", "location").order_by(
        "container_id"
    )
    if clinic_id is not None:
        rows = rows.filter(clinic_id=clinic_id)
    containers = []
    lots: dict[int, dict[str, Any]] = {}
    locations: dict[int, dict[str, Any]] = {}
    lot_sum: dict[int, list[Decimal]] = defaultdict(lambda: [ZERO, ZERO])
    loc_sum: dict[int, list[Decimal]] = defaultdict(lambda: [ZERO, ZERO])
    for b in rows:
        lot = b.container.lot
        containers.append(
            {
                "container": b.container_id,
                "label": b.container.label,
                "clinic": b.clinic_id,
                "drug": lot.drug.name,
                "lot": lot.lot_number,
                "location": b.location.name,
                "mg": str(b.mg),
                "ml": str(b.ml),
            }
        )
        lots.setdefault(
            lot.pk,
            {
                "lot": lot.lot_number,
                "drug": lot.drug.name,
                "expiry": lot.expiry.isoformat(),
                "clinic": b.clinic_id,
            },
        )
        locations.setdefault(b.location_id, {"location": b.location.name, "clinic": b.clinic_id})
        for sums, key in ((lot_sum, lot.pk), (loc_sum, b.location_id)):
            sums[key][0] += b.mg
            sums[key][1] += b.ml
    for key, info in lots.items():
        info.update(mg=str(lot_sum[key][0]), ml=str(lot_sum[key][1]))
    for key, info in locations.items():
        info.update(mg=str(loc_sum[key][0]), ml=str(loc_sum[key][1]))
    return {
        "containers": containers,
        "lots": list(lots.values()),
        "locations": list(locations.values()),
    }
