"""Second-factor helpers: enrolment keys, the QR code, and recovery code generation."""

from __future__ import annotations

import secrets
from base64 import b32encode
from binascii import unhexlify
from urllib.parse import quote, urlencode

import segno
from django.conf import settings
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp.util import random_hex

from ketaclinic.accounts.models import User, normalise_recovery_code

PENDING_KEY = "ketaclinic_pending_totp_key"
# Set when an invitation's first password signs the person in: their enrolment pages show
# where they are in joining.
INVITED_KEY = "ketaclinic_joining"
INVITE_STEPS = ["Choose your password", "Set up two-factor sign-in", "Save your recovery codes"]
RECOVERY_CODE_COUNT = 10
# No 0/o, 1/l/i: codes are read off paper.
_RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
TOTP_STEP = 30
TOTP_DIGITS = 6


def tolerance() -> int:
    return int(getattr(settings, "OTP_TOTP_TOLERANCE", 1))


def new_totp_key() -> str:
    return random_hex(20)


def base32_secret(key_hex: str) -> str:
    return b32encode(unhexlify(key_hex)).decode().rstrip("=")


def grouped(secret: str) -> str:
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def config_url(user: User, key_hex: str) -> str:
    issuer = str(getattr(settings, "OTP_TOTP_ISSUER", "ketaclinic")).replace(":", "")
    label = quote(f"{issuer}:{user.email}")
    params = urlencode(
        {
            "secret": base32_secret(key_hex),
            "algorithm": "SHA1",
            "digits": TOTP_DIGITS,
            "period": TOTP_STEP,
        }
    )
    return f"otpauth://totp/{label}?{params}&issuer={quote(issuer)}"


def qr_svg(url: str) -> str:
    """The QR code as an inline <svg> (no style attributes, so CSP allows it)."""
    return segno.make(url, error="m").svg_inline(
        scale=4, dark="#000", light="#fff", title="QR code for your authenticator app"
    )


def matching_step(key_hex: str, token: str) -> int | None:
    """The time step ``token`` belongs to within the allowed window, or None."""
    token = token.strip().replace(" ", "")
    if not (token.isdigit() and len(token) == TOTP_DIGITS):
        return None
    totp = TOTP(unhexlify(key_hex), TOTP_STEP, 0, TOTP_DIGITS, 0)
    totp.time = timezone.now().timestamp()
    if totp.verify(int(token), tolerance()):
        return int(totp.t())
    return None


def confirmed_totp(user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("-id").first()


def normalise(code: str) -> str:
    return normalise_recovery_code(code)


def make_recovery_codes() -> list[str]:
    codes = []
    for _ in range(RECOVERY_CODE_COUNT):
        raw = "".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(10))
        codes.append(f"{raw[:5]}-{raw[5:]}")
    return codes
