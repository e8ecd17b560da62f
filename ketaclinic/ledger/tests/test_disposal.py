"""Loss and theft with their DEA clocks, destruction with two witnesses, adjustments with two
signatures, and corrections that reference what they correct."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from ketaclinic.accounts.models import Role
from ketaclinic.infusions import states
from ketaclinic.infusions.models import InfusionSession
from ketaclinic.ledger.actions import disposal
from ketaclinic.ledger.actions import session as chair
from ketaclinic.ledger.actions._base import Witness
from ketaclinic.ledger.models import Discrepancy, Kind, Transaction
from ketaclinic.ledger.reconcile import reconciliation, reconciliations
from ketaclinic.ledger.tests.base import LedgerCase, witness, wrong_token
from ketaclinic.testing import TEST_PASSWORD

D = Decimal
FORM_41 = {"registrant": "Sturges Family Practice", "reverse_distributor": "none (on site)"}


class LossTests(LedgerCase):
    def test_a_theft_leaves_stock_and_starts_both_clocks(self) -> None:
        # Discovered Friday 27 November 2026, 15:00 UTC (a Friday in any US time zone).
        discovered = dt.datetime(2026, 11, 27, 15, 0, tzinfo=dt.UTC)
        txn, report = disposal.report_loss(
            self.by(Role.CUSTODIAN),
            self.vial(),
            "50",
            theft=True,
            reason="vial missing",
            discovered_at=discovered,
        )
        assert txn.kind == Kind.THEFT
        assert self.balance(self.vial()) == (D("150.000"), D("15.000"))
        assert report.written_notice_due == dt.date(2026, 11, 30)  # Friday + 1 business day
        # + 45 days: 3 left in November, 31 in December, 11 in January.
        assert report.form_106_due == dt.date(2027, 1, 11)

    def test_a_loss_needs_a_reason(self) -> None:
        with self.assertRaises(ValidationError) as caught:
            disposal.report_loss(self.by(Role.NURSE), self.vial(), "5", reason=" ")
        assert "reason" in caught.exception.message_dict

    def test_a_loss_of_drawn_drug_counts_in_the_sessions_reconciliation(self) -> None:
        nurse = self.by(Role.NURSE)
        chair.draw(nurse, self.vial(), self.session, "40")
        chair.administer(nurse, self.vial(), self.session, "30")
        disposal.report_loss(nurse, self.vial(), "10", session=self.session, reason="dropped")
        assert self.balance(self.vial()) == (D("160.000"), D("16.000"))  # only the draw moved it
        (result,) = reconciliations(self.session)
        assert result.ok and result.lost_mg == D("10")
        assert reconciliation(self.session) == (
            D("40"),
            D("30"),
            D("0"),
            D("0"),
            True,
            "Ketamine: 40.000 mg drawn, all accounted for (10.000 mg of it reported lost).",
        )

    def test_the_deadlines_steps_are_recorded_once(self) -> None:
        from ketaclinic.ledger.actions import oversight

        _txn, report = disposal.report_loss(self.by(Role.NURSE), self.vial(), "5", reason="x")
        custodian = self.by(Role.CUSTODIAN)
        report = oversight.record_written_notice(custodian, report)
        assert report.written_notice_sent_at is not None
        with self.assertRaises(ValidationError):
            oversight.record_written_notice(custodian, report)
        report = oversight.record_form_106(custodian, report, reference="DEA106-1")
        assert report.form_106_reference == "DEA106-1"
        with self.assertRaises(PermissionDenied):
            oversight.record_form_106(self.by(Role.NURSE), report, reference="x")


class DestroyTests(LedgerCase):
    def test_destruction_with_two_witnesses_and_form_41(self) -> None:
        txn = disposal.destroy(
            self.by(Role.CUSTODIAN),
            self.vial(),
            "200",
            method="denaturing kit",
            form_41=FORM_41,
            expired=True,
            witnesses=[witness(self.users[Role.NURSE]), witness(self.users[Role.PHYSICIAN])],
        )
        assert txn.kind == Kind.EXPIRY_DESTRUCTION
        assert (txn.witness_1_id, txn.witness_2_id) == (
            self.users[Role.NURSE].pk,
            self.users[Role.PHYSICIAN].pk,
        )
        assert txn.form_41 == FORM_41
        assert self.balance(self.vial()) == (D("0.000"), D("0.000"))

    def test_the_two_witnesses_must_be_two_other_people(self) -> None:
        nurse = self.users[Role.NURSE]
        for pair, field in (
            ([witness(nurse), witness(nurse)], "witness_2"),
            ([witness(self.users[Role.CUSTODIAN]), witness(nurse)], "witness_1"),
        ):
            with self.subTest(field=field), self.assertRaises(ValidationError) as caught:
                disposal.destroy(
                    self.by(Role.CUSTODIAN),
                    self.vial(),
                    "10",
                    method="kit",
                    form_41=FORM_41,
                    witnesses=pair,
                )
            assert "different person" in caught.exception.message_dict[field][0]
        with self.assertRaises(ValidationError):
            disposal.destroy(
                self.by(Role.CUSTODIAN),
                self.vial(),
                "10",
                method="kit",
                form_41=FORM_41,
                witnesses=[witness(nurse)],
            )

    def test_a_witness_with_a_wrong_code_stops_the_destruction(self) -> None:
        bad = Witness(
            self.users[Role.PHYSICIAN], TEST_PASSWORD, wrong_token(self.users[Role.PHYSICIAN])
        )
        with self.assertRaises(ValidationError):
            disposal.destroy(
                self.by(Role.CUSTODIAN),
                self.vial(),
                "10",
                method="kit",
                form_41=FORM_41,
                witnesses=[witness(self.users[Role.NURSE]), bad],
            )
        assert self.balance(self.vial()) == (D("200.000"), D("20.000"))

    def test_form_41_details_are_required(self) -> None:
        with self.assertRaises(ValidationError) as caught:
            disposal.destroy(
                self.by(Role.CUSTODIAN),
                self.vial(),
                "10",
                method="kit",
                form_41={},
                witnesses=[witness(self.users[Role.NURSE]), witness(self.users[Role.PHYSICIAN])],
            )
        assert "form_41" in caught.exception.message_dict

    def test_only_the_custodian_destroys(self) -> None:
        with self.assertRaises(PermissionDenied):
            disposal.destroy(
                self.by(Role.NURSE),
                self.vial(),
                "10",
                method="kit",
                form_41=FORM_41,
                witnesses=[
                    witness(self.users[Role.PHYSICIAN]),
                    witness(self.users[Role.CUSTODIAN]),
                ],
            )


class AdjustTests(LedgerCase):
    def test_an_adjustment_moves_the_balance_with_two_signatures(self) -> None:
        txn = disposal.adjust(
            self.by(Role.CUSTODIAN),
            self.vial(),
            "-0.5",
            reason="overfill read",
            witness=witness(self.users[Role.PHYSICIAN]),
        )
        assert (txn.balance_mg_delta, txn.balance_ml_delta) == (D("-0.500"), D("-0.050"))
        assert txn.witness_1_id == self.users[Role.PHYSICIAN].pk
        assert self.balance(self.vial()) == (D("199.500"), D("19.950"))

    def test_an_adjustment_below_zero_is_refused(self) -> None:
        with self.assertRaises(ValidationError):
            disposal.adjust(
                self.by(Role.CUSTODIAN),
                self.vial(),
                "-200.001",
                reason="x",
                witness=witness(self.users[Role.PHYSICIAN]),
            )

    def test_the_second_signature_is_someone_else(self) -> None:
        with self.assertRaises(ValidationError):
            disposal.adjust(
                self.by(Role.CUSTODIAN),
                self.vial(),
                "1",
                reason="x",
                witness=witness(self.users[Role.CUSTODIAN]),
            )


class CorrectTests(LedgerCase):
    def test_a_correction_references_the_entry_and_moves_the_difference(self) -> None:
        nurse = self.by(Role.NURSE)
        draw = chair.draw(nurse, self.vial(), self.session, "40")
        fix = disposal.correct(nurse, draw, mg="45", reason="drew 45, typed 40")
        assert (fix.kind, fix.corrects_id, fix.session_id) == (
            Kind.CORRECTION,
            draw.pk,
            self.session.pk,
        )
        assert fix.balance_mg_delta == D("-5.000")
        assert self.balance(self.vial()) == (D("155.000"), D("15.500"))
        assert reconciliation(self.session).drawn_mg == D("45")
        assert Transaction.objects.get(pk=draw.pk).quantity_mg == D("40")  # the original stays

    def test_only_the_newest_correction_may_be_corrected(self) -> None:
        nurse = self.by(Role.NURSE)
        draw = chair.draw(nurse, self.vial(), self.session, "40")
        fix = disposal.correct(nurse, draw, mg="45", reason="typo")
        with self.assertRaises(ValidationError):
            disposal.correct(nurse, draw, mg="50", reason="again")
        again = disposal.correct(nurse, fix, mg="0", reason="entered in error")
        assert self.balance(self.vial()) == (D("200.000"), D("20.000"))
        assert again.corrects_id == fix.pk

    def test_a_correction_that_unreconciles_a_signed_session_opens_a_discrepancy(self) -> None:
        nurse = self.by(Role.NURSE)
        chair.draw(nurse, self.vial(), self.session, "40")
        given = chair.administer(nurse, self.vial(), self.session, "40")
        InfusionSession.objects.filter(pk=self.session.pk).update(state=states.SIGNED)
        disposal.correct(nurse, given, mg="38", reason="pump said 38")
        discrepancy = Discrepancy.objects.get(session=self.session)
        assert discrepancy.is_open and discrepancy.expected_mg == D("40")

    def test_a_custodian_entry_is_corrected_by_the_custodian_only(self) -> None:
        txn = disposal.adjust(
            self.by(Role.CUSTODIAN),
            self.vial(),
            "1",
            reason="x",
            witness=witness(self.users[Role.PHYSICIAN]),
        )
        with self.assertRaises(PermissionDenied):
            disposal.correct(self.by(Role.NURSE), txn, mg="2", reason="y")
        disposal.correct(self.by(Role.CUSTODIAN), txn, mg="2", reason="y")
        assert self.balance(self.vial()) == (D("202.000"), D("20.200"))

    def test_the_clinical_time_may_not_be_in_the_future(self) -> None:
        with self.assertRaises(ValidationError):
            chair.draw(
                self.by(Role.NURSE),
                self.vial(),
                self.session,
                "1",
                clinical_at=timezone.now() + dt.timedelta(hours=1),
            )
