"""The audit actions of operations: a backup copies every record, so it is recorded like an
export; a restore says where the database came from."""

from __future__ import annotations

from ketaclinic.audit.registry import register

register("ops.backup", "Backed up the whole database")
register("ops.restore", "Restored the database from a backup")
