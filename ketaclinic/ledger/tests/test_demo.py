"""The demo ledger: consistent with the demo's infusion sessions, verifies, idempotent."""

from __future__ import annotations

from decimal import Decimal

from django.test import TestCase
from django_otp.plugins.otp_totp.models import TOTPDevice

from ketaclinic.access.zones import clinic_today
from ketaclinic.accounts.models import Membership, Role, User
from ketaclinic.clinics.models import Clinic
from ketaclinic.demo import DEMO_PASSWORD, create_demo
from ketaclinic.infusions import pk
from ketaclinic.infusions.models import InfusionSession
from ketaclinic.ledger import demo, screens
from ketaclinic.ledger.models import Discrepancy, Inventory, Kind, Registration, Transaction
from ketaclinic.ledger.reconcile import reconciliations
from ketaclinic.ledger.verify import verify_ledger

D = Decimal
THREE = D("0.001")


class DemoLedgerTests(TestCase):
    def test_the_demo_ledger_follows_its_sessions_and_verifies(self) -> None:
        clinic = create_demo()  # the infusion day, then the ledger, then the signed note
        count = Transaction.objects.filter(clinic=clinic).count()
        demo.seed(clinic)  # idempotent
        assert Transaction.objects.filter(clinic=clinic).count() == count
        assert Registration.objects.filter(clinic=clinic).count() == 1
        result = verify_ledger()
        assert result.ok, result.problem
        sessions = InfusionSession.objects.filter(clinic=clinic)
        # The signed session: 50 mg drawn = the delivered mg charted (pharmacology engine)
        # administered + the rest wasted with the physician as witness.
        signed = sessions.get(state="signed")
        (rec,) = reconciliations(signed)
        delivered = pk.delivered_mg(signed)
        assert delivered is not None
        given = D(str(delivered)).quantize(THREE)
        assert (rec.drawn_mg, rec.administered_mg, rec.wasted_mg, rec.ok) == (
            D("50.000"),
            given,
            D("50.000") - given,
            True,
        )
        waste = Transaction.objects.get(session=signed, kind=Kind.WASTE)
        assert waste.witness_1 is not None and waste.witness_1.email.startswith("physician@")
        # On the pump: the draw only; not prepared yet: nothing.
        infusing = sessions.get(state="infusing")
        assert list(infusing.ledger_transactions.values_list("kind", flat=True)) == [Kind.DRAW]
        assert not sessions.get(state="scheduled").ledger_transactions.exists()
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
        clinic = Clinic.objects.create(name="Empty Ledger Clinic", slug="empty-ledger")
        for role in (Role.CUSTODIAN, Role.NURSE, Role.PHYSICIAN):
            # The demo's witnesses sign with the demo password and their authenticator.
            user = User.objects.create_user(
                f"{role}@empty-ledger.example", DEMO_PASSWORD, full_name=f"Empty {role}"
            )
            TOTPDevice.objects.create(user=user, name="authenticator", confirmed=True)
            Membership.objects.create(user=user, clinic=clinic, role=role)
        demo.seed(clinic)
        assert not Transaction.objects.filter(clinic=clinic, session__isnull=False).exists()
        assert Transaction.objects.filter(clinic=clinic, kind=Kind.RECEIPT).count() == 36
        assert verify_ledger().ok
