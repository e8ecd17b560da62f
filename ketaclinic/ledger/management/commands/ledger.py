"""``ketaclinic ledger verify`` and ``ketaclinic ledger balance [--json]``."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser


class Command(BaseCommand):
    help = "Verify the controlled-substance ledger, or print its balances."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("what", choices=["verify", "balance"])
        parser.add_argument("--json", action="store_true", help="balance as JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["what"] == "verify":
            from ketaclinic.ledger.verify import verify_ledger

            result = verify_ledger()
            if not result.ok:
                raise CommandError(
                    f"ledger BROKEN at entry #{result.first_bad_id}: {result.problem}",
                    returncode=1,
                )
            self.stdout.write(
                f"ledger OK: {result.checked} transactions verified, "
                f"{result.containers} container balances recomputed"
            )
            return
        from ketaclinic.ledger.balances import balances

        data = balances()
        if options["json"]:
            self.stdout.write(json.dumps(data, indent=2))
            return
        for row in data["containers"]:
            self.stdout.write(
                f"{row['label']:<16} {row['drug']:<40} {row['location']:<20} "
                f"{row['mg']:>12} mg {row['ml']:>10} mL"
            )
