"""The audit actions the staff workspace shell records (see ``ketaclinic.audit.registry``)."""

from __future__ import annotations

from ketaclinic.audit.registry import register

register("session.switch_clinic", "Switched to another clinic")
