"""Blind counts, losses, destruction, adjustments and discrepancies, from every side."""

from __future__ import annotations

from decimal import Decimal

from django.urls import reverse

from ketaclinic.accounts.models import Role
from ketaclinic.ledger.actions import oversight
from ketaclinic.ledger.models import ContainerBalance, Discrepancy, Kind, LossReport, Transaction
from ketaclinic.ledger.tests.base import LedgerCase, token_for, wrong_token
from ketaclinic.testing import TEST_PASSWORD

D = Decimal


class BlindCountTests(LedgerCase):
    def test_the_form_hides_the_expected_balance_until_the_count_is_stored(self) -> None:
        self.login(Role.CUSTODIAN)
        page = self.client.get(reverse("ledger:count"))
        body = page.content.decode()
        assert page.status_code == 200
        assert self.vials[0].label in body
        # Each vial holds 200.000 mg in 20.000 mL: neither number is on the form.
        assert "200.000" not in body and "20.000" not in body
        data = {
            "idempotency_key": "c" * 32,
            "occasion": "shift",
            "note": "",
            f"counted_ml_{self.vials[0].pk}": "20",
            f"counted_ml_{self.vials[1].pk}": "19.5",
        }
        response = self.client.post(reverse("ledger:count"), data)
        assert response.status_code == 302
        result = self.client.get(response["Location"])
        text = result.content.decode()
        assert "20.000" in text and "19.500" in text  # the comparison, after submitting
        (d,) = Discrepancy.objects.filter(clinic=self.clinic)
        assert (d.expected_mg, d.found_mg) == (D("200.000"), D("195.000"))  # 19.5 mL x 10
        assert f"Discrepancy #{d.pk}" in text

    def test_a_missing_count_is_refused_at_its_field(self) -> None:
        self.login(Role.CUSTODIAN)
        response = self.client.post(
            reverse("ledger:count"),
            {
                "idempotency_key": "c" * 32,
                "occasion": "shift",
                f"counted_ml_{self.vials[0].pk}": "20",
            },
        )
        assert response.status_code == 200
        assert response.context["form"].errors[f"counted_ml_{self.vials[1].pk}"]

    def test_only_the_custodian_counts(self) -> None:
        for role in self.roles_except(Role.CUSTODIAN):
            self.login(role)
            self.assert_denied(self.client.get(reverse("ledger:count")), 403)


class LossTests(LedgerCase):
    def test_a_loss_starts_both_dea_clocks_shown_on_the_custodians_screens(self) -> None:
        self.login(Role.NURSE)
        response = self.client.post(
            reverse("ledger:loss"),
            {
                "idempotency_key": "l" * 32,
                "container": self.vials[0].pk,
                "mg": "50",
                "reason": "Vial dropped and broke on the floor.",
            },
        )
        assert response.status_code == 302
        report = LossReport.objects.get()
        self.login(Role.CUSTODIAN)
        body = self.client.get(reverse("ledger:discrepancies")).content.decode()
        assert report.written_notice_due.isoformat() in body
        assert report.form_106_due.isoformat() in body
        home = self.client.get(reverse("web:home")).content.decode()
        assert "Written loss notice to the DEA due" in home and "DEA Form 106 due" in home
        self.client.post(reverse("ledger:loss_notice", args=[report.pk]), {"step": "notice"})
        self.client.post(
            reverse("ledger:loss_notice", args=[report.pk]),
            {"step": "form_106", "reference": "DEA-106-0001"},
        )
        report.refresh_from_db()
        assert report.written_notice_sent_at and report.form_106_reference == "DEA-106-0001"

    def test_the_coordinator_cannot_report_a_loss(self) -> None:
        self.login(Role.COORDINATOR)
        self.assert_denied(self.client.get(reverse("ledger:loss")), 403)


