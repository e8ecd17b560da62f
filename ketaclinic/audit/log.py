"""Writing to the audit trail. Every action and every record/section opening calls ``record``.

Each entry's ``entry_hash`` is SHA-256 over a canonical JSON form of its content plus
``prev_hash`` (the previous entry's hash). The canonical form is computed from values exactly as
the database gives them back, on SQLite and PostgreSQL alike, so ``verify.verify_chain`` can
recompute every hash from the stored rows:

* times: UTC ISO 8601 with microseconds (both databases keep microseconds);
* IP addresses: normalised by ``ipaddress`` and stored as text (PostgreSQL's ``inet`` would
  rewrite some IPv6 spellings);
* JSON values: reduced to plain JSON before storing (``_jsonable``), and numbers hashed by
  decimal value, because PostgreSQL's ``jsonb`` gives ``1e+20`` back as ``100000000000000000000``;
* strings: NUL characters removed (PostgreSQL refuses them) and lengths checked before hashing
  (PostgreSQL refuses over-long values; SQLite would keep them).
"""

from __future__ import annotations

import datetime as dt
import decimal
import hashlib
import ipaddress
import json
import logging
import math
import numbers
import uuid
from typing import Any

from django.conf import settings
from django.db import connections, models, router, transaction
from django.http import HttpRequest
from django.utils import timezone

from ketaclinic.audit.models import AuditChainHead, AuditEntry
from ketaclinic.audit.registry import UnregisteredAction, registry

logger = logging.getLogger(__name__)

GENESIS_HASH = "0" * 64
HEAD_PK = 1
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


def _clean_text(value: str) -> str:
    return value.replace("\x00", "\ufffd")


def _jsonable(value: Any) -> Any:
    """Reduce a before/after value to plain JSON that survives a round trip through either database.

    Dates and times become ISO strings (aware ones in UTC), decimals and UUIDs strings (exact,
    unlike floats), sets sorted lists, non-finite floats strings (``jsonb`` has no NaN), other
    numbers (enums, numpy scalars) plain ints and floats, and anything else its ``str()``.
    """
    if value is None:
        return None
    if isinstance(value, bool):
        return bool(value)
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real):
        number = float(value)
        return number if math.isfinite(number) else str(number)
    if isinstance(value, str):
        return _clean_text(str(value))
    if isinstance(value, dict):
        return {_clean_text(str(k)): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, set | frozenset):
        return sorted((_jsonable(v) for v in value), key=lambda v: json.dumps(v, sort_keys=True))
    if isinstance(value, dt.datetime):
        if timezone.is_aware(value):
            value = value.astimezone(dt.UTC)
        return value.isoformat()
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, models.Model):
        return str(value.pk)
    return _clean_text(str(value))


def _number(value: int | float) -> str:
    """A number's canonical text by decimal value: 1.0 == 1, 1e+20 == 100000000000000000000."""
    d = decimal.Decimal(repr(float(value)) if isinstance(value, float) else int(value))
    if d == 0:
        return "0"
    return format(d.normalize(), "E") if abs(d.adjusted()) > 20 else format(d.normalize(), "f")


def canonical_json(value: Any) -> str:
    """Deterministic JSON text: sorted keys, no spaces, numbers by decimal value."""
    if value is None or isinstance(value, bool | str):
        return json.dumps(value)
    if isinstance(value, int | float):
        return _number(value)
    if isinstance(value, dict):
        items = sorted(value.items())
        return "{" + ",".join(f"{json.dumps(k)}:{canonical_json(v)}" for k, v in items) + "}"
    if isinstance(value, list):
        return "[" + ",".join(canonical_json(v) for v in value) + "]"
    raise TypeError(f"not a JSON value: {type(value).__name__}")


def content_hash(entry: AuditEntry) -> str:
    """SHA-256 over the entry's canonical JSON content, including ``prev_hash``."""
    content: dict[str, Any] = {}
    for name in _HASHED_FIELDS:
        value = getattr(entry, name)
        if isinstance(value, dt.datetime):
            value = value.astimezone(dt.UTC).isoformat(timespec="microseconds")
        content[name] = value
    return hashlib.sha256(canonical_json(content).encode()).hexdigest()


def normalise_ip(raw: str | None) -> str:
    """The address in ``ipaddress``'s canonical spelling, or "" if absent or not an address."""
    if not raw:
        return ""
    try:
        return str(ipaddress.ip_address(raw.strip()))
    except ValueError:
        return ""


def client_ip(request: HttpRequest) -> str:
    # REMOTE_ADDR only: X-Forwarded-For is client-controlled unless a trusted proxy rewrites
    # it (waitress's trusted_proxy does that and then sets REMOTE_ADDR itself).
    return normalise_ip(request.META.get("REMOTE_ADDR"))


_MAX_LENGTHS: dict[str, int] = {
    name: AuditEntry._meta.get_field(name).max_length  # type: ignore[union-attr,misc]
    for name in ("actor_email", "actor_role", "action", "object_type", "object_id", "patient_ref")
}


