"""Audit actions of the ledger's screens (the core's are in ``audit_events``)."""

from __future__ import annotations

from ketaclinic.audit.registry import register

register("ledger.report.export", "Exported a controlled-substance ledger report")
