"""The audit report speaks people's language: action labels, object names, folded long values."""

from __future__ import annotations

import re
from typing import Any

from django.test import override_settings
from django.urls import reverse

from ketaclinic.accounts.models import Membership, Role
from ketaclinic.audit import present
from ketaclinic.audit.log import record
from ketaclinic.audit.models import AuditEntry
from ketaclinic.audit.registry import registry
from ketaclinic.inquiries.tests.base import make_inquiry
from ketaclinic.testing import BaseTestCase

URL = reverse("audit:report")
# In a variable, so the check that every recorded name is registered does not count it.
LEGACY_ACTION = "inquiry.triage"


def table(response: Any) -> str:
    content = response.content.decode()
    start, end = content.find("<table"), content.find("</table>")
    assert start != -1 and end != -1, "no table of entries"
    return content[start:end]


def cell(content: str, entry: AuditEntry, label: str) -> str:
    """The text of one cell (by its data-label) in the row of ``entry``."""
    row = re.search(rf'<td data-label="Entry">{entry.pk}</td>(.*?)</tr>', content, flags=re.DOTALL)
    assert row, f"no row for entry {entry.pk}"
    found = re.search(rf'<td data-label="{label}">(.*?)</td>', row.group(1), flags=re.DOTALL)
    assert found, f"no {label} cell"
    return found.group(1).strip()


