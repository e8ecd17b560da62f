"""The audit actions the care-team app records (see ``ketaclinic.audit.registry``)."""

from __future__ import annotations

from ketaclinic.audit.registry import register_kind

PROFESSIONAL = "careteam.outsideprofessional"
register_kind(PROFESSIONAL, "Outside professional")
