"""Strict parsers for settings read from the environment (the healthchecks habit)."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured


def envbool(name: str, default: bool) -> bool:
    """Read a boolean: only 1/0/true/false (any case) are accepted."""
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    value = raw.strip().lower()
    if value in ("1", "true", "yes"):
        return True
    if value in ("0", "false", "no"):
        return False
    raise ImproperlyConfigured(f"{name} must be 1/0/true/false, not {raw!r}")


def envint(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be an integer, not {raw!r}") from exc


def envlist(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def data_dir() -> Path:
    """The directory holding the embedded database, the secret key and mail files.

    ``KETACLINIC_DATA_DIR`` overrides the per-user default from platformdirs. A directory
    created here is private (0700; ``ketaclinic``'s umask keeps its files 0600); one that
    exists is left as its owner set it.
    """
    raw = os.environ.get("KETACLINIC_DATA_DIR")
    if raw:
        path = Path(raw).expanduser()
    else:
        from platformdirs import user_data_dir

        path = Path(user_data_dir("ketaclinic", appauthor=False))
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    return path.resolve()


def secret_key(directory: Path) -> str:
    """Return the secret key kept in the data directory, creating it on first run."""
    from_env = os.environ.get("KETACLINIC_SECRET_KEY")
    if from_env:
        return from_env
    path = directory / "secret_key"
    if not path.exists():
        key = secrets.token_urlsafe(64)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another process created it first
            return path.read_text().strip()
        with os.fdopen(fd, "w") as handle:
            handle.write(key)
    return path.read_text().strip()
