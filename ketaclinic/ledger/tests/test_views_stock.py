"""The stock screens from every side: custodian, readers, other roles, another clinic."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from ketaclinic.access.zones import clinic_today
from ketaclinic.accounts.models import Role, User
from ketaclinic.ledger.models import Container, ContainerBalance, Kind, Transaction
from ketaclinic.ledger.tests.base import LedgerCase, Stock
from ketaclinic.testing import member

READERS = (Role.CUSTODIAN, Role.NURSE, Role.PHYSICIAN, Role.CLINIC_ADMIN)


class StockPageTests(LedgerCase):
    def test_readers_see_containers_with_balance_lot_and_expiry(self) -> None:
        for role in READERS:
            self.login(role)
            response = self.client.get(reverse("ledger:stock"))
            assert response.status_code == 200, role
            assert self.vials[0].label in response.content.decode()
            assert "200.000" in response.content.decode()  # 10 mg/mL x 20 mL

    def test_other_roles_are_refused(self) -> None:
        for role in self.roles_except(*READERS):
            self.login(role)
            self.assert_denied(self.client.get(reverse("ledger:stock")), 403)

    def test_expiry_warnings_and_the_first_expiring_lot_suggested(self) -> None:
        today = clinic_today(self.clinic)
        (soon,) = self.stock.receive(expiry=today + dt.timedelta(days=10))
        self.login(Role.CUSTODIAN)
        rows = self.client.get(reverse("ledger:stock")).context["locations"]["Safe"]
        by_label = {r.balance.container.label: r for r in rows}
        assert by_label[soon.label].status == "expiring"
        assert by_label[soon.label].suggested  # expires first: draw from it next
        assert by_label[self.vials[0].label].status == "ok"
        assert not by_label[self.vials[0].label].suggested

    def test_an_expired_lot_is_flagged_and_not_suggested(self) -> None:
        (old,) = self.stock.receive(expiry=clinic_today(self.clinic) - dt.timedelta(days=1))
        self.login(Role.CUSTODIAN)
        rows = self.client.get(reverse("ledger:stock")).context["locations"]["Safe"]
        row = next(r for r in rows if r.balance.container_id == old.pk)
        assert row.status == "expired" and not row.suggested
        assert "Expired" in self.client.get(reverse("ledger:stock")).content.decode()

    def test_another_clinics_stock_is_not_shown(self) -> None:
        other = Stock(self.other, member(self.make_custodian_elsewhere(), self.other))
        (theirs,) = other.receive()
        self.login(Role.CUSTODIAN)
        locations = self.client.get(reverse("ledger:stock")).context["locations"]
        shown = {r.balance.container_id for rows in locations.values() for r in rows}
        assert self.vials[0].pk in shown and theirs.pk not in shown
        url = reverse("ledger:container", args=[theirs.pk])
        self.assert_denied(self.client.get(url), 404)

    def make_custodian_elsewhere(self) -> User:
        from ketaclinic.testing import make_user

        return make_user("custodian@other.example", "Other Custodian", self.other, Role.CUSTODIAN)


class ContainerHistoryTests(LedgerCase):
    def test_every_entry_with_its_hash_who_and_witness(self) -> None:
        receipt = Transaction.objects.get(container=self.vials[0], kind=Kind.RECEIPT)
        self.login(Role.PHYSICIAN)
        response = self.client.get(reverse("ledger:container", args=[self.vials[0].pk]))
        body = response.content.decode()
        assert response.status_code == 200
        assert receipt.entry_hash[:14] in body
        assert "Receipt" in body and self.users[Role.CUSTODIAN].full_name in body

    def test_refused_to_other_roles(self) -> None:
        url = reverse("ledger:container", args=[self.vials[0].pk])
        for role in self.roles_except(*READERS):
            self.login(role)
            self.assert_denied(self.client.get(url), 403)


class ReceiveTransferTests(LedgerCase):
    def receipt(self, **values: str) -> dict[str, str]:
        data = {
            "idempotency_key": "k" * 32,
            "drug": str(self.stock.ketamine.pk),
            "lot_number": "NEW1",
            "expiry": "2031-01-31",
            "supplier": "",
            "supplier_name": "Lakeside Pharma",
            "supplier_address": "2 Shore Road, Erie",
            "supplier_dea_number": "RL1234567",
            "invoice_number": "INV-900",
            "received_on": timezone.now().date().isoformat(),
            "location": str(self.stock.cabinet.pk),
            "labels": "N-1\nN-2\n",
        }
        data.update(values)
        return data

    def test_the_custodian_receives_containers_with_a_new_supplier_once(self) -> None:
        self.login(Role.CUSTODIAN)
        for _ in range(2):  # a double submit stores once
            response = self.client.post(reverse("ledger:receive"), self.receipt())
            assert response.status_code == 302
        assert Container.objects.filter(label__in=["N-1", "N-2"]).count() == 2
        lot = Container.objects.get(label="N-1").lot
        assert (lot.supplier.dea_number, lot.invoice_number) == ("RL1234567", "INV-900")

    def test_a_missing_supplier_detail_is_refused_at_its_field(self) -> None:
        self.login(Role.CUSTODIAN)
        response = self.client.post(reverse("ledger:receive"), self.receipt(supplier_dea_number=""))
        assert response.status_code == 200
        assert response.context["form"].errors["supplier_dea_number"]
        assert 'value="NEW1"' in response.content.decode()  # what was typed is kept

    def test_a_label_in_use_is_refused_at_its_field(self) -> None:
        self.login(Role.CUSTODIAN)
        response = self.client.post(
            reverse("ledger:receive"), self.receipt(labels=self.vials[0].label)
        )
        assert response.status_code == 200
        assert response.context["form"].errors["labels"]

    def test_only_the_custodian_receives_or_transfers(self) -> None:
        for name in ("ledger:receive", "ledger:transfer"):
            for role in self.roles_except(Role.CUSTODIAN):
                self.login(role)
                self.assert_denied(self.client.get(reverse(name)), 403)
                self.assert_denied(self.client.post(reverse(name), {}), 403)

    def test_transfer_moves_the_container(self) -> None:
        self.login(Role.CUSTODIAN)
        response = self.client.post(
            reverse("ledger:transfer"),
            {
                "idempotency_key": "t" * 32,
                "container": self.vials[0].pk,
                "to_location": self.stock.cabinet.pk,
                "reason": "Restock the cabinet",
            },
        )
        assert response.status_code == 302
        assert ContainerBalance.objects.get(container=self.vials[0]).location == self.stock.cabinet
