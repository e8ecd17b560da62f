"""Read-side helpers of the custodian's screens and the session panel (additive queries over
the core's models; nothing here writes).

Expiry warnings: a lot is "expired" after its expiry date and "expiring" within
``EXPIRY_WARNING_DAYS`` of it. The 30-day window is [D] (a design default: one month's notice
to use the first-expiring stock or arrange destruction); the core has no per-clinic ledger
settings yet, so it is a documented constant here (see the report to the integrator).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Q, QuerySet

from ketaclinic.infusions.models import InfusionSession
from ketaclinic.ledger.models import (
    Container,
    ContainerBalance,
    Discrepancy,
    Inventory,
    Kind,
    LossReport,
    Registration,
    Transaction,
)
from ketaclinic.ledger.queries import ZERO, effective
from ketaclinic.ledger.reconcile import TOLERANCE_MG

#: Days before a lot's expiry date from which the stock screen warns ([D], see module doc).
EXPIRY_WARNING_DAYS = 30
#: Remind this many days before the two-year date of the last inventory (the core's
#: ``tasks.BIENNIAL_LEAD``; 21 CFR 1304.11(c) [E]: at least every two years).
BIENNIAL_LEAD_DAYS = 30


def expiry_status(expiry: dt.date, today: dt.date) -> str:
    """``expired``, ``expiring`` (within the warning window) or ``ok``."""
    if expiry < today:
        return "expired"
    if expiry <= today + dt.timedelta(days=EXPIRY_WARNING_DAYS):
        return "expiring"
    return "ok"


@dataclass(frozen=True)
class StockRow:
    balance: ContainerBalance
    status: str
    suggested: bool


def stock_rows(clinic_id: int, today: dt.date) -> list[StockRow]:
    """Every container with stock, by location then first expiry; per drug item, the
    first-expiring unexpired container with stock is the one suggested for the next draw."""
    balances = list(
        ContainerBalance.objects.filter(clinic_id=clinic_id, mg__gt=0)
        .select_related("container__lot__drug", "container__lot__supplier", "location")
        .order_by("location__name", "container__lot__expiry", "container__label")
    )
    suggested = suggestions(balances, today)
    return [
        StockRow(b, expiry_status(b.container.lot.expiry, today), b.container_id in suggested)
        for b in balances
    ]


def suggestions(balances: list[ContainerBalance], today: dt.date) -> set[int]:
    """Container ids suggested for the next draw: per drug item, the unexpired container with
    stock whose lot expires first (an opened vial first among equals: use it up)."""
    best: dict[int, tuple[dt.date, Decimal, str, int]] = {}
    for b in balances:
        lot = b.container.lot
        if lot.expiry < today or b.mg <= 0:
            continue
        key = (lot.expiry, b.mg, b.container.label, b.container_id)
        if lot.drug_id not in best or key < best[lot.drug_id]:
            best[lot.drug_id] = key
    return {v[3] for v in best.values()}


def drawable(clinic_id: int, today: dt.date) -> QuerySet[Container]:
    """Containers a draw may come from: with stock, lot not expired; first-expiring first."""
    return (
        Container.objects.filter(clinic_id=clinic_id, balance__mg__gt=0, lot__expiry__gte=today)
        .select_related("lot__drug", "balance")
        .order_by("lot__expiry", "balance__mg", "label")
    )


def with_stock(clinic_id: int) -> QuerySet[Container]:
    return (
        Container.objects.filter(clinic_id=clinic_id, balance__mg__gt=0)
        .select_related("lot__drug", "balance")
        .order_by("lot__expiry", "label")
    )


def container_label(c: Container) -> str:
    b = c.balance
    lot = c.lot
    where = f"lot {lot.lot_number} (exp. {lot.expiry})"
    return f"{c.label} · {lot.drug.name} · {where} · {b.mg} mg / {b.ml} mL"


@dataclass(frozen=True)
class SessionStatus:
    session: InfusionSession
    drawn_mg: Decimal
    administered_mg: Decimal
    wasted_mg: Decimal
    returned_mg: Decimal
    lost_mg: Decimal
    ok: bool
    has_draw: bool
    open_discrepancy: bool

    @property
    def outstanding_mg(self) -> Decimal:
        return self.drawn_mg - (
            self.administered_mg + self.wasted_mg + self.returned_mg + self.lost_mg
        )


KIND_FIELD: dict[str, str] = {
    Kind.DRAW: "drawn",
    Kind.ADMINISTER: "administered",
    Kind.WASTE: "wasted",
    Kind.RETURN: "returned",
    Kind.LOSS: "lost",
    Kind.THEFT: "lost",
}


def session_statuses(sessions: list[InfusionSession]) -> list[SessionStatus]:
    """Each session's totals over all drugs (corrections applied), in two queries."""
    ids = [s.pk for s in sessions]
    rows = Transaction.objects.filter(session_id__in=ids)
    totals: dict[int, dict[str, Decimal]] = defaultdict(lambda: defaultdict(lambda: ZERO))
    draws: set[int] = set()
    for txn, mg, _ml in effective(rows):
        field = KIND_FIELD.get(txn.kind)
        if field is None or txn.session_id is None:
            continue
        totals[txn.session_id][field] += mg
        if txn.kind == Kind.DRAW:
            draws.add(txn.session_id)
    open_ids = set(
        Discrepancy.objects.filter(session_id__in=ids, resolved_at__isnull=True).values_list(
            "session_id", flat=True
        )
    )
    out = []
    for s in sessions:
        t = totals[s.pk]
        accounted = t["administered"] + t["wasted"] + t["returned"] + t["lost"]
        out.append(
            SessionStatus(
                session=s,
                drawn_mg=t["drawn"],
                administered_mg=t["administered"],
                wasted_mg=t["wasted"],
                returned_mg=t["returned"],
                lost_mg=t["lost"],
                ok=abs(t["drawn"] - accounted) <= TOLERANCE_MG,
                has_draw=s.pk in draws,
                open_discrepancy=s.pk in open_ids,
            )
        )
    return out


