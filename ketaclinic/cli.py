"""The ``ketaclinic`` command line.

Contract (other tools call it)::

    ketaclinic serve [--demo] [--port N] [--workers N] [--no-worker]
    ketaclinic demo
    ketaclinic manage ARGS...          any Django management command
    ketaclinic audit verify [--anchors FILE]
    ketaclinic ledger verify | balance [--json]   the controlled-substance ledger
    ketaclinic backup [--to DIR] [--passphrase-file FILE | --encrypt] [--keep N | --keep-days D]
    ketaclinic restore DIR [--passphrase-file FILE]
    ketaclinic worker [--interval S] [--once]
    ketaclinic pk ...                  the pharmacology engine (no Django loaded)
    ketaclinic instruments ...         outcome instruments: list, show, score (no Django loaded)
    ketaclinic plan ...                treatment protocols and plan previews (no Django loaded)

The operations commands (backup, restore, worker, anchors) live in ``ketaclinic/ops/cli.py``.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from ketaclinic.ops import cli as ops_cli  # no Django at import time

USAGE = (
    "usage: ketaclinic {serve [--demo] [--port N] [--workers N] [--no-worker] | demo | "
    "manage ARGS... | audit verify [--anchors FILE] | ledger verify|balance [--json] | "
    "backup ... | restore DIR ... | worker | "
    "pk ... | instruments ... | plan ...}"
)


def _setup_django(mode: str | None = None) -> None:
    if mode is not None:
        os.environ["KETACLINIC_MODE"] = mode
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ketaclinic.settings")
    import django

    django.setup()


def _migrate() -> None:
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)


def cmd_serve(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="ketaclinic serve")
    parser.add_argument("--demo", action="store_true", help="serve the demo clinic on 127.0.0.1")
    parser.add_argument("--port", type=int, default=int(os.environ.get("KETACLINIC_PORT", "8000")))
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--workers", type=int, default=1, help="server processes (gunicorn if >1)")
    parser.add_argument("--no-worker", action="store_true", help="start no task worker beside it")
    args = parser.parse_args(argv)
    from ketaclinic.lib import servers

    trusted_proxy = "" if args.demo else os.environ.get("KETACLINIC_TRUSTED_PROXY", "").strip()
    problem = servers.workers_problem(args.workers) or servers.trusted_proxy_problem(trusted_proxy)
    if problem:
        print(f"ketaclinic serve: {problem}", file=sys.stderr)
        return 2
    if args.demo:
        os.environ["KETACLINIC_MODE"] = "demo"
    elif os.environ.get("KETACLINIC_MODE") not in (None, "production"):
        print("ketaclinic serve: use --demo for the demo clinic", file=sys.stderr)
        return 2
    _setup_django()
    from django.conf import settings
    from django.core.management import call_command

    _migrate()
    from ketaclinic import demo

    if args.demo:
        host = "127.0.0.1"  # demo mode never listens beyond this machine
        if not demo.demo_exists():
            print("First start: creating the demo clinic ...", flush=True)
            demo.create_demo()
        print("\n".join(demo.login_lines()), flush=True)
    else:
        host = os.environ.get("KETACLINIC_HOST", "127.0.0.1")
        if demo.demo_exists():
            print(
                "ketaclinic serve: demo accounts exist in this database; production mode refuses "
                "to start. Use a fresh KETACLINIC_DATA_DIR / DATABASE_URL, or run with --demo.",
                file=sys.stderr,
            )
            return 1
        call_command("collectstatic", interactive=False, verbosity=0)
    from ketaclinic.wsgi import application

    print(
        f"ketaclinic serving at http://{host}:{args.port}/  (data: {settings.DATA_DIR})", flush=True
    )
    from ketaclinic.ops.worker import beside_server

    options = servers.Options(host, args.port, args.threads, args.workers, trusted_proxy)
    with beside_server(enabled=not args.no_worker):
        servers.run(application, options)
    return 0


def cmd_demo(argv: list[str]) -> int:
    os.environ.setdefault("KETACLINIC_MODE", "demo")
    _setup_django()
    _migrate()
    from ketaclinic import demo

    if demo.demo_exists():
        print("The demo clinic already exists.")
    else:
        demo.create_demo()
    print("\n".join(demo.login_lines()), flush=True)
    return 0


def cmd_manage(argv: list[str]) -> int:
    _setup_django()
    from django.core.management import execute_from_command_line

    execute_from_command_line(["ketaclinic manage", *argv])
    return 0


def cmd_audit(argv: list[str]) -> int:
    anchors = argv[2] if len(argv) == 3 and argv[:2] == ["verify", "--anchors"] else None
    if argv != ["verify"] and anchors is None:
        print("usage: ketaclinic audit verify [--anchors FILE]", file=sys.stderr)
        return 2
    _setup_django()
    from ketaclinic.audit.verify import verify_chain

    result = verify_chain()
    if result.ok:
        print(f"audit chain OK: {result.checked} entries verified; head {result.head_hash}")
        if anchors is not None:
            return ops_cli.check_anchors(Path(anchors))
        print("(keep the head hash outside this database: it reveals a rewritten chain)")
        return 0
    print(f"audit chain BROKEN at entry #{result.first_bad_id}: {result.problem}", file=sys.stderr)
    return 1


def cmd_ledger(argv: list[str]) -> int:
    if argv not in (["verify"], ["balance"], ["balance", "--json"]):
        print(
            "usage: ketaclinic ledger verify | ketaclinic ledger balance [--json]", file=sys.stderr
        )
        return 2
    _setup_django()
    from django.core.management import call_command
    from django.core.management.base import CommandError

    try:
        call_command("ledger", *argv)
    except CommandError as error:
        print(error, file=sys.stderr)
        return error.returncode
    return 0


def cmd_pk(argv: list[str]) -> int:
    from ketaclinic.pharmacology.cli import main as pk_main

    return pk_main(argv)


def cmd_instruments(argv: list[str]) -> int:
    from ketaclinic.instruments.cli import main as instruments_main

    return instruments_main(argv)


def cmd_plan(argv: list[str]) -> int:
    from ketaclinic.treatment.cli import main as plan_main

    return plan_main(argv)


COMMANDS = {
    "serve": cmd_serve,
    "demo": cmd_demo,
    "manage": cmd_manage,
    "audit": cmd_audit,
    "ledger": cmd_ledger,
    "backup": ops_cli.cmd_backup,
    "restore": ops_cli.cmd_restore,
    "worker": ops_cli.cmd_worker,
    "pk": cmd_pk,
    "instruments": cmd_instruments,
    "plan": cmd_plan,
}


# What the server writes (the data directory, the SQLite database and its -wal and -shm files,
# mail, uploads, backups) holds patient data: private to the server's user, whatever the
# login's umask. Set before anything is created; SQLite creates its files under it.
PRIVATE_UMASK = 0o077


def main(argv: list[str] | None = None) -> int:
    os.umask(PRIVATE_UMASK)
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] in ("-h", "--help"):
        print(USAGE)
        return 0 if args else 2
    command = COMMANDS.get(args[0])
    if command is None:
        print(f"ketaclinic: unknown command {args[0]!r}\n{USAGE}", file=sys.stderr)
        return 2
    return command(args[1:])


if __name__ == "__main__":
    sys.exit(main())
