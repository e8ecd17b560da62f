"""Reports, CSV and PDF exports, inventories and today's sessions."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

from django.urls import reverse
from django.utils import timezone

from ketaclinic.accounts.models import Role
from ketaclinic.infusions.models import InfusionSession
from ketaclinic.ledger.actions import oversight, session
from ketaclinic.ledger.models import Inventory
from ketaclinic.ledger.tests.base import LedgerCase, add_patient, add_session, token_for
from ketaclinic.patients.models import Patient
from ketaclinic.scheduling.models import Booking, Chair
from ketaclinic.testing import TEST_PASSWORD

D = Decimal
READERS = (Role.CUSTODIAN, Role.NURSE, Role.PHYSICIAN, Role.CLINIC_ADMIN)


class ReportTests(LedgerCase):
    other_patient: Patient
    other_session: InfusionSession

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        nurse = cls.by(Role.NURSE)
        vial = cls.vials[0]
        session.draw(nurse, vial, cls.session, "50")
        session.administer(nurse, vial, cls.session, "40")
        session.waste(
            nurse,
            vial,
            cls.session,
            "10",
            "=SUM(1)",
            cls.second_nurse,
            TEST_PASSWORD,
            token_for(cls.second_nurse),
        )
        # A second patient's administration from the other vial.
        cls.other_patient = add_patient(cls.clinic)
        cls.other_session = add_session(cls.clinic, cls.other_patient, cls.chair)
        session.draw(nurse, cls.vials[1], cls.other_session, "30")
        session.administer(nurse, cls.vials[1], cls.other_session, "30")

    def test_the_administration_log_by_patient_and_lot(self) -> None:
        self.login(Role.PHYSICIAN)
        response = self.client.get(reverse("ledger:reports"), {"report": "administration"})
        assert len(response.context["rows"]) == 2
        by_patient = self.client.get(
            reverse("ledger:reports"), {"report": "administration", "patient": str(self.patient.pk)}
        )
        (row,) = by_patient.context["rows"]
        assert row[7] == "40.000" and row[10] == self.patient.mrn
        staff = self.client.get(
            reverse("ledger:reports"),
            {
                "report": "administration",
                "staff": str(self.by(Role.CUSTODIAN).pk),
            },
        )
        assert staff.context["rows"] == []  # the custodian administered nothing
        tomorrow = (timezone.now() + dt.timedelta(days=2)).date().isoformat()
        later = self.client.get(reverse("ledger:reports"), {"start": tomorrow})
        assert later.context["rows"] == []

    def test_csv_neutralises_formula_cells(self) -> None:
        self.login(Role.CUSTODIAN)
        response = self.client.get(reverse("ledger:report_csv"), {"report": "waste"})
        assert response["Content-Type"].startswith("text/csv")
        rows = list(csv.reader(io.StringIO(response.content.decode())))
        assert rows[0][0] == "Entry"
        (waste,) = rows[1:]
        assert waste[15] == "'=SUM(1)"  # the method column, quoted so it cannot run

    def test_pdf_exports(self) -> None:
        self.login(Role.CLINIC_ADMIN)
        response = self.client.get(reverse("ledger:report_pdf"), {"report": "administration"})
        assert response.content.startswith(b"%PDF")
        assert self.patient.mrn.encode() in response.content  # uncompressed text

    def test_reports_are_refused_to_other_roles(self) -> None:
        for role in self.roles_except(*READERS):
            self.login(role)
            for name in ("ledger:reports", "ledger:report_csv", "ledger:report_pdf"):
                self.assert_denied(self.client.get(reverse(name)), 403)

    def test_todays_sessions_with_their_status(self) -> None:
        Booking.objects.filter(pk=self.session.booking_id).update(starts_at=timezone.now())
        elsewhere = Chair.objects.create(clinic=self.clinic, name="Chair 2")
        Booking.objects.filter(pk=self.other_session.booking_id).update(
            chair=elsewhere, starts_at=timezone.now() - dt.timedelta(days=3)
        )
        self.login(Role.CUSTODIAN)
        response = self.client.get(reverse("ledger:sessions"))
        (r,) = response.context["rows"]  # the other session was three days ago
        assert r.session == self.session
        assert (r.drawn_mg, r.administered_mg, r.wasted_mg, r.ok) == (
            D("50.000"),
            D("40.000"),
            D("10.000"),
            True,
        )
        assert "Reconciled" in response.content.decode()
        self.login(Role.COORDINATOR)
        self.assert_denied(self.client.get(reverse("ledger:sessions")), 403)


class InventoryTests(LedgerCase):
    def test_the_reminder_before_the_two_year_date_and_the_inventory_pdf(self) -> None:
        self.login(Role.CUSTODIAN)
        assert (
            "No initial inventory recorded"
            in self.client.get(reverse("ledger:inventory")).content.decode()
        )
        inv = oversight.record_inventory(
            self.by(Role.CUSTODIAN),
            self.stock.registration,
            kind="initial",
            taken_on=timezone.now().date() - dt.timedelta(days=710),
            business_time="opening",
            lines=[oversight.InventoryCount(v, "20") for v in self.vials],
        )
        page = self.client.get(reverse("ledger:inventory")).content.decode()
        assert "Biennial inventory due" in page
        assert "Biennial inventory due" in self.client.get(reverse("web:home")).content.decode()
        pdf = self.client.get(reverse("ledger:inventory_pdf", args=[inv.pk]))
        assert pdf.content.startswith(b"%PDF")
        assert b"at opening of business" in pdf.content

    def test_a_recent_inventory_gives_no_reminder(self) -> None:
        oversight.record_inventory(
            self.by(Role.CUSTODIAN),
            self.stock.registration,
            kind="initial",
            taken_on=timezone.now().date(),
            business_time="close",
            lines=[oversight.InventoryCount(v, "20") for v in self.vials],
        )
        self.login(Role.CUSTODIAN)
        assert (
            "Biennial inventory due"
            not in self.client.get(reverse("ledger:inventory")).content.decode()
        )

    def test_the_inventory_form_records_with_an_estimate_refused_for_a_sealed_vial(self) -> None:
        self.login(Role.CUSTODIAN)
        data = {
            "kind": "biennial",
            "taken_on": timezone.now().date().isoformat(),
            "business_time": "close",
            f"line_{self.vials[0].pk}": "20",
            f"estimated_{self.vials[0].pk}": "on",
            f"line_{self.vials[1].pk}": "20",
        }
        response = self.client.post(reverse("ledger:inventory"), data)
        assert response.status_code == 200
        assert response.context["form"].errors[f"line_{self.vials[0].pk}"]
        del data[f"estimated_{self.vials[0].pk}"]
        assert self.client.post(reverse("ledger:inventory"), data).status_code == 302
        assert Inventory.objects.get().business_time == "close"

    def test_only_the_custodian_takes_an_inventory(self) -> None:
        for role in self.roles_except(Role.CUSTODIAN):
            self.login(role)
            self.assert_denied(self.client.get(reverse("ledger:inventory")), 403)
