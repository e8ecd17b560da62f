"""Consent texts: versioned, old versions kept, built-in texts with every required point."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError

from ketaclinic.accounts.models import Role
from ketaclinic.consents import actions, queries
from ketaclinic.consents.defaults import REDISCLOSURE_NOTICE, default_text
from ketaclinic.consents.models import ConsentTemplate, Kind
from ketaclinic.consents.tests.base import ConsentCase


class TemplateVersionTests(ConsentCase):
    def publish(self, role: str = Role.CLINIC_ADMIN, body: str = "New text.") -> ConsentTemplate:
        return actions.publish_template(
            self.by(role), self.clinic, Kind.AGREEMENT, title="Agreement", body=body,
            change_note="Clearer wording.",
        )  # fmt: skip

    def test_publishing_keeps_the_built_in_text_as_version_1(self) -> None:
        v2 = self.publish()
        versions = list(
            ConsentTemplate.objects.filter(clinic=self.clinic, kind=Kind.AGREEMENT)
            .order_by("version")
            .values_list("version", "body")
        )
        assert [v for v, _ in versions] == [1, 2]
        assert versions[0][1] == default_text(Kind.AGREEMENT, self.clinic.name)[1]
        assert v2.body == "New text.\n"
        assert queries.latest_versions(self.clinic) == {Kind.AGREEMENT: 2}
        assert self.publish(Role.PHYSICIAN).version == 3

    def test_other_roles_cannot_publish(self) -> None:
        for role in (Role.NURSE, Role.COORDINATOR, Role.CUSTODIAN, Role.OUTSIDE_PROFESSIONAL):
            with self.assertRaises(PermissionDenied):
                self.publish(role)
        assert not ConsentTemplate.objects.exists()

    def test_a_version_needs_a_change_note(self) -> None:
        with self.assertRaises(ValidationError) as caught:
            actions.publish_template(
                self.by(), self.clinic, Kind.OFF_LABEL, title="T", body="B", change_note=" "
            )
        assert "change_note" in caught.exception.message_dict

    def test_first_use_saves_version_1_once(self) -> None:
        first = actions.ensure_template(self.clinic, Kind.OFF_LABEL)
        assert first.version == 1
        assert actions.ensure_template(self.clinic, Kind.OFF_LABEL).pk == first.pk


class BuiltInTextTests(ConsentCase):
    def test_off_label_covers_every_point_of_reference_8_4(self) -> None:
        _, body = default_text(Kind.OFF_LABEL, "Sturges")
        text = body.lower()
        for point in (
            "off-label", "1970", "anaesthetic only", "0.5 mg", "0.1 to 0.75 mg/kg",
            "6 infusions over 2 to 3 weeks", "dizziness", "nausea and vomiting", "dissociation",
            "blood pressure and heart rate", "headache", "anxiety", "abuse potential",
            "neurotoxicity", "bladder toxicity", "liver toxicity",
            "less sustained than that of electroconvulsive therapy",
            "do not drive", "limited data on the long-term effects", "sanacora",
        ):  # fmt: skip
            assert point in text, point

    def test_part2_has_every_element_of_2_31_and_the_2_32_notice(self) -> None:
        _, body = default_text(Kind.PART2, "Sturges Family Practice")
        for element in (
            "**Patient**", "**Who may disclose**: Sturges Family Practice",
            "including information\n   about my substance use disorder", "**To whom**",
            "**Purpose**", "**My right to revoke**", "by telling any member", "**Expiry**",
            "**Signature**", "**Date**", "42 CFR 2.32", REDISCLOSURE_NOTICE,
        ):  # fmt: skip
            assert element in body, element

    def test_sharing_lists_the_sections_and_how_to_revoke(self) -> None:
        _, body = default_text(Kind.SHARE, "Sturges")
        assert "- Current medications" in body and "- Diagnoses" in body
        assert "revoke this consent at any time" in body
        assert "never shared under this consent" in body

    def test_agreement_asks_for_an_escort_and_no_driving(self) -> None:
        _, body = default_text(Kind.AGREEMENT, "Sturges")
        assert "A responsible adult takes me home" in body
        assert "I will not drive" in body and "until\n   the next day" in body
