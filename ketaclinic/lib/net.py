"""The client's IP address, as one rule for the audit trail, rate limits and lockout."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str:
    """REMOTE_ADDR, or behind a trusted proxy the address that proxy appended last.

    ``KETACLINIC_CLIENT_IP_HEADER`` (e.g. ``X-Forwarded-For``) names the header the proxy sets.
    Only the right-most entry is the proxy's own observation; entries to its left came from
    the client and could be forged, so they are ignored.
    """
    header = settings.CLIENT_IP_META_KEY
    if header:
        forwarded = request.META.get(header, "")
        candidate = forwarded.split(",")[-1].strip()
        if candidate:
            return candidate
    return str(request.META.get("REMOTE_ADDR") or "")
