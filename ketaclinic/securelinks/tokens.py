"""Link tokens: ``<clinic slug>.<secret>``. The secret is 32 random bytes (256 bits, URL-safe
base64). The clinic's slug (public: it is in the clinic's page address) lets a mistyped or
tampered link still show that clinic's name and phone on the calm page."""

from __future__ import annotations

import re
import secrets

from ketaclinic.clinics.models import Clinic

SECRET_BYTES = 32
_SHAPE = re.compile(r"^([a-z0-9][a-z0-9_-]{0,49})\.([A-Za-z0-9_-]{20,100})$")


def make_token(clinic: Clinic) -> str:
    return f"{clinic.slug}.{secrets.token_urlsafe(SECRET_BYTES)}"


def split_token(raw: str) -> tuple[str, str]:
    """(clinic slug, secret) of a well-formed token, else ("", "")."""
    match = _SHAPE.match(raw or "")
    return (match.group(1), match.group(2)) if match else ("", "")
