"""The demo ledger: consistent with the demo sessions, verifies, idempotent."""

from __future__ import annotations

from decimal import Decimal

from django.test import TestCase
from django.utils import timezone

from ketaclinic.access.zones import clinic_today
from ketaclinic.clinics.models import Clinic
from ketaclinic.demo import create_demo
from ketaclinic.infusions.models import InfusionSession
from ketaclinic.ledger import demo, screens
from ketaclinic.ledger.models import Discrepancy, Inventory, Kind, Registration, Transaction
from ketaclinic.ledger.reconcile import reconciliations
from ketaclinic.ledger.verify import verify_ledger
from ketaclinic.scheduling.models import Booking

D = Decimal


class DemoLedgerTests(TestCase):
    def sessions(self, clinic: Clinic) -> list[InfusionSession]:
        """Three sessions on demo bookings: past the infusion (40 mg prepared, 38 mg ordered),
        on the pump (40 mg prepared), and one not prepared."""
        bookings = list(Booking.objects.filter(clinic=clinic).order_by("starts_at")[:3])
        now = timezone.now()
        made = []
        for booking, state, prepared in zip(
            bookings, ["recovery", "infusing", "scheduled"], [40.0, 40.0, None], strict=True
        ):
            made.append(
                InfusionSession.objects.create(
                    clinic=booking.clinic,
                    patient=booking.patient,
                    booking=booking,
                    state=state,
                    container_drug_mg=prepared,
                    container_volume_ml=40.0,
                    ordered_dose_mg=38.0 if prepared else None,
                    prepared_at=now if prepared else None,
                    infusion_ended_at=now if state == "recovery" else None,
                )
            )
        return made

    def test_the_demo_ledger_follows_its_sessions_and_verifies(self) -> None:
        clinic = create_demo()
        past, on_pump, unprepared = self.sessions(clinic)
        demo.seed(clinic)
        count = Transaction.objects.filter(clinic=clinic).count()
        demo.seed(clinic)  # idempotent
        assert Transaction.objects.filter(clinic=clinic).count() == count
        assert Registration.objects.filter(clinic=clinic).count() == 1
        result = verify_ledger()
        assert result.ok, result.problem
        # Past the infusion: 40 drawn = 38 administered (the ordered dose: pk.delivered_mg is
        # a stub on this branch) + 2 wasted with the physician as witness.
        (rec,) = reconciliations(past)
        assert (rec.drawn_mg, rec.administered_mg, rec.wasted_mg, rec.ok) == (
            D("40.000"),
            D("38.000"),
            D("2.000"),
            True,
        )
        waste = Transaction.objects.get(session=past, kind=Kind.WASTE)
        assert waste.witness_1 is not None and waste.witness_1.email.startswith("physician@")
        assert list(on_pump.ledger_transactions.values_list("kind", flat=True)) == [Kind.DRAW]
        assert not unprepared.ledger_transactions.exists()
        discrepancies = Discrepancy.objects.filter(clinic=clinic)
        assert discrepancies.filter(resolved_at__isnull=True).count() == 1
        resolved = discrepancies.get(resolved_at__isnull=False)
        assert resolved.notes.count() == 1 and resolved.resolved_with is not None
        assert Inventory.objects.filter(clinic=clinic, kind="initial").count() == 1
        (due,) = screens.inventories_due(clinic.pk, clinic_today(clinic))
        assert due.remind  # taken 710 days ago: the two-year date is 20 days away
        statuses = {r.status for r in screens.stock_rows(clinic.pk, clinic_today(clinic))}
        assert "expiring" in statuses

    def test_the_demo_ledger_needs_no_sessions(self) -> None:
        clinic = create_demo()
        demo.seed(clinic)
        assert not Transaction.objects.filter(clinic=clinic, session__isnull=False).exists()
        assert Transaction.objects.filter(clinic=clinic, kind=Kind.RECEIPT).count() == 36
        assert verify_ledger().ok
