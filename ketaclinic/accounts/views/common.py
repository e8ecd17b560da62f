"""Small helpers shared by the accounts views."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

NEXT_KEY = "ketaclinic_next"


def is_verified(user: Any) -> bool:
    """Both factors passed (django-otp's ``is_verified``, absent for anonymous users)."""
    check = getattr(user, "is_verified", None)
    return bool(user.is_authenticated and check is not None and check())


def safe_next(request: HttpRequest, candidate: str | None) -> str:
    """``candidate`` when it is a path on this site, else the empty string."""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return ""


def after_sign_in_url(request: HttpRequest) -> str:
    return safe_next(request, request.session.pop(NEXT_KEY, None)) or reverse("web:home")