class WordingTests(BaseTestCase):
    def entry(self, action: str, **kw: Any) -> AuditEntry:
        entry = record(action, **{"clinic": self.clinic, **kw})
        assert entry is not None
        return entry

    def test_it_names_actions_and_objects_without_codes_or_patient_data(self) -> None:
        nurse = self.users[Role.NURSE]
        membership = Membership.objects.get(user=nurse, clinic=self.clinic)
        inquiry = make_inquiry(self.clinic, name="Jane Secretpatient", email="jane@example.org")
        entries = {
            "user": self.entry("2fa.admin_reset", obj=nurse),
            "membership": self.entry("staff.update", obj=membership),
            "clinic": self.entry("clinic.settings.update", obj=self.clinic),
            "inquiry": self.entry("view", obj=inquiry),
            "gone": self.entry("auth.lockout", object_type="accounts.user", object_id="99999"),
            "nobody": self.entry("auth.lockout", object_type="accounts.user"),
            "nothing": self.entry("session.switch_clinic"),
            "unregistered_kind": self.entry(
                "view", object_type="accounts.recoverycode", object_id=5
            ),
        }
        self.login(Role.CLINIC_ADMIN)
        content = table(self.client.get(URL))
        expected = {
            "user": ("Reset a staff member&#x27;s two-factor sign-in", "Account: Nurse"),
            "membership": (
                "Changed a staff member&#x27;s role or access",
                "Staff role: Nurse, Nurse",
            ),
            "clinic": ("Changed the clinic&#x27;s settings", "Clinic: Sturges Family Practice"),
            "inquiry": ("Opened a record", f"Inquiry #{inquiry.pk}"),
            "gone": ("Was locked out after repeated failed sign-ins", "Account #99999"),
            "nobody": ("Was locked out after repeated failed sign-ins", "Account"),
            "nothing": ("Switched to another clinic", "—"),
            "unregistered_kind": ("Opened a record", "Recovery code #5"),
        }
        for key, (action, about) in expected.items():
            assert (
                cell(content, entries[key], "Action"),
                cell(content, entries[key], "About"),
            ) == (
                action,
                about,
            ), key
        # The admin's own visit to the report is about the report.
        visit = AuditEntry.objects.filter(action="view.audit_report").latest("pk")
        assert cell(content, visit, "About") == "Audit report"
        assert "Secretpatient" not in content and "jane@example.org" not in content
        for code in ("2fa.admin_reset", "accounts.user", "inquiries.inquiry", "clinics.clinic"):
            assert code not in content, code

    @override_settings(AUDIT_STRICT_ACTIONS=False)
    def test_it_shows_the_code_of_an_action_nobody_registered(self) -> None:
        # An entry from an older release whose action is no longer declared.
        with self.assertLogs("ketaclinic.audit.log", "WARNING"):
            legacy = self.entry(LEGACY_ACTION)
        self.login(Role.CLINIC_ADMIN)
        content = table(self.client.get(URL))
        assert cell(content, legacy, "Action") == (
            '<code>inquiry.triage</code> <span class="help">(not a registered action)</span>'
        )

    def test_it_folds_long_values_into_details(self) -> None:
        note = "First line of a long note that goes on for quite a while\n" + "more " * 40
        entry = self.entry(
            "inquiry.status",
            before={"note": note, "status": "new"},
            after={"note": "short", "status": "contacted"},
            reason="R" * 100,
        )
        self.login(Role.CLINIC_ADMIN)
        content = table(self.client.get(URL))
        changes = cell(content, entry, "Before → after")
        assert (
            '<dt>Note</dt><dd><details class="audit-value"><summary>'
            "First line of a long note that goes on for quite a while</summary>"
        ) in changes
        assert "more more more" in changes  # in full, inside the details
        assert "</details> → short</dd>" in changes
        assert "<dt>Status</dt><dd>new → contacted</dd>" in changes
        action = cell(content, entry, "Action")
        assert f"<summary>{'R' * 59}…</summary>{'R' * 100}</details>" in action
        page = self.client.get(URL).content.decode()
        assert "style=" not in page and "<style" not in page
        assert not re.search(r"<script(?![^>]*\bsrc=)", page)  # no inline script

    def test_the_action_filter_is_a_select_of_registered_actions_by_label(self) -> None:
        self.login(Role.CLINIC_ADMIN)
        response = self.client.get(URL)
        form = response.context["form"]
        values = [
            value for _, options in form.fields["action"].choices[1:] for value, _label in options
        ]
        assert set(registry.names()) <= set(values)
        for value in values:
            assert registry.is_registered(value) or value.startswith("kind:"), value
        # The help text names no code; the options are labels, grouped by kind of record.
        assert form.fields["action"].help_text == (
            "One action, or everything done to one kind of record."
        )
        content = response.content.decode()
        assert '<optgroup label="Inquiry">' in content
        assert '<option value="kind:inquiries.inquiry">All inquiry entries</option>' in content
        assert '<option value="inquiry.status">Changed an inquiry&#x27;s status</option>' in content

    def test_it_shows_the_filters_in_effect_in_words(self) -> None:
        nurse = self.users[Role.NURSE]
        self.login(Role.CLINIC_ADMIN)
        filters = {"user": str(nurse.pk), "action": "inquiry.status", "sort": "oldest"}
        assert self.client.post(URL, filters).status_code == 302
        response = self.client.get(URL)
        # Codes in the session and the audit entry; words on the page.
        assert response.context["filters"] == {
            "user": "nurse@sturges.example",
            "action": "inquiry.status",
            "sort": "oldest",
        }
        content = response.content.decode()
        assert "<dt>User</dt><dd>Nurse (nurse@sturges.example)</dd>" in content
        assert "<dt>Action</dt><dd>Changed an inquiry&#x27;s status</dd>" in content
        assert "<dt>Sort by</dt><dd>Oldest first</dd>" in content
        self.client.post(URL, {"action": "kind:accounts.user"})
        content = self.client.get(URL).content.decode()
        assert "<dt>Action</dt><dd>All account entries</dd>" in content

    def test_it_names_a_pages_objects_with_one_query_per_kind(self) -> None:
        nurse, doctor = self.users[Role.NURSE], self.users[Role.PHYSICIAN]
        memberships = Membership.objects.filter(clinic=self.clinic)[:2]
        entries = [
            self.entry("2fa.admin_reset", obj=nurse),
            self.entry("2fa.admin_reset", obj=doctor),
            *(self.entry("staff.update", obj=m) for m in memberships),
            self.entry("clinic.settings.update", obj=self.clinic),
            self.entry("inquiry.status", object_type="inquiries.inquiry", object_id="3"),
        ]
        with self.assertNumQueries(3):  # accounts, staff roles (with their people), clinics
            rows = present.rows(entries)
        assert [r.object for r in rows][:2] == ["Account: Nurse", "Account: Physician"]
        assert rows[-1].object == "Inquiry #3"
