"""Writing to the audit trail. Every action and every record/section opening calls ``record``."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any

from django.conf import settings
from django.db import models, transaction
from django.http import HttpRequest
from django.utils import timezone

from ketaclinic.audit.models import AuditChainHead, AuditEntry

GENESIS_HASH = "0" * 64
_HASHED_FIELDS = (
    "created_at",
    "actor_id",
    "actor_email",
    "actor_role",
    "clinic_id",
    "action",
    "object_type",
    "object_id",
    "patient_ref",
    "ip_address",
    "user_agent",
    "before",
    "after",
    "reason",
    "prev_hash",
)


def _jsonable(value: Any) -> Any:
    """Normalise values to what a JSON column gives back, so the hash survives a round trip."""
    if value is None:
        return None
    return json.loads(json.dumps(value, default=str, sort_keys=True))


def content_hash(entry: AuditEntry) -> str:
    """SHA-256 over the entry's canonical JSON content, including ``prev_hash``."""
    content: dict[str, Any] = {}
    for name in _HASHED_FIELDS:
        value = getattr(entry, name)
        if isinstance(value, dt.datetime):
            value = value.astimezone(dt.UTC).isoformat()
        content[name] = value
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def client_ip(request: HttpRequest) -> str | None:
    return request.META.get("REMOTE_ADDR") or None


def record(
    action: str,
    *,
    request: HttpRequest | None = None,
    actor: Any = None,
    clinic: Any = None,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str | int = "",
    patient_ref: str | int = "",
    before: Any = None,
    after: Any = None,
    reason: str = "",
) -> AuditEntry | None:
    """Append one entry to the audit chain and return it.

    Call inside the same ``transaction.atomic`` block as the change it describes, so the change
    and its audit entry commit or roll back together. ``request`` supplies the actor, role,
    clinic, IP and user agent unless they are given explicitly.
    """
    if not settings.AUDIT_ENABLED:
        return None
    membership = getattr(request, "membership", None) if request is not None else None
    if actor is None and request is not None and request.user.is_authenticated:
        actor = request.user
    if clinic is None:
        clinic = getattr(request, "clinic", None) if request is not None else None
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
    entry = AuditEntry(
        created_at=timezone.now(),
        actor=actor if getattr(actor, "pk", None) else None,
        actor_email=getattr(actor, "email", "") or "",
        actor_role=membership.role if membership is not None else "",
        clinic=clinic,
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        patient_ref=str(patient_ref),
        ip_address=client_ip(request) if request is not None else None,
        user_agent=(request.META.get("HTTP_USER_AGENT", "")[:300] if request is not None else ""),
        before=_jsonable(before),
        after=_jsonable(after),
        reason=reason,
    )
    with transaction.atomic():
        head, _ = AuditChainHead.objects.select_for_update().get_or_create(
            pk=1, defaults={"last_hash": GENESIS_HASH}
        )
        entry.prev_hash = head.last_hash
        entry.entry_hash = content_hash(entry)
        entry.save(force_insert=True)
        AuditChainHead.objects.filter(pk=1).update(
            last_hash=entry.entry_hash, last_entry_id=entry.pk
        )
    return entry


def record_view(request: HttpRequest, obj: models.Model, section: str = "", **kw: Any) -> None:
    """Record that a user opened a record or a section of it (not every query)."""
    action = f"view.{section}" if section else "view"
    record(action, request=request, obj=obj, **kw)
