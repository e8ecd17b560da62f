"""The clinic settings pages: one per group of settings, in the order the overview lists them."""

from __future__ import annotations

from dataclasses import dataclass

from ketaclinic.clinics import forms
from ketaclinic.clinics.actions import SETTINGS_GROUPS


@dataclass(frozen=True)
class SettingsPage:
    slug: str
    title: str
    summary: str
    form_class: type[forms.SettingsForm] | None  # None: nothing to set yet (an empty state)

    @property
    def fields(self) -> tuple[str, ...]:
        return SETTINGS_GROUPS.get(self.title, ())


PAGES = (
    SettingsPage(
        "public-page",
        "Public page",
        "What visitors read about your clinic, your crisis help text, logo and colours.",
        forms.PublicPageForm,
    ),
    SettingsPage(
        "contact",
        "Contact and notifications",
        "Clinic name, address, phone, the inquiry email and who may embed the form.",
        forms.ContactForm,
    ),
    SettingsPage(
        "time-zone",
        "Time zone",
        "The clinic's time zone, used for every time staff see and type.",
        forms.TimeZoneForm,
    ),
    SettingsPage(
        "security",
        "Security and sessions",
        "When staff are signed out, and how long emergency access lasts.",
        forms.SecurityForm,
    ),
    SettingsPage(
        "clinical-defaults",
        "Clinical defaults",
        "Dosing, measurement and observation defaults (coming with those features).",
        None,
    ),
)
PAGES_BY_SLUG = {page.slug: page for page in PAGES}
