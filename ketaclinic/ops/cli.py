"""The operations commands of ``ketaclinic`` (wired into ``ketaclinic/cli.py``)::

    ketaclinic backup [--to DIR] [--passphrase-file FILE | --encrypt] [--keep N | --keep-days D]
    ketaclinic restore DIR [--passphrase-file FILE]
    ketaclinic worker [--interval SECONDS] [--once]
    ketaclinic audit verify --anchors FILE      (the anchors part; see check_anchors)

Refusals are one line on stderr and exit 1; bad arguments exit 2.
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
import time
from pathlib import Path


def _setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ketaclinic.settings")
    import django

    django.setup()


def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be 1 or more")
    return value


def _positive_float(text: str) -> float:
    value = float(text)
    if not value > 0:
        raise argparse.ArgumentTypeError("must be more than 0")
    return value


def read_passphrase_file(path: Path) -> bytes:
    secret = path.read_bytes().rstrip(b"\r\n")
    if not secret:
        raise ValueError(f"the passphrase file {path} is empty")
    return secret


def _new_passphrase(args: argparse.Namespace) -> bytes | None:
    from ketaclinic.ops.crypto import MIN_PASSPHRASE_CHARS

    if args.passphrase_file is not None:
        secret = read_passphrase_file(args.passphrase_file)
    elif args.encrypt:
        first = getpass.getpass("Backup passphrase: ")
        if getpass.getpass("The same passphrase again: ") != first:
            raise ValueError("the two passphrases differ")
        secret = first.encode()
    else:
        return None
    if len(secret.decode(errors="replace")) < MIN_PASSPHRASE_CHARS:
        raise ValueError(f"use a passphrase of at least {MIN_PASSPHRASE_CHARS} characters")
    return secret


def _megabytes(n: int) -> str:
    return f"{n / 1_000_000:.1f} MB"


def cmd_backup(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="ketaclinic backup")
    parser.add_argument("--to", type=Path, help="parent directory (default KETACLINIC_BACKUP_DIR)")
    secret = parser.add_mutually_exclusive_group()
    secret.add_argument("--passphrase-file", type=Path, help="encrypt with the passphrase in FILE")
    secret.add_argument("--encrypt", action="store_true", help="encrypt; ask for a passphrase")
    keep = parser.add_mutually_exclusive_group()
    keep.add_argument("--keep", type=_positive_int, help="then keep only the newest N backups")
    keep.add_argument("--keep-days", type=_positive_float, help="then remove backups older")
    args = parser.parse_args(argv)
    try:
        passphrase = _new_passphrase(args)
    except (OSError, ValueError) as exc:
        print(f"ketaclinic backup: {exc}", file=sys.stderr)
        return 2
    _setup_django()
    from django.conf import settings

    from ketaclinic.ops import backup, retention
    from ketaclinic.ops.manifest import Refused

    to = (args.to or Path(settings.BACKUP_DIR)).expanduser().resolve()
    started = time.monotonic()
    try:
        result = backup.create(to, passphrase)
    except Refused as exc:
        print(f"ketaclinic backup: refused: {exc}", file=sys.stderr)
        return 1
    took_s = time.monotonic() - started
    audit = result.manifest["audit"]
    kind = "encrypted" if passphrase is not None else "not encrypted"
    print(
        f"backup written: {result.path} ({kind}; {len(result.manifest['files'])} file(s), "
        f"{_megabytes(result.size_bytes)}; {took_s:.2f} s)"
    )
    print(
        f"audit head: entry #{audit['last_entry_id']} ({audit['entries']} entries), hash "
        f"{audit['head_hash']}; anchored in {result.anchor_file}, emailed to "
        f"{result.emailed} clinic admin(s)"
    )
    print(f"the secret key is not in the backup: keep {settings.DATA_DIR / 'secret_key'} apart")
    removed = retention.prune(to, keep=args.keep, keep_days=args.keep_days, protect=result.path)
    for path in removed:
        print(f"removed old backup {path.name}")
    return 0


def _secret_key_note() -> str:
    from ketaclinic.lib.env import data_dir

    if os.environ.get("KETACLINIC_SECRET_KEY") or (data_dir() / "secret_key").exists():
        return ""
    return (
        f"note: {data_dir() / 'secret_key'} was just created: put the clinic's kept secret key "
        "there before serving, or everyone signs in again and open invitation links stop working"
    )


def cmd_restore(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="ketaclinic restore")
    parser.add_argument("backup", type=Path, help="the backup directory")
    parser.add_argument("--passphrase-file", type=Path, help="for an encrypted backup")
    args = parser.parse_args(argv)
    note = _secret_key_note()  # before Django's settings create a key
    _setup_django()
    from ketaclinic.ops.manifest import Refused
    from ketaclinic.ops.restore import restore

    def passphrase() -> bytes | None:
        if args.passphrase_file is not None:
            return read_passphrase_file(args.passphrase_file)
        if sys.stdin.isatty():
            return getpass.getpass("Backup passphrase: ").encode()
        return None

    started = time.monotonic()
    try:
        restored = restore(args.backup.expanduser().resolve(), passphrase)
    except (Refused, OSError, ValueError) as exc:
        print(f"ketaclinic restore: refused: {exc}", file=sys.stderr)
        return 1
    took_s = time.monotonic() - started
    content = restored.manifest
    tables = len(content["row_counts"])
    rows = sum(content["row_counts"].values())
    print(
        f"restored {restored.backup.name} (made {content['created_at']} by ketaclinic "
        f"{content['ketaclinic_version']}) into {restored.target} ({took_s:.2f} s)"
    )
    files = f"{restored.files} file{'s' if restored.files != 1 else ''}"
    print(f"{files} checked; {rows} rows in {tables} tables match the manifest")
    print(
        f"audit chain OK: {restored.verify.checked} entries verified; "
        f"head {restored.verify.head_hash}"
    )
    if note:
        print(note)
    return 0


def cmd_worker(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="ketaclinic worker")
    parser.add_argument("--interval", type=_positive_float, default=1.0, help="seconds idle")
    parser.add_argument("--once", action="store_true", help="schedule and run what is due, exit")
    args = parser.parse_args(argv)
    _setup_django()
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    from ketaclinic.ops import worker

    problem = worker.database_backend_problem()
    executor = MigrationExecutor(connection)
    if not problem and executor.migration_plan(executor.loader.graph.leaf_nodes()):
        problem = "the database is not migrated: run `ketaclinic manage migrate` first"
    if problem:
        print(f"ketaclinic worker: {problem}", file=sys.stderr)
        return 1
    return worker.run(interval_s=args.interval, once=args.once)


def check_anchors(path: Path) -> int:
    """After a passing ``verify_chain``: check the chain against every anchor in ``path``."""
    from ketaclinic.ops import anchors

    if not path.is_file():
        print(f"audit anchors: no anchors file at {path}", file=sys.stderr)
        return 1
    problems = anchors.check(path)
    if problems:
        for problem in problems:
            print(f"audit chain CONTRADICTS {problem}", file=sys.stderr)
        return 1
    count = sum(1 for _, item in anchors.read(path))
    print(f"anchors OK: the chain agrees with all {count} anchors in {path}")
    return 0
