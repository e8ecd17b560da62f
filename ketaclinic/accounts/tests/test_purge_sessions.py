import datetime as dt
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from ketaclinic.accounts.models import UserSession
from ketaclinic.audit.models import AuditEntry
from ketaclinic.testing import BaseTestCase


class PurgeSessionsTestCase(BaseTestCase):
    def test_it_deletes_only_rows_older_than_the_cutoff(self) -> None:
        user = self.users["nurse"]
        now = timezone.now()
        old_ended = UserSession.objects.create(
            user=user,
            session_key="a",
            last_seen_at=now - dt.timedelta(days=100),
            ended_at=now - dt.timedelta(days=95),
        )
        old_abandoned = UserSession.objects.create(
            user=user, session_key="b", last_seen_at=now - dt.timedelta(days=91)
        )
        recent_ended = UserSession.objects.create(
            user=user,
            session_key="c",
            last_seen_at=now - dt.timedelta(days=10),
            ended_at=now - dt.timedelta(days=10),
        )
        live = UserSession.objects.create(user=user, session_key="d", last_seen_at=now)
        out = StringIO()
        call_command("purgesessions", stdout=out)
        remaining = set(UserSession.objects.values_list("pk", flat=True))
        assert remaining == {recent_ended.pk, live.pk}
        assert old_ended.pk not in remaining and old_abandoned.pk not in remaining
        assert "Deleted 2 session-list rows older than 90 days." in out.getvalue()
        entry = AuditEntry.objects.get(action="maintenance.sessions.purge")
        assert entry.after == {"days": 90, "deleted": 2}

    def test_it_refuses_a_cutoff_under_a_day(self) -> None:
        with pytest.raises(CommandError, match="--days"):
            call_command("purgesessions", "--days", "0")
