"""Selecting and presenting audit entries for the report and its CSV export."""

from __future__ import annotations

import datetime as dt
import json
import zoneinfo
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet

from ketaclinic.accounts.models import Role
from ketaclinic.audit.forms import SORTS, AuditFilterForm
from ketaclinic.audit.models import AuditEntry
from ketaclinic.clinics.models import Clinic

_MISSING = object()


def clinic_tz(clinic: Clinic) -> dt.tzinfo:
    try:
        return zoneinfo.ZoneInfo(clinic.time_zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return dt.UTC


def filtered_entries(clinic: Clinic, form: AuditFilterForm) -> QuerySet[AuditEntry]:
    """This clinic's entries matching a valid filter form, in the chosen order."""
    data = form.cleaned_data
    entries = AuditEntry.objects.filter(clinic=clinic).select_related("actor")
    if data.get("user"):
        entries = entries.filter(actor=data["user"])
    if data.get("patient_ref"):
        entries = entries.filter(patient_ref=data["patient_ref"])
    if data.get("action"):
        action = data["action"]
        entries = entries.filter(Q(action=action) | Q(action__startswith=f"{action}."))
    tz = clinic_tz(clinic)
    if data.get("start"):
        entries = entries.filter(created_at__gte=dt.datetime.combine(data["start"], dt.time(), tz))
    if data.get("end"):
        end = data["end"] + dt.timedelta(days=1)
        entries = entries.filter(created_at__lt=dt.datetime.combine(end, dt.time(), tz))
    return entries.order_by(*SORTS[data.get("sort") or "newest"][1])


def show(value: Any) -> str:
    if value is _MISSING:
        return "—"
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


@dataclass(frozen=True)
class Change:
    field: str
    before: str
    after: str


def changes(before: Any, after: Any) -> list[Change]:
    """Before/after values side by side, one line per field when they are objects."""
    if before is None and after is None:
        return []
    if isinstance(before, dict | None) and isinstance(after, dict | None):
        old, new = before or {}, after or {}
        return [
            Change(key, show(old.get(key, _MISSING)), show(new.get(key, _MISSING)))
            for key in sorted(set(old) | set(new))
        ]
    return [Change("", show(_MISSING if before is None else before), show(after))]


_ROLE_LABELS = dict(Role.choices)


@dataclass(frozen=True)
class Row:
    entry: AuditEntry
    changes: list[Change]
    role: str


def rows(entries: Any) -> list[Row]:
    return [
        Row(
            entry,
            changes(entry.before, entry.after),
            _ROLE_LABELS.get(entry.actor_role, entry.actor_role),
        )
        for entry in entries
    ]


CSV_HEADER = [
    "id",
    "time_clinic",
    "time_utc",
    "user_email",
    "user_role",
    "action",
    "object_type",
    "object_id",
    "patient_ref",
    "ip_address",
    "user_agent",
    "before",
    "after",
    "reason",
    "entry_hash",
]


def _cell(value: str) -> str:
    # A cell starting like a formula would run in a spreadsheet (CSV injection); user agents and
    # after-values can carry attacker text.
    if value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def csv_rows(entries: QuerySet[AuditEntry], tz: dt.tzinfo) -> Iterator[list[str]]:
    yield CSV_HEADER
    for entry in entries.iterator(chunk_size=1000):
        values = [
            str(entry.pk),
            entry.created_at.astimezone(tz).isoformat(),
            entry.created_at.astimezone(dt.UTC).isoformat(),
            entry.actor_email,
            entry.actor_role,
            entry.action,
            entry.object_type,
            entry.object_id,
            entry.patient_ref,
            entry.ip_address,
            entry.user_agent,
            "" if entry.before is None else show(entry.before),
            "" if entry.after is None else show(entry.after),
            entry.reason,
            entry.entry_hash,
        ]
        yield [_cell(v) for v in values]
