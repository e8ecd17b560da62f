"""Setting up, receiving and moving stock (custodian)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError

from ketaclinic.accounts.models import Role
from ketaclinic.ledger.actions import setup, stock
from ketaclinic.ledger.models import Container, ContainerBalance, Kind, Transaction
from ketaclinic.ledger.tests.base import LedgerCase
from ketaclinic.testing import member

D = Decimal


class ReceiveTests(LedgerCase):
    def test_a_receipt_brings_in_each_container_with_its_lot_and_supplier(self) -> None:
        vials = self.stock.receive(n=3, invoice_number="INV-77", lot_number="K2027A")
        assert len(vials) == 3
        for vial in vials:
            assert (vial.initial_mg, vial.initial_ml) == (D("200.000"), D("20.000"))
            assert self.balance(vial) == (D("200.000"), D("20.000"))
            assert vial.lot.supplier.dea_number == "RA0000001"
        receipts = Transaction.objects.filter(container__in=vials, kind=Kind.RECEIPT)
        assert {t.reason for t in receipts} == {"Invoice INV-77 from Acme Wholesale"}
        assert {t.to_location_id for t in receipts} == {self.stock.safe.pk}

    def test_a_double_submit_receives_once(self) -> None:
        values: dict[str, Any] = dict(
            drug=self.stock.ketamine,
            supplier=self.stock.supplier,
            lot_number="LX",
            expiry=dt.date(2030, 1, 1),
            invoice_number="I-1",
            received_on=dt.date(2026, 11, 30),
            location=self.stock.safe,
            labels=["A-1", "A-2"],
            idempotency_key="abc",
        )
        first = stock.receive(self.by(Role.CUSTODIAN), **values)
        again = stock.receive(self.by(Role.CUSTODIAN), **values)
        assert [t.pk for t in first] == [t.pk for t in again]
        assert Container.objects.filter(label__startswith="A-").count() == 2

    def test_labels_are_unique_and_the_invoice_is_required(self) -> None:
        base: dict[str, Any] = dict(
            drug=self.stock.ketamine,
            supplier=self.stock.supplier,
            lot_number="LY",
            expiry=dt.date(2030, 1, 1),
            received_on=dt.date(2026, 11, 30),
            location=self.stock.safe,
        )
        with self.assertRaises(ValidationError) as caught:
            stock.receive(self.by(Role.CUSTODIAN), invoice_number="", labels=["B", "B"], **base)
        assert set(caught.exception.message_dict) == {"invoice_number", "labels"}

    def test_only_the_custodian_receives(self) -> None:
        for role in (Role.NURSE, Role.PHYSICIAN, Role.CLINIC_ADMIN):
            with self.subTest(role=role), self.assertRaises(PermissionDenied):
                setup.create_supplier(self.by(role), name="X", address="Y", dea_number="Z")
        with self.assertRaises(PermissionDenied):
            setup.create_supplier(member(self.outsider), name="X", address="Y", dea_number="Z")

    def test_retention_may_be_longer_never_shorter_than_two_years(self) -> None:
        with self.assertRaises(ValidationError):
            setup.create_registration(
                self.by(Role.CUSTODIAN),
                dea_number="FX0000001",
                registrant_name="X",
                address="Y",
                retention_years=1,
            )
        reg = setup.create_registration(
            self.by(Role.CUSTODIAN),
            dea_number="FX0000001",
            registrant_name="X",
            address="Y",
            retention_years=5,
        )
        assert reg.retention_years == 5


class TransferTests(LedgerCase):
    def test_a_transfer_moves_the_vial_not_its_balance(self) -> None:
        txn = stock.transfer(self.by(Role.CUSTODIAN), self.vial(), self.stock.cabinet)
        assert (txn.from_location_id, txn.to_location_id) == (
            self.stock.safe.pk,
            self.stock.cabinet.pk,
        )
        row = ContainerBalance.objects.get(container=self.vial())
        assert (row.location_id, row.mg) == (self.stock.cabinet.pk, D("200.000"))
        with self.assertRaises(ValidationError):
            stock.transfer(self.by(Role.CUSTODIAN), self.vial(), self.stock.cabinet)

    def test_a_nurse_cannot_transfer(self) -> None:
        with self.assertRaises(PermissionDenied):
            stock.transfer(self.by(Role.NURSE), self.vial(), self.stock.cabinet)
