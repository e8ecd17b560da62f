"""The write layer for clinic settings, changed by the clinic admin."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.forms.models import model_to_dict
from django.http import Http404, HttpRequest

from ketaclinic.access.policy import acts_as
from ketaclinic.accounts.models import Membership, Role
from ketaclinic.audit.log import record
from ketaclinic.clinics.colours import validate_white_text_contrast
from ketaclinic.clinics.logos import STORED_NAME
from ketaclinic.clinics.models import MARKDOWN_FIELDS, Clinic
from ketaclinic.clinics.origins import normalise_origins
from ketaclinic.clinics.timezones import canonical_zone

# The settings a clinic admin may change, grouped as the settings pages show them.
SETTINGS_GROUPS: dict[str, tuple[str, ...]] = {
    "Public page": (
        *MARKDOWN_FIELDS,
        "crisis_resources",
        "logo",
        "brand_colour",
        "accent_colour",
        "reply_within",
    ),
    "Contact and notifications": (
        "name",
        "address",
        "phone",
        "email",
        "staff_email_details",
        "embed_origins",
    ),
    "Time zone": ("time_zone",),
    "Security and sessions": ("idle_timeout_min", "absolute_timeout_h", "break_glass_minutes"),
}
SETTINGS_FIELDS = tuple(name for group in SETTINGS_GROUPS.values() for name in group)


def _logo_name(value: Any) -> str:
    name = str(getattr(value, "name", value) or "")
    if name and not STORED_NAME.match(name):
        raise ValidationError("A logo must be stored by the logo upload.", code="logo_name")
    return name


def _checked_colour(value: Any) -> str:
    validate_white_text_contrast(str(value))
    return str(value).lower()


# Checks the model's own validators cannot express, applied here so that every caller (the
# settings pages, a command, a test) gets them: each returns the value to store.
_FIELD_CHECKS: dict[str, Callable[[Any], Any]] = {
    "brand_colour": _checked_colour,
    "accent_colour": _checked_colour,
    "embed_origins": lambda value: normalise_origins(str(value or "")),
    "time_zone": lambda value: canonical_zone(str(value or "")),
    "logo": _logo_name,
}


@dataclass(frozen=True)
class SettingsSaved:
    clinic: Clinic
    changed: tuple[str, ...]  # the fields whose stored value changed, in SETTINGS_FIELDS order


def _checked(changes: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    errors: dict[str, list[ValidationError]] = {}
    for name, value in changes.items():
        check = _FIELD_CHECKS.get(name)
        try:
            out[name] = check(value) if check else value
        except ValidationError as exc:
            errors[name] = exc.error_list
    if errors:
        raise ValidationError(errors)
    return out


def update_clinic_settings(
    by: Membership,
    clinic: Clinic,
    changes: dict[str, Any],
    *,
    request: HttpRequest | None = None,
) -> SettingsSaved:
    """Apply ``changes`` (field -> value) to the admin's own clinic, audited.

    Only fields whose stored value changes are written to the audit entry (before and after);
    a submit that changes nothing records nothing. A value the model or the checks above
    refuse raises ``ValidationError`` keyed by field, and nothing is saved.
    """
    if not acts_as(by, {Role.CLINIC_ADMIN}):
        raise PermissionDenied("Only the clinic admin changes clinic settings.")
    if clinic.pk != by.clinic_id:
        raise Http404("Not your clinic.")
    unknown = set(changes) - set(SETTINGS_FIELDS)
    if unknown:
        raise PermissionDenied(f"Not a clinic setting: {', '.join(sorted(unknown))}")
    # Browsers send text areas with CRLF line ends; the stored text has LF. Without this an
    # untouched address would be saved, and audited, as a change.
    changes = {
        k: v.replace("\r\n", "\n").replace("\r", "\n") if isinstance(v, str) else v
        for k, v in changes.items()
    }
    values = _checked(changes)
    with transaction.atomic():
        current = Clinic.objects.select_for_update().get(pk=clinic.pk)
        before = _plain(model_to_dict(current, fields=list(values)))
        for name, value in values.items():
            setattr(current, name, value)
        current.full_clean()
        after = _plain(model_to_dict(current, fields=list(values)))
        changed = tuple(k for k in SETTINGS_FIELDS if k in values and before[k] != after[k])
        if changed:
            current.save(update_fields=list(changed))
            record(
                "clinic.settings.update",
                by=by,
                request=request,
                obj=current,
                before={k: before[k] for k in sorted(changed)},
                after={k: after[k] for k in sorted(changed)},
            )
    return SettingsSaved(current, changed)


def _plain(values: dict[str, Any]) -> dict[str, Any]:
    """Field values as stored: a file field by its name ("" for none)."""
    return {k: (str(v.name or "") if hasattr(v, "name") else v) for k, v in values.items()}
