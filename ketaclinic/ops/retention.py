"""Retention: after a successful backup, remove older backups by count or by age.

Only complete backups are candidates: directories named ``ketaclinic-backup-...`` holding a
readable manifest. Anything else in the directory is left alone, and so is the backup just made.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
from dataclasses import dataclass
from pathlib import Path

from ketaclinic.ops import manifest


@dataclass(frozen=True)
class Existing:
    path: Path
    created_at: dt.datetime


def _created_at(path: Path) -> dt.datetime | None:
    try:
        data = json.loads((path / manifest.MANIFEST).read_text(encoding="utf-8"))
        moment = dt.datetime.fromisoformat(str(data["created_at"]).replace("Z", "+00:00"))
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def existing(directory: Path) -> list[Existing]:
    """The complete backups in ``directory``, oldest first."""
    found = []
    if directory.is_dir():
        for child in directory.iterdir():
            if child.is_dir() and manifest.NAME_PATTERN.fullmatch(child.name):
                created = _created_at(child)
                if created is not None:
                    found.append(Existing(child, created))
    return sorted(found, key=lambda e: (e.created_at, e.path.name))


def prune(
    directory: Path,
    *,
    keep: int | None = None,
    keep_days: float | None = None,
    protect: Path | None = None,
    now: dt.datetime | None = None,
) -> list[Path]:
    """Remove backups beyond the newest ``keep``, or older than ``keep_days``; returns them."""
    backups = existing(directory)
    doomed: list[Existing] = []
    if keep is not None:
        if keep < 1:
            raise ValueError("keep at least one backup")
        doomed = backups[: max(0, len(backups) - keep)]
    elif keep_days is not None:
        cutoff = (now or dt.datetime.now(dt.UTC)) - dt.timedelta(days=keep_days)
        doomed = [b for b in backups if b.created_at < cutoff]
    removed = []
    for backup in doomed:
        if protect is not None and backup.path.resolve() == protect.resolve():
            continue
        shutil.rmtree(backup.path)
        removed.append(backup.path)
    return removed
