"""The clinic's infusion settings page, from every side: session settings, threshold rules and
the rescue formulary."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from ketaclinic.accounts.models import Role
from ketaclinic.audit.models import AuditEntry
from ketaclinic.infusions.actions.settings import SETTINGS_LIMITS
from ketaclinic.infusions.defaults import DEFAULT_RULES
from ketaclinic.infusions.formulary import DEFAULT_FORMULARY
from ketaclinic.infusions.models import FormularyDrug, InfusionSettings, ThresholdRule
from ketaclinic.testing import BaseTestCase

PAGE = "/clinic/infusions/"


def settings_body(**changes: Any) -> dict[str, Any]:
    """The form as drawn from the defaults (version 1), with ``changes``."""
    body = {name: getattr(InfusionSettings(), name) for name in SETTINGS_LIMITS}
    return {**{k: ("" if v is None else v) for k, v in body.items()}, "version": 1, **changes}


def entry_after(entry: AuditEntry) -> dict[str, Any]:
    assert isinstance(entry.after, dict)
    return entry.after


class SettingsPageTests(BaseTestCase):
    def test_the_url_is_named(self) -> None:
        assert reverse("infusions:settings") == PAGE

    def test_every_staff_role_reads_the_defaults_with_their_sources_and_nothing_is_written(
        self,
    ) -> None:
        for role in (
            Role.CLINIC_ADMIN,
            Role.PHYSICIAN,
            Role.NURSE,
            Role.COORDINATOR,
            Role.CUSTODIAN,
        ):
            self.login(role)
            body = self.client.get(PAGE).content.decode()
            assert "Riva-Posse et al., J Affect Disord 2018" in body, role
            assert "Systolic 180 mmHg or more" in body
            assert "Ondansetron" in body and "PONV label dose" in body
            assert "lorazepam dose used in ketamine psychiatric protocols was not found" in body
        assert not ThresholdRule.objects.exists()
        assert not FormularyDrug.objects.exists()
        assert not InfusionSettings.objects.exists()

    def test_the_outside_professional_and_visitors_are_refused(self) -> None:
        self.login(Role.OUTSIDE_PROFESSIONAL)
        self.assert_denied(self.client.get(PAGE), 403)
        self.client.logout()
        self.assert_denied(self.client.get(PAGE), 302)

    def test_a_physician_changes_an_interval_audited_and_the_defaults_are_installed(
        self,
    ) -> None:
        self.login(Role.PHYSICIAN)
        response = self.client.post(PAGE, settings_body(vitals_interval_infusing_min=15))
        assert response.status_code == 302
        chosen = InfusionSettings.objects.get(clinic=self.clinic)
        assert (chosen.vitals_interval_infusing_min, chosen.version) == (15, 2)
        entry = AuditEntry.objects.get(action="infusions.settings.update")
        assert entry.before == {"vitals_interval_infusing_min": 10}
        assert entry_after(entry)["installed_defaults"] == ["rules", "formulary"]
        assert ThresholdRule.objects.filter(clinic=self.clinic).count() == len(DEFAULT_RULES)
        assert FormularyDrug.objects.filter(clinic=self.clinic).count() == len(DEFAULT_FORMULARY)
        assert "Version 2" in self.client.get(PAGE).content.decode()

    def test_an_interval_out_of_range_is_refused_at_the_field_with_what_was_typed(self) -> None:
        self.login(Role.CLINIC_ADMIN)
        response = self.client.post(
            PAGE, settings_body(vitals_interval_infusing_min=61, fasting_solids_h=8)
        )
        assert response.status_code == 200
        body = response.content.decode()
        assert "Enter a whole number from 1 to 60." in body
        assert 'name="fasting_solids_h" value="8"' in body
        assert not InfusionSettings.objects.exists()

    def test_a_stale_form_is_refused(self) -> None:
        self.login(Role.PHYSICIAN)
        self.client.post(PAGE, settings_body(late_entry_min=12))
        response = self.client.post(PAGE, settings_body(late_entry_min=20))  # drawn at version 1
        assert response.status_code == 200
        assert "Someone else saved these settings" in response.content.decode()
        assert InfusionSettings.objects.get().late_entry_min == 12

    def test_a_nurse_reads_but_may_not_change(self) -> None:
        self.login(Role.NURSE)
        self.assert_denied(self.client.post(PAGE, settings_body(late_entry_min=12)), 403)
        assert not InfusionSettings.objects.exists()

    # --- rules ---------------------------------------------------------------------------

    def test_a_rule_is_added_after_the_defaults_and_audited(self) -> None:
        self.login(Role.PHYSICIAN)
        response = self.client.post(
            reverse("infusions:rule_add"),
            {
                "action": "alert",
                "measure": "heart_rate",
                "comparison": "ge",
                "value": "120",
                "consecutive": "2",
                "source": "Clinic decision [D]",
            },
        )
        assert response.status_code == 302
        rule = ThresholdRule.objects.get(measure="heart_rate")
        assert rule.name == "Heart rate (bpm) ≥ 120, 2 readings running: alert"
        assert rule.position == len(DEFAULT_RULES)
        assert entry_after(AuditEntry.objects.get(action="infusions.rule.add"))["value"] == 120

    def test_a_rule_without_its_value_or_symptom_is_refused_at_the_field(self) -> None:
        self.login(Role.PHYSICIAN)
        url = reverse("infusions:rule_add")
        response = self.client.post(
            url,
            {
                "action": "pause",
                "measure": "systolic",
                "comparison": "ge",
                "consecutive": "1",
                "source": "Typed source",
            },
        )
        assert response.status_code == 200
        body = response.content.decode()
        assert "Enter the value the reading is compared with." in body
        assert "Typed source" in body
        response = self.client.post(
            url,
            {
                "action": "stop",
                "measure": "symptom",
                "comparison": "present",
                "consecutive": "1",
                "source": "x",
            },
        )
        assert "Choose the symptom." in response.content.decode()
        assert not ThresholdRule.objects.exists()

    def test_a_default_rule_is_retired_with_its_reason_never_deleted(self) -> None:
        self.login(Role.CLINIC_ADMIN)
        url = reverse("infusions:rule_retire")
        assert self.client.post(url, {"default": "0"}).status_code == 200  # no reason
        response = self.client.post(url, {"default": "0", "reason": "Our physicians prefer 170."})
        assert response.status_code == 302
        rule = ThresholdRule.objects.get(clinic=self.clinic, position=0)
        assert (rule.name, rule.is_active) == ("Systolic 180 mmHg or more", False)
        entry = AuditEntry.objects.get(action="infusions.rule.retire")
        assert entry.reason == "Our physicians prefer 170."
        other = ThresholdRule.objects.get(clinic=self.clinic, position=1)
        response = self.client.post(url, {"rule": str(other.pk), "reason": "Duplicate."})
        assert response.status_code == 302
        assert ThresholdRule.objects.filter(clinic=self.clinic).count() == len(DEFAULT_RULES)

    # --- the formulary -------------------------------------------------------------------

    def test_a_default_drugs_limit_is_changed_with_before_and_after(self) -> None:
        self.login(Role.PHYSICIAN)
        url = reverse("infusions:drug", args=["labetalol"])
        page = self.client.get(url).content.decode()
        assert "At most 300 mg in all" in page
        assert not FormularyDrug.objects.exists()
        form = self.client.get(url).context["form"]
        body = {k: ("" if v is None else v) for k, v in form.initial.items() if k in form.fields}
        body["is_active"] = "on"
        body["repeat_needs_override"] = ""
        body["max_total_mg"] = "200"
        response = self.client.post(url, body)
        assert response.status_code == 302, response.content.decode()[:3000]
        drug = FormularyDrug.objects.get(clinic=self.clinic, key="labetalol")
        assert drug.max_total_mg == 200
        entry = AuditEntry.objects.get(action="infusions.formulary.update")
        assert (entry.before, entry_after(entry)["max_total_mg"]) == ({"max_total_mg": 300}, 200)

    def test_a_drug_is_added_and_retired(self) -> None:
        self.login(Role.PHYSICIAN)
        response = self.client.post(
            reverse("infusions:drug_add"),
            {
                "key": "ketorolac",
                "name": "Ketorolac",
                "route": "IV",
                "indication": "Headache",
                "usual_dose_mg": "15",
                "max_single_dose_mg": "30",
                "source": "Clinic decision [D]",
            },
        )
        assert response.status_code == 302
        assert FormularyDrug.objects.filter(clinic=self.clinic).count() == 6
        url = reverse("infusions:drug_retire", args=["ketorolac"])
        assert self.client.post(url, {"reason": ""}).status_code == 200
        assert self.client.post(url, {"reason": "Not stocked."}).status_code == 302
        assert not FormularyDrug.objects.get(key="ketorolac").is_active
        assert AuditEntry.objects.get(action="infusions.formulary.retire").reason == "Not stocked."

    def test_a_drug_with_a_usual_dose_over_its_limit_is_refused_at_the_field(self) -> None:
        self.login(Role.PHYSICIAN)
        response = self.client.post(
            reverse("infusions:drug_add"),
            {
                "key": "test",
                "name": "Test",
                "route": "IV",
                "indication": "x",
                "usual_dose_mg": "5",
                "max_single_dose_mg": "4",
                "source": "x",
            },
        )
        assert response.status_code == 200
        assert "The usual dose is over the single-dose limit." in response.content.decode()
        assert not FormularyDrug.objects.exists()

    def test_the_coordinator_may_not_change_the_formulary(self) -> None:
        self.login(Role.COORDINATOR)
        url = reverse("infusions:drug_retire", args=["ondansetron"])
        self.assert_denied(self.client.post(url, {"reason": "x"}), 403)
        assert not FormularyDrug.objects.exists()
