"""The ledger's append-only triggers: the audit trail's pattern on ``ledger_transaction``."""

from __future__ import annotations

from ketaclinic.audit.triggers import AppendOnly

TRANSACTIONS = AppendOnly(
    table="ledger_transaction",
    prefix="ledger_txn",
    trigger="ledger_transaction",
    noun="ledger transactions",
)
