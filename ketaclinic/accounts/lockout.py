"""Lockout keys for django-axes."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest


def lockout_username(request: HttpRequest, credentials: dict[str, Any] | None) -> str:
    """The email as typed, lower-cased, so ``Alice@`` and ``alice@`` share one failure count."""
    raw = (credentials or {}).get("username") or request.POST.get("username", "")
    return str(raw).strip().lower()
