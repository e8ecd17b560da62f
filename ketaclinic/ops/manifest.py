"""The backup manifest (``manifest.json``) and the file helpers backup and restore share.

A backup is a directory ``ketaclinic-backup-YYYYMMDDTHHMMSSZ`` holding::

    manifest.json
    database/ketaclinic.sqlite3      (SQLite: a copy made with the online backup API)
    database/ketaclinic.pgdump       (PostgreSQL: pg_dump --format=custom)
    media/...                        (the uploaded files, MEDIA_ROOT)

and, when encrypted, the same files with ``.enc`` appended. The manifest (JSON, keys sorted)::

    format              "ketaclinic-backup/1"
    created_at          UTC time of the database snapshot
    ketaclinic_version  the version that made it
    database            {"vendor": "sqlite"|"postgresql", "file": ..., versions (PostgreSQL)}
    migrations          {app label: [applied migration names, in order]}
    row_counts          {table: rows}, counted inside the same snapshot
    audit               {"entries": n, "last_entry_id": id|null, "head_hash": hex}
    files               [{"path", "stored", "size", "sha256", "stored_size", "stored_sha256"}]
                        (path/size/sha256: the plain file; stored*: what is on disk)
    secret_key_included false: the secret key is never in a backup
    encryption          null, or the scheme, scrypt salt and parameters and a key check
    mac                 (encrypted only) HMAC-SHA256 of the canonical JSON without "mac"

A backup is written under a hidden ``.partial`` name and renamed when complete, so a backup
directory with a manifest is always whole.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
from pathlib import Path, PurePosixPath
from typing import Any

FORMAT = "ketaclinic-backup/1"
MANIFEST = "manifest.json"
PREFIX = "ketaclinic-backup-"
NAME_PATTERN = re.compile(r"ketaclinic-backup-\d{8}T\d{6}Z(-\d+)?")
ENCRYPTED_SUFFIX = ".enc"
_CHUNK = 1 << 20


class Refused(Exception):
    """A backup or restore that must not go ahead; the message is one line for the admin."""


def canonical(manifest: dict[str, Any]) -> bytes:
    """The bytes the manifest's MAC covers: sorted keys, no spaces, ASCII, no "mac"."""
    body = {k: v for k, v in manifest.items() if k != "mac"}
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode()


def write(directory: Path, manifest: dict[str, Any]) -> Path:
    path = directory / MANIFEST
    with path.open("x", encoding="utf-8") as handle:
        json.dump(manifest, handle, indent=2, sort_keys=True)
        handle.write("\n")
        handle.flush()
        os.fsync(handle.fileno())
    return path


def load(directory: Path) -> dict[str, Any]:
    path = directory / MANIFEST
    if not directory.is_dir():
        raise Refused(f"{directory} is not a directory")
    if not path.is_file():
        raise Refused(f"{directory} is not a ketaclinic backup: it has no {MANIFEST}")
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise Refused(f"the manifest is damaged (not valid JSON: {exc})") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        found = manifest.get("format") if isinstance(manifest, dict) else None
        raise Refused(f"unknown backup format {found!r} (this ketaclinic reads {FORMAT!r})")
    for key in ("created_at", "database", "migrations", "row_counts", "audit", "files"):
        if key not in manifest:
            raise Refused(f"the manifest is damaged: it has no {key!r}")
    return manifest


def safe_path(text: object) -> PurePosixPath:
    """A file path from a manifest, refused unless it stays inside the backup."""
    path = PurePosixPath(str(text))
    if (
        not isinstance(text, str)
        or path.is_absolute()
        or ".." in path.parts
        or not path.parts
        or path.parts[0] not in ("database", "media")
    ):
        raise Refused(f"the manifest names an unsafe file path {text!r}")
    return path


def sha256_of(path: Path) -> tuple[int, str]:
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return size, digest.hexdigest()


def copy_file(source: Path, target: Path) -> tuple[int, str]:
    """Copy, hashing on the way, and flush to disk; ``target`` must not exist."""
    digest = hashlib.sha256()
    size = 0
    with source.open("rb") as reader, target.open("xb") as writer:
        while chunk := reader.read(_CHUNK):
            digest.update(chunk)
            size += len(chunk)
            writer.write(chunk)
        writer.flush()
        os.fsync(writer.fileno())
    shutil.copystat(source, target)
    return size, digest.hexdigest()


def media_files(media_root: Path) -> list[tuple[str, Path]]:
    """Every regular file under ``media_root`` as (posix path in the backup, file); symlinks
    are not followed (an upload is never a link)."""
    if not media_root.is_dir():
        return []
    found = []
    for directory, subdirs, names in os.walk(media_root):
        subdirs.sort()
        for name in sorted(names):
            path = Path(directory) / name
            if path.is_file() and not path.is_symlink():
                relative = path.relative_to(media_root).as_posix()
                found.append((f"media/{relative}", path))
    return found
