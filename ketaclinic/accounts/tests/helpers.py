"""Helpers for the accounts tests: real TOTP codes from a device key, and signing in the way
a browser does (password form, then the code form)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from ketaclinic.accounts.models import User
from ketaclinic.testing import TEST_PASSWORD


def code_for(device: TOTPDevice, steps: int = 0) -> str:
    """The code the user's authenticator app shows now; ``steps=-3`` is the one of 90 s ago."""
    device.refresh_from_db()
    value = totp(device.bin_key, device.step, device.t0, device.digits, device.drift + steps)
    return f"{value:0{device.digits}d}"


def device_of(user: User) -> TOTPDevice:
    device = TOTPDevice.objects.get(user=user, confirmed=True)
    return device


def password_step(client: Client, email: str, password: str = TEST_PASSWORD, **extra: Any) -> Any:
    return client.post(
        reverse("accounts:login"), {"username": email, "password": password}, **extra
    )


def full_login(client: Client, user: User, password: str = TEST_PASSWORD) -> None:
    response = password_step(client, user.email, password)
    assert response.status_code == 302, response.status_code
    response = client.post(reverse("accounts:two_factor"), {"otp_token": code_for(device_of(user))})
    assert response.status_code == 302, response.content[:500]


def session_key(client: Client) -> str | None:
    cookie = client.cookies.get(settings.SESSION_COOKIE_NAME)
    return cookie.value if cookie else None


def session_exists(key: str | None) -> bool:
    return key is not None and Session.objects.filter(session_key=key).exists()


# A moment 5 s into a 30-s TOTP step, so a test can move a few seconds without a new code.
STEP_START = dt.datetime(2026, 3, 2, 9, 0, 5, tzinfo=dt.UTC)


def enter_sudo(client: Client) -> None:
    """Re-enter the password, as the re-authentication page asks."""
    response = client.post(reverse("accounts:reauth"), {"password": TEST_PASSWORD})
    assert response.status_code == 302, response.status_code
