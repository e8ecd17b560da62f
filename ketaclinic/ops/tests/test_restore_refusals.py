"""A restore refuses damaged, tampered and mismatched backups with one clear line, and a whole
backup restores.

One small SQLite clinic (with an uploaded logo) is backed up by the real command line twice per
test module, plainly and encrypted; each test damages its own copy. Each refusal's message is
checked on ``restore.check`` (every check that needs no target; it writes nothing), and the
command line's one-line refusal, exit code and untouched target on a few of them.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from ketaclinic.ops import restore
from ketaclinic.ops.manifest import Refused
from ketaclinic.ops.tests.helpers import ketaclinic, only_backup

PASSPHRASE = "a long enough backup passphrase"
DATABASE = "database/ketaclinic.sqlite3"


@dataclass(frozen=True)
class Backups:
    source: Path
    plain: Path
    encrypted: Path
    passphrase_file: Path


@pytest.fixture(scope="module")
def backups(tmp_path_factory: pytest.TempPathFactory, _sqlite_template: Path) -> Backups:
    root = tmp_path_factory.mktemp("backups")
    source = Path(shutil.copytree(_sqlite_template, root / "source"))
    passphrase_file = root / "passphrase"
    passphrase_file.write_text(PASSPHRASE + "\n")
    plain = ketaclinic(source, "backup", "--to", str(root / "plain"))
    assert plain.returncode == 0, plain.stderr
    encrypted = ketaclinic(
        source, "backup", "--to", str(root / "enc"), "--passphrase-file", str(passphrase_file)
    )
    assert encrypted.returncode == 0, encrypted.stderr
    return Backups(source, only_backup(root / "plain"), only_backup(root / "enc"), passphrase_file)


def _copy(backup: Path, tmp_path: Path) -> Path:
    return Path(shutil.copytree(backup, tmp_path / backup.name))


def _given(secret: str | None) -> Callable[[], bytes | None]:
    return lambda: None if secret is None else secret.encode()


def _check_refuses(backup: Path, message: str, secret: str | None = None, **kw: str) -> None:
    with pytest.raises(Refused) as refused:
        restore.check(backup, _given(secret), vendor=kw.get("vendor", "sqlite"))
    assert str(refused.value) == message


def _cli_refuses(result: subprocess.CompletedProcess[str], message: str, target: Path) -> None:
    assert result.returncode == 1, result.stdout + result.stderr
    assert result.stderr.strip() == f"ketaclinic restore: refused: {message}"
    assert not (target / "ketaclinic.sqlite3").exists()
    assert not (target / "media").exists()


def _manifest(backup: Path) -> dict:
    return json.loads((backup / "manifest.json").read_text())


def _rewrite_manifest(backup: Path, content: dict) -> None:
    (backup / "manifest.json").write_text(json.dumps(content, indent=2))


def _flip_byte(path: Path, offset: int) -> bytes:
    data = bytearray(path.read_bytes())
    data[offset] ^= 0x01
    path.write_bytes(bytes(data))
    return bytes(data)


def test_an_encrypted_backup_restores_whole_with_its_passphrase(
    backups: Backups, tmp_path: Path
) -> None:
    target = tmp_path / "target"
    result = ketaclinic(
        target, "restore", str(backups.encrypted), "--passphrase-file", str(backups.passphrase_file)
    )
    assert result.returncode == 0, result.stderr
    assert "2 files checked" in result.stdout and "audit chain OK" in result.stdout
    logo = Path("media/clinic-logos/logo.png")
    assert (target / logo).read_bytes() == (backups.source / logo).read_bytes()
    # The secret key is in neither backup; the encrypted one shows no plaintext.
    secret = (backups.source / "secret_key").read_bytes()
    for path in [*backups.plain.rglob("*"), *backups.encrypted.rglob("*")]:
        if path.is_file():
            assert secret not in path.read_bytes()
    sealed = (backups.encrypted / f"{DATABASE}.enc").read_bytes()
    assert b"SQLite format" not in sealed and b"Backup Test Clinic" not in sealed
    assert b"Backup Test Clinic" in (backups.plain / DATABASE).read_bytes()


def test_a_truncated_file_is_refused(backups: Backups, tmp_path: Path) -> None:
    backup = _copy(backups.plain, tmp_path)
    size = (backup / DATABASE).stat().st_size
    with (backup / DATABASE).open("r+b") as handle:
        handle.truncate(size - 4096)
    message = f"{DATABASE} is truncated ({size - 4096} of {size} bytes): damaged backup"
    _check_refuses(backup, message)
    target = tmp_path / "target"
    _cli_refuses(ketaclinic(target, "restore", str(backup)), message, target)


def test_a_flipped_byte_is_refused(backups: Backups, tmp_path: Path) -> None:
    backup = _copy(backups.plain, tmp_path)
    _flip_byte(backup / DATABASE, (backup / DATABASE).stat().st_size // 2)
    _check_refuses(backup, f"{DATABASE} does not match its SHA-256 checksum: damaged backup")


def test_an_encrypted_file_altered_together_with_its_checksum_is_refused(
    backups: Backups, tmp_path: Path
) -> None:
    backup = _copy(backups.encrypted, tmp_path)
    stored = "media/clinic-logos/logo.png.enc"
    altered = _flip_byte(backup / stored, 40)
    content = _manifest(backup)
    for entry in content["files"]:
        if entry["stored"] == stored:
            entry["stored_sha256"] = hashlib.sha256(altered).hexdigest()
    _rewrite_manifest(backup, content)
    message = "the manifest was altered: its authentication code does not match"
    _check_refuses(backup, message, PASSPHRASE)


def test_a_wrong_or_missing_passphrase_is_refused(backups: Backups) -> None:
    _check_refuses(backups.encrypted, "wrong passphrase for this backup", "not the passphrase")
    _check_refuses(
        backups.encrypted,
        "this backup is encrypted: give its passphrase with --passphrase-file FILE",
    )


def test_a_backup_from_a_future_migration_is_refused(backups: Backups, tmp_path: Path) -> None:
    backup = _copy(backups.plain, tmp_path)
    content = _manifest(backup)
    content["migrations"]["inquiries"].append("9999_from_the_future")
    _rewrite_manifest(backup, content)
    _check_refuses(
        backup,
        "the backup was made by a newer ketaclinic (0.1.0): migration "
        "inquiries.9999_from_the_future is unknown here; upgrade ketaclinic before restoring",
    )


def test_a_manifest_naming_a_path_outside_the_backup_is_refused(
    backups: Backups, tmp_path: Path
) -> None:
    backup = _copy(backups.plain, tmp_path)
    content = _manifest(backup)
    content["files"][-1]["path"] = content["files"][-1]["stored"] = "media/../../secret_key"
    _rewrite_manifest(backup, content)
    _check_refuses(backup, "the manifest names an unsafe file path 'media/../../secret_key'")


def test_a_backup_of_the_other_database_kind_is_refused(backups: Backups, tmp_path: Path) -> None:
    message = (
        "this backup holds a SQLite database but this ketaclinic uses PostgreSQL "
        "(DATABASE_URL); restore it with matching settings"
    )
    _check_refuses(backups.plain, message, vendor="postgresql")
    # The command refuses before connecting anywhere: nothing listens on port 1.
    nowhere = "postgres://postgres@127.0.0.1:1/kc_nowhere"
    target = tmp_path / "target"
    result = ketaclinic(target, "restore", str(backups.plain), database_url=nowhere)
    _cli_refuses(result, message, target)


def test_a_target_that_holds_a_database_is_refused(backups: Backups, tmp_path: Path) -> None:
    target = tmp_path / "target"
    target.mkdir()
    (target / "ketaclinic.sqlite3").write_bytes(b"a clinic's live data")
    result = ketaclinic(target, "restore", str(backups.plain))
    assert result.returncode == 1
    assert result.stderr.strip() == (
        f"ketaclinic restore: refused: restore needs an empty target, but {target} already "
        "holds a database (ketaclinic.sqlite3)"
    )
    assert (target / "ketaclinic.sqlite3").read_bytes() == b"a clinic's live data"


def test_a_manifest_missing_a_field_or_not_json_is_refused(
    backups: Backups, tmp_path: Path
) -> None:
    backup = _copy(backups.plain, tmp_path)
    content = _manifest(backup)
    del content["files"][0]["stored_sha256"]
    _rewrite_manifest(backup, content)
    _check_refuses(backup, "the manifest is damaged (KeyError: 'stored_sha256')")
    (backup / "manifest.json").write_text('{"format": "ketaclinic-backup/1", ')
    with pytest.raises(Refused, match=r"^the manifest is damaged \(not valid JSON"):
        restore.check(backup, _given(None), vendor="sqlite")
