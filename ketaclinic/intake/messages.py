"""The words of the intake link's message (email and text alike: plain text)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.formats import date_format

from ketaclinic.access.zones import clinic_zone
from ketaclinic.clinics.models import Clinic


def default_text(clinic: Clinic) -> str:
    return (
        f"Hello, this is {clinic.name}. Before your first visit, please tell us about your "
        "health using this private link. It takes about 15 minutes; your answers are saved as "
        "you go, so you can stop and come back."
    )


def subject(clinic: Clinic) -> str:
    # No patient data in a subject line (it shows in notifications).
    return f"Your intake form from {clinic.name}"


def compose(message: str, url: str, clinic: Clinic, expires_at: dt.datetime) -> str:
    until = date_format(timezone.localtime(expires_at, clinic_zone(clinic)), "j F Y")
    phone = f" Questions? Call {clinic.phone}." if clinic.phone else ""
    return f"{message.strip()}\n\n{url}\n\nThe link works until {until}.{phone}\n"
