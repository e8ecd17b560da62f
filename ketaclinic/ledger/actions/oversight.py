"""Blind counts, discrepancies, the DEA loss-report steps and inventories."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from ketaclinic.accounts.models import Membership
from ketaclinic.audit.log import record
from ketaclinic.infusions.models import InfusionSession
from ketaclinic.ledger import chain, policies
from ketaclinic.ledger.actions._base import quantity, require, when
from ketaclinic.ledger.models import (
    BusinessTime,
    Container,
    ContainerBalance,
    Count,
    CountLine,
    Discrepancy,
    DiscrepancyNote,
    DiscrepancySource,
    Inventory,
    InventoryKind,
    InventoryLine,
    Kind,
    LossReport,
    Registration,
    StorageLocation,
    Transaction,
)

#: A count differs from the expected balance when they are more than 0.01 mL apart (the
#: finest a syringe is read to; [D]). Any such difference opens a discrepancy.
COUNT_TOLERANCE_ML = Decimal("0.01")
#: An opened container of more than 1,000 units is counted exactly (21 CFR 1304.11(e)(3) [E]).
EXACT_COUNT_ABOVE_UNITS = Decimal("1000")


def _text(value: str, field: str) -> str:
    text = chain.clean_text(value or "").strip()
    if not text:
        raise ValidationError({field: "Required."})
    return text


def _alert(discrepancy: Discrepancy) -> None:
    from ketaclinic.ledger.tasks import alert_custodians

    alert_custodians.enqueue(discrepancy.pk)


def _open(by: Membership, request: HttpRequest | None, **fields: object) -> Discrepancy:
    discrepancy = Discrepancy.objects.create(
        clinic_id=by.clinic_id, opened_by_id=by.user_id, **fields
    )
    record(
        "ledger.discrepancy.open",
        request=request,
        by=by,
        clinic=by.clinic,
        obj=discrepancy,
        after={"source": discrepancy.source, "summary": discrepancy.summary},
    )
    _alert(discrepancy)
    return discrepancy


def record_count(
    by: Membership,
    *,
    counted_ml: Mapping[Container, Decimal | str | float],
    location: StorageLocation | None = None,
    occasion: str = Count.Occasion.SHIFT,
    note: str = "",
    idempotency_key: str = "",
    request: HttpRequest | None = None,
) -> Count:
    """Store a blind count (what the counter found in each container, in mL), then compute
    each container's expected balance and open a discrepancy, with an alert to the custodians,
    for every difference over ``COUNT_TOLERANCE_ML``. The expected numbers are read only
    after the count is written, in the same transaction."""
    require(policies.can_manage_stock(by, by.clinic_id))
    if idempotency_key:
        earlier = Count.objects.filter(clinic_id=by.clinic_id, idempotency_key=idempotency_key)
        if earlier.exists():
            return earlier.get()
    if not counted_ml:
        raise ValidationError({"counted_ml": "Count at least one container."})
    if occasion not in Count.Occasion.values:
        raise ValidationError({"occasion": "Choose shift or daily."})
    entered = {}
    for container, value in counted_ml.items():
        if container.clinic_id != by.clinic_id:
            raise ValidationError({"counted_ml": "Not a container of this clinic."})
        entered[container] = quantity(value, f"counted_ml_{container.pk}", allow_zero=True)
    with transaction.atomic():
        count = Count.objects.create(
            clinic_id=by.clinic_id,
            location=location,
            occasion=occasion,
            counted_by_id=by.user_id,
            note=chain.clean_text(note).strip(),
            idempotency_key=idempotency_key,
        )
        balances = {
            b.container_id: b
            # Locked in one order everywhere, so two counts never deadlock.
            for b in ContainerBalance.objects.select_for_update()
            .filter(container__in=[c.pk for c in entered])
            .order_by("container_id")
        }
        differences = 0
        for container, found_ml in entered.items():
            strength = container.lot.drug.strength_mg_per_ml
            balance = balances[container.pk]
            line = CountLine.objects.create(
                count=count,
                container=container,
                counted_ml=found_ml,
                counted_mg=(found_ml * strength).quantize(chain.THREE_PLACES),
                expected_ml=balance.ml,
                expected_mg=balance.mg,
            )
            if abs(found_ml - balance.ml) > COUNT_TOLERANCE_ML:
                differences += 1
                _open(
                    by,
                    request,
                    source=DiscrepancySource.COUNT,
                    count_line=line,
                    container=container,
                    expected_mg=balance.mg,
                    found_mg=line.counted_mg,
                    summary=f"Count of vial {container.label}: {found_ml} mL found, "
                    f"{balance.ml} mL expected.",
                )
        record(
            "ledger.count",
            request=request,
            by=by,
            clinic=by.clinic,
            obj=count,
            after={"containers": len(entered), "differences": differences},
        )
    return count


def open_session_discrepancy(
    by: Membership, session: InfusionSession, *, request: HttpRequest | None = None
) -> Discrepancy | None:
    """Open a session-reconciliation discrepancy if the session's drugs are not reconciled
    and none is open already; returns it (or the open one), or None when reconciled."""
    from ketaclinic.ledger.reconcile import reconciliations

    require(policies.can_report_loss(by, session.clinic_id))
    bad = [r for r in reconciliations(session) if not r.ok]
    if not bad:
        return None
    with transaction.atomic():
        existing = Discrepancy.objects.filter(session=session, resolved_at__isnull=True).first()
        if existing is not None:
            return existing
        first = bad[0]
        found = first.administered_mg + first.wasted_mg + first.returned_mg + first.lost_mg
        return _open(
            by,
            request,
            source=DiscrepancySource.SESSION,
            session=session,
            expected_mg=first.drawn_mg,
            found_mg=found,
            summary=" ".join(r.message for r in bad),
        )


def add_discrepancy_note(
    by: Membership, discrepancy: Discrepancy, text: str, *, request: HttpRequest | None = None
) -> DiscrepancyNote:
    """Append an investigation note (custodian, nurse or physician)."""
    require(policies.can_report_loss(by, discrepancy.clinic_id))
    body = _text(text, "text")
    with transaction.atomic():
        note = DiscrepancyNote.objects.create(
            discrepancy=discrepancy, text=body, written_by_id=by.user_id
        )
        record(
            "ledger.discrepancy.note",
            request=request,
            by=by,
            clinic=by.clinic,
            obj=discrepancy,
            after={"note": note.pk},
        )
    return note


def resolve_discrepancy(
    by: Membership,
    discrepancy: Discrepancy,
    *,
    resolution: str,
    resolved_with: Transaction | None = None,
    request: HttpRequest | None = None,
) -> Discrepancy:
    """The custodian's sign-off: the resolution and, if one settled it, the ledger entry (an
    adjustment, a loss report or a correction). A session discrepancy is resolved only once
    the session reconciles (the entry that settles it comes first)."""
    from ketaclinic.ledger.reconcile import reconciliations

    require(policies.can_manage_stock(by, discrepancy.clinic_id))
    text = _text(resolution, "resolution")
    if resolved_with is not None and resolved_with.clinic_id != discrepancy.clinic_id:
        raise ValidationError({"resolved_with": "Not an entry of this clinic."})
    with transaction.atomic():
        row = Discrepancy.objects.select_for_update().get(pk=discrepancy.pk)
        if row.resolved_at is not None:
            raise ValidationError({"resolution": "This discrepancy is resolved already."})
        if row.session is not None and not all(r.ok for r in reconciliations(row.session)):
            raise ValidationError(
                {
                    "resolution": "The session still does not reconcile: record the correction, "
                    "waste or loss that accounts for the difference first."
                }
            )
        row.resolution = text
        row.resolved_with = resolved_with
        row.resolved_by_id = by.user_id
        row.resolved_at = timezone.now()
        row.save(update_fields=["resolution", "resolved_with", "resolved_by", "resolved_at"])
        record(
            "ledger.discrepancy.resolve",
            request=request,
            by=by,
            clinic=by.clinic,
            obj=row,
            after={
                "resolution": text,
                "resolved_with": resolved_with.pk if resolved_with else None,
            },
            reason=text,
        )
    return row


def record_written_notice(
    by: Membership,
    report: LossReport,
    *,
    sent_at: dt.datetime | None = None,
    request: HttpRequest | None = None,
) -> LossReport:
    """The written notice of the theft or loss went to the DEA Field Division."""
    require(policies.can_manage_stock(by, report.clinic_id))
    moment = when(sent_at, "sent_at")
    with transaction.atomic():
        row = LossReport.objects.select_for_update().get(pk=report.pk)
        if row.written_notice_sent_at is not None:
            raise ValidationError({"sent_at": "The written notice is recorded already."})
        row.written_notice_sent_at, row.written_notice_by_id = moment, by.user_id
        row.save(update_fields=["written_notice_sent_at", "written_notice_by"])
        record(
            "ledger.loss_report.notice",
            request=request,
            by=by,
            clinic=by.clinic,
            obj=row,
            after={"sent_at": moment, "due": row.written_notice_due},
        )
    return row


def record_form_106(
    by: Membership,
    report: LossReport,
    *,
    reference: str,
    filed_at: dt.datetime | None = None,
    request: HttpRequest | None = None,
) -> LossReport:
    """DEA Form 106 was filed (electronically), with its reference number."""
    require(policies.can_manage_stock(by, report.clinic_id))
    ref = _text(reference, "reference")
    moment = when(filed_at, "filed_at")
    with transaction.atomic():
        row = LossReport.objects.select_for_update().get(pk=report.pk)
        if row.form_106_filed_at is not None:
            raise ValidationError({"reference": "Form 106 is recorded already."})
        row.form_106_filed_at, row.form_106_reference, row.form_106_by_id = moment, ref, by.user_id
        row.save(update_fields=["form_106_filed_at", "form_106_reference", "form_106_by"])
        record(
            "ledger.loss_report.form_106",
            request=request,
            by=by,
            clinic=by.clinic,
            obj=row,
            after={"filed_at": moment, "reference": ref, "due": row.form_106_due},
        )
    return row


@dataclass(frozen=True)
class InventoryCount:
    container: Container
    counted_ml: Decimal | str | float
    estimated: bool = False


def record_inventory(
    by: Membership,
    registration: Registration,
    *,
    kind: str,
    taken_on: dt.date,
    business_time: str,
    lines: Sequence[InventoryCount],
    note: str = "",
    request: HttpRequest | None = None,
) -> Inventory:
    """An initial or biennial inventory (21 CFR 1304.11 [E]): every container of the
    registration with stock, counted; at the opening or close of business. An estimate is
    allowed only for an opened container of at most 1,000 units (1304.11(e)(3)); a sealed
    container, or one of more units, is counted exactly. A difference from the ledger opens
    an inventory discrepancy."""
    require(policies.can_manage_stock(by, registration.clinic_id))
    if kind not in InventoryKind.values:
        raise ValidationError({"kind": "Choose initial or biennial."})
    if business_time not in BusinessTime.values:
        raise ValidationError({"business_time": "Say whether at opening or close of business."})
    with transaction.atomic():
        balances = {
            b.container_id: b
            for b in ContainerBalance.objects.select_for_update(of=("self",))
            .filter(location__registration=registration, mg__gt=0)
            .order_by("container_id")
        }
        given = {line.container.pk: line for line in lines}
        missing = set(balances) - set(given)
        if missing:
            raise ValidationError({"lines": f"{len(missing)} container(s) with stock not counted."})
        opened = set(
            Transaction.objects.filter(
                container_id__in=given, kind__in=[Kind.DRAW, Kind.LOSS, Kind.THEFT]
            ).values_list("container_id", flat=True)
        )
        inventory = Inventory.objects.create(
            clinic_id=by.clinic_id,
            registration=registration,
            kind=kind,
            taken_on=taken_on,
            business_time=business_time,
            taken_by_id=by.user_id,
            note=chain.clean_text(note).strip(),
        )
        for pk, line in given.items():
            container = line.container
            if container.clinic_id != by.clinic_id:
                raise ValidationError({"lines": "Not a container of this clinic."})
            is_open = pk in opened
            if line.estimated and not is_open:
                raise ValidationError(
                    {f"line_{pk}": f"Vial {container.label} is sealed: count it exactly."}
                )
            if line.estimated and container.lot.drug.units_per_container > EXACT_COUNT_ABOVE_UNITS:
                raise ValidationError({f"line_{pk}": "Over 1,000 units: count it exactly."})
            found = quantity(line.counted_ml, f"line_{pk}", allow_zero=True)
            balance = balances.get(pk) or ContainerBalance.objects.get(container_id=pk)
            strength = container.lot.drug.strength_mg_per_ml
            row = InventoryLine.objects.create(
                inventory=inventory,
                container=container,
                opened=is_open,
                estimated=line.estimated,
                counted_ml=found,
                counted_mg=(found * strength).quantize(chain.THREE_PLACES),
                expected_ml=balance.ml,
                expected_mg=balance.mg,
            )
            if not line.estimated and abs(found - balance.ml) > COUNT_TOLERANCE_ML:
                _open(
                    by,
                    request,
                    source=DiscrepancySource.INVENTORY,
                    container=container,
                    expected_mg=balance.mg,
                    found_mg=row.counted_mg,
                    summary=f"Inventory of vial {container.label}: {found} mL found, "
                    f"{balance.ml} mL expected.",
                )
        record(
            "ledger.inventory",
            request=request,
            by=by,
            clinic=by.clinic,
            obj=inventory,
            after={
                "kind": kind,
                "taken_on": taken_on,
                "business_time": business_time,
                "containers": len(given),
            },
        )
    return inventory
