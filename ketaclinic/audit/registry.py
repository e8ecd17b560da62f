"""The registered audit actions: every name ``audit.log.record`` accepts, declared once.

Each app declares the actions it records in its own ``<app>/audit_events.py``::

    from ketaclinic.audit.registry import register, register_kind

    register("inquiry.status", "Changed an inquiry's status", kind="inquiries.inquiry")

``AuditConfig.ready()`` imports every installed app's ``audit_events`` module
(``autodiscover_modules``), so a new app only adds its own file. A name is declared once: a
second ``register`` of the same name raises, so two apps cannot quietly give one action two
meanings. ``record()`` refuses an unregistered name when ``AUDIT_STRICT_ACTIONS`` is on (the
test suite); in production it logs a warning and records the entry anyway, because a lost audit
entry is worse than an unlabelled one.

``kind`` says what the action is about: a model label (``"inquiries.inquiry"``), a pseudo-kind
(``"audit.report"``), or ``""`` when it varies or there is no object. ``register_kind`` gives a
kind its label for people and, optionally, a safe way to name its objects in the report.

(The idea follows Wagtail's log-action registry; the code is our own.)
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass

from django.core.exceptions import ImproperlyConfigured

# Lower-case dotted words: what the report's filter and the CSV show; 64 is the column's length.
NAME_PATTERN = re.compile(r"[a-z0-9_]+(\.[a-z0-9_]+)*")
MAX_NAME_LENGTH = 64

# Given object ids (as stored: strings), return a name for each one found. Names are shown to
# the clinic admin in the audit report: staff names are fine, patient data is not (an inquiry
# is "Inquiry #12", never the person's name).
Describe = Callable[[Collection[str]], Mapping[str, str]]


class UnregisteredAction(LookupError):
    """``record()`` was given an action name nobody registered (strict mode)."""


@dataclass(frozen=True)
class AuditAction:
    name: str
    label: str
    kind: str = ""


@dataclass(frozen=True)
class ObjectKind:
    kind: str
    label: str
    describe: Describe | None = None


class Registry:
    def __init__(self) -> None:
        self._actions: dict[str, AuditAction] = {}
        self._kinds: dict[str, ObjectKind] = {}

    def register(self, name: str, label: str, *, kind: str = "") -> AuditAction:
        if not NAME_PATTERN.fullmatch(name) or len(name) > MAX_NAME_LENGTH:
            raise ImproperlyConfigured(
                f"Audit action {name!r}: use lower-case dotted words, at most "
                f"{MAX_NAME_LENGTH} characters."
            )
        if not label.strip():
            raise ImproperlyConfigured(f"Audit action {name!r} needs a label for people.")
        if name in self._actions:
            raise ImproperlyConfigured(
                f"Audit action {name!r} is already registered "
                f"({self._actions[name].label!r}); declare each action once."
            )
        action = AuditAction(name, label, kind)
        self._actions[name] = action
        return action

    def register_kind(self, kind: str, label: str, *, describe: Describe | None = None) -> None:
        if not kind or not label.strip():
            raise ImproperlyConfigured("An object kind needs a name and a label.")
        if kind in self._kinds:
            raise ImproperlyConfigured(f"Object kind {kind!r} is already registered.")
        self._kinds[kind] = ObjectKind(kind, label, describe)

    def get(self, name: str) -> AuditAction | None:
        return self._actions.get(name)

    def is_registered(self, name: str) -> bool:
        return name in self._actions

    def label(self, name: str) -> str:
        """The action's label, or its name when unregistered (an entry from an older release)."""
        action = self._actions.get(name)
        return action.label if action is not None else name

    def actions(self) -> list[AuditAction]:
        """Every registered action, by label."""
        return sorted(self._actions.values(), key=lambda a: (a.label.lower(), a.name))

    def names(self) -> set[str]:
        return set(self._actions)

    def kind(self, kind: str) -> ObjectKind | None:
        return self._kinds.get(kind)


registry = Registry()
register = registry.register
register_kind = registry.register_kind
