"""The audit report page (``audit:report``), tried from every side."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import time_machine
from django.test import RequestFactory
from django.urls import reverse

from ketaclinic.access.middleware import CLINIC_SESSION_KEY
from ketaclinic.accounts.models import Membership, Role
from ketaclinic.audit.log import record
from ketaclinic.audit.models import AuditEntry
from ketaclinic.audit.views import PER_PAGE, session_key
from ketaclinic.clinics.models import Clinic
from ketaclinic.testing import BaseTestCase

URL = reverse("audit:report")
DETROIT = dt.timezone(dt.timedelta(hours=-5))  # EST, 2026-01


def table(response: Any) -> str:
    """The report's table of entries (the filter's select lists every action label too)."""
    content = response.content.decode()
    start, end = content.find("<table"), content.find("</table>")
    assert start != -1 and end != -1, "no table of entries"
    return content[start:end]


class ReportTests(BaseTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.clinic.time_zone = "America/Detroit"
        cls.clinic.save()

    def entry(self, action: str, when: dt.datetime, **kw: object) -> AuditEntry:
        with time_machine.travel(when, tick=False):
            entry = record(action, clinic=kw.pop("clinic", self.clinic), **kw)  # type: ignore[arg-type]
        assert entry is not None
        return entry

    def nurse_request(self) -> Any:
        request = RequestFactory().get("/", REMOTE_ADDR="192.0.2.44", HTTP_USER_AGENT="Nurse <PC>")
        request.user = self.users[Role.NURSE]
        request.membership = Membership.objects.get(user=request.user)  # type: ignore[attr-defined]
        return request

    def get(self, **params: str):
        return self.client.get(URL, params)

    def post(self, **data: str):
        return self.client.post(URL, data)

    def show(self, **filters: str):
        """Keep ``filters`` the way the form does (POST, redirect) and open the report."""
        response = self.post(**filters)
        assert response.status_code == 302, response.content
        assert response["Location"] == URL
        return self.get()

    def test_it_lets_the_clinic_admin_in_and_records_the_visit(self) -> None:
        admin = self.login(Role.CLINIC_ADMIN)
        response = self.get()
        assert response.status_code == 200
        assert b"Audit report" in response.content
        opened = AuditEntry.objects.get(action="view.audit_report")
        assert (opened.actor, opened.clinic, opened.actor_role) == (
            admin,
            self.clinic,
            "clinic_admin",
        )
        assert opened.object_type == "audit.report"

    def test_it_refuses_every_other_role(self) -> None:
        for role in self.roles_except(Role.CLINIC_ADMIN):
            self.client.logout()
            self.login(role)
            self.assert_denied(self.get(), 403)
            self.assert_denied(self.post(patient_ref="P-1"), 403)
            assert session_key(self.clinic) not in self.client.session
        assert not AuditEntry.objects.filter(action="view.audit_report").exists()

    def test_it_sends_anonymous_visitors_to_sign_in(self) -> None:
        for response in (self.get(), self.post(patient_ref="P-1")):
            self.assert_denied(response, 302)
            assert response.status_code == 302
            assert "P-1" not in response["Location"]

    def test_it_requires_the_second_factor(self) -> None:
        self.client.force_login(self.users[Role.CLINIC_ADMIN])
        for response in (self.get(), self.post(patient_ref="P-1")):
            assert response.status_code == 302
            assert "/accounts/" in response["Location"]
        assert session_key(self.clinic) not in self.client.session

    def test_it_shows_the_other_clinics_admin_only_their_own_entries(self) -> None:
        self.entry(
            "inquiry.follow_up", dt.datetime(2026, 1, 5, 15, tzinfo=dt.UTC), patient_ref="P-9"
        )
        self.entry(
            "clinic.settings.update", dt.datetime(2026, 1, 5, 15, tzinfo=dt.UTC), clinic=self.other
        )
        self.login(self.outsider)
        response = self.get()
        assert response.status_code == 200
        shown = table(response)
        assert "owner or next action date" not in shown
        assert "P-9" not in response.content.decode()
        assert "Changed the clinic&#x27;s settings" in shown
        # Filtering by a user of this clinic is not possible from the other clinic.
        response = self.post(user=str(self.users[Role.NURSE].pk))
        assert response.status_code == 400
        assert "<table" not in response.content.decode()
        assert "Select a valid choice" in response.content.decode()
        assert session_key(self.other) not in self.client.session

    def test_it_shows_who_what_when_where_and_before_after_escaped(self) -> None:
        nurse = self.users[Role.NURSE]
        self.entry(
            "inquiry.status",
            dt.datetime(2026, 1, 5, 15, 4, 5, tzinfo=dt.UTC),
            request=self.nurse_request(),
            patient_ref="P-42",
            object_type="inquiries.inquiry",
            object_id="7",
            before={"note": "<script>alert(1)</script>", "status": "new"},
            after={"note": "fine", "status": "triaged"},
            reason="called back",
        )
        self.login(Role.CLINIC_ADMIN)
        content = table(self.get())
        assert "2026-01-05 10:04:05 EST" in content  # the clinic's time zone
        assert "2026-01-05 15:04:05 UTC" in content
        assert 'datetime="2026-01-05T15:04:05+00:00"' in content
        assert "nurse@sturges.example" in content and nurse.full_name in content
        assert "· Nurse" in content
        # People's words, not codes: the action's label and the object's kind and number.
        assert "Changed an inquiry&#x27;s status" in content and "Inquiry #7" in content
        assert "inquiry.status" not in content and "inquiries.inquiry" not in content
        assert "<dt>Note</dt>" in content and "<dt>Status</dt>" in content
        assert "P-42" in content and "called back" in content
        assert "192.0.2.44" in content and "Nurse &lt;PC&gt;" in content
        assert "<script>alert(1)</script>" not in content
        assert "&lt;script&gt;alert(1)&lt;/script&gt; → fine" in content
        assert "new → triaged" in content

    def test_it_filters_by_user_patient_action_and_clinic_dates(self) -> None:
        nurse, coordinator = self.users[Role.NURSE], self.users[Role.COORDINATOR]
        # 2026-01-10 04:30 UTC is 2026-01-09 23:30 in Detroit: the 9th there.
        self.entry(
            "inquiry.contact",
            dt.datetime(2026, 1, 10, 4, 30, tzinfo=dt.UTC),
            actor=nurse,
            patient_ref="P-1",
            object_type="inquiries.inquiry",
            object_id="1",
        )
        self.entry(
            "inquiry.status",
            dt.datetime(2026, 1, 10, 5, 30, tzinfo=dt.UTC),
            actor=coordinator,
            patient_ref="P-2",
            object_type="inquiries.inquiry",
            object_id="2",
        )
        self.entry(
            "view",
            dt.datetime(2026, 1, 12, 12, tzinfo=dt.UTC),
            actor=nurse,
            patient_ref="P-1",
            obj=self.clinic,
        )
        admin = self.login(Role.CLINIC_ADMIN)

        def actions(**params: str) -> set[str]:
            response = self.show(**params)
            assert response.status_code == 200, response.content
            # The admin's own sign-in and report visits are in the report too; not these rows.
            return {
                row.entry.action for row in response.context["rows"] if row.entry.actor != admin
            }

        assert actions(user=str(nurse.pk)) == {"inquiry.contact", "view"}
        assert actions(patient_ref="P-2") == {"inquiry.status"}
        assert actions(patient_ref=" P-1 ") == {"inquiry.contact", "view"}
        # One registered action, or everything about one kind of object.
        assert actions(action="inquiry.status") == {"inquiry.status"}
        assert actions(action="view") == {"view"}
        assert actions(action="kind:inquiries.inquiry") == {"inquiry.contact", "inquiry.status"}
        assert actions(action="kind:clinics.clinic") == {"view"}
        # A code nobody registered (or the old prefix search) is not a choice.
        for unknown in ("inquiry", "inquiry.triage", "kind:nope"):
            response = self.post(action=unknown)
            assert response.status_code == 400
            assert "Select a valid choice" in response.content.decode()
        assert actions(start="2026-01-09", end="2026-01-09") == {"inquiry.contact"}
        assert actions(start="2026-01-10", end="2026-01-11") == {"inquiry.status"}
        assert actions(start="2026-01-12") == {"view"}
        assert actions(end="2026-01-09") == {"inquiry.contact"}
        assert actions(user=str(nurse.pk), start="2026-01-10") == {"view"}

    def test_it_sorts_by_an_allowlisted_key_only(self) -> None:
        self.entry("inquiry.contact", dt.datetime(2026, 1, 2, tzinfo=dt.UTC))
        self.entry("clinic.settings.update", dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
        self.entry("view", dt.datetime(2026, 1, 3, tzinfo=dt.UTC))
        self.login(Role.CLINIC_ADMIN)

        def order(sort: str) -> list[str]:
            response = self.show(sort=sort, end="2026-01-31")
            assert response.status_code == 200
            return [row.entry.action for row in response.context["rows"]]

        assert order("newest") == ["view", "inquiry.contact", "clinic.settings.update"]
        assert order("oldest") == ["clinic.settings.update", "inquiry.contact", "view"]
        assert order("action") == ["clinic.settings.update", "inquiry.contact", "view"]
        response = self.post(sort="action; DROP TABLE audit_auditentry")
        assert response.status_code == 400
        assert "Select a valid choice" in response.content.decode()
        # The sort is in the form, not the URL: a sort in the query string is ignored.
        assert self.get(sort="oldest").context["filters"]["sort"] == "action"

    def test_kept_filters_are_shown_in_force_with_a_one_click_clear(self) -> None:
        self.login("clinic_admin")
        self.assertNotContains(self.get(), "Clear all filters")
        response = self.show(patient_ref="P-1")
        self.assertContains(response, "Showing only:")
        self.assertContains(response, "Clear all filters")
        self.assertContains(response, "P-1")
        self.post(clear="1")
        response = self.get()
        self.assertNotContains(response, "Showing only:")
        assert session_key(self.clinic) not in self.client.session

    def test_it_says_so_when_nothing_matches(self) -> None:
        self.login(Role.CLINIC_ADMIN)
        response = self.show(patient_ref="nobody")
        assert response.status_code == 200
        assert "No audit entries match these filters." in response.content.decode()

    def test_it_pages_fifty_at_a_time_keeping_the_filters(self) -> None:
        for n in range(PER_PAGE + 3):
            self.entry(
                "inquiry.status",
                dt.datetime(2026, 1, 1, tzinfo=dt.UTC) + dt.timedelta(minutes=n),
                after={"n": n},
            )
        self.login(Role.CLINIC_ADMIN)
        first = self.show(action="inquiry.status")
        assert len(first.context["rows"]) == PER_PAGE
        assert first.context["page"].paginator.count == PER_PAGE + 3
        assert 'href="?page=2"' in first.content.decode()
        second = self.get(page="2")  # the kept filters still apply on the next page
        assert [r.entry.after for r in second.context["rows"]] == [{"n": 2}, {"n": 1}, {"n": 0}]
        assert 'href="?page=1"' in second.content.decode()
        assert self.get(page="junk").context["page"].number == 1

    def test_it_explains_bad_dates_at_the_field_and_keeps_what_was_typed(self) -> None:
        self.login(Role.CLINIC_ADMIN)
        self.show(patient_ref="P-1", action="inquiry.status")
        response = self.post(start="2026-02-10", end="2026-02-01", patient_ref="P-77")
        assert response.status_code == 400
        content = response.content.decode()
        assert "The end date is before the start date." in content
        assert 'id="id_end_error"' in content
        assert 'aria-invalid="true"' in content and 'aria-describedby="id_end_error"' in content
        assert 'value="2026-02-10"' in content and 'value="2026-02-01"' in content
        assert 'value="P-77"' in content
        assert "No audit entries" not in content

        response = self.post(start="2026-13-45")
        assert response.status_code == 400
        content = response.content.decode()
        assert "Enter a valid date." in content and 'value="2026-13-45"' in content

        response = self.post(end="0001-01-01")
        assert response.status_code == 400
        assert "Enter a date between" in response.content.decode()

        # None of the bad attempts replaced the filters kept before them.
        assert self.get().context["filters"] == {"patient_ref": "P-1", "action": "inquiry.status"}
        invalid = AuditEntry.objects.filter(
            action="view.audit_report", after__invalid__isnull=False
        )
        assert invalid.count() == 3

    def test_it_is_printable_and_offers_the_csv_without_filters_in_the_link(self) -> None:
        self.login(Role.CLINIC_ADMIN)
        content = self.show(action="view").content.decode()
        assert f'href="{reverse("audit:export")}"' in content
        assert "data-print" in content and "audit/print.js" in content
        assert "style=" not in content

    def test_it_posts_the_filters_with_csrf(self) -> None:
        self.login(Role.CLINIC_ADMIN)
        content = self.get().content.decode()
        assert '<form method="post" action="/audit/"' in content
        assert 'name="csrfmiddlewaretoken"' in content
        self.client.handler.enforce_csrf_checks = True
        assert self.post(patient_ref="P-1").status_code == 403
        assert session_key(self.clinic) not in self.client.session

    def test_it_clears_the_kept_filters_with_a_post(self) -> None:
        self.login(Role.CLINIC_ADMIN)
        assert self.show(patient_ref="P-1").context["filters"] == {"patient_ref": "P-1"}
        response = self.post(clear="1", patient_ref="P-2")
        assert (response.status_code, response["Location"]) == (302, URL)
        assert session_key(self.clinic) not in self.client.session
        assert self.get().context["filters"] == {}
        assert 'name="clear"' in self.get().content.decode()

    def test_it_ignores_filters_in_the_query_string(self) -> None:
        self.entry("inquiry.contact", dt.datetime(2026, 1, 5, tzinfo=dt.UTC), patient_ref="P-5")
        self.login(Role.CLINIC_ADMIN)
        response = self.get(patient_ref="P-404")
        assert response.context["filters"] == {}
        assert "P-404" not in response.content.decode()
        assert "inquiry.contact" in {row.entry.action for row in response.context["rows"]}

    def test_it_keeps_filters_per_clinic(self) -> None:
        admin = self.users[Role.CLINIC_ADMIN]
        Membership.objects.create(user=admin, clinic=self.other, role=Role.CLINIC_ADMIN)
        self.login(admin)

        def choose(clinic: Clinic) -> None:
            session = self.client.session
            session[CLINIC_SESSION_KEY] = clinic.pk
            session.save()

        choose(self.clinic)
        assert self.show(patient_ref="P-1").context["clinic"] == self.clinic
        choose(self.other)
        response = self.get()
        assert response.context["clinic"] == self.other
        assert response.context["filters"] == {}
        assert self.client.session[session_key(self.clinic)] == {"patient_ref": "P-1"}

    def test_it_never_puts_the_patient_reference_in_a_url(self) -> None:
        ref = "P-SECRET-77"
        for n in range(PER_PAGE + 1):
            self.entry(
                "view",
                dt.datetime(2026, 1, 1, n // 60, n % 60, tzinfo=dt.UTC),
                patient_ref=ref,
            )
        self.login(Role.CLINIC_ADMIN)
        kept = self.post(patient_ref=ref)
        bad = self.post(patient_ref=ref, start="not a date")
        first = self.get()
        second = self.get(page="2")
        export = self.client.get(reverse("audit:export"))
        cleared = self.post(clear="1")
        assert first.context["page"].paginator.count == PER_PAGE + 1
        assert bad.status_code == 400 and export.status_code == 200
        for response in (kept, cleared):
            assert response.status_code == 302 and ref not in response["Location"]
        for response in (bad, first, second):
            content = response.content.decode()
            assert ref in content  # shown on the page, as a cell or in the form...
            urls = re.findall(r'(?:href|src|action|formaction)="([^"]*)"', content)
            assert urls and not [u for u in urls if ref in u]  # ...but in no link
