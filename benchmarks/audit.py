"""What auditing costs on a typical staff page view, as a ratio against auditing switched off.

Sets up a throwaway SQLite database in a temporary data directory (migrations plus the demo
clinic), signs the demo clinic admin in with both factors, and requests the audit report page
(which records a ``view.audit_report`` entry per request, so each request appends to the hash
chain) in interleaved rounds with ``settings.AUDIT_ENABLED`` on and off, alternating which goes
first. Prints the median per-request time of each and, last, ``audit_overhead_ratio: X``
(on / off; the target is at most 1.10).

    .venv/bin/python benchmarks/audit.py [--rounds N] [--requests N]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
from pathlib import Path
from typing import Any

# Run as a script from a checkout: make the repository and this folder importable.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from demo_setup import demo_clinic, seconds_per_get  # noqa: E402


def _setup(data_dir: str) -> Any:
    demo_clinic(data_dir)
    from django.test import Client

    from ketaclinic.accounts.models import User
    from ketaclinic.testing import sign_in

    admin = User.objects.get(email="admin@demo.ketaclinic.test")
    client = Client()
    sign_in(client, admin)
    return client


def _leg(client: Any, url: str, requests: int, audit: bool) -> float:
    """Seconds per request for ``requests`` page views with auditing on or off."""
    from django.test import override_settings

    with override_settings(AUDIT_ENABLED=audit):
        return seconds_per_get(client, url, requests)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--requests", type=int, default=40, help="page views per leg and round")
    args = parser.parse_args(argv)

    data_dir = tempfile.mkdtemp(prefix="ketaclinic-bench-audit-")
    try:
        client = _setup(data_dir)
        from django.db import connection
        from django.urls import reverse

        from ketaclinic.audit.models import AuditEntry

        url = reverse("audit:report")
        # Warm up both paths (template loading, query compilation, a few hundred entries).
        for audit in (True, False):
            _leg(client, url, 5 * args.requests, audit)
        on: list[float] = []
        off: list[float] = []
        for round_no in range(args.rounds):
            order = (True, False) if round_no % 2 == 0 else (False, True)
            for audit in order:
                (on if audit else off).append(_leg(client, url, args.requests, audit))
        entries = AuditEntry.objects.count()
        on_ms = statistics.median(on) * 1000
        off_ms = statistics.median(off) * 1000
        print(f"database: {connection.vendor} ({data_dir})")
        print(f"page: {url}  {args.rounds} rounds x {args.requests} requests per leg")
        print(f"audit entries at the end: {entries}")
        print(f"auditing off: {off_ms:.3f} ms per request (median of rounds)")
        print(f"auditing on:  {on_ms:.3f} ms per request (median of rounds)")
        print(f"added by auditing: {on_ms - off_ms:.3f} ms per request")
        print(f"audit_overhead_ratio: {on_ms / off_ms:.3f}")
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
