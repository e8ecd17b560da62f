"""Which entries reach a clinic's audit report: its own, plus its people's sign-in events.

Sign-in and security events are recorded before a clinic is chosen, so they carry no clinic;
the report (and the CSV export) of clinic C shows them when their actor is or was a member of C.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

import time_machine
from django.urls import reverse

from ketaclinic.accounts.models import Membership, Role, User
from ketaclinic.audit.log import record
from ketaclinic.audit.models import AuditEntry
from ketaclinic.audit.views import PER_PAGE
from ketaclinic.clinics.models import Clinic
from ketaclinic.testing import BaseTestCase, make_user

URL = reverse("audit:report")
EXPORT = reverse("audit:export")
WHEN = dt.datetime(2026, 1, 5, 15, tzinfo=dt.UTC)


class ReportScopeTests(BaseTestCase):
    def signin(self, action: str, actor: User | None, when: dt.datetime = WHEN) -> AuditEntry:
        with time_machine.travel(when, tick=False):
            entry = record(action, actor=actor, obj=actor, after={"note": action})
        assert entry is not None and entry.clinic_id is None
        return entry

    def seen(self, who: str | User, **filters: str) -> set[int]:
        """Ids of the entries (not the report's own visits) ``who`` sees in the report."""
        self.client.logout()
        self.login(who)
        if filters:
            assert self.client.post(URL, filters).status_code == 302
        response = self.client.get(URL, {"page": "1"})
        assert response.status_code == 200
        ids = {row.entry.pk for row in response.context["rows"]}
        return ids - set(
            AuditEntry.objects.filter(action="view.audit_report").values_list("pk", flat=True)
        )

    def exported(self, who: str | User) -> set[int]:
        self.client.logout()
        self.login(who)
        response: Any = self.client.get(EXPORT)
        assert response.status_code == 200
        body = b"".join(response.streaming_content).decode()
        return {int(row["id"]) for row in csv.DictReader(io.StringIO(body))}

    def test_it_shows_a_members_sign_in_events(self) -> None:
        nurse = self.users[Role.NURSE]
        events = [
            self.signin(action, nurse)
            for action in (
                "auth.login.password",
                "auth.login.2fa_failed",
                "auth.lockout",
                "2fa.reset",
            )
        ]
        ids = {e.pk for e in events}
        assert ids <= self.seen(Role.CLINIC_ADMIN)
        assert ids <= self.exported(Role.CLINIC_ADMIN)
        content = self.client.get(URL).content.decode()
        rows = content[content.find("<table") : content.find("</table>")]
        assert "Failed the second sign-in step" in rows and "nurse@sturges.example" in rows

    def test_it_keeps_out_the_sign_ins_of_another_clinics_people(self) -> None:
        theirs = self.signin("auth.login.password", self.outsider)
        ours = self.signin("auth.login.password", self.users[Role.NURSE])
        assert theirs.pk not in self.seen(Role.CLINIC_ADMIN)
        assert theirs.pk not in self.exported(Role.CLINIC_ADMIN)
        # ...and the other clinic's admin sees theirs, not ours.
        assert theirs.pk in self.seen(self.outsider)
        assert ours.pk not in self.seen(self.outsider)
        assert ours.pk not in self.exported(self.outsider)

    def test_it_keeps_out_entries_without_an_actor(self) -> None:
        unknown = self.signin("auth.lockout", None)
        assert unknown.pk not in self.seen(Role.CLINIC_ADMIN)
        assert unknown.pk not in self.seen(self.outsider)

    def test_it_shows_someone_in_both_clinics_in_both(self) -> None:
        locum = make_user("locum@example.test", "Locum Nurse", self.clinic, Role.NURSE)
        Membership.objects.create(user=locum, clinic=self.other, role=Role.NURSE)
        login = self.signin("auth.login.2fa", locum)
        assert login.pk in self.seen(Role.CLINIC_ADMIN)
        assert login.pk in self.seen(self.outsider)
        # A third clinic's admin does not see it.
        third = Clinic.objects.create(name="Third", slug="third")
        admin3 = make_user("admin@third.example", "Third Admin", third, Role.CLINIC_ADMIN)
        assert login.pk not in self.seen(admin3)

    def test_it_keeps_a_former_members_history(self) -> None:
        nurse = self.users[Role.NURSE]
        login = self.signin("auth.login.password", nurse)
        Membership.objects.filter(user=nurse, clinic=self.clinic).update(is_active=False)
        assert login.pk in self.seen(Role.CLINIC_ADMIN)
        assert login.pk in self.seen(Role.CLINIC_ADMIN, user=str(nurse.pk))

    def test_it_still_filters_by_user(self) -> None:
        nurse, doctor = self.users[Role.NURSE], self.users[Role.PHYSICIAN]
        nurse_login = self.signin("auth.login.password", nurse)
        doctor_login = self.signin("auth.login.password", doctor)
        with time_machine.travel(WHEN, tick=False):
            nurse_work = record("inquiry.contact", actor=nurse, clinic=self.clinic)
        assert nurse_work is not None
        seen = self.seen(Role.CLINIC_ADMIN, user=str(nurse.pk))
        assert seen == {nurse_login.pk, nurse_work.pk}
        assert doctor_login.pk not in seen
        assert self.seen(Role.CLINIC_ADMIN, user=str(doctor.pk), action="kind:accounts.user") == {
            doctor_login.pk
        }

    def test_it_merges_both_kinds_in_time_order_across_pages(self) -> None:
        nurse = self.users[Role.NURSE]
        expected = []
        for n in range(PER_PAGE + 10):
            when = WHEN + dt.timedelta(minutes=n)
            if n % 3:
                with time_machine.travel(when, tick=False):
                    entry = record("inquiry.contact", actor=nurse, clinic=self.clinic)
            else:
                entry = self.signin("auth.login.password", nurse, when)
            assert entry is not None
            expected.append(entry.pk)
        self.login(Role.CLINIC_ADMIN)
        self.client.post(URL, {"user": str(nurse.pk), "sort": "oldest"})
        first = self.client.get(URL)
        second = self.client.get(URL, {"page": "2"})
        assert first.context["page"].paginator.count == len(expected)
        got = [r.entry.pk for r in first.context["rows"]] + [
            r.entry.pk for r in second.context["rows"]
        ]
        assert got == expected
        # The actor is loaded for the page in one query (the template shows the name).
        assert nurse.full_name in first.content.decode()