def open_discrepancies(clinic_id: int) -> QuerySet[Discrepancy]:
    return (
        Discrepancy.objects.filter(clinic_id=clinic_id, resolved_at__isnull=True)
        .select_related("container", "session__patient", "opened_by")
        .order_by("opened_at", "id")
    )


def open_loss_reports(clinic_id: int) -> QuerySet[LossReport]:
    """Loss reports with a DEA step still to do, soonest first."""
    return (
        LossReport.objects.filter(clinic_id=clinic_id)
        .filter(Q(written_notice_sent_at__isnull=True) | Q(form_106_filed_at__isnull=True))
        .select_related("transaction__container")
        .order_by("written_notice_due", "id")
    )


@dataclass(frozen=True)
class InventoryDue:
    registration: Registration
    last: Inventory | None
    due_on: dt.date | None
    remind: bool


def add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def inventories_due(clinic_id: int, today: dt.date) -> list[InventoryDue]:
    """Per active registration: its newest inventory and the biennial date (two years after
    it, 21 CFR 1304.11(c) [E]); ``remind`` from ``BIENNIAL_LEAD_DAYS`` before that date, or
    when no initial inventory is recorded at all (1304.11(b))."""
    regs = list(Registration.objects.filter(clinic_id=clinic_id, is_active=True))
    newest: dict[int, Inventory] = {}
    for inv in Inventory.objects.filter(registration__in=regs).order_by("taken_on", "id"):
        newest[inv.registration_id] = inv
    out = []
    for reg in regs:
        last = newest.get(reg.pk)
        due = add_years(last.taken_on, 2) if last else None
        remind = due is None or (due - today).days <= BIENNIAL_LEAD_DAYS
        out.append(InventoryDue(reg, last, due, remind))
    return out


def history(container: Container) -> list[dict[str, Any]]:
    """Every transaction of the container in chain order, with who, witnesses and the
    corrections that reference it (one query)."""
    rows = list(
        Transaction.objects.filter(container=container)
        .select_related(
            "performed_by",
            "witness_1",
            "witness_2",
            "session__patient",
            "from_location",
            "to_location",
        )
        .order_by("id")
    )
    corrected_by: dict[int, list[int]] = defaultdict(list)
    for t in rows:
        if t.corrects_id is not None:
            corrected_by[t.corrects_id].append(t.pk)
    running = ZERO
    out = []
    for t in rows:
        running += t.balance_mg_delta
        out.append({"txn": t, "balance_mg": running, "corrected_by": corrected_by.get(t.pk, [])})
    return out
