"""The controlled-substance ledger's models (clinical reference §8.1, 21 CFR 1304).

* ``stock``: what is held and where: the DEA registration, storage locations, drug items,
  suppliers, lots, containers (vials) and each container's maintained balance.
* ``entries``: the append-only, hash-chained transactions and the per-clinic chain head.
* ``oversight``: blind counts, discrepancies, loss reports with their DEA deadlines, and the
  initial and biennial inventories.
"""

from ketaclinic.ledger.models.entries import Kind, LedgerHead, Transaction
from ketaclinic.ledger.models.oversight import (
    BusinessTime,
    Count,
    CountLine,
    Discrepancy,
    DiscrepancyNote,
    DiscrepancySource,
    Inventory,
    InventoryKind,
    InventoryLine,
    LossReport,
)
from ketaclinic.ledger.models.stock import (
    Container,
    ContainerBalance,
    DrugItem,
    LocationKind,
    Lot,
    Registration,
    Schedule,
    StorageLocation,
    Substance,
    Supplier,
)

__all__ = [
    "BusinessTime",
    "Container",
    "ContainerBalance",
    "Count",
    "CountLine",
    "Discrepancy",
    "DiscrepancyNote",
    "DiscrepancySource",
    "DrugItem",
    "Inventory",
    "InventoryKind",
    "InventoryLine",
    "Kind",
    "LedgerHead",
    "LocationKind",
    "LossReport",
    "Lot",
    "Registration",
    "Schedule",
    "StorageLocation",
    "Substance",
    "Supplier",
    "Transaction",
]
