"""The demo clinic's controlled-substance ledger, consistent with its infusion sessions.

``seed(clinic)`` (idempotent: a second run adds nothing) sets up a DEA registration, a safe
and a cabinet, ketamine 10 mg/mL 20 mL and 50 mg/mL 10 mL vials (Schedule III) and midazolam
1 mg/mL 2 mL (Schedule IV; strengths of the products on the market, clinical reference §1.8
[E]), two suppliers, four lots (one expiring within the warning window) and their receipts,
dated about 23 months ago with the initial inventory taken then, so the biennial reminder
shows. Then, for every session with a preparation recorded (``container_drug_mg``): a draw
of the prepared mg; once past the infusion (recovery or discharged), what was administered
(the session's delivered mg when ``infusions.pk.delivered_mg`` exists, else the ordered
dose) and the witnessed waste of the rest (the demo physician as witness, confirming with the
demo password and the current code of their real demo TOTP device). A signed session is
final, so the ledger cannot be written for it afterwards: the infusions demo calls
``seed_session`` before it signs. Two blind counts of midazolam vials: one discrepancy left
open, one resolved with an investigation note, an adjustment and the custodian's sign-off.
Works with no sessions at all.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from ketaclinic.access.zones import clinic_today
from ketaclinic.accounts.models import Membership, Role, User
from ketaclinic.clinics.models import Clinic
from ketaclinic.infusions import states
from ketaclinic.infusions.models import InfusionSession
from ketaclinic.ledger.actions import disposal, oversight, session, setup, stock
from ketaclinic.ledger.actions._base import Witness
from ketaclinic.ledger.models import (
    BusinessTime,
    Container,
    Count,
    InventoryKind,
    LocationKind,
    Registration,
    Substance,
    Transaction,
)
from ketaclinic.ledger.views.panel import delivered_mg

PAST_INFUSION = frozenset({states.RECOVERY, states.DISCHARGED})
ON_PUMP = frozenset({states.INFUSING, states.PAUSED, states.STOPPED_EARLY})
#: The receipts and the initial inventory: about 23 months ago (the two-year date is then
#: within the reminder's 30 days).
INVENTORY_DAYS_AGO = 710
THREE = Decimal("0.001")


def _member(clinic: Clinic, role: Role) -> Membership | None:
    return (
        Membership.objects.select_related("user", "clinic")
        .filter(clinic=clinic, role=role, is_active=True)
        .order_by("id")
        .first()
    )


def _code(user: User) -> str:
    """The demo account's current TOTP code. The demo witnesses many entries in one 30-second
    step, so the device's replay guard is reset first (demo data only)."""
    device = TOTPDevice.objects.get(user=user, confirmed=True)
    TOTPDevice.objects.filter(pk=device.pk).update(last_t=-1)
    code = totp(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{code:0{device.digits}d}"


def _witness(user: User) -> Witness:
    from ketaclinic.demo import DEMO_PASSWORD

    return Witness(user, DEMO_PASSWORD, _code(user))


def _keyed(clinic: Clinic, key: str) -> bool:
    return Transaction.objects.filter(clinic=clinic, idempotency_key=key).exists()


def _setup(custodian: Membership, witness: User) -> None:
    clinic = custodian.clinic
    reg = setup.create_registration(
        custodian,
        dea_number="BD1234563",
        registrant_name=f"{clinic.name}",
        address=clinic.address or "100 Example Street, Sturges, MI (demo)",
    )
    safe = setup.create_location(custodian, reg, name="Safe", kind=LocationKind.SAFE)
    cabinet = setup.create_location(
        custodian, reg, name="Treatment room cabinet", kind=LocationKind.CABINET
    )
    k10 = setup.create_drug_item(
        custodian,
        name="Ketamine HCl 10 mg/mL, 20 mL vial",
        substance="ketamine",
        schedule="III",
        strength_mg_per_ml="10",
        container_volume_ml="20",
        ndc="0409-2051-05",
    )
    k50 = setup.create_drug_item(
        custodian,
        name="Ketamine HCl 50 mg/mL, 10 mL vial",
        substance="ketamine",
        schedule="III",
        strength_mg_per_ml="50",
        container_volume_ml="10",
        ndc="0409-2053-10",
    )
    mid = setup.create_drug_item(
        custodian,
        name="Midazolam 1 mg/mL, 2 mL vial",
        substance="midazolam",
        schedule="IV",
        strength_mg_per_ml="1",
        container_volume_ml="2",
        ndc="0641-6057-10",
    )
    acme = setup.create_supplier(
        custodian,
        name="Great Lakes Medical Supply (demo)",
        address="12 Depot Road, Kalamazoo, MI 49007",
        dea_number="RG0000017",
    )
    north = setup.create_supplier(
        custodian,
        name="Northern Wholesale Drug (demo)",
        address="4 Harbor Way, Grand Rapids, MI 49503",
        dea_number="RN0000021",
    )
    today = clinic_today(clinic)
    then = timezone.now() - dt.timedelta(days=INVENTORY_DAYS_AGO + 1)
    received_on = today - dt.timedelta(days=INVENTORY_DAYS_AGO + 1)
    lots = [
        (k10, acme, "KA2401", today + dt.timedelta(days=420), "INV-55120", safe, "K10-", 24),
        (k10, acme, "KA2312", today + dt.timedelta(days=20), "INV-55120", cabinet, "K10S-", 2),
        (k50, north, "KB2402", today + dt.timedelta(days=500), "NW-8841", safe, "K50-", 4),
        (mid, north, "MZ2403", today + dt.timedelta(days=300), "NW-8841", cabinet, "MZ-", 6),
    ]
    for drug, supplier, lot, expiry, invoice, where, prefix, n in lots:
        stock.receive(
            custodian,
            drug=drug,
            supplier=supplier,
            lot_number=lot,
            expiry=expiry,
            invoice_number=invoice,
            received_on=received_on,
            location=where,
            labels=[f"{prefix}{i:03d}" for i in range(1, n + 1)],
            clinical_at=then,
            idempotency_key=f"demo-receive-{lot}",
        )
    containers = Container.objects.filter(clinic=clinic).select_related("lot__drug", "balance")
    oversight.record_inventory(
        custodian,
        reg,
        kind=InventoryKind.INITIAL,
        taken_on=today - dt.timedelta(days=INVENTORY_DAYS_AGO),
        business_time=BusinessTime.OPENING,
        lines=[oversight.InventoryCount(c, c.balance.ml) for c in containers],
        note="Initial inventory on opening the registration (demo).",
    )
    _counts(custodian, witness)


def _counts(custodian: Membership, witness: User) -> None:
    """One count discrepancy resolved (note, adjustment, sign-off), one left open."""
    vials = list(
        Container.objects.filter(clinic_id=custodian.clinic_id, lot__lot_number="MZ2403")
        .select_related("lot__drug")
        .order_by("label")
    )
    first = oversight.record_count(
        custodian,
        counted_ml={vials[0]: Decimal("1.900")},
        occasion=Count.Occasion.DAILY,
        note="End-of-day count (demo).",
        idempotency_key="demo-count-1",
    )
    disc = first.lines.get().discrepancy
    oversight.add_discrepancy_note(
        custodian,
        disc,
        "Vial checked against the light: 0.1 mL short. The cap seal is intact; the overfill "
        "was short from the manufacturer. Lot reported to the supplier (demo).",
    )
    fix = disposal.adjust(
        custodian,
        vials[0],
        "-0.100",
        reason="Manufacturer's short fill found at the daily count.",
        witness=_witness(witness),
        idempotency_key="demo-adjust-1",
    )
    oversight.resolve_discrepancy(
        custodian,
        disc,
        resolution="Short fill from the manufacturer; balance adjusted with a second signature.",
        resolved_with=fix,
    )
    oversight.record_count(
        custodian,
        counted_ml={vials[1]: Decimal("1.800")},
        occasion=Count.Occasion.SHIFT,
        note="Shift count (demo).",
        idempotency_key="demo-count-2",
    )


def _vial_for(clinic: Clinic, mg: Decimal) -> Container | None:
    """The first-expiring ketamine vial (not the lot about to expire, kept for the warning)
    that holds ``mg``."""
    today = clinic_today(clinic)
    return (
        Container.objects.filter(
            clinic=clinic,
            lot__drug__substance="ketamine",
            balance__mg__gte=mg,
            lot__expiry__gt=today + dt.timedelta(days=30),
        )
        .select_related("lot__drug")
        .order_by("lot__drug__strength_mg_per_ml", "lot__expiry", "balance__mg", "label")
        .first()
    )


def _at(moment: dt.datetime | None) -> dt.datetime | None:
    if moment is None or moment > timezone.now():
        return None
    return moment


def seed_session(nurse: Membership, witness: User, s: InfusionSession) -> None:
    """The ledger entries of one demo session (see the module docstring); idempotent."""
    clinic = nurse.clinic
    if s.container_drug_mg is None or s.state in states.FINAL:
        return
    if s.state not in PAST_INFUSION | ON_PUMP:
        return
    drawn = Decimal(str(s.container_drug_mg)).quantize(THREE)
    key = f"demo-s{s.pk}"
    txn = Transaction.objects.filter(clinic=clinic, idempotency_key=f"{key}-draw").first()
    if txn is None:
        vial = _vial_for(clinic, drawn)
        if vial is None:
            return
        txn = session.draw(
            nurse,
            vial,
            s,
            drawn,
            clinical_at=_at(s.prepared_at or s.started_at),
            idempotency_key=f"{key}-draw",
        )
    vial = Container.objects.select_related("lot__drug").get(pk=txn.container_id)
    if s.state not in PAST_INFUSION:
        return
    given = delivered_mg(s)
    if given is None:
        given = Decimal(str(s.ordered_dose_mg or s.container_drug_mg)).quantize(THREE)
    given = min(given, drawn)
    when = _at(s.infusion_ended_at)
    if given > 0 and not _keyed(clinic, f"{key}-given"):
        session.administer(nurse, vial, s, given, clinical_at=when, idempotency_key=f"{key}-given")
    rest = drawn - given
    if rest > 0 and not _keyed(clinic, f"{key}-waste"):
        w = _witness(witness)
        session.waste(
            nurse,
            vial,
            s,
            rest,
            "Into the pharmaceutical waste container, witnessed",
            w.user,
            w.password,
            w.otp_token,
            clinical_at=when,
            idempotency_key=f"{key}-waste",
        )


def seed_rescues(nurse: Membership, s: InfusionSession) -> None:
    """A scheduled rescue drug given in a demo session (Hannah's midazolam) drawn from the
    first-expiring vial of that substance and recorded administered; idempotent."""
    from ketaclinic.infusions.models import RescueDose

    clinic = nurse.clinic
    for dose in RescueDose.objects.filter(session=s, struck_at__isnull=True).select_related("drug"):
        if not dose.drug.schedule or dose.drug.key not in Substance.values:
            continue
        mg = Decimal(str(dose.dose_mg)).quantize(THREE)
        key = f"demo-r{dose.pk}"
        if _keyed(clinic, f"{key}-given"):
            continue
        vial = (
            Container.objects.filter(
                clinic=clinic, lot__drug__substance=dose.drug.key, balance__mg__gte=mg,
                lot__expiry__gte=clinic_today(clinic),
            )
            .order_by("lot__expiry", "balance__mg", "label")
            .first()
        )  # fmt: skip
        if vial is None:
            continue
        when = _at(dose.clinical_at)
        session.draw(nurse, vial, s, mg, clinical_at=when, idempotency_key=f"{key}-draw")
        session.administer(nurse, vial, s, mg, clinical_at=when, idempotency_key=f"{key}-given")


def seed(clinic: Clinic) -> None:
    custodian = _member(clinic, Role.CUSTODIAN)
    nurse = _member(clinic, Role.NURSE)
    physician = _member(clinic, Role.PHYSICIAN)
    if custodian is None or nurse is None or physician is None:
        return
    if not Registration.objects.filter(clinic=clinic).exists():
        _setup(custodian, physician.user)
    sessions = InfusionSession.objects.filter(clinic=clinic, container_drug_mg__isnull=False)
    for s in sessions.order_by("id"):
        seed_session(nurse, physician.user, s)
        if s.state not in states.FINAL:
            seed_rescues(nurse, s)
    # The demo's witnessing used the physician's code of this 30-second step: without this,
    # their first sign-in just after the demo is made would be refused as a replayed code.
    TOTPDevice.objects.filter(user=physician.user).update(last_t=-1)
