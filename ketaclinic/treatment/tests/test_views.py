"""The treatment screens from every side: readers, the physician's forms, other roles,
another clinic, the anonymous visitor."""

from __future__ import annotations

from django.urls import reverse

from ketaclinic.accounts.models import Role
from ketaclinic.testing import TEST_PASSWORD
from ketaclinic.treatment.models import PlanVersion, Protocol, TreatmentPlan, TreatmentSettings

from .base import PlanCase, other_clinic_patient


class PlanTabTests(PlanCase):
    def url(self, name: str = "tab") -> str:
        return reverse(f"treatment:{name}", args=[self.patient.pk])

    def post_draft(self, **data: object):
        values = {
            "protocol_version": self.version.pk,
            "dose_mg_per_kg": "0.5",
            "measurement": self.weight.pk,
            "product_key": "syringe_1mg_ml",
            "reason": "First plan.",
            **data,
        }
        return self.client.post(self.url("draft"), values)

    def test_the_physician_drafts_sees_the_rate_and_preview_and_signs(self) -> None:
        self.ready()
        self.login(Role.PHYSICIAN)
        page = self.client.get(self.url())
        assert page.status_code == 200 and b"Draft the plan" in page.content
        response = self.post_draft(goal_phq9_remission="on")
        assert response.status_code == 302
        page = self.client.get(self.url())
        content = page.content.decode()
        assert "60.0 mL/h" in content
        assert "infusion: rate = 40 mL / (40 min / 60) = 60 mL/h" in content
        assert reverse("treatment:preview_svg", args=[self.patient.pk]) in content
        assert "borrowed from a paediatric study" in content
        svg = self.client.get(self.url("preview_svg"))
        assert svg["Content-Type"] == "image/svg+xml" and b"<svg" in svg.content
        wrong = self.client.post(self.url("sign"), {"password": "not it"})
        assert wrong.context["sign_form"].errors == {"password": ["That password is not right."]}
        assert not PlanVersion.objects.get().is_signed
        signed = self.client.post(self.url("sign"), {"password": TEST_PASSWORD})
        assert signed.status_code == 302
        assert PlanVersion.objects.get().signed_by == self.users[Role.PHYSICIAN]

    def test_blockers_are_shown_with_links(self) -> None:
        self.draft()
        self.login(Role.PHYSICIAN)
        content = self.client.get(self.url()).content.decode()
        assert "No eligibility decision has been signed" in content
        assert reverse("eligibility:tab", args=[self.patient.pk]) in content
        assert reverse("consents:list", args=[self.patient.pk]) in content
        response = self.client.post(self.url("sign"), {"password": TEST_PASSWORD})
        assert response.status_code == 200
        assert not PlanVersion.objects.get().is_signed

    def test_an_escalation_on_the_form_needs_the_password(self) -> None:
        self.ready()
        self.draft()
        self.login(Role.PHYSICIAN)
        data = {
            "protocol_version": self.version.pk,
            "dose_mg_per_kg": "0.6",
            "measurement": self.weight.pk,
            "reason": "Partial response after 3.",
        }
        refused = self.client.post(self.url("change"), data)
        assert refused.status_code == 200
        assert "needs your sign-off" in refused.content.decode()
        assert refused.context["form"]["reason"].value() == "Partial response after 3."
        done = self.client.post(
            self.url("change"), {**data, "sign": "on", "password": TEST_PASSWORD}
        )
        assert done.status_code == 302
        latest = TreatmentPlan.objects.get().latest
        assert latest.is_escalation and latest.is_signed and latest.dose_mg_per_kg == 0.6

    def test_readers_see_the_plan_without_forms(self) -> None:
        self.draft()
        for role in (Role.NURSE, Role.COORDINATOR):
            self.login(role)
            page = self.client.get(self.url())
            assert page.status_code == 200 and page.context["form"] is None
            assert b"Treatment plan" in page.content
            self.assert_denied(self.post_draft(), 403)
            self.assert_denied(self.client.post(self.url("sign"), {"password": "x"}), 403)

    def test_other_staff_by_break_glass_other_clinic_and_anonymous(self) -> None:
        self.login(Role.CLINIC_ADMIN)
        response = self.client.get(self.url())
        assert response.status_code == 302 and "break-glass" in response["Location"]
        self.login(self.outsider)
        self.assert_denied(self.client.get(self.url()), 404)
        self.client.logout()
        self.assert_denied(self.client.get(self.url()), 302)

    def test_another_clinics_patient_is_not_found(self) -> None:
        stranger = other_clinic_patient(self.other)
        self.login(Role.PHYSICIAN)
        url = reverse("treatment:tab", args=[stranger.pk])
        self.assert_denied(self.client.get(url), 404)

    def test_header_item_shows_the_dose(self) -> None:
        self.draft()
        self.login(Role.NURSE)
        content = self.client.get(reverse("patients:overview", args=[self.patient.pk])).content
        assert b"0.5 mg/kg, 40.0 mg" in content


