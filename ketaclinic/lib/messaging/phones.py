"""Phone numbers in E.164, parsed and validated with ``phonenumbers`` (libphonenumber)."""

from __future__ import annotations

import phonenumbers
from django.conf import settings


class InvalidPhoneNumber(ValueError):
    """Not a valid phone number (for the region given, if it has no leading +)."""


def to_e164(raw: str, region: str | None = None) -> str:
    """``raw`` as E.164 (``+14155550123``). A number without a leading + is read in ``region``
    (default ``settings.PHONE_REGION``, "US"). Raises :class:`InvalidPhoneNumber`."""
    text = (raw or "").strip()
    if not text:
        raise InvalidPhoneNumber("Enter a phone number.")
    try:
        parsed = phonenumbers.parse(text, region or getattr(settings, "PHONE_REGION", "US"))
    except phonenumbers.NumberParseException as error:
        raise InvalidPhoneNumber("Enter a phone number, such as 415 555 0123.") from error
    if not phonenumbers.is_valid_number(parsed):
        raise InvalidPhoneNumber("That is not a valid phone number. Check the digits.")
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def is_e164(value: str) -> bool:
    """True if ``value`` is already a valid number written in E.164."""
    if not value.startswith("+"):
        return False
    try:
        return to_e164(value) == value
    except InvalidPhoneNumber:
        return False
