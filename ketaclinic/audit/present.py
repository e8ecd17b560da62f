"""The audit report in people's language: action labels, object names, before/after values.

Codes stay in the database and the CSV; the page says what happened ("Changed an inquiry's
status") to what ("Inquiry #12", or a staff member's name). Objects are named only through
their kind's ``describe`` (``ketaclinic.audit.registry.register_kind``), which names no patient:
an inquiry is "Inquiry #12", never the enquirer. Nothing here goes into a URL.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.apps import apps

from ketaclinic.accounts.models import Role
from ketaclinic.audit.models import AuditEntry
from ketaclinic.audit.registry import registry

_MISSING = object()
# Longer values (or several lines) fold into <details>: a long note must not push the rest of
# the report off the screen, and it stays one click away.
LONG_CHARS = 80
SUMMARY_CHARS = 60


def kind_label(kind: str) -> str:
    """A kind's label: registered, else the model's verbose name, else the code itself."""
    registered = registry.kind(kind)
    if registered is not None:
        return registered.label
    try:
        model = apps.get_model(kind)
    except (LookupError, ValueError):
        return kind
    name = str(model._meta.verbose_name)
    return name[:1].upper() + name[1:]


def show(value: Any) -> str:
    if value is _MISSING:
        return "—"
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


@dataclass(frozen=True)
class Shown:
    """A value as text; a long one also has a one-line summary for its ``<details>``."""

    text: str

    @property
    def is_long(self) -> bool:
        return len(self.text) > LONG_CHARS or "\n" in self.text

    @property
    def summary(self) -> str:
        first = self.text.split("\n", 1)[0]
        return first if len(first) <= SUMMARY_CHARS else first[: SUMMARY_CHARS - 1] + "…"


@dataclass(frozen=True)
class Change:
    field: str
    before: Shown
    after: Shown


def field_label(key: str) -> str:
    words = key.replace("_", " ").strip()
    return words[:1].upper() + words[1:] if words else "Value"


def changes(before: Any, after: Any) -> list[Change]:
    """Before/after values side by side, one line per field when they are objects."""
    if before is None and after is None:
        return []
    if isinstance(before, dict | None) and isinstance(after, dict | None):
        old, new = before or {}, after or {}
        return [
            Change(
                field_label(key),
                Shown(show(old.get(key, _MISSING))),
                Shown(show(new.get(key, _MISSING))),
            )
            for key in sorted(set(old) | set(new))
        ]
    before_shown = Shown(show(_MISSING if before is None else before))
    return [Change("Value", before_shown, Shown(show(after)))]


def object_names(entries: Iterable[AuditEntry]) -> dict[tuple[str, str], str]:
    """Names of the entries' objects, one query per kind that can name its objects."""
    wanted: dict[str, set[str]] = defaultdict(set)
    for entry in entries:
        if entry.object_type and entry.object_id:
            wanted[entry.object_type].add(entry.object_id)
    names: dict[tuple[str, str], str] = {}
    for kind, ids in wanted.items():
        registered = registry.kind(kind)
        if registered is not None and registered.describe is not None:
            for object_id, name in registered.describe(ids).items():
                names[(kind, object_id)] = name
    return names


def describe_object(entry: AuditEntry, names: dict[tuple[str, str], str]) -> str:
    if not entry.object_type:
        return ""
    label = kind_label(entry.object_type)
    if not entry.object_id:
        return label
    name = names.get((entry.object_type, entry.object_id))
    # An object that is gone (or a kind that cannot name its objects) keeps its number.
    return f"{label}: {name}" if name else f"{label} #{entry.object_id}"


_ROLE_LABELS = dict(Role.choices)


@dataclass(frozen=True)
class Row:
    entry: AuditEntry
    action_label: str
    registered: bool
    object: str
    changes: list[Change]
    reason: Shown
    role: str


def rows(entries: Iterable[AuditEntry]) -> list[Row]:
    page = list(entries)
    names = object_names(page)
    return [
        Row(
            entry=entry,
            action_label=registry.label(entry.action),
            registered=registry.is_registered(entry.action),
            object=describe_object(entry, names),
            changes=changes(entry.before, entry.after),
            reason=Shown(entry.reason),
            role=str(_ROLE_LABELS.get(entry.actor_role, entry.actor_role)),
        )
        for entry in page
    ]
