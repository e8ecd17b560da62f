"""Checks of scalar inputs shared by the dosing modules; errors name the field.

Each returns the value as a float or raises
:class:`~ketaclinic.pharmacology.errors.PharmacologyInputError` whose message
starts with ``field_name`` (the command line maps it to its option).
"""

from __future__ import annotations

import math

from .errors import PharmacologyInputError


def _finite(field_name: str, value: float) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise PharmacologyInputError(field_name, "must be a finite number")
    return float(value)


def require_positive(field_name: str, value: float) -> float:
    """``value`` as a float if it is a finite number > 0 (booleans are refused)."""
    if _finite(field_name, value) <= 0:
        raise PharmacologyInputError(field_name, "must be > 0")
    return float(value)


def require_non_negative(field_name: str, value: float) -> float:
    """``value`` as a float if it is a finite number >= 0 (booleans are refused)."""
    if _finite(field_name, value) < 0:
        raise PharmacologyInputError(field_name, "must be >= 0")
    return float(value)
