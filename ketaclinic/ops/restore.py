"""``ketaclinic restore``: a backup back into an empty data directory or empty database.

Everything that can be checked before writing is checked first, so a bad backup leaves the
target untouched: the manifest (format; with encryption the passphrase and the manifest's
MAC), the database kind, the migrations (none newer than this code knows), and every file's
size and SHA-256; then that the target is empty. After writing: every table's row count and the
audit head equal the manifest's, an ``ops.restore`` entry is appended, and the whole chain is
verified (``audit verify``). A restored SQLite copy that fails those checks is moved aside.
"""

from __future__ import annotations

import hmac
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection, transaction

from ketaclinic.audit.log import record
from ketaclinic.audit.verify import VerifyResult, verify_chain
from ketaclinic.ops import crypto, databases, manifest
from ketaclinic.ops.manifest import Refused

KINDS = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}


@dataclass(frozen=True)
class Restored:
    backup: Path
    manifest: dict[str, Any]
    target: str
    files: int
    verify: VerifyResult


def _keys(content: dict[str, Any], passphrase: Callable[[], bytes | None]) -> crypto.Keys | None:
    encryption = content.get("encryption")
    if not encryption:
        return None
    try:
        secret = passphrase()
    except (OSError, ValueError) as exc:
        raise Refused(f"cannot read the passphrase: {exc}") from None
    if secret is None:
        raise Refused("this backup is encrypted: give its passphrase with --passphrase-file FILE")
    try:
        keys = crypto.derive(secret, encryption)
    except (ValueError, KeyError, TypeError) as exc:
        raise Refused(f"the manifest's encryption block is damaged ({exc})") from None
    if not hmac.compare_digest(keys.key_check(), str(encryption.get("key_check", ""))):
        raise Refused("wrong passphrase for this backup")
    if not hmac.compare_digest(keys.mac(manifest.canonical(content)), str(content.get("mac"))):
        raise Refused("the manifest was altered: its authentication code does not match")
    return keys


def _check_kind(content: dict[str, Any], here: str) -> str:
    vendor = str(content["database"].get("vendor"))
    if vendor != here:
        how = "DATABASE_URL" if here == "postgresql" else "no DATABASE_URL"
        raise Refused(
            f"this backup holds a {KINDS.get(vendor, vendor)} database but this ketaclinic uses "
            f"{KINDS.get(here, here)} ({how}); restore it with matching settings"
        )
    return vendor


def _check_migrations(content: dict[str, Any]) -> None:
    from django.db.migrations.loader import MigrationLoader

    loader = MigrationLoader(None, ignore_no_migrations=True)
    known: set[tuple[str, str]] = set(loader.disk_migrations)
    for migration in loader.disk_migrations.values():
        # A squashed migration stands for the ones it replaced.
        known.update((str(app), str(name)) for app, name in migration.replaces)
    unknown = [
        f"{app}.{name}"
        for app, names in sorted(content["migrations"].items())
        for name in names
        if (app, name) not in known
    ]
    if unknown:
        more = f" and {len(unknown) - 1} more" if len(unknown) > 1 else ""
        raise Refused(
            f"the backup was made by a newer ketaclinic ({content.get('ketaclinic_version')}): "
            f"migration {unknown[0]}{more} is unknown here; upgrade ketaclinic before restoring"
        )


def _check_files(backup: Path, content: dict[str, Any], encrypted: bool) -> list[dict[str, Any]]:
    files = content["files"]
    if not isinstance(files, list):
        raise Refused("the manifest is damaged: 'files' is not a list")
    suffix = manifest.ENCRYPTED_SUFFIX if encrypted else ""
    for entry in files:
        path, stored = (
            manifest.safe_path(entry.get("path")),
            manifest.safe_path(entry.get("stored")),
        )
        if str(stored) != f"{path}{suffix}":
            raise Refused(f"the manifest stores {path} as {stored}, which does not fit")
        on_disk = backup / stored
        if on_disk.is_symlink():
            raise Refused(f"{stored} is a symbolic link; a backup holds plain files only")
        if not on_disk.is_file():
            raise Refused(f"{stored} is missing from the backup")
        expected = int(entry["stored_size"])
        size = on_disk.stat().st_size
        if size < expected:
            raise Refused(f"{stored} is truncated ({size} of {expected} bytes): damaged backup")
        if size != expected:
            raise Refused(f"{stored} has {size} bytes, not {expected}: damaged backup")
        if manifest.sha256_of(on_disk)[1] != entry["stored_sha256"]:
            raise Refused(f"{stored} does not match its SHA-256 checksum: damaged backup")
    db_file = content["database"].get("file")
    if [e["path"] for e in files if not str(e["path"]).startswith("media/")] != [db_file]:
        raise Refused("the manifest must list exactly one database file, and media files")
    return files


