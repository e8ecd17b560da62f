"""Blind counts, discrepancies with their investigation and sign-off, inventories, and the
custodians' alert."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from ketaclinic.accounts.models import Role
from ketaclinic.ledger.actions import disposal, oversight
from ketaclinic.ledger.actions import session as chair
from ketaclinic.ledger.actions.oversight import InventoryCount
from ketaclinic.ledger.models import Discrepancy, DiscrepancySource, InventoryKind
from ketaclinic.ledger.tasks import due_items
from ketaclinic.ledger.tests.base import LedgerCase, witness

D = Decimal


class CountTests(LedgerCase):
    def test_a_matching_count_opens_nothing(self) -> None:
        count = oversight.record_count(
            self.by(Role.CUSTODIAN), counted_ml={self.vial(0): "20", self.vial(1): "20.005"}
        )
        lines = list(count.lines.order_by("container_id"))
        assert [(line.expected_ml, line.counted_mg) for line in lines] == [
            (D("20.000"), D("200.000")),
            (D("20.000"), D("200.050")),  # within 0.01 mL
        ]
        assert not Discrepancy.objects.exists()

    def test_a_short_count_opens_a_discrepancy_and_alerts_the_custodian(self) -> None:
        chair.draw(self.by(Role.NURSE), self.vial(), self.session, "40")
        count = oversight.record_count(self.by(Role.CUSTODIAN), counted_ml={self.vial(): "15.5"})
        discrepancy = Discrepancy.objects.get()
        assert discrepancy.source == DiscrepancySource.COUNT
        assert discrepancy.count_line == count.lines.get()
        # 16 mL (160 mg) expected after the 40 mg draw; 15.5 mL = 155 mg found.
        assert (discrepancy.expected_mg, discrepancy.found_mg) == (D("160.000"), D("155.000"))
        (message,) = mail.outbox
        assert message.to == [self.users[Role.CUSTODIAN].email]
        assert f"#{discrepancy.pk}" in message.subject

    def test_only_the_custodian_counts(self) -> None:
        with self.assertRaises(PermissionDenied):
            oversight.record_count(self.by(Role.NURSE), counted_ml={self.vial(): "20"})

    def test_investigate_then_resolve_with_an_adjustment(self) -> None:
        custodian = self.by(Role.CUSTODIAN)
        oversight.record_count(custodian, counted_ml={self.vial(): "19.5"})
        discrepancy = Discrepancy.objects.get()
        oversight.add_discrepancy_note(self.by(Role.NURSE), discrepancy, "Overfill misread.")
        fix = disposal.adjust(
            custodian,
            self.vial(),
            "-5",
            reason="count of 19.5 mL",
            witness=witness(self.users[Role.PHYSICIAN]),
        )
        done = oversight.resolve_discrepancy(
            custodian, discrepancy, resolution="Adjusted after recount.", resolved_with=fix
        )
        assert not done.is_open and done.resolved_by_id == self.users[Role.CUSTODIAN].pk
        assert [n.text for n in done.notes.all()] == ["Overfill misread."]
        with self.assertRaises(ValidationError):
            oversight.resolve_discrepancy(custodian, discrepancy, resolution="again")
        with self.assertRaises(PermissionDenied):
            oversight.resolve_discrepancy(self.by(Role.NURSE), discrepancy, resolution="x")


class SessionDiscrepancyTests(LedgerCase):
    def test_it_is_resolved_only_once_the_session_reconciles(self) -> None:
        nurse, custodian = self.by(Role.NURSE), self.by(Role.CUSTODIAN)
        chair.draw(nurse, self.vial(), self.session, "40")
        chair.administer(nurse, self.vial(), self.session, "36")
        discrepancy = oversight.open_session_discrepancy(nurse, self.session)
        assert discrepancy is not None
        assert oversight.open_session_discrepancy(nurse, self.session) == discrepancy
        with self.assertRaises(ValidationError):
            oversight.resolve_discrepancy(custodian, discrepancy, resolution="x")
        lost, _report = disposal.report_loss(
            nurse, self.vial(), "4", session=self.session, reason="syringe dropped"
        )
        oversight.resolve_discrepancy(
            custodian, discrepancy, resolution="Dropped.", resolved_with=lost
        )

    def test_none_when_reconciled(self) -> None:
        assert oversight.open_session_discrepancy(self.by(Role.NURSE), self.session) is None


class InventoryTests(LedgerCase):
    def test_a_biennial_inventory_at_close_of_business(self) -> None:
        chair.draw(self.by(Role.NURSE), self.vial(0), self.session, "40")
        inventory = oversight.record_inventory(
            self.by(Role.CUSTODIAN),
            self.stock.registration,
            kind=InventoryKind.BIENNIAL,
            taken_on=timezone.now().date(),
            business_time="close",
            lines=[
                InventoryCount(self.vial(0), "16", estimated=True),
                InventoryCount(self.vial(1), "20"),
            ],
        )
        rows = list(inventory.lines.order_by("container_id"))
        assert [(r.opened, r.estimated, r.counted_mg) for r in rows] == [
            (True, True, D("160.000")),
            (False, False, D("200.000")),
        ]
        assert not Discrepancy.objects.exists()

    def test_a_sealed_vial_may_not_be_estimated(self) -> None:
        with self.assertRaises(ValidationError):
            oversight.record_inventory(
                self.by(Role.CUSTODIAN),
                self.stock.registration,
                kind="initial",
                taken_on=timezone.now().date(),
                business_time="opening",
                lines=[
                    InventoryCount(self.vial(0), "20", estimated=True),
                    InventoryCount(self.vial(1), "20"),
                ],
            )

    def test_every_container_with_stock_is_counted(self) -> None:
        with self.assertRaises(ValidationError) as caught:
            oversight.record_inventory(
                self.by(Role.CUSTODIAN),
                self.stock.registration,
                kind="initial",
                taken_on=timezone.now().date(),
                business_time="opening",
                lines=[InventoryCount(self.vial(0), "20")],
            )
        assert "1 container(s)" in caught.exception.message_dict["lines"][0]

    def test_the_biennial_reminder_comes_30_days_before_two_years(self) -> None:
        taken = dt.date(2025, 1, 15)
        oversight.record_inventory(
            self.by(Role.CUSTODIAN),
            self.stock.registration,
            kind="initial",
            taken_on=taken,
            business_time="opening",
            lines=[InventoryCount(self.vial(0), "20"), InventoryCount(self.vial(1), "20")],
        )
        assert due_items(self.clinic.pk, dt.date(2026, 12, 15)) == []  # 31 days before
        assert due_items(self.clinic.pk, dt.date(2026, 12, 16)) == [
            "Biennial inventory of DEA FS1234563 due by 2027-01-15."
        ]