class DestroyAdjustTests(LedgerCase):
    def destroy(self, **values: str) -> dict[str, str]:
        nurse, physician = self.users[Role.NURSE], self.users[Role.PHYSICIAN]
        data = {
            "idempotency_key": "d" * 32,
            "container": str(self.vials[1].pk),
            "mg": "200",
            "method": "Reverse distributor",
            "reason": "Expired",
            "form41_registrant": "Sturges FS1234563",
            "form41_destruction_date": "2026-12-01",
            "form41_location": "On site",
            "form41_method": "Rx Destroyer",
            "form41_items": "Ketamine 10 mg/mL 20 mL x1",
            "witness_1_email": nurse.email,
            "witness_1_password": TEST_PASSWORD,
            "witness_1_otp": token_for(nurse),
            "witness_2_email": physician.email,
            "witness_2_password": TEST_PASSWORD,
            "witness_2_otp": token_for(physician),
        }
        data.update(values)
        return data

    def test_destruction_with_two_witnesses_empties_the_vial(self) -> None:
        self.login(Role.CUSTODIAN)
        response = self.client.post(reverse("ledger:destroy"), self.destroy())
        assert response.status_code == 302, response.context["form"].errors
        txn = Transaction.objects.get(kind=Kind.DESTROY)
        assert txn.form_41["Method of destruction"] == "Rx Destroyer"
        assert {txn.witness_1_id, txn.witness_2_id} == {
            self.users[Role.NURSE].pk,
            self.users[Role.PHYSICIAN].pk,
        }
        assert ContainerBalance.objects.get(container=self.vials[1]).mg == 0

    def test_a_wrong_code_is_refused_at_that_witness(self) -> None:
        self.login(Role.CUSTODIAN)
        physician = self.users[Role.PHYSICIAN]
        response = self.client.post(
            reverse("ledger:destroy"), self.destroy(witness_2_otp=wrong_token(physician))
        )
        assert response.status_code == 200
        assert response.context["form"].errors["witness_2_otp"]
        assert not Transaction.objects.filter(kind=Kind.DESTROY).exists()

    def test_an_adjustment_needs_a_second_signature(self) -> None:
        self.login(Role.CUSTODIAN)
        nurse = self.users[Role.NURSE]
        data = {
            "idempotency_key": "a" * 32,
            "container": self.vials[0].pk,
            "mg_delta": "-1.5",
            "reason": "Count short",
            "witness_email": nurse.email,
            "witness_password": "not the password",
            "witness_otp": token_for(nurse),
        }
        response = self.client.post(reverse("ledger:adjust"), data)
        assert response.status_code == 200
        assert response.context["form"].errors["witness_otp"]
        data["witness_password"] = TEST_PASSWORD
        data["witness_otp"] = token_for(nurse)
        assert self.client.post(reverse("ledger:adjust"), data).status_code == 302
        assert ContainerBalance.objects.get(container=self.vials[0]).mg == D("198.500")

    def test_only_the_custodian_destroys_or_adjusts(self) -> None:
        for name in ("ledger:destroy", "ledger:adjust"):
            for role in self.roles_except(Role.CUSTODIAN):
                self.login(role)
                self.assert_denied(self.client.get(reverse(name)), 403)


class DiscrepancyTests(LedgerCase):
    def open_one(self) -> Discrepancy:
        count = oversight.record_count(self.by(Role.CUSTODIAN), counted_ml={self.vial(0): D("19")})
        return Discrepancy.objects.get(count_line__count=count)

    def test_notes_are_appended_and_the_custodian_signs_off(self) -> None:
        d = self.open_one()
        self.login(Role.NURSE)
        url = reverse("ledger:discrepancy_note", args=[d.pk])
        assert self.client.post(url, {"text": "Checked the sharps bin."}).status_code == 302
        self.assert_denied(
            self.client.post(reverse("ledger:discrepancy_resolve", args=[d.pk]), {}), 403
        )
        self.login(Role.CUSTODIAN)
        home = self.client.get(reverse("web:home")).content.decode()
        assert f"#{d.pk}" in home
        empty = self.client.post(reverse("ledger:discrepancy_resolve", args=[d.pk]), {})
        assert empty.status_code == 200 and empty.context["resolve_form"].errors["resolution"]
        self.client.post(
            reverse("ledger:discrepancy_resolve", args=[d.pk]), {"resolution": "Miscount."}
        )
        d.refresh_from_db()
        assert d.resolved_by == self.users[Role.CUSTODIAN] and d.resolution == "Miscount."
        page = self.client.get(reverse("ledger:discrepancy", args=[d.pk])).content.decode()
        assert "Checked the sharps bin." in page and "Miscount." in page
        assert f"#{d.pk}" not in self.client.get(reverse("web:home")).content.decode()

    def test_the_lists_from_each_side(self) -> None:
        d = self.open_one()
        for role in (Role.CUSTODIAN, Role.NURSE, Role.PHYSICIAN, Role.CLINIC_ADMIN):
            self.login(role)
            assert self.client.get(reverse("ledger:discrepancies")).status_code == 200
            assert self.client.get(reverse("ledger:discrepancy", args=[d.pk])).status_code == 200
        self.login(Role.COORDINATOR)
        self.assert_denied(self.client.get(reverse("ledger:discrepancies")), 403)
        self.login(self.outsider)
        self.assert_denied(self.client.get(reverse("ledger:discrepancy", args=[d.pk])), 404)
