"""Checks on what staff type about an outside professional: phone, licence state.

Phone numbers are parsed with ``phonenumbers`` (Google's libphonenumber metadata) and stored
in E.164; a number written without a country code is read as a US number, the clinic's
country. Licence states are the USPS two-letter codes of the states, the District of Columbia
and the inhabited territories, where US professional licences are issued.
"""

from __future__ import annotations

import phonenumbers
from django.core.exceptions import ValidationError

DEFAULT_REGION = "US"

US_STATE_CODES = frozenset(
    """AL AK AZ AR CA CO CT DE FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV NH NJ
    NM NY NC ND OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY DC PR GU VI AS MP""".split()
)

PHONE_MESSAGE = "Enter a phone number with its area code, like (555) 010-0123 or +1 555 010 0123."
STATE_MESSAGE = "Enter the two-letter code of a US state or territory, like MI or NY."


def normalise_phone(raw: str) -> str:
    """``raw`` in E.164 (+15550100123), "" for blank; ValidationError if it is not a number."""
    text = raw.strip()
    if not text:
        return ""
    try:
        parsed = phonenumbers.parse(text, DEFAULT_REGION)
    except phonenumbers.NumberParseException as exc:
        raise ValidationError(PHONE_MESSAGE) from exc
    if not phonenumbers.is_possible_number(parsed):
        raise ValidationError(PHONE_MESSAGE)
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def normalise_state(raw: str) -> str:
    code = raw.strip().upper()
    if code and code not in US_STATE_CODES:
        raise ValidationError(STATE_MESSAGE)
    return code


def display_phone(e164: str) -> str:
    """An E.164 number as people read it: national format at home, international abroad."""
    if not e164:
        return ""
    try:
        parsed = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return e164
    style = (
        phonenumbers.PhoneNumberFormat.NATIONAL
        if phonenumbers.region_code_for_number(parsed) == DEFAULT_REGION
        else phonenumbers.PhoneNumberFormat.INTERNATIONAL
    )
    return phonenumbers.format_number(parsed, style)
