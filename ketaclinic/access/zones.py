"""The clinic's time zone: staff read and type times where the clinic is, not where the server is.

One rule everywhere: the clinic's ``time_zone``; UTC when there is no clinic or the zone is
unknown on this machine (a clinic row written before a tzdata update, say). The access
middleware activates this zone for every staff request, so views need no ``timezone.override``.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Any

from django.utils import timezone


def clinic_zone(clinic: Any) -> dt.tzinfo:
    """The clinic's zone, or UTC when there is no clinic (or its zone is unknown here)."""
    name = getattr(clinic, "time_zone", "") or "UTC"
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return dt.UTC


def clinic_today(clinic: Any) -> dt.date:
    """Today's date where the clinic is."""
    return timezone.now().astimezone(clinic_zone(clinic)).date()
