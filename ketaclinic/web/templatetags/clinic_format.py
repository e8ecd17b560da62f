"""Dates, times and phone numbers as staff read them: friendly, in the clinic's time zone.

The access middleware activates the clinic's zone for staff pages, so ``localtime`` here is
the clinic's local time. Every friendly value keeps the exact one in ``<time datetime>`` and
its ``title``, so nothing is lost by the shorter wording (and print shows the exact value).
"""

from __future__ import annotations

import datetime as dt
import re

from django import template
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString

register = template.Library()


def _day_words(day: dt.date, today: dt.date) -> str:
    delta = (day - today).days
    if delta == 0:
        return "Today"
    if delta == -1:
        return "Yesterday"
    if delta == 1:
        return "Tomorrow"
    if -6 <= delta < 0 or 0 < delta <= 6:
        return f"{day:%a} {day.day} {day:%b}"
    if day.year == today.year:
        return f"{day.day} {day:%b}"
    return f"{day.day} {day:%b} {day.year}"


def friendly_date_text(day: dt.date, today: dt.date | None = None) -> str:
    """ "Today", "Tomorrow", "Fri 5 Dec", "5 Dec" (this year) or "5 Dec 2027"."""
    return _day_words(day, today or timezone.localdate())


@register.filter
def friendly_date(value: dt.date | None) -> SafeString | str:
    """A day as "Today", "Tomorrow", "Fri 5 Dec"...; a moment is taken on the clinic's day."""
    if value is None:
        return "—"
    if isinstance(value, dt.datetime):
        value = timezone.localtime(value).date()
    return format_html(
        '<time datetime="{}" title="{}">{}</time>',
        value.isoformat(),
        f"{value:%A} {value.day} {value:%B %Y}",
        friendly_date_text(value),
    )


@register.filter
def friendly_datetime(value: dt.datetime | None) -> SafeString | str:
    """A moment as "Today 14:05", "Yesterday 09:10", "Mon 1 Dec 16:30" or "3 Nov 2025 08:00"."""
    if value is None:
        return "—"
    local = timezone.localtime(value)
    words = f"{_day_words(local.date(), timezone.localdate())} {local:%H:%M}"
    return format_html(
        '<time datetime="{}" title="{}">{}</time>',
        value.astimezone(dt.UTC).isoformat(),
        f"{local:%Y-%m-%d %H:%M %Z}",
        words,
    )


def tel_target(phone: str) -> str:
    """The ``tel:`` target for a typed phone number: digits, with a leading + kept."""
    digits = re.sub(r"\D", "", phone or "")
    return ("+" if phone.strip().startswith("+") else "") + digits


@register.filter
def tel_link(phone: str | None) -> SafeString | str:
    """A tap-to-call link for a typed phone number (the text shown as typed)."""
    if not phone or not tel_target(phone):
        return "—"
    return format_html('<a class="tap-call" href="tel:{}">{}</a>', tel_target(phone), phone)
