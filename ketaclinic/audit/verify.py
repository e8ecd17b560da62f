"""Checking the audit chain: ``ketaclinic audit verify``.

Walks every entry in id order (in chunks, so memory stays bounded however long the trail),
recomputes each entry's hash from the stored row, checks that each ``prev_hash`` is the hash of
the entry before it, and finally that the chain head points at the last entry. Reports the
first entry where any of this fails.

What it can and cannot see: an edited row (its hash no longer matches), a removed row (the next
entry's ``prev_hash`` points at nothing), an edited hash (the next entry's link breaks), and a
removed tail (the head still names the old last entry). Someone able to rewrite the table, its
hashes *and* the head together could forge a consistent chain; recording the head hash printed by
this command somewhere outside the database closes that gap.
"""

from __future__ import annotations

from dataclasses import dataclass

from ketaclinic.audit.log import GENESIS_HASH, HEAD_PK, content_hash
from ketaclinic.audit.models import AuditChainHead, AuditEntry

CHUNK = 2000


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    checked: int
    first_bad_id: int | None = None
    problem: str = ""
    head_hash: str = GENESIS_HASH


def _broken(checked: int, entry_id: int | None, problem: str) -> VerifyResult:
    return VerifyResult(ok=False, checked=checked, first_bad_id=entry_id, problem=problem)


def verify_chain(chunk: int = CHUNK) -> VerifyResult:
    """Check the whole chain; the result names the first broken entry, if any."""
    checked = 0
    last_id: int | None = None
    expected_prev = GENESIS_HASH
    while True:
        rows = AuditEntry.objects.order_by("id")
        if last_id is not None:
            rows = rows.filter(id__gt=last_id)
        batch = list(rows[:chunk])
        for entry in batch:
            if entry.prev_hash != expected_prev:
                before = f"entry #{last_id}" if last_id is not None else "the start of the chain"
                return _broken(
                    checked,
                    entry.pk,
                    f"prev_hash does not match {before}: an entry in between was removed, "
                    "or an earlier hash was changed",
                )
            if content_hash(entry) != entry.entry_hash:
                return _broken(checked, entry.pk, "content does not match its hash (altered)")
            checked += 1
            expected_prev = entry.entry_hash
            last_id = entry.pk
        if batch:
            continue
        head = AuditChainHead.objects.filter(pk=HEAD_PK).first()
        head_id = head.last_entry_id if head is not None else None
        if head_id is not None and (last_id is None or head_id > last_id):
            # Entries were appended while we walked; check those too. (If the head names an
            # entry that does not exist, the next pass finds nothing new and reports it.)
            if AuditEntry.objects.filter(id__gt=last_id or 0).exists():
                continue
        head_hash = head.last_hash if head is not None else GENESIS_HASH
        if head_hash != expected_prev or head_id != last_id:
            return _broken(
                checked,
                last_id if last_id is not None else head_id,
                f"the chain head names entry #{head_id} but the last entry is #{last_id}: "
                "entries at the end were removed, or the head was changed",
            )
        return VerifyResult(ok=True, checked=checked, head_hash=expected_prev)
