"""The sign blocker: a session whose controlled drugs are not reconciled cannot be signed."""

from __future__ import annotations

from decimal import Decimal

from django.utils import timezone

from ketaclinic.accounts.models import Role
from ketaclinic.infusions.hooks import sign_blockers
from ketaclinic.infusions.models import InfusionSession
from ketaclinic.ledger.actions import oversight
from ketaclinic.ledger.actions import session as chair
from ketaclinic.ledger.models import Registration
from ketaclinic.ledger.reconcile import reconciliation, reconciliations
from ketaclinic.ledger.tests.base import LedgerCase, token_for
from ketaclinic.testing import TEST_PASSWORD

D = Decimal


class SignBlockerTests(LedgerCase):
    def test_a_session_without_drawn_drug_or_preparation_is_not_blocked(self) -> None:
        assert sign_blockers(self.session) == []
        assert reconciliation(self.session)[:5] == (D(0), D(0), D(0), D(0), True)

    def test_draw_deliver_less_waste_the_rest_then_it_may_be_signed(self) -> None:
        nurse = self.by(Role.NURSE)
        chair.draw(nurse, self.vial(), self.session, "40")
        # The pump delivered 37.5 mg of the 40 mg drawn.
        chair.administer(nurse, self.vial(), self.session, "37.5")
        (reason,) = sign_blockers(self.session)
        assert reason == (
            "Not reconciled: Ketamine HCl 10 mg/mL, 20 mL vial: 40.000 mg drawn, 37.500 mg "
            "administered, wasted or returned: 2.500 mg unaccounted for."
        )
        chair.waste(
            nurse,
            self.vial(),
            self.session,
            "2.5",
            "sink",
            self.second_nurse,
            TEST_PASSWORD,
            token_for(self.second_nurse),
        )
        assert sign_blockers(self.session) == []

    def test_each_drug_is_reconciled_on_its_own(self) -> None:
        (midazolam,) = self.stock.receive(self.stock.midazolam)
        nurse = self.by(Role.NURSE)
        chair.draw(nurse, self.vial(), self.session, "40")
        chair.administer(nurse, self.vial(), self.session, "40")
        chair.draw(nurse, midazolam, self.session, "2")
        chair.administer(nurse, midazolam, self.session, "1")
        results = reconciliations(self.session)
        assert [(r.drug_name.split()[0], r.ok) for r in results] == [
            ("Ketamine", True),
            ("Midazolam", False),
        ]
        assert reconciliation(self.session).ok  # the ketamine alone
        assert len(sign_blockers(self.session)) == 1

    def test_an_open_session_discrepancy_blocks(self) -> None:
        nurse = self.by(Role.NURSE)
        chair.draw(nurse, self.vial(), self.session, "40")
        chair.administer(nurse, self.vial(), self.session, "30")
        oversight.open_session_discrepancy(nurse, self.session)
        assert "discrepancy of this session is open" in sign_blockers(self.session)[1]

    def test_a_preparation_without_a_draw_blocks_where_the_ledger_is_kept(self) -> None:
        InfusionSession.objects.filter(pk=self.session.pk).update(prepared_at=timezone.now())
        self.session.refresh_from_db()
        (reason,) = sign_blockers(self.session)
        assert "no draw" in reason
        Registration.objects.filter(clinic=self.clinic).update(is_active=False)
        assert sign_blockers(self.session) == []


class RescueOnTheLedgerTests(LedgerCase):
    """A Schedule IV rescue drug charted at the chair must be on the ledger before the note is
    signed (clinical reference §8.1: the benzodiazepines keep the same 1304 records)."""

    def test_midazolam_charted_but_not_on_the_ledger_blocks_until_it_is(self) -> None:
        from ketaclinic.infusions.models import FormularyDrug, RescueDose

        drug = FormularyDrug.objects.create(
            clinic=self.clinic, key="midazolam", name="Midazolam", indication="Agitation",
            schedule="IV", source="test",
        )  # fmt: skip
        nurse = self.by(Role.NURSE)
        RescueDose.objects.create(
            session=self.session, drug=drug, dose_mg=1.0, route="IV", clinical_at=timezone.now(),
            entered_by=nurse.user, ordered_by=self.users[Role.PHYSICIAN], idempotency_key="r1",
        )  # fmt: skip
        assert sign_blockers(self.session) == [
            "Midazolam 1 mg was given as a rescue drug but the controlled-substance ledger shows "
            "0.000 mg administered: record its draw and administration."
        ]
        (vial,) = self.stock.receive(self.stock.midazolam)
        chair.draw(nurse, vial, self.session, "2")
        chair.administer(nurse, vial, self.session, "1")
        # Now only the midazolam's own reconciliation is open (1 mg of the 2 drawn).
        (reason,) = sign_blockers(self.session)
        assert reason.startswith("Not reconciled: Midazolam")
        chair.return_to_stock(nurse, vial, self.session, "1", reason="Unopened remainder")
        assert sign_blockers(self.session) == []
