"""The controlled-substance ledger's audit actions."""

from __future__ import annotations

from ketaclinic.audit.registry import register, register_kind

TXN = "ledger.transaction"
register_kind(TXN, "Controlled-substance ledger entry")

register("ledger.registration.create", "Added a DEA registration", kind="ledger.registration")
register(
    "ledger.location.create",
    "Added a controlled-substance storage location",
    kind="ledger.storagelocation",
)
register("ledger.drug.create", "Added a controlled drug item", kind="ledger.drugitem")
register("ledger.supplier.create", "Added a controlled-substance supplier", kind="ledger.supplier")
register("ledger.receive", "Received controlled-substance stock", kind=TXN)
register("ledger.transfer", "Moved a controlled-substance container", kind=TXN)
register("ledger.draw", "Drew a controlled substance for a session", kind=TXN)
register("ledger.administer", "Recorded a controlled substance as administered", kind=TXN)
register("ledger.waste", "Wasted a controlled substance (witnessed)", kind=TXN)
register("ledger.return", "Returned a controlled substance to stock", kind=TXN)
register("ledger.loss", "Reported a loss or theft of a controlled substance", kind=TXN)
register("ledger.destroy", "Destroyed controlled-substance stock (two witnesses)", kind=TXN)
register("ledger.adjust", "Adjusted a controlled-substance balance (two signatures)", kind=TXN)
register("ledger.correct", "Corrected a controlled-substance ledger entry", kind=TXN)
register("ledger.count", "Recorded a controlled-substance count", kind="ledger.count")
register(
    "ledger.discrepancy.open",
    "Opened a controlled-substance discrepancy",
    kind="ledger.discrepancy",
)
register(
    "ledger.discrepancy.note",
    "Added an investigation note to a discrepancy",
    kind="ledger.discrepancy",
)
register(
    "ledger.discrepancy.resolve", "Resolved and signed off a discrepancy", kind="ledger.discrepancy"
)
register(
    "ledger.loss_report.notice",
    "Recorded the written loss notice to the DEA",
    kind="ledger.lossreport",
)
register("ledger.loss_report.form_106", "Recorded DEA Form 106 as filed", kind="ledger.lossreport")
register("ledger.inventory", "Recorded a controlled-substance inventory", kind="ledger.inventory")
