"""Audit-head anchors: the newest audit entry's hash, recorded outside the database.

``audit verify`` alone cannot see a chain whose newest rows were deleted and whose head row was
rewritten to match: what is left is a valid chain. An anchor remembers, somewhere the database
cannot change, that entry #N once had hash H. Each backup and the daily task append one line to
``ANCHOR_DIR/anchors.jsonl`` (JSON lines, append-only, fsync'd) and email it to every active
clinic admin, so copies also live in mailboxes.

Line format (one JSON object per line, keys sorted)::

    {"entries": 65, "entry_id": 65, "head_hash": "f19a...", "source": "daily",
     "time": "2026-12-01T16:57:00.123456Z"}

``source`` is ``daily`` or ``backup`` (then ``backup`` names the backup directory). An empty
chain has ``entry_id`` null and the genesis hash.

An anchor holds when the chain still has entry #N with hash H. Since every entry's hash covers
the one before it (checked by ``verify_chain``), that pins the whole chain up to #N, so the
check needs one indexed look-up per anchor, not a walk.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import connection

from ketaclinic.audit.log import GENESIS_HASH, HEAD_PK
from ketaclinic.audit.models import AuditChainHead, AuditEntry

logger = logging.getLogger(__name__)

FILE_NAME = "anchors.jsonl"
_LOOKUP_CHUNK = 500


@dataclass(frozen=True)
class Anchor:
    time: str
    entries: int
    entry_id: int | None
    head_hash: str
    source: str
    backup: str = ""

    def line(self) -> str:
        data = {k: v for k, v in asdict(self).items() if k != "backup" or v}
        return json.dumps(data, sort_keys=True)

    def label(self, line_no: int) -> str:
        entry = f"entry #{self.entry_id}" if self.entry_id is not None else "empty chain"
        return f"anchor line {line_no} ({self.time}, {entry}, head {self.head_hash})"

    @classmethod
    def parse(cls, text: str) -> Anchor:
        data = json.loads(text)
        if not isinstance(data, dict):
            raise ValueError("not a JSON object")
        entry_id = data.get("entry_id")
        anchor = cls(
            time=str(data["time"]),
            entries=int(data["entries"]),
            entry_id=None if entry_id is None else int(entry_id),
            head_hash=str(data["head_hash"]),
            source=str(data.get("source", "")),
            backup=str(data.get("backup", "")),
        )
        if len(anchor.head_hash) != 64 or (anchor.entry_id is None) != (anchor.entries == 0):
            raise ValueError("inconsistent fields")
        return anchor


def utc_now_text(now: dt.datetime | None = None) -> str:
    moment = (now or dt.datetime.now(dt.UTC)).astimezone(dt.UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def anchors_path(directory: Path | None = None) -> Path:
    return Path(directory if directory is not None else settings.ANCHOR_DIR) / FILE_NAME


def current_head(source: str, now: dt.datetime | None = None) -> Anchor:
    """The live chain's head and entry count, read in one statement (one snapshot)."""
    head = connection.ops.quote_name(AuditChainHead._meta.db_table)
    entries = connection.ops.quote_name(AuditEntry._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT h.last_hash, h.last_entry_id, "  # noqa: S608 - constant table names
            f"(SELECT count(*) FROM {entries} e WHERE e.id <= h.last_entry_id) "
            f"FROM {head} h WHERE h.id = %s",
            [HEAD_PK],
        )
        row = cursor.fetchone()
    if row is None or row[1] is None:
        return Anchor(utc_now_text(now), 0, None, GENESIS_HASH, source)
    return Anchor(utc_now_text(now), int(row[2]), int(row[1]), str(row[0]), source)


