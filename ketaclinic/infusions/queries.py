"""Read helpers (a GET never writes)."""

from __future__ import annotations

from ketaclinic.clinics.models import Clinic
from ketaclinic.infusions.models import InfusionSettings


def settings_for(clinic: Clinic) -> InfusionSettings:
    """The clinic's settings row, or an unsaved one with the defaults."""
    found = InfusionSettings.objects.filter(clinic=clinic).first()
    return found if found is not None else InfusionSettings(clinic=clinic)