class ProtocolScreenTests(PlanCase):
    def test_library_and_detail_show_sources(self) -> None:
        self.login(Role.NURSE)
        page = self.client.get(reverse("treatment:protocols"))
        assert page.status_code == 200 and b"Zarate 2006" in page.content
        assert reverse("treatment:copy", args=["ptsd"]).encode() not in page.content
        detail = self.client.get(reverse("treatment:builtin", args=["alcohol_use_disorder"]))
        assert b"Dakwar" in detail.content and b"bolus: 0.11 mg/kg over 2 min" in detail.content
        ours = self.client.get(reverse("treatment:protocol", args=[self.protocol.pk]))
        assert b"not trial-established" in ours.content
        self.assert_denied(self.client.post(reverse("treatment:copy", args=["ptsd"])), 403)
        self.assert_denied(
            self.client.get(reverse("treatment:protocol_edit", args=[self.protocol.pk])), 403
        )

    def test_copy_and_edit_make_versions(self) -> None:
        self.login(Role.CLINIC_ADMIN)
        response = self.client.post(reverse("treatment:copy", args=["ptsd"]))
        ptsd = Protocol.objects.get(builtin_id="ptsd")
        assert response["Location"] == reverse("treatment:protocols")
        url = reverse("treatment:protocol_edit", args=[ptsd.pk])
        form = self.client.get(url).context["form"]
        data = {k: v for k, v in form.initial.items() if v is not None}
        data.update(bmi_trigger_at="30", bmi_trigger_basis="ideal", change_note="BMI trigger.")
        bad = self.client.post(url, {**data, "ladder": "0.5, x"})
        assert bad.status_code == 200 and "ladder" in bad.context["form"].errors
        done = self.client.post(url, data)
        assert done.status_code == 302
        latest = ptsd.versions.order_by("-number").first()
        assert latest is not None and latest.number == 2
        assert latest.data["bmi_trigger"] == {"bmi_at_least": 30.0, "basis": "ideal"}
        assert latest.data["series"]["source"].startswith("Feder")

    def test_another_clinics_protocol_is_not_found(self) -> None:
        self.login(self.outsider)
        url = reverse("treatment:protocol", args=[self.protocol.pk])
        self.assert_denied(self.client.get(url), 404)


class SettingsScreenTests(PlanCase):
    def test_get_writes_nothing_and_post_saves(self) -> None:
        self.login(Role.CLINIC_ADMIN)
        page = self.client.get(reverse("treatment:settings"))
        assert page.status_code == 200 and b"ketamine-infusion.com" in page.content
        assert not TreatmentSettings.objects.exists()
        form = page.context["form"]
        data = {k: v for k, v in form.initial.items() if k in form.fields and v is not None}
        data.update(minimum_observation_min="90", borrow_bsv="on")
        response = self.client.post(reverse("treatment:settings"), data)
        assert response.status_code == 302
        assert TreatmentSettings.objects.get().minimum_observation_min == 90

    def test_only_admins_and_physicians(self) -> None:
        for role in (Role.NURSE, Role.COORDINATOR):
            self.login(role)
            self.assert_denied(self.client.get(reverse("treatment:settings")), 403)

    def test_linked_from_clinical_defaults(self) -> None:
        self.login(Role.CLINIC_ADMIN)
        url = reverse("clinics:settings_group", kwargs={"slug": "clinical-defaults"})
        content = self.client.get(url).content.decode()
        assert reverse("treatment:settings") in content
        assert reverse("treatment:protocols") in content
