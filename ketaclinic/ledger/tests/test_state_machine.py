"""Random sequences of ledger transactions keep every balance exact and never negative, and
every signed session reconciled (hypothesis stateful testing).

The machine keeps its own model of each vial's balance and of what was drawn for each session
and not yet accounted for, predicts whether each action must succeed or be refused, and after
every step checks, per container and in total:

    balance = receipts + returns − draws − losses − destruction ± adjustments

(corrections applied), recomputed from the transactions, equal to the stored balance and to
the model; no balance below zero; every signed session reconciled; and the chain verifies.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, ClassVar

from django.core.exceptions import ValidationError
from django.db import transaction
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from ketaclinic.accounts.models import Membership, Role
from ketaclinic.infusions import states
from ketaclinic.infusions.hooks import sign_blockers
from ketaclinic.infusions.models import InfusionSession
from ketaclinic.ledger.actions import disposal
from ketaclinic.ledger.actions import session as chair
from ketaclinic.ledger.models import Container, ContainerBalance, Transaction
from ketaclinic.ledger.queries import balance_sign, effective
from ketaclinic.ledger.reconcile import reconciliations
from ketaclinic.ledger.tests.base import LedgerCase, add_session, witness
from ketaclinic.ledger.verify import verify_ledger
from ketaclinic.testing import TEST_PASSWORD

D = Decimal
ZERO = D("0.000")
TOLERANCE = D("0.01")
# Amounts in tenths of a mg from 0.1 to 120 mg: big enough to empty a 200 mg vial in two draws,
# so refusals happen too.
amounts = st.integers(min_value=1, max_value=1200).map(lambda n: D(n) / 10)
index = st.integers(min_value=0, max_value=10)


class LedgerMachine(RuleBasedStateMachine):
    case: ClassVar[MachineTests]

    def __init__(self) -> None:
        super().__init__()
        self._atomic = transaction.atomic()
        self._atomic.__enter__()
        case = self.case
        self.nurse: Membership = case.by(Role.NURSE)
        self.custodian: Membership = case.by(Role.CUSTODIAN)
        self.vials: list[Container] = list(case.vials)
        self.balance: dict[int, Decimal] = {v.pk: D("200.000") for v in self.vials}
        self.sessions: list[InfusionSession] = [
            add_session(case.clinic, case.patient, case.chair) for _ in range(2)
        ]
        self.open: dict[tuple[int, int], Decimal] = {}
        self.signed: set[int] = set()
        self.draws: list[Transaction] = []

    def teardown(self) -> None:
        transaction.set_rollback(True)
        self._atomic.__exit__(None, None, None)

    def pick(self, items: list[Any], i: int) -> Any:
        return items[i % len(items)]

    def attempt(self, expected_ok: bool, fn: Any, *args: Any, **kw: Any) -> Any:
        try:
            result = fn(*args, **kw)
        except ValidationError:
            assert not expected_ok, f"{fn.__name__}{args[1:]} refused but should succeed"
            return None
        assert expected_ok, f"{fn.__name__}{args[1:]} succeeded but should be refused"
        return result

    # --- the rules ---------------------------------------------------------------------

    @rule()
    def receive(self) -> None:
        (vial,) = self.case.stock.receive(n=1)
        self.vials.append(vial)
        self.balance[vial.pk] = D("200.000")

    @rule(v=index, s=index, mg=amounts)
    def draw(self, v: int, s: int, mg: Decimal) -> None:
        vial, session = self.pick(self.vials, v), self.pick(self.sessions, s)
        ok = mg <= self.balance[vial.pk] and session.pk not in self.signed
        txn = self.attempt(ok, chair.draw, self.nurse, vial, session, mg)
        if txn is not None:
            self.balance[vial.pk] -= mg
            self.open[(session.pk, vial.pk)] = self.open.get((session.pk, vial.pk), ZERO) + mg
            self.draws.append(txn)

    def _from_drawn(self, fn: Any, v: int, s: int, mg: Decimal, back: bool, **kw: Any) -> None:
        vial, session = self.pick(self.vials, v), self.pick(self.sessions, s)
        key = (session.pk, vial.pk)
        ok = mg <= self.open.get(key, ZERO) + TOLERANCE and session.pk not in self.signed
        if self.attempt(ok, fn, self.nurse, vial, session, mg, **kw) is not None:
            self.open[key] = self.open.get(key, ZERO) - mg
            if back:
                self.balance[vial.pk] += mg

    @rule(v=index, s=index, mg=amounts)
    def administer(self, v: int, s: int, mg: Decimal) -> None:
        self._from_drawn(chair.administer, v, s, mg, back=False)

    @rule(v=index, s=index, mg=amounts)
    def waste(self, v: int, s: int, mg: Decimal) -> None:
        w = witness(self.case.second_nurse)
        self._from_drawn(
            chair.waste,
            v,
            s,
            mg,
            back=False,
            method="sink",
            witness_user=w.user,
            witness_password=TEST_PASSWORD,
            witness_otp_token=w.otp_token,
        )

    @rule(v=index, s=index, mg=amounts)
    def give_back(self, v: int, s: int, mg: Decimal) -> None:
        self._from_drawn(chair.return_to_stock, v, s, mg, back=True)

    @rule(v=index, mg=amounts)
    def loss(self, v: int, mg: Decimal) -> None:
        vial = self.pick(self.vials, v)
        ok = mg <= self.balance[vial.pk]
        if self.attempt(ok, disposal.report_loss, self.nurse, vial, mg, reason="broken vial"):
            self.balance[vial.pk] -= mg

    @rule(v=index, mg=amounts, up=st.booleans())
    def adjust(self, v: int, mg: Decimal, up: bool) -> None:
        vial = self.pick(self.vials, v)
        delta = mg if up else -mg
        ok = self.balance[vial.pk] + delta >= 0
        txn = self.attempt(
            ok,
            disposal.adjust,
            self.custodian,
            vial,
            delta,
            reason="count",
            witness=witness(self.case.users[Role.PHYSICIAN]),
        )
        if txn is not None:
            self.balance[vial.pk] += delta

    @precondition(lambda self: bool(self.draws))
    @rule(d=index, mg=amounts)
    def correct_a_draw(self, d: int, mg: Decimal) -> None:
        original = self.pick(self.draws, d)
        if original.session_id in self.signed:
            return  # corrections after signing open a discrepancy: tested on their own
        tip = Transaction.objects.filter(pk=original.pk).first()
        while tip is not None and tip.corrections.exists():
            tip = tip.corrections.get()
        assert tip is not None
        old = tip.quantity_mg
        ok = self.balance[original.container_id] + old - mg >= 0
        if self.attempt(ok, disposal.correct, self.nurse, tip, mg=mg, reason="misread"):
            self.balance[original.container_id] += old - mg
            key = (original.session_id or 0, original.container_id)
            self.open[key] = self.open.get(key, ZERO) + mg - old

    @rule(s=index)
    def sign(self, s: int) -> None:
        session = self.pick(self.sessions, s)
        if session.pk in self.signed:
            return
        reconciled = all(
            abs(v) <= TOLERANCE for (sp, _), v in self.open.items() if sp == session.pk
        )
        assert (sign_blockers(session) == []) == reconciled
        if reconciled:
            InfusionSession.objects.filter(pk=session.pk).update(state=states.SIGNED)
            session.state = states.SIGNED
            self.signed.add(session.pk)

    # --- after every step ----------------------------------------------------------------

    @invariant()
    def balances_follow_from_the_transactions(self) -> None:
        formula: dict[int, Decimal] = {}
        rows = Transaction.objects.filter(container__in=self.balance).select_related("container")
        for txn, mg, _ml in effective(rows):
            formula[txn.container_id] = formula.get(txn.container_id, ZERO) + balance_sign(txn) * mg
        stored = dict(
            ContainerBalance.objects.filter(container__in=self.balance).values_list(
                "container_id", "mg"
            )
        )
        for pk, expected in self.balance.items():
            assert stored[pk] == expected == formula[pk], (pk, stored[pk], expected, formula[pk])
            assert stored[pk] >= 0
        assert sum(stored.values()) == sum(self.balance.values()) == sum(formula.values())

    @invariant()
    def signed_sessions_are_reconciled(self) -> None:
        for session in self.sessions:
            if session.pk in self.signed:
                assert all(r.ok for r in reconciliations(session))

    @invariant()
    def the_chain_verifies(self) -> None:
        result = verify_ledger()
        assert result.ok, result


class MachineTests(LedgerCase):
    def test_random_sequences_keep_the_ledger_exact(self) -> None:
        LedgerMachine.case = self
        run_state_machine_as_test(
            LedgerMachine,
            settings=settings(
                max_examples=25,
                stateful_step_count=15,
                deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
            ),
        )
