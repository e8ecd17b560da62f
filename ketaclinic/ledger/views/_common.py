"""What the ledger's views share."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.forms import Form

from ketaclinic.accounts.models import Role
from ketaclinic.accounts.staff_forms import show_refusal
from ketaclinic.ledger import policies
from ketaclinic.ledger.forms import remap

READ = policies.READ_ROLES
CUSTODIAN = policies.CUSTODIAN_ROLES
LOSS = policies.LOSS_ROLES
CLINICIANS = (Role.NURSE, Role.PHYSICIAN)


def refuse(form: Form, error: ValidationError, mapping: dict[str, str] | None = None) -> None:
    """The action's refusal at the form's field (the typed values stay on the form)."""
    show_refusal(form, remap(error, mapping or {}))
