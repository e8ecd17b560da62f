"""The CSV export (``audit:export``): a read, itself audited, tried from every side."""

from __future__ import annotations

import csv
import datetime as dt
import io

import time_machine
from django.test import override_settings
from django.urls import reverse

from ketaclinic.accounts.models import Role
from ketaclinic.audit.log import record
from ketaclinic.audit.models import AuditEntry
from ketaclinic.audit.views import session_key
from ketaclinic.testing import BaseTestCase

URL = reverse("audit:export")
# An older release's action, no longer registered (a variable: the source walk skips it).
LEGACY_ACTION = "inquiry.triage"


class ExportTests(BaseTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.clinic.time_zone = "America/Chicago"
        cls.clinic.save()

    def entry(self, action: str, when: dt.datetime, **kw: object) -> AuditEntry:
        with time_machine.travel(when, tick=False):
            entry = record(action, **{"clinic": self.clinic, **kw})  # type: ignore[arg-type]
        assert entry is not None
        return entry

    def keep(self, **filters: str) -> None:
        """Keep filters the way the report's form does."""
        response = self.client.post(reverse("audit:report"), filters)
        assert response.status_code == 302, response.content

    def rows(self, response) -> list[dict[str, str]]:
        body = b"".join(response.streaming_content).decode()
        return list(csv.DictReader(io.StringIO(body)))

    def test_it_exports_the_filtered_rows_and_records_the_export(self) -> None:
        nurse = self.users[Role.NURSE]
        self.entry(
            "inquiry.status",
            dt.datetime(2026, 1, 5, 15, tzinfo=dt.UTC),
            actor=nurse,
            patient_ref="P-1",
            before={"status": "new"},
            after={"status": "triaged"},
        )
        self.entry("inquiry.status", dt.datetime(2026, 1, 6, 15, tzinfo=dt.UTC), patient_ref="P-2")
        admin = self.login(Role.CLINIC_ADMIN)
        self.keep(patient_ref="P-1", start="2026-01-01")
        response = self.client.get(URL)
        assert response.status_code == 200
        assert response["Content-Type"] == "text/csv; charset=utf-8"
        assert response["Content-Disposition"].startswith('attachment; filename="audit-sturges-')
        rows = self.rows(response)
        assert len(rows) == 1
        row = rows[0]
        assert row["time_clinic"] == "2026-01-05T09:00:00-06:00"
        assert row["time_utc"] == "2026-01-05T15:00:00+00:00"
        assert (row["user_email"], row["user_role"], row["action"]) == (
            "nurse@sturges.example",
            "",
            "inquiry.status",
        )
        # The codes stay, and a label for people comes beside the action's code.
        assert row["action_label"] == "Changed an inquiry's status"
        assert list(rows[0])[5:8] == ["action", "action_label", "object_type"]
        assert (row["before"], row["after"]) == ('{"status": "new"}', '{"status": "triaged"}')
        assert len(row["entry_hash"]) == 64

        export = AuditEntry.objects.get(action="audit.export")
        assert (export.actor, export.clinic, export.actor_role) == (
            admin,
            self.clinic,
            "clinic_admin",
        )
        assert export.after == {"patient_ref": "P-1", "start": "2026-01-01"}

    def test_it_neutralises_spreadsheet_formulas(self) -> None:
        self.entry(
            "inquiry.contact",
            dt.datetime(2026, 1, 5, tzinfo=dt.UTC),
            reason='=HYPERLINK("http://x")',
            after="@SUM(A1)",
        )
        self.login(Role.CLINIC_ADMIN)
        row = next(r for r in self.rows(self.client.get(URL)) if r["action"] == "inquiry.contact")
        assert row["reason"] == '\'=HYPERLINK("http://x")'
        assert row["after"] == "'@SUM(A1)"

    @override_settings(AUDIT_STRICT_ACTIONS=False)
    def test_it_leaves_the_label_empty_for_an_action_nobody_registered(self) -> None:
        with self.assertLogs("ketaclinic.audit.log", "WARNING"):
            self.entry(LEGACY_ACTION, dt.datetime(2026, 1, 5, tzinfo=dt.UTC))
        self.login(Role.CLINIC_ADMIN)
        row = next(r for r in self.rows(self.client.get(URL)) if r["action"] == LEGACY_ACTION)
        assert row["action_label"] == ""

    def test_it_never_exports_another_clinics_entries(self) -> None:
        self.entry("inquiry.follow_up", dt.datetime(2026, 1, 5, tzinfo=dt.UTC))
        self.login(self.outsider)
        response = self.client.get(URL)
        assert response.status_code == 200
        actions = {row["action"] for row in self.rows(response)}
        assert "inquiry.follow_up" not in actions
        assert AuditEntry.objects.get(action="audit.export").clinic == self.other

    def test_it_refuses_every_other_role_and_anonymous(self) -> None:
        self.assert_denied(self.client.get(URL), 302)
        for role in self.roles_except(Role.CLINIC_ADMIN):
            self.client.logout()
            self.login(role)
            self.assert_denied(self.client.get(URL), 403)
        assert not AuditEntry.objects.filter(action="audit.export").exists()

    def test_it_is_a_read_only_get(self) -> None:
        self.login(Role.CLINIC_ADMIN)
        assert self.client.post(URL).status_code == 405

    def test_it_ignores_filters_in_the_query_string(self) -> None:
        self.entry("inquiry.contact", dt.datetime(2026, 1, 5, tzinfo=dt.UTC), patient_ref="P-5")
        self.login(Role.CLINIC_ADMIN)
        rows = self.rows(self.client.get(URL, {"patient_ref": "P-404"}))
        assert "inquiry.contact" in {row["action"] for row in rows}
        assert AuditEntry.objects.get(action="audit.export").after == {}

    def test_it_uses_the_filters_kept_for_its_own_clinic_only(self) -> None:
        self.entry("inquiry.contact", dt.datetime(2026, 1, 5, tzinfo=dt.UTC), patient_ref="P-5")
        self.login(Role.CLINIC_ADMIN)
        self.keep(patient_ref="P-404")
        assert [
            r for r in self.rows(self.client.get(URL)) if r["action"] == "inquiry.contact"
        ] == []
        self.client.logout()
        self.login(self.outsider)
        session = self.client.session
        session[session_key(self.other)] = {"patient_ref": "P-404"}
        session[session_key(self.clinic)] = {"user": str(self.outsider.pk)}
        session.save()
        self.client.get(URL)
        assert AuditEntry.objects.filter(action="audit.export").last().after == {  # type: ignore[union-attr]
            "patient_ref": "P-404"
        }

    def test_it_shows_the_report_with_the_error_for_bad_kept_filters(self) -> None:
        # The form never keeps bad filters; a session from an older release might hold some.
        self.login(Role.CLINIC_ADMIN)
        session = self.client.session
        session[session_key(self.clinic)] = {"start": "yesterday"}
        session.save()
        response = self.client.get(URL)
        assert response.status_code == 400
        assert response["Content-Type"].startswith("text/html")
        assert "Enter a valid date." in response.content.decode()
        assert not AuditEntry.objects.filter(action="audit.export").exists()
