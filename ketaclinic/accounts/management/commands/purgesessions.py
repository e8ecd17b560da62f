"""``ketaclinic manage purgesessions``: drop old session bookkeeping (run daily, e.g. by cron).

Expired Django sessions are cleared, and ``UserSession`` rows (the "My sessions" list) whose
session ended, or was last seen, more than ``--days`` days ago are deleted. Sign-ins and
sign-outs stay in the audit trail, which is never purged; these rows only serve the sessions
page, so keeping them for ever would grow the table without purpose.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from ketaclinic.accounts.models import UserSession
from ketaclinic.audit.log import record

DEFAULT_DAYS = 90


class Command(BaseCommand):
    help = "Clear expired sessions and delete session-list rows older than --days (default 90)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--days", type=int, default=DEFAULT_DAYS)

    def handle(self, *args: Any, **options: Any) -> None:
        days = options["days"]
        if days < 1:
            raise CommandError("--days must be at least 1")
        call_command("clearsessions")
        cutoff = timezone.now() - dt.timedelta(days=days)
        # A session not seen for `days` is dead whatever its ended_at says: the absolute
        # limit is at most 24 hours.
        old = UserSession.objects.filter(
            Q(ended_at__lt=cutoff) | Q(ended_at__isnull=True, last_seen_at__lt=cutoff)
        )
        with transaction.atomic():
            deleted, _ = old.delete()
            record("maintenance.sessions.purge", after={"days": days, "deleted": deleted})
        self.stdout.write(f"Deleted {deleted} session-list rows older than {days} days.")
