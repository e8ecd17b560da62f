"""Fixtures of the ledger tests: a clinic with a DEA registration, a safe and a cabinet,
ketamine 10 mg/mL in 20 mL vials (200 mg each; clinical reference §1.8 [E]) and midazolam
1 mg/mL in 2 mL vials (a common rescue strength; a fixture value, not a clinical rule), a
supplier, two ketamine vials received into the safe, a patient and a session."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal
from typing import Any

from django.db import connection
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from ketaclinic.accounts.models import Membership, Role, User
from ketaclinic.clinics.models import Clinic
from ketaclinic.infusions.models import InfusionSession
from ketaclinic.ledger.actions import setup, stock
from ketaclinic.ledger.actions._base import Witness
from ketaclinic.ledger.models import (
    Container,
    DrugItem,
    LocationKind,
    Registration,
    StorageLocation,
    Supplier,
)
from ketaclinic.ledger.triggers import TRANSACTIONS
from ketaclinic.patients.models import Patient, PatientStatus
from ketaclinic.scheduling.models import Booking, Chair
from ketaclinic.testing import TEST_PASSWORD, BaseTestCase, make_user, member

_serial = itertools.count(1)
D = Decimal


def token_for(user: User) -> str:
    """The user's current TOTP code. Resets the device's last used step first, so a test may
    confirm the same witness twice within one 30-second step (django-otp refuses a replay)."""
    device = TOTPDevice.objects.get(user=user, confirmed=True)
    TOTPDevice.objects.filter(pk=device.pk).update(last_t=-1)
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = timezone.now().timestamp()
    return str(totp.token()).zfill(device.digits)


def wrong_token(user: User) -> str:
    right = token_for(user)
    return f"{(int(right) + 1) % 1_000_000:06d}"


def witness(user: User) -> Witness:
    return Witness(user, TEST_PASSWORD, token_for(user))


def tamper(sql: str, params: Any = None) -> None:
    """Change ledger rows the way an intruder with database access would: drop the
    append-only triggers, run the SQL, put the triggers back."""
    with connection.cursor() as cursor:
        for statement in TRANSACTIONS.statements(connection.vendor, install=False):
            cursor.execute(statement)
        cursor.execute(sql, params)
        for statement in TRANSACTIONS.statements(connection.vendor, install=True):
            cursor.execute(statement)


def add_patient(clinic: Clinic) -> Patient:
    n = next(_serial)
    return Patient.objects.create(
        clinic=clinic,
        mrn=f"KC-L{n:05d}",
        legal_given_name=f"Ledger{n}",
        legal_family_name="Patient",
        date_of_birth=dt.date(1980, 1, 1),
        sex_at_birth="female",
        status=PatientStatus.ACTIVE,
    )


def add_session(clinic: Clinic, patient: Patient, chair: Chair, **values: Any) -> InfusionSession:
    """A booking now and its session (ORM only: no audit entry)."""
    booking = Booking.objects.create(
        clinic=clinic,
        patient=patient,
        chair=chair,
        starts_at=timezone.now() + dt.timedelta(minutes=next(_serial) * 200),
        infusion_minutes=40,
        recovery_minutes=60,
    )
    return InfusionSession.objects.create(
        clinic=clinic, patient=patient, booking=booking, state="infusing", **values
    )


class Stock:
    """One clinic's ledger set up through the actions."""

    def __init__(self, clinic: Clinic, custodian: Membership) -> None:
        self.custodian = custodian
        self.registration: Registration = setup.create_registration(
            custodian,
            dea_number="FS1234563",
            registrant_name="Sturges Family Practice",
            address="1 Main Street, Springfield",
        )
        self.safe: StorageLocation = setup.create_location(
            custodian, self.registration, name="Safe", kind=LocationKind.SAFE
        )
        self.cabinet: StorageLocation = setup.create_location(
            custodian, self.registration, name="Cabinet B", kind=LocationKind.CABINET
        )
        self.ketamine: DrugItem = setup.create_drug_item(
            custodian,
            name="Ketamine HCl 10 mg/mL, 20 mL vial",
            substance="ketamine",
            schedule="III",
            strength_mg_per_ml="10",
            container_volume_ml="20",
            ndc="0409-2051-05",
        )
        self.midazolam: DrugItem = setup.create_drug_item(
            custodian,
            name="Midazolam 1 mg/mL, 2 mL vial",
            substance="midazolam",
            schedule="IV",
            strength_mg_per_ml="1",
            container_volume_ml="2",
        )
        self.supplier: Supplier = setup.create_supplier(
            custodian,
            name="Acme Wholesale",
            address="9 Depot Road, Columbus",
            dea_number="RA0000001",
        )
        self._lots = itertools.count(1)

    def receive(self, drug: DrugItem | None = None, n: int = 1, **values: Any) -> list[Container]:
        lot = next(self._lots)
        txns = stock.receive(
            self.custodian,
            drug=drug or self.ketamine,
            supplier=self.supplier,
            lot_number=values.pop("lot_number", f"L{lot:04d}"),
            expiry=values.pop("expiry", timezone.now().date() + dt.timedelta(days=365)),
            invoice_number=values.pop("invoice_number", f"INV-{lot}"),
            received_on=timezone.now().date(),
            location=values.pop("location", self.safe),
            labels=[f"V{lot:03d}-{i}" for i in range(1, n + 1)],
            **values,
        )
        return [Container.objects.select_related("lot__drug").get(pk=t.container_id) for t in txns]


class LedgerCase(BaseTestCase):
    stock: Stock
    vials: list[Container]
    patient: Patient
    chair: Chair
    session: InfusionSession
    second_nurse: User

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.stock = Stock(cls.clinic, cls.by(Role.CUSTODIAN))
        cls.vials = cls.stock.receive(n=2)
        cls.patient = add_patient(cls.clinic)
        cls.chair = Chair.objects.create(clinic=cls.clinic, name="Chair 1")
        cls.session = add_session(cls.clinic, cls.patient, cls.chair)
        cls.second_nurse = make_user(
            "nurse2@sturges.example", "Second Nurse", cls.clinic, Role.NURSE
        )

    @classmethod
    def by(cls, role: str) -> Membership:
        return member(cls.users[role], cls.clinic)

    def vial(self, n: int = 0) -> Container:
        return Container.objects.select_related("lot__drug").get(pk=self.vials[n].pk)

    def balance(self, container: Container) -> tuple[Decimal, Decimal]:
        from ketaclinic.ledger.models import ContainerBalance

        row = ContainerBalance.objects.get(container=container)
        return row.mg, row.ml