def _checked(field: str, value: str) -> str:
    value = _clean_text(value)
    limit = _MAX_LENGTHS[field]
    if len(value) > limit:
        raise ValueError(f"audit {field} longer than {limit} characters: {value[:80]!r}...")
    return value


def _check_action(action: str) -> None:
    if registry.is_registered(action):
        return
    if getattr(settings, "AUDIT_STRICT_ACTIONS", False):
        raise UnregisteredAction(
            f"audit action {action!r} is not registered: declare it in its app's "
            "audit_events.py with ketaclinic.audit.registry.register()"
        )
    # Production: a lost audit entry is worse than an unlabelled one, so it is still recorded.
    logger.warning("unregistered audit action %r recorded", action)


def _without_unchanged(before: Any, after: Any) -> tuple[Any, Any]:
    """Drop the keys whose value is the same before and after (compared as hashed).

    Only when both are objects; a key present on one side only is a change and stays.
    """
    if not isinstance(before, dict) or not isinstance(after, dict):
        return before, after
    same = {
        key
        for key in before.keys() & after.keys()
        if canonical_json(before[key]) == canonical_json(after[key])
    }
    return (
        {k: v for k, v in before.items() if k not in same},
        {k: v for k, v in after.items() if k not in same},
    )


def record(
    action: str,
    *,
    request: HttpRequest | None = None,
    by: Any = None,
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
    clinic, IP and user agent unless they are given explicitly; ``by`` (the acting
    ``Membership``, as every clinic action takes it) supplies actor, role and clinic, so an
    action called without a request (a command, the demo seed) is attributed the same way.

    The chain head row is locked (``select_for_update``) until the surrounding transaction
    ends, which serialises appends on PostgreSQL; on SQLite the IMMEDIATE transaction mode
    already holds the database's write lock from BEGIN.

    ``action`` must be registered (``ketaclinic.audit.registry``). When ``before`` and ``after``
    are both objects, keys whose value did not change are left out (an unchanged value is not a
    change); the entry itself is kept, since the action may mean something on its own.
    """
    _check_action(action)
    if not settings.AUDIT_ENABLED:
        return None
    membership = by
    if membership is None and request is not None:
        membership = getattr(request, "membership", None)
    if by is not None:
        actor = actor if actor is not None else by.user
        clinic = clinic if clinic is not None else by.clinic
    user = getattr(request, "user", None) if request is not None else None
    if actor is None and user is not None and user.is_authenticated:
        actor = user
    if clinic is None and request is not None:
        clinic = getattr(request, "clinic", None)
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
    user_agent = request.META.get("HTTP_USER_AGENT", "") if request is not None else ""
    before, after = _without_unchanged(_jsonable(before), _jsonable(after))
    entry = AuditEntry(
        actor=actor if getattr(actor, "pk", None) else None,
        actor_email=_checked("actor_email", getattr(actor, "email", "") or ""),
        actor_role=_checked("actor_role", membership.role if membership is not None else ""),
        clinic=clinic,
        action=_checked("action", action),
        object_type=_checked("object_type", object_type),
        object_id=_checked("object_id", str(object_id)),
        patient_ref=_checked("patient_ref", str(patient_ref)),
        ip_address=client_ip(request) if request is not None else "",
        user_agent=_clean_text(user_agent)[:300],
        before=before,
        after=after,
        reason=_clean_text(reason),
    )
    db = router.db_for_write(AuditEntry)
    connection = connections[db]
    head_table = connection.ops.quote_name(AuditChainHead._meta.db_table)
    # Plain SQL for the two chain-head statements: the ORM's query building was most of the
    # cost of an audit entry (see benchmarks/audit.py).
    lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
    with transaction.atomic(using=db), connection.cursor() as cursor:
        cursor.execute(f"SELECT last_hash FROM {head_table} WHERE id = %s{lock}", [HEAD_PK])  # noqa: S608
        row = cursor.fetchone()
        if row is None:
            # Normally created by migration 0002; a flushed test database lacks it.
            AuditChainHead.objects.using(db).create(pk=HEAD_PK, last_hash=GENESIS_HASH)
            row = (GENESIS_HASH,)
        # Stamped under the lock, so time order and chain (id) order agree.
        entry.created_at = timezone.now()
        entry.prev_hash = row[0]
        entry.entry_hash = content_hash(entry)
        entry.save(force_insert=True, using=db)
        cursor.execute(
            f"UPDATE {head_table} SET last_hash = %s, last_entry_id = %s WHERE id = %s",  # noqa: S608
            [entry.entry_hash, entry.pk, HEAD_PK],
        )
    return entry


def record_view(
    request: HttpRequest, obj: models.Model | None = None, section: str = "", **kw: Any
) -> None:
    """Record that a user opened a record or a section of it (not every query)."""
    action = f"view.{section}" if section else "view"
    record(action, request=request, obj=obj, **kw)