def append(anchor: Anchor, path: Path | None = None) -> Path:
    """Append one line and flush it to disk (O_APPEND: concurrent writers never interleave)."""
    target = path if path is not None else anchors_path()
    target.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(target, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        os.write(fd, (anchor.line() + "\n").encode())
        os.fsync(fd)
    finally:
        os.close(fd)
    return target


def read(path: Path) -> list[tuple[int, Anchor | str]]:
    """Every non-blank line: its number and the anchor, or why it is not one."""
    lines: list[tuple[int, Anchor | str]] = []
    with path.open(encoding="utf-8", errors="replace") as handle:
        for number, text in enumerate(handle, start=1):
            if not text.strip():
                continue
            try:
                lines.append((number, Anchor.parse(text)))
            except (ValueError, KeyError, TypeError) as exc:
                lines.append((number, f"{exc.__class__.__name__}: {exc}"))
    return lines


def check(path: Path) -> list[str]:
    """One message per anchor the chain in the database contradicts (empty: all hold).

    Assumes ``verify_chain`` passed; an unreadable file is itself a problem.
    """
    try:
        lines = read(path)
    except OSError as exc:
        return [f"cannot read the anchors file {path}: {exc.strerror}"]
    problems: list[str] = []
    anchored: list[tuple[int, Anchor]] = []
    for number, item in lines:
        if isinstance(item, str):
            problems.append(f"anchor line {number} is not a valid anchor ({item}): edited?")
        elif item.entry_id is None:
            if item.head_hash != GENESIS_HASH:
                problems.append(f"{item.label(number)}: an empty chain has the genesis hash")
        else:
            anchored.append((number, item))
    ids = sorted({a.entry_id for _, a in anchored if a.entry_id is not None})
    found: dict[int, str] = {}
    for start in range(0, len(ids), _LOOKUP_CHUNK):
        chunk = ids[start : start + _LOOKUP_CHUNK]
        found.update(AuditEntry.objects.filter(pk__in=chunk).values_list("pk", "entry_hash"))
    last = AuditEntry.objects.order_by("-pk").values_list("pk", flat=True).first()
    for number, anchor in anchored:
        assert anchor.entry_id is not None
        stored = found.get(anchor.entry_id)
        if stored is None and (last is None or last < anchor.entry_id):
            ends = f"ends at entry #{last}" if last is not None else "is empty"
            problems.append(
                f"{anchor.label(number)}: the chain {ends}, before the anchored entry: "
                "entries were removed"
            )
        elif stored is None:
            problems.append(
                f"{anchor.label(number)}: entry #{anchor.entry_id} is missing: it was removed"
            )
        elif stored != anchor.head_hash:
            problems.append(
                f"{anchor.label(number)}: entry #{anchor.entry_id} now has hash {stored}: "
                "the chain was rewritten"
            )
    return problems


def admin_addresses() -> list[str]:
    """Every active clinic admin's address, once (the chain is shared by all clinics)."""
    from ketaclinic.accounts.models import Membership, Role

    rows = Membership.objects.filter(
        role=Role.CLINIC_ADMIN, is_active=True, user__is_active=True
    ).values_list("user__email", flat=True)
    seen: dict[str, str] = {}
    for address in rows:
        if address:
            seen.setdefault(address.lower(), address)
    return sorted(seen.values())


def _mail(subject: str, body: str) -> int:
    to = admin_addresses()
    if not to:
        logger.warning("No active clinic admin to email: %s", subject)
        return 0
    try:
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, to)
    except Exception:  # noqa: BLE001 - the anchor is already on disk; mail is the second copy
        logger.exception("Could not email the clinic admins: %s", subject)
        return 0
    return len(to)


def email_anchor(anchor: Anchor, path: Path) -> int:
    """Plain text to the clinic admins: numbers and hashes only, no patient data."""
    entry = f"#{anchor.entry_id}" if anchor.entry_id is not None else "none (empty)"
    recorded_by = f"backup {anchor.backup}" if anchor.backup else "the daily check"
    body = (
        "ketaclinic recorded the newest entry of its audit trail outside the database.\n\n"
        f"Time:         {anchor.time}\n"
        f"Entries:      {anchor.entries}\n"
        f"Newest entry: {entry}\n"
        f"Head hash:    {anchor.head_hash}\n"
        f"Recorded by:  {recorded_by}\n"
        f"Anchors file: {path}\n\n"
        "Keep this email. Anyone who deletes or rewrites audit entries up to this one changes\n"
        "this hash; `ketaclinic audit verify --anchors FILE` checks the trail against every\n"
        "recorded anchor.\n"
    )
    return _mail(f"ketaclinic audit anchor: entry {entry}", body)


def email_alarm(problems: list[str]) -> int:
    body = (
        "ketaclinic's daily check of the audit trail FAILED. No new anchor was recorded.\n\n"
        + "\n".join(problems)
        + "\n\nThe audit trail may have been altered. Keep the anchors file and these emails, "
        "and compare with your backups (`ketaclinic audit verify --anchors FILE`).\n"
    )
    return _mail("ketaclinic: AUDIT TRAIL CHECK FAILED", body)


def record(anchor: Anchor, path: Path | None = None) -> dict[str, Any]:
    """Append ``anchor`` to the anchors file and email it; returns what was done."""
    written = append(anchor, path)
    emailed = email_anchor(anchor, written)
    return {"anchor": json.loads(anchor.line()), "file": str(written), "emailed": emailed}