def _unpack(backup: Path, entry: dict[str, Any], target: Path, keys: crypto.Keys | None) -> None:
    source = backup / entry["stored"]
    target.parent.mkdir(parents=True, exist_ok=True)
    if keys is not None:
        try:
            sha = crypto.decrypt_file(source, target, keys.files, entry["path"]).plain_sha256
        except crypto.DecryptionFailed as exc:
            raise Refused(f"{entry['stored']} {exc}") from None
    else:
        sha = manifest.copy_file(source, target)[1]
    if sha != entry["sha256"]:
        target.unlink(missing_ok=True)
        raise Refused(f"{entry['path']} does not match its SHA-256 checksum: damaged backup")


def _check_restored(content: dict[str, Any]) -> None:
    state = databases.live_state()
    for table, rows in sorted(content["row_counts"].items()):
        if state.row_counts.get(table) != rows:
            found = state.row_counts.get(table)
            raise Refused(f"restored table {table} has {found} rows, the manifest says {rows}")
    if state.audit != content["audit"]:
        raise Refused(f"the restored audit head {state.audit} differs from the manifest's")


@dataclass(frozen=True)
class Checked:
    content: dict[str, Any]
    keys: crypto.Keys | None
    vendor: str
    files: list[dict[str, Any]]


def check(
    backup: Path, passphrase: Callable[[], bytes | None], *, vendor: str | None = None
) -> Checked:
    """Every check that needs no target (raises ``Refused``); writes nothing.

    ``vendor`` is the database kind to restore into (default: this ketaclinic's).
    """
    content = manifest.load(backup)
    try:
        keys = _keys(content, passphrase)
        kind = _check_kind(content, vendor or connection.vendor)
        _check_migrations(content)
        files = _check_files(backup, content, keys is not None)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise Refused(f"the manifest is damaged ({exc.__class__.__name__}: {exc})") from None
    return Checked(content, keys, kind, files)


def restore(backup: Path, passphrase: Callable[[], bytes | None]) -> Restored:
    checked = check(backup, passphrase)
    content, keys, vendor, files = checked.content, checked.keys, checked.vendor, checked.files
    media_root = Path(settings.MEDIA_ROOT)
    problem = (
        databases.sqlite_target_problem(media_root)
        if vendor == "sqlite"
        else databases.postgres_target_problem(media_root)
    )
    if problem:
        raise Refused(f"restore needs an empty target, but {problem}")
    db_entry = next(e for e in files if e["path"] == content["database"]["file"])
    staging = Path(tempfile.mkdtemp(prefix=".restore-staging-", dir=settings.DATA_DIR))
    try:
        if vendor == "postgresql" and keys is None:
            plain = backup / db_entry["stored"]  # checked above; pg_restore only reads it
        else:
            plain = staging / Path(db_entry["path"]).name
            _unpack(backup, db_entry, plain, keys)
        if vendor == "sqlite":
            target = str(databases.sqlite_install(plain))
        else:
            databases.postgres_install(plain, str(content["database"].get("pg_dump_version")))
            target = f"database {connection.settings_dict['NAME']!r}"
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    restored_media: list[Path] = []
    try:
        for entry in files:
            if entry is not db_entry:
                relative = Path(*manifest.safe_path(entry["path"]).parts[1:])
                restored_media.append(media_root / relative)
                _unpack(backup, entry, restored_media[-1], keys)
        _check_restored(content)
        with transaction.atomic():
            record(
                "ops.restore",
                after={"backup": backup.name, "backup_created_at": content["created_at"]},
            )
        result = verify_chain()
        if not result.ok:
            raise Refused(f"audit chain BROKEN at entry #{result.first_bad_id}: {result.problem}")
    except (Refused, OSError) as exc:
        for path in restored_media:  # so that the target is empty for the next try
            path.unlink(missing_ok=True)
        if vendor == "sqlite":
            aside = databases.sqlite_set_aside()
            raise Refused(f"{exc} (the restored copy was moved to {aside})") from None
        raise Refused(f"{exc}; drop and recreate the database before trying again") from None
    return Restored(backup, content, target, len(files), result)
