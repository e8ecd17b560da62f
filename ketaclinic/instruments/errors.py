"""The error type of the instruments package."""

from __future__ import annotations


class InstrumentInputError(ValueError):
    """Invalid input to an instrument: an unknown id, a wrong answer count, an answer outside
    the published options, or an answer the skip logic forbids.

    Parameters
    ----------
    item : str
        What is wrong, named as a person would name it: ``"item 3"``, ``"question 4"``,
        ``"answers"``, ``"sex"`` or ``"instrument"``. The message always starts with it.
    message : str
        Human-readable reason.

    Attributes
    ----------
    item : str
        As given.
    reason : str
        ``message`` without the item prefix.
    """

    def __init__(self, item: str, message: str) -> None:
        self.item = item
        self.reason = message
        super().__init__(f"{item}: {message}")
