"""The time-zone list the clinic admin picks from, and the check on what they type.

Names are the IANA ones Python knows here (``zoneinfo.available_timezones()``, from the system
tz database or the tzdata package). The zones a US clinic most often needs come first.
"""

from __future__ import annotations

import functools
import zoneinfo

from django.core.exceptions import ValidationError

COMMON_ZONES = (
    "America/New_York",
    "America/Detroit",
    "America/Chicago",
    "America/Denver",
    "America/Phoenix",
    "America/Los_Angeles",
    "America/Anchorage",
    "Pacific/Honolulu",
    "America/Puerto_Rico",
    "America/Toronto",
    "America/Vancouver",
    "Europe/London",
    "Europe/Dublin",
    "Europe/Berlin",
    "Australia/Sydney",
    "UTC",
)


@functools.cache
def all_zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


@functools.cache
def zone_choices() -> tuple[str, ...]:
    """Every known zone once: the common ones (those known here) first, then the rest sorted."""
    known = all_zones()
    common = [name for name in COMMON_ZONES if name in known]
    return (*common, *sorted(known - set(common)))


def canonical_zone(typed: str) -> str:
    """The zone name for ``typed`` (spaces around it and letter case forgiven, a space read as
    the underscore in names like New_York); a ValidationError for an unknown name."""
    text = (typed or "").strip()
    known = all_zones()
    if text in known:
        return text
    by_folded = {name.casefold(): name for name in known}
    match = by_folded.get(text.replace(" ", "_").casefold())
    if match:
        return match
    raise ValidationError(
        '"%(typed)s" is not a known time zone. Type the region and the nearest big city, '
        "e.g. America/Chicago, and pick it from the list.",
        code="unknown_zone",
        params={"typed": text},
    )
