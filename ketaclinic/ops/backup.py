"""``ketaclinic backup``: a consistent copy of the running clinic (see ``manifest`` for the
layout), optionally encrypted (see ``crypto``), anchored outside the database (``anchors``).

The secret key is never copied: with it, a stolen backup would also forge sessions and
password-reset links. Keep it apart from the backups.
"""

from __future__ import annotations

import datetime as dt
import importlib.metadata
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection, transaction

from ketaclinic.audit.log import record
from ketaclinic.ops import anchors, crypto, databases, manifest
from ketaclinic.ops.manifest import Refused

DB_FILES = {"sqlite": "ketaclinic.sqlite3", "postgresql": "ketaclinic.pgdump"}


@dataclass(frozen=True)
class Result:
    path: Path
    manifest: dict[str, Any]
    anchor_file: Path
    emailed: int

    @property
    def size_bytes(self) -> int:
        return sum(int(f["stored_size"]) for f in self.manifest["files"])


def ketaclinic_version() -> str:
    try:
        return importlib.metadata.version("ketaclinic")
    except importlib.metadata.PackageNotFoundError:
        return "unknown"


def _new_name(parent: Path, now: dt.datetime) -> str:
    base = manifest.PREFIX + now.strftime("%Y%m%dT%H%M%SZ")
    name, n = base, 1
    while (parent / name).exists() or (parent / f".{name}.partial").exists():
        n += 1
        name = f"{base}-{n}"
    return name


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class _Store:
    """Puts plain files into the backup directory, sealed when there are keys."""

    def __init__(self, root: Path, keys: crypto.Keys | None) -> None:
        self.root = root
        self.keys = keys
        self.files: list[dict[str, Any]] = []

    def add(self, plain: Path, relative: str) -> None:
        stored_rel = relative + (manifest.ENCRYPTED_SUFFIX if self.keys else "")
        target = self.root / stored_rel
        target.parent.mkdir(parents=True, exist_ok=True)
        if self.keys is not None:
            sealed = crypto.encrypt_file(plain, target, self.keys.files, relative)
            size, sha = sealed.plain_size, sealed.plain_sha256
            stored_size, stored_sha = manifest.sha256_of(target)
        else:
            if plain != target:
                manifest.copy_file(plain, target)
            size, sha = manifest.sha256_of(target)
            stored_size, stored_sha = size, sha
        self.files.append(
            {
                "path": relative,
                "stored": stored_rel,
                "size": size,
                "sha256": sha,
                "stored_size": stored_size,
                "stored_sha256": stored_sha,
            }
        )


def create(to: Path, passphrase: bytes | None = None) -> Result:
    """Write one backup into a new directory under ``to`` and anchor its audit head."""
    vendor = connection.vendor
    if vendor not in DB_FILES:
        raise Refused(f"backups support SQLite and PostgreSQL, not {vendor}")
    to.mkdir(parents=True, exist_ok=True)
    started = dt.datetime.now(dt.UTC)
    name = _new_name(to, started)
    partial = to / f".{name}.partial"
    partial.mkdir()
    staging: Path | None = None
    keys: crypto.Keys | None = None
    try:
        encryption = crypto.new_parameters() if passphrase is not None else None
        if passphrase is not None and encryption is not None:
            keys = crypto.derive(passphrase, encryption)
        with transaction.atomic():
            # Inside the backup, like any other export of the records.
            record("ops.backup", after={"backup": name, "encrypted": keys is not None})
        if keys is not None:
            # Plaintext never touches the backup disk: it is staged beside the live database.
            staging = Path(tempfile.mkdtemp(prefix=".backup-staging-", dir=settings.DATA_DIR))
        else:
            staging = partial / "database"
            staging.mkdir()
        db_file = staging / DB_FILES[vendor]
        created_at = anchors.utc_now_text()
        database: dict[str, Any] = {"vendor": vendor, "file": f"database/{db_file.name}"}
        if vendor == "sqlite":
            state = databases.sqlite_snapshot(db_file)
        else:
            state, versions = databases.postgres_snapshot(db_file)
            database.update(versions)
        store = _Store(partial, keys)
        store.add(db_file, database["file"])
        for relative, path in manifest.media_files(Path(settings.MEDIA_ROOT)):
            store.add(path, relative)
        content: dict[str, Any] = {
            "format": manifest.FORMAT,
            "created_at": created_at,
            "ketaclinic_version": ketaclinic_version(),
            "database": database,
            "migrations": state.migrations,
            "row_counts": state.row_counts,
            "audit": state.audit,
            "files": store.files,
            "secret_key_included": False,
            "encryption": None,
        }
        if keys is not None and encryption is not None:
            content["encryption"] = {**encryption, "key_check": keys.key_check()}
            content["mac"] = keys.mac(manifest.canonical(content))
        manifest.write(partial, content)
        _fsync_dir(partial)
        final = to / name
        os.replace(partial, final)
        _fsync_dir(to)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    finally:
        if staging is not None and keys is not None:
            shutil.rmtree(staging, ignore_errors=True)
    audit = state.audit
    anchor = anchors.Anchor(
        time=created_at,
        entries=int(audit["entries"]),
        entry_id=audit["last_entry_id"],
        head_hash=str(audit["head_hash"]),
        source="backup",
        backup=name,
    )
    try:
        anchor_file = anchors.append(anchor)
    except OSError as exc:
        raise Refused(
            f"the backup {final} was written, but its anchor could not be recorded in "
            f"{anchors.anchors_path()}: {exc.strerror}"
        ) from None
    emailed = anchors.email_anchor(anchor, anchor_file)
    return Result(final, content, anchor_file, emailed)
