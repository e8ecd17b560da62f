"""Draw, administer, waste (witnessed) and return at the chair."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from ketaclinic.accounts.models import Role
from ketaclinic.audit.models import AuditEntry
from ketaclinic.infusions import states
from ketaclinic.infusions.models import InfusionSession
from ketaclinic.ledger.actions import session as chair
from ketaclinic.ledger.models import Kind, Transaction
from ketaclinic.ledger.reconcile import reconciliation
from ketaclinic.ledger.tests.base import LedgerCase, token_for, wrong_token
from ketaclinic.testing import TEST_PASSWORD, member

D = Decimal


class DrawTests(LedgerCase):
    def test_a_draw_takes_mg_and_ml_off_the_vial_and_is_audited(self) -> None:
        txn = chair.draw(self.by(Role.NURSE), self.vial(), self.session, "40")
        # 40 mg of 10 mg/mL = 4 mL; the 200 mg / 20 mL vial keeps 160 mg / 16 mL.
        assert (txn.quantity_mg, txn.quantity_ml) == (D("40.000"), D("4.000"))
        assert (txn.balance_mg_delta, txn.balance_ml_delta) == (D("-40.000"), D("-4.000"))
        assert self.balance(self.vial()) == (D("160.000"), D("16.000"))
        assert (txn.session_id, txn.patient_id) == (self.session.pk, self.patient.pk)
        entry = AuditEntry.objects.filter(action="ledger.draw").get()
        assert entry.object_id == str(txn.pk)
        assert entry.patient_ref == str(self.patient.pk)

    def test_more_than_the_vial_holds_is_refused_and_nothing_is_written(self) -> None:
        with self.assertRaises(ValidationError) as caught:
            chair.draw(self.by(Role.NURSE), self.vial(), self.session, "200.001")
        assert "holds 200.000 mg" in str(caught.exception.message_dict["mg"])
        assert not Transaction.objects.filter(kind=Kind.DRAW).exists()

    def test_the_whole_vial_can_be_drawn(self) -> None:
        chair.draw(self.by(Role.NURSE), self.vial(), self.session, "200")
        assert self.balance(self.vial()) == (D("0.000"), D("0.000"))

    def test_a_ml_that_does_not_match_the_mg_is_refused(self) -> None:
        with self.assertRaises(ValidationError) as caught:
            chair.draw(self.by(Role.NURSE), self.vial(), self.session, "40", "5")
        assert "expected 4.000 mL" in str(caught.exception.message_dict["ml"])

    def test_only_nurses_and_physicians_draw(self) -> None:
        for role in (Role.CUSTODIAN, Role.COORDINATOR, Role.CLINIC_ADMIN):
            with self.subTest(role=role), self.assertRaises(PermissionDenied):
                chair.draw(self.by(role), self.vial(), self.session, "10")
        chair.draw(self.by(Role.PHYSICIAN), self.vial(), self.session, "10")

    def test_another_clinics_member_cannot_draw(self) -> None:
        with self.assertRaises(PermissionDenied):
            chair.draw(member(self.outsider), self.vial(), self.session, "10")

    def test_a_signed_session_takes_no_new_draw(self) -> None:
        InfusionSession.objects.filter(pk=self.session.pk).update(state=states.SIGNED)
        self.session.refresh_from_db()
        with self.assertRaises(ValidationError) as caught:
            chair.draw(self.by(Role.NURSE), self.vial(), self.session, "10")
        assert "correction" in caught.exception.message_dict["session"][0]

    def test_an_expired_lot_is_refused(self) -> None:
        from ketaclinic.access.zones import clinic_zone
        from ketaclinic.ledger.models import Lot

        # Yesterday in the clinic's own zone (an expiry date is used through its last day).
        today = timezone.now().astimezone(clinic_zone(self.clinic)).date()
        Lot.objects.filter(pk=self.vial().lot_id).update(expiry=today - dt.timedelta(days=1))
        with self.assertRaises(ValidationError) as caught:
            chair.draw(self.by(Role.NURSE), self.vial(), self.session, "10")
        assert "expired" in caught.exception.message_dict["container"][0]

    def test_a_double_submit_stores_once(self) -> None:
        first = chair.draw(
            self.by(Role.NURSE), self.vial(), self.session, "40", idempotency_key="k1"
        )
        again = chair.draw(
            self.by(Role.NURSE), self.vial(), self.session, "40", idempotency_key="k1"
        )
        assert first.pk == again.pk
        assert self.balance(self.vial()) == (D("160.000"), D("16.000"))


class AdministerWasteReturnTests(LedgerCase):
    def setUp(self) -> None:
        self.nurse = self.by(Role.NURSE)
        chair.draw(self.nurse, self.vial(), self.session, "40")

    def waste(self, mg: str = "5", **kw: Any) -> Transaction:
        values: dict[str, Any] = {
            "witness_user": self.second_nurse,
            "witness_password": TEST_PASSWORD,
            "witness_otp_token": token_for(self.second_nurse),
            **kw,
        }
        return chair.waste(self.nurse, self.vial(), self.session, mg, "sink, witnessed", **values)

    def test_draw_administer_waste_reconciles_and_the_vial_moves_only_on_the_draw(self) -> None:
        # The session delivered 35 mg of the 40 mg drawn; 5 mg is wasted with a witness.
        chair.administer(self.nurse, self.vial(), self.session, "35")
        txn = self.waste("5")
        assert txn.witness_1_id == self.second_nurse.pk and txn.method == "sink, witnessed"
        assert self.balance(self.vial()) == (D("160.000"), D("16.000"))
        result = reconciliation(self.session)
        assert result[:5] == (D("40.000"), D("35.000"), D("5.000"), D("0.000"), True)

    def test_a_return_puts_the_unused_part_back_in_the_vial(self) -> None:
        chair.administer(self.nurse, self.vial(), self.session, "30")
        chair.return_to_stock(self.nurse, self.vial(), self.session, "10", reason="not needed")
        assert self.balance(self.vial()) == (D("170.000"), D("17.000"))
        drawn, given, wasted, returned, ok, _message = reconciliation(self.session)
        assert (drawn, given, wasted, returned, ok) == (D("40"), D("30"), D("0"), D("10"), True)

    def test_more_than_was_drawn_cannot_be_administered(self) -> None:
        chair.administer(self.nurse, self.vial(), self.session, "35")
        with self.assertRaises(ValidationError) as caught:
            chair.administer(self.nurse, self.vial(), self.session, "5.02")
        assert "Only 5.000 mg" in caught.exception.message_dict["mg"][0]

    def test_unreconciled_until_the_rest_is_wasted(self) -> None:
        chair.administer(self.nurse, self.vial(), self.session, "35")
        result = reconciliation(self.session)
        assert not result.ok
        assert "5.000 mg unaccounted for" in result.message

    def test_the_witness_cannot_be_the_person_wasting(self) -> None:
        me = self.users[Role.NURSE]
        with self.assertRaises(ValidationError) as caught:
            self.waste(witness_user=me, witness_otp_token=token_for(me))
        assert "different person" in caught.exception.message_dict["witness"][0]
        assert not Transaction.objects.filter(kind=Kind.WASTE).exists()

    def test_a_witness_with_a_wrong_code_is_refused(self) -> None:
        with self.assertRaises(ValidationError) as caught:
            self.waste(witness_otp_token=wrong_token(self.second_nurse))
        assert "authenticator code" in caught.exception.message_dict["witness"][0]
        assert not Transaction.objects.filter(kind=Kind.WASTE).exists()

    def test_a_witness_with_a_wrong_password_is_refused(self) -> None:
        with self.assertRaises(ValidationError):
            self.waste(witness_password="not the password")
        assert not Transaction.objects.filter(kind=Kind.WASTE).exists()

    def test_a_replayed_code_is_refused(self) -> None:
        code = token_for(self.second_nurse)
        self.waste("2", witness_otp_token=code)
        with self.assertRaises(ValidationError):
            chair.waste(
                self.nurse,
                self.vial(),
                self.session,
                "2",
                "sink",
                self.second_nurse,
                TEST_PASSWORD,
                code,
            )

    def test_the_witness_must_be_a_licensed_colleague(self) -> None:
        for role in (Role.CUSTODIAN, Role.COORDINATOR):
            user = self.users[role]
            with self.subTest(role=role), self.assertRaises(ValidationError) as caught:
                self.waste(witness_user=user, witness_otp_token=token_for(user))
            assert "licensed colleague" in caught.exception.message_dict["witness"][0]
        with self.assertRaises(ValidationError):
            self.waste(witness_user=self.outsider, witness_otp_token=token_for(self.outsider))

    def test_waste_needs_a_method(self) -> None:
        with self.assertRaises(ValidationError) as caught:
            chair.waste(
                self.nurse,
                self.vial(),
                self.session,
                "5",
                " ",
                self.second_nurse,
                TEST_PASSWORD,
                token_for(self.second_nurse),
            )
        assert "method" in caught.exception.message_dict
