"""Per-session reconciliation of controlled drugs, and the sign blocker.

For each drug drawn for a session: drawn = administered + wasted + returned (+ lost, when a
loss of drawn drug was reported with the session), within 0.01 mg, corrections applied.

The sign blocker (registered in ``LedgerConfig.ready``) refuses signing a session's note:

* while any drug drawn for it is not reconciled;
* while a session discrepancy of it is open (``actions.oversight.open_session_discrepancy``);
* when the session has a preparation recorded (``prepared_at``) but no draw at all, in a
  clinic that keeps its ledger here (it has an active DEA registration): the ketamine that
  hangs on the pump must have come out of a vial on the ledger. A clinic without a
  registration keeps its controlled-substance records elsewhere and is not blocked;
* (same clinics) while a scheduled rescue drug charted as given (midazolam, diazepam,
  lorazepam: Schedule IV) is not on the ledger as administered for the session.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any, NamedTuple

from ketaclinic.ledger.models import Discrepancy, DrugItem, Kind, Registration, Substance
from ketaclinic.ledger.queries import ZERO, session_totals

#: Reconciliation tolerance: 0.01 mg (rounding of pump-segment arithmetic, [D]).
TOLERANCE_MG = Decimal("0.01")


class Reconciliation(NamedTuple):
    """The contract: ``drawn_mg, administered_mg, wasted_mg, returned_mg, ok, message``."""

    drawn_mg: Decimal
    administered_mg: Decimal
    wasted_mg: Decimal
    returned_mg: Decimal
    ok: bool
    message: str


@dataclass(frozen=True)
class DrugReconciliation:
    """One drug's reconciliation, with the drawn drug reported lost for the session."""

    drug_name: str
    drawn_mg: Decimal
    administered_mg: Decimal
    wasted_mg: Decimal
    returned_mg: Decimal
    lost_mg: Decimal
    ok: bool
    message: str

    def as_tuple(self) -> Reconciliation:
        return Reconciliation(
            self.drawn_mg,
            self.administered_mg,
            self.wasted_mg,
            self.returned_mg,
            self.ok,
            self.message,
        )


def _one(drug_name: str, totals: dict[str, Decimal]) -> DrugReconciliation:
    drawn = totals.get(Kind.DRAW, ZERO)
    given = totals.get(Kind.ADMINISTER, ZERO)
    wasted = totals.get(Kind.WASTE, ZERO)
    returned = totals.get(Kind.RETURN, ZERO)
    lost = totals.get(Kind.LOSS, ZERO) + totals.get(Kind.THEFT, ZERO)
    accounted = given + wasted + returned + lost
    gap = drawn - accounted
    ok = abs(gap) <= TOLERANCE_MG
    name = drug_name or "Controlled drug"
    if ok:
        lost_note = f" ({lost} mg of it reported lost)" if lost else ""
        message = f"{name}: {drawn} mg drawn, all accounted for{lost_note}."
    elif gap > 0:
        message = (
            f"{name}: {drawn} mg drawn, {accounted} mg administered, wasted or returned: "
            f"{gap} mg unaccounted for."
        )
    else:
        message = f"{name}: {accounted} mg accounted for but only {drawn} mg drawn."
    return DrugReconciliation(name, drawn, given, wasted, returned, lost, ok, message)


def reconciliations(session: Any) -> list[DrugReconciliation]:
    """One reconciliation per drug item drawn (or recorded) for the session, by name."""
    per_drug: dict[int, dict[str, Decimal]] = {}
    for (drug_id, kind), mg in session_totals(session.pk).items():
        per_drug.setdefault(drug_id, {})[kind] = mg
    names = dict(DrugItem.objects.filter(pk__in=per_drug).values_list("pk", "name"))
    return sorted(
        (_one(names.get(d, ""), totals) for d, totals in per_drug.items()),
        key=lambda r: r.drug_name,
    )


def reconciliation(session: Any) -> Reconciliation:
    """The session's ketamine: (drawn_mg, administered_mg, wasted_mg, returned_mg, ok,
    message). With no ketamine drawn: zeros, ok."""
    per_kind: dict[str, Decimal] = {}
    ketamine = set(
        DrugItem.objects.filter(
            clinic_id=session.clinic_id, substance=Substance.KETAMINE
        ).values_list("pk", flat=True)
    )
    for (drug_id, kind), mg in session_totals(session.pk).items():
        if drug_id in ketamine:
            per_kind[kind] = per_kind.get(kind, ZERO) + mg
    if not per_kind:
        return Reconciliation(ZERO, ZERO, ZERO, ZERO, True, "No ketamine was drawn.")
    return _one("Ketamine", per_kind).as_tuple()


def rescue_doses_off_the_ledger(session: Any) -> list[str]:
    """Scheduled rescue drugs given at the chair (the benzodiazepines: DEA Schedule IV,
    clinical reference §8.1 [E]) that the session's ledger does not show administered: for each
    such drug, the mg charted as given (non-struck rescue doses) against the mg recorded
    administered from vials of that substance for this session."""
    from django.db.models import Sum

    from ketaclinic.infusions.models import RescueDose
    from ketaclinic.ledger.models import Transaction

    charted: dict[str, float] = {}
    for dose in RescueDose.objects.filter(
        session_id=session.pk, struck_at__isnull=True
    ).select_related("drug"):
        if dose.drug.schedule and dose.drug.key in Substance.values:
            charted[dose.drug.key] = charted.get(dose.drug.key, 0.0) + float(dose.dose_mg)
    reasons = []
    for substance, mg in sorted(charted.items()):
        recorded = (
            Transaction.objects.filter(
                session_id=session.pk,
                kind=Kind.ADMINISTER,
                container__lot__drug__substance=substance,
            ).aggregate(mg=Sum("quantity_mg"))["mg"]
            or ZERO
        )
        if Decimal(str(mg)) - recorded > TOLERANCE_MG:
            reasons.append(
                f"{Substance(substance).label} {mg:g} mg was given as a rescue drug but the "
                f"controlled-substance ledger shows {recorded:g} mg administered: record its "
                "draw and administration."
            )
    return reasons


def sign_blocker(session: Any) -> list[str]:
    reasons = [f"Not reconciled: {r.message}" for r in reconciliations(session) if not r.ok]
    open_discrepancies = Discrepancy.objects.filter(session_id=session.pk, resolved_at__isnull=True)
    if open_discrepancies.exists():
        reasons.append("A controlled-substance discrepancy of this session is open.")
    if (
        session.prepared_at is not None
        and not session.ledger_transactions.filter(kind=Kind.DRAW).exists()
        and Registration.objects.filter(clinic_id=session.clinic_id, is_active=True).exists()
    ):
        reasons.append(
            "A preparation is recorded but no draw from a vial on the controlled-substance "
            "ledger: record the draw."
        )
    if Registration.objects.filter(clinic_id=session.clinic_id, is_active=True).exists():
        reasons.extend(rescue_doses_off_the_ledger(session))
    return reasons
