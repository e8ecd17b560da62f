"""What a browser would send back for a settings page, unchanged unless told otherwise."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from ketaclinic.clinics.models import Clinic
from ketaclinic.clinics.pages import PAGES_BY_SLUG


def group_url(slug: str) -> str:
    return reverse("clinics:settings_group", kwargs={"slug": slug})


def form_data(clinic: Clinic, slug: str, **changes: Any) -> dict[str, Any]:
    form_class = PAGES_BY_SLUG[slug].form_class
    assert form_class is not None
    form = form_class(instance=clinic)
    data: dict[str, Any] = {}
    for name in form.fields:
        if name in ("new_logo", "remove_logo"):
            continue
        value = form[name].value()
        if isinstance(value, bool):
            if value:
                data[name] = "on"
            continue
        # Browsers send textarea line ends as CRLF.
        data[name] = "" if value is None else str(value).replace("\n", "\r\n")
    for name, value in changes.items():
        if value is None:
            data.pop(name, None)
        else:
            data[name] = value
    return data
