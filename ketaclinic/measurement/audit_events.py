"""The audit actions the measurement app records (see ``ketaclinic.audit.registry``)."""

from __future__ import annotations

from ketaclinic.measurement import outcome_audit_events  # noqa: F401 - registers on import
