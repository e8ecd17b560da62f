"""The demo ledger: consistent with the demo's infusion sessions, verifies, idempotent.

``create_demo`` makes today's sessions (infusions.demo) and then the ledger follows them, so
these tests read the demo as it is made rather than adding sessions of their own."""

from __future__ import annotations

from decimal import Decimal

from django.test import TestCase
from django_otp.plugins.otp_totp.models import TOTPDevice

from ketaclinic.access.zones import clinic_today
from ketaclinic.accounts.models import Role
from ketaclinic.demo import create_demo
from ketaclinic.infusions import states
from ketaclinic.infusions.models import InfusionSession
from ketaclinic.ledger import demo, screens
from ketaclinic.ledger.models import Discrepancy, Inventory, Kind, Registration, Transaction
from ketaclinic.ledger.reconcile import reconciliations, rescue_doses_off_the_ledger
from ketaclinic.ledger.verify import verify_ledger

D = Decimal


class DemoLedgerTests(TestCase):
    def test_the_demo_ledger_follows_its_sessions_and_verifies(self) -> None:
        clinic = create_demo()
        count = Transaction.objects.filter(clinic=clinic).count()
        demo.seed(clinic)  # idempotent
        assert Transaction.objects.filter(clinic=clinic).count() == count
        assert Registration.objects.filter(clinic=clinic).count() == 1
        result = verify_ledger()
        assert result.ok, result.problem
        sessions = list(InfusionSession.objects.filter(clinic=clinic))
        prepared = [s for s in sessions if s.container_drug_mg]
        assert prepared
        for s in sessions:
            kinds = list(s.ledger_transactions.values_list("kind", flat=True))
            if not s.container_drug_mg:
                assert kinds == [], s
                continue
            assert kinds[0] == Kind.DRAW, s
            rec = next(r for r in reconciliations(s) if r.drug_name.startswith("Ketamine"))
            # Drawn = the prepared mg; past the infusion, drawn = administered + wasted.
            assert rec.drawn_mg == D(str(s.container_drug_mg)).quantize(D("0.001")), s
            if s.state in demo.PAST_INFUSION or s.state == states.SIGNED:
                assert rec.ok and rec.administered_mg + rec.wasted_mg == rec.drawn_mg, s
                waste = s.ledger_transactions.get(kind=Kind.WASTE)
                assert waste.witness_1 is not None
                assert waste.witness_1.email.startswith("physician@")
            if s.state in {states.INFUSING, states.PAUSED}:
                assert kinds == [Kind.DRAW], s
        # The midazolam given for Hannah's derealization is on the ledger too: drawn and
        # administered, 1 mg, so nothing of hers is off the ledger.
        hannah = next(s for s in sessions if s.patient.legal_given_name == "Hannah")
        (midazolam,) = [r for r in reconciliations(hannah) if r.drug_name.startswith("Midazolam")]
        assert (midazolam.drawn_mg, midazolam.administered_mg, midazolam.ok) == (
            D("1.000"), D("1.000"), True,
        )  # fmt: skip
        assert rescue_doses_off_the_ledger(hannah) == []
        discrepancies = Discrepancy.objects.filter(clinic=clinic)
        assert discrepancies.filter(resolved_at__isnull=True).count() == 1
        resolved = discrepancies.get(resolved_at__isnull=False)
        assert resolved.notes.count() == 1 and resolved.resolved_with is not None
        assert Inventory.objects.filter(clinic=clinic, kind="initial").count() == 1
        (due,) = screens.inventories_due(clinic.pk, clinic_today(clinic))
        assert due.remind  # taken 710 days ago: the two-year date is 20 days away
        statuses = {r.status for r in screens.stock_rows(clinic.pk, clinic_today(clinic))}
        assert "expiring" in statuses
        # 24 + 2 ketamine 10 mg/mL, 4 ketamine 50 mg/mL and 6 midazolam vials received.
        assert Transaction.objects.filter(clinic=clinic, kind=Kind.RECEIPT).count() == 36

    def test_the_physician_can_sign_in_right_after_the_demo_is_made(self) -> None:
        """The demo's witnessing used the physician's code of the current step; the replay
        guard is reset after, or their first sign-in within the same 30 s would be refused."""
        clinic = create_demo()
        physician = clinic.memberships.get(role=Role.PHYSICIAN, user__is_demo=True).user
        device = TOTPDevice.objects.get(user=physician, confirmed=True)
        assert device.last_t == -1
