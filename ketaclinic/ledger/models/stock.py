"""What the clinic holds and where (clinical reference §8.1 [E]; 21 CFR 1301, 1304.22).

Quantities are ``Decimal`` with three places (mg and mL), so sums are exact on both databases
and a balance that reaches zero is exactly zero (a float sum could end at -1e-17 and trip the
CHECK constraint).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

QUANTITY: dict[str, Any] = {"max_digits": 12, "decimal_places": 3}
#: Retention: every record kept at least 2 years from its date (21 CFR 1304.04(a), clinical
#: reference §8.1 [E]); state law may require longer, so it is a per-registration setting.
DEFAULT_RETENTION_YEARS = 2


def quantity_field(**extra: Any) -> models.DecimalField:
    return models.DecimalField(**QUANTITY, **extra)


class Registration(models.Model):
    """A DEA registration: one per principal place where controlled substances are stored or
    administered (21 CFR 1301, clinical reference §8.1 [E])."""

    clinic = models.ForeignKey("clinics.Clinic", on_delete=models.PROTECT, related_name="+")
    dea_number = models.CharField(max_length=9)
    registrant_name = models.CharField(max_length=200)
    address = models.TextField()
    schedules = models.CharField(max_length=40, default="III, IV")
    retention_years = models.PositiveSmallIntegerField(default=DEFAULT_RETENTION_YEARS)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["clinic", "dea_number"]
        constraints = [
            models.UniqueConstraint(fields=["clinic", "dea_number"], name="ledger_reg_unique"),
            models.CheckConstraint(
                condition=Q(retention_years__gte=DEFAULT_RETENTION_YEARS),
                name="ledger_reg_retention_min",
            ),
        ]

    def __str__(self) -> str:
        return f"DEA {self.dea_number}"


class LocationKind(models.TextChoices):
    SAFE = "safe", "Safe"
    CABINET = "cabinet", "Locked cabinet"
    OTHER = "other", "Other locked storage"


class StorageLocation(models.Model):
    """A securely locked, substantially constructed cabinet or safe (21 CFR 1301.75(b))."""

    clinic = models.ForeignKey("clinics.Clinic", on_delete=models.PROTECT, related_name="+")
    registration = models.ForeignKey(
        Registration, on_delete=models.PROTECT, related_name="locations"
    )
    name = models.CharField(max_length=80)
    kind = models.CharField(max_length=12, choices=LocationKind.choices, default=LocationKind.SAFE)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["clinic", "name"], name="ledger_location_unique")
        ]

    def __str__(self) -> str:
        return self.name


class Schedule(models.TextChoices):
    """Ketamine is Schedule III; midazolam, lorazepam and diazepam Schedule IV (§8.1 [E])."""

    III = "III", "Schedule III"
    IV = "IV", "Schedule IV"


class Substance(models.TextChoices):
    """What the drug is, so reconciliation and the sign blocker can single out ketamine."""

    KETAMINE = "ketamine", "Ketamine"
    MIDAZOLAM = "midazolam", "Midazolam"
    LORAZEPAM = "lorazepam", "Lorazepam"
    DIAZEPAM = "diazepam", "Diazepam"
    OTHER = "other", "Other controlled substance"


class DrugItem(models.Model):
    """A product as received: name, schedule, strength, container size, NDC and finished form
    (the receipt record's fields, 21 CFR 1304.22(c))."""

    clinic = models.ForeignKey("clinics.Clinic", on_delete=models.PROTECT, related_name="+")
    name = models.CharField(max_length=120)  # "Ketamine HCl injection 10 mg/mL, 20 mL vial"
    substance = models.CharField(max_length=16, choices=Substance.choices)
    schedule = models.CharField(max_length=3, choices=Schedule.choices)
    strength_mg_per_ml = quantity_field()
    container_volume_ml = quantity_field()
    ndc = models.CharField(max_length=13, blank=True)
    form = models.CharField(max_length=60, default="injection, solution")
    #: Units per container for the inventory rule (21 CFR 1304.11(e)): an opened container of
    #: more than 1,000 units is counted exactly; for a solution the unit is the mL.
    units_per_container = quantity_field()
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(strength_mg_per_ml__gt=0) & Q(container_volume_ml__gt=0),
                name="ledger_drug_positive",
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def container_mg(self) -> Decimal:
        return self.strength_mg_per_ml * self.container_volume_ml


class Supplier(models.Model):
    clinic = models.ForeignKey("clinics.Clinic", on_delete=models.PROTECT, related_name="+")
    name = models.CharField(max_length=200)
    address = models.TextField()
    dea_number = models.CharField(max_length=9)

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name


class Lot(models.Model):
    clinic = models.ForeignKey("clinics.Clinic", on_delete=models.PROTECT, related_name="+")
    drug = models.ForeignKey(DrugItem, on_delete=models.PROTECT, related_name="lots")
    lot_number = models.CharField(max_length=40)
    expiry = models.DateField()
    supplier = models.ForeignKey(Supplier, on_delete=models.PROTECT, related_name="lots")
    invoice_number = models.CharField(max_length=60)
    received_on = models.DateField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["expiry", "id"]
        constraints = [
            models.UniqueConstraint(fields=["drug", "lot_number"], name="ledger_lot_unique")
        ]

    def __str__(self) -> str:
        return f"Lot {self.lot_number}"


class Container(models.Model):
    """One vial. Its balance is derived from its transactions; ``ContainerBalance`` keeps the
    running sum (and the current location) in the same database transaction as each entry.
    ``initial_mg``/``initial_ml`` are what the receipt brought in."""

    clinic = models.ForeignKey("clinics.Clinic", on_delete=models.PROTECT, related_name="+")
    lot = models.ForeignKey(Lot, on_delete=models.PROTECT, related_name="containers")
    label = models.CharField(max_length=40)  # the serial written on the vial
    initial_mg = quantity_field()
    initial_ml = quantity_field()
    received_at = models.DateTimeField(default=timezone.now)
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["lot__expiry", "label", "id"]
        constraints = [
            models.UniqueConstraint(fields=["clinic", "label"], name="ledger_container_label"),
            models.CheckConstraint(
                condition=Q(initial_mg__gt=0) & Q(initial_ml__gt=0),
                name="ledger_container_initial_positive",
            ),
        ]

    def __str__(self) -> str:
        return f"Vial {self.label}"


class ContainerBalance(models.Model):
    """The running balance of one container, updated with every transaction that moves it.

    The CHECK constraints make the database refuse a negative balance whatever the code does;
    the actions lock this row (``select_for_update``) before reading it, so parallel draws are
    serialised and refused cleanly before the constraint is ever reached. Lot and location
    balances are sums over these rows (never negative because no row is).
    """

    container = models.OneToOneField(
        Container, primary_key=True, on_delete=models.PROTECT, related_name="balance"
    )
    clinic = models.ForeignKey("clinics.Clinic", on_delete=models.PROTECT, related_name="+")
    location = models.ForeignKey(StorageLocation, on_delete=models.PROTECT, related_name="+")
    mg = quantity_field()
    ml = quantity_field()
    last_transaction_id = models.BigIntegerField(null=True)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["container_id"]
        constraints = [
            models.CheckConstraint(condition=Q(mg__gte=0), name="ledger_balance_mg_nonnegative"),
            models.CheckConstraint(condition=Q(ml__gte=0), name="ledger_balance_ml_nonnegative"),
        ]

    def __str__(self) -> str:
        return f"Balance of container #{self.container_id}"
