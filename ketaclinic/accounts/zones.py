"""Times on staff pages and in staff mail are shown in the clinic's own time zone."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Any

from django.http import HttpRequest


def clinic_zone(clinic: Any) -> dt.tzinfo:
    """The clinic's zone; UTC when there is no clinic (or its zone is unknown here)."""
    name = getattr(clinic, "time_zone", "") or "UTC"
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return dt.UTC


def request_zone(request: HttpRequest) -> dt.tzinfo:
    return clinic_zone(getattr(request, "clinic", None))
