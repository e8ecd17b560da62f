"""The outcome definitions page: physicians choose the contested remission rules (audited by
``set_remission_rule``), the clinic admin reads what is in force, nobody else opens it."""

from __future__ import annotations

from django.urls import reverse

from ketaclinic.accounts.models import Role
from ketaclinic.audit.models import AuditEntry
from ketaclinic.measurement.models import OutcomeSettings
from ketaclinic.measurement.outcome_settings import clinic_rules
from ketaclinic.testing import BaseTestCase

URL = "/clinic/outcomes/"


class OutcomeSettingsPageTests(BaseTestCase):
    def test_the_url(self) -> None:
        assert reverse("outcomes:settings") == URL

    def test_the_physician_sees_every_choice_with_its_source_and_the_default(self) -> None:
        self.login(Role.PHYSICIAN)
        page = self.client.get(URL)
        self.assertContains(page, "Outcome definitions")
        for words in (
            "total &lt; 10: Hawley et al. 2002 [C] (default)",
            "total &lt;= 12: some esketamine / R-107 trials [C]",
            "total &lt; 31: below the NCPTSD probable-PTSD cut-off 31-33 (lower end) [S]",
            "Nothing chosen yet",
        ):
            self.assertContains(page, words)
        self.assertContains(page, 'href="/home/"')  # back to their home page (Clinic rules)

    def test_a_physician_changes_a_rule_audited(self) -> None:
        self.login(Role.PHYSICIAN)
        response = self.client.post(URL, {"madrs_remission": "<=9", "pcl5_remission": "<33"})
        assert response.status_code == 302
        rules = clinic_rules(self.clinic)
        assert rules.remission["madrs"].threshold == 9
        assert "madrs" in rules.chosen
        entry = AuditEntry.objects.get(action="outcome_settings.update")
        assert entry.before == {"madrs_remission": "<10"}
        assert entry.after == {"madrs_remission": "<=9"}
        # Saving the same again changes nothing and records nothing.
        self.client.post(URL, {"madrs_remission": "<=9", "pcl5_remission": "<33"})
        assert AuditEntry.objects.filter(action="outcome_settings.update").count() == 1

    def test_an_undocumented_rule_is_refused_at_the_field(self) -> None:
        self.login(Role.PHYSICIAN)
        page = self.client.post(URL, {"madrs_remission": "<99", "pcl5_remission": "<33"})
        assert page.status_code == 200
        self.assertContains(page, "Select a valid choice")
        assert not OutcomeSettings.objects.filter(clinic=self.clinic).exists()

    def test_the_clinic_admin_reads_but_cannot_choose(self) -> None:
        self.login(Role.CLINIC_ADMIN)
        page = self.client.get(URL)
        assert page.status_code == 200
        self.assertContains(page, "A physician of the clinic chooses these")
        self.assertNotContains(page, 'name="madrs_remission"')
        self.assertContains(page, 'href="/clinic/settings/clinical-defaults/"')
        response = self.client.post(URL, {"madrs_remission": "<=9", "pcl5_remission": "<33"})
        assert response.status_code == 302
        assert not OutcomeSettings.objects.filter(clinic=self.clinic).exists()
        assert not AuditEntry.objects.filter(action="outcome_settings.update").exists()

    def test_other_roles_and_anonymous_are_refused(self) -> None:
        for role in (Role.NURSE, Role.COORDINATOR, Role.CUSTODIAN, Role.OUTSIDE_PROFESSIONAL):
            self.login(role)
            self.assert_denied(self.client.get(URL), 403)
            self.assert_denied(self.client.post(URL, {"madrs_remission": "<=9"}), 403)
        self.client.logout()
        self.assert_denied(self.client.get(URL), 302)
