"""Error and warning types of the pharmacology engine."""

from __future__ import annotations


class PharmacologyInputError(ValueError):
    """Invalid input to the pharmacology engine.

    Parameters
    ----------
    field : str
        Name of the offending argument or field (for example ``"weight_kg"`` or
        ``"segments[2].start_min"``). The message always starts with it.
    message : str
        Human-readable reason.

    Attributes
    ----------
    field : str
        As given.
    reason : str
        ``message`` without the field prefix (the command line puts the option
        name in front of it instead).
    """

    def __init__(self, field: str, message: str) -> None:
        self.field = field
        self.reason = message
        super().__init__(f"{field}: {message}")


class OutsideValidityWarning(UserWarning):
    """The patient lies outside the population a model was fitted in."""
