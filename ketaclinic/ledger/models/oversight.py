"""Counts, discrepancies, loss reports and the DEA inventories (clinical reference §8.1 [E]).

These rows are written once by their actions; a discrepancy's investigation is appended as
notes and its resolution (with the custodian's sign-off) is set once.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from ketaclinic.ledger.models.entries import Transaction
from ketaclinic.ledger.models.stock import Container, Registration, StorageLocation, quantity_field


class Count(models.Model):
    """A shift or daily count, entered blind: the counter types what is in each container
    before the expected balance is computed (``actions.oversight.record_count``)."""

    class Occasion(models.TextChoices):
        SHIFT = "shift", "Shift count"
        DAILY = "daily", "Daily count"

    clinic = models.ForeignKey("clinics.Clinic", on_delete=models.PROTECT, related_name="+")
    location = models.ForeignKey(
        StorageLocation, null=True, blank=True, on_delete=models.PROTECT, related_name="counts"
    )
    occasion = models.CharField(max_length=8, choices=Occasion.choices, default=Occasion.SHIFT)
    counted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    counted_at = models.DateTimeField(default=timezone.now)
    note = models.TextField(blank=True)
    idempotency_key = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["-counted_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["clinic", "idempotency_key"],
                condition=~Q(idempotency_key=""),
                name="ledger_count_idempotent",
            )
        ]

    def __str__(self) -> str:
        return f"Count #{self.pk}"


class CountLine(models.Model):
    """What was counted in one container; the expected balance is filled in after entry."""

    count = models.ForeignKey(Count, on_delete=models.PROTECT, related_name="lines")
    container = models.ForeignKey(Container, on_delete=models.PROTECT, related_name="+")
    counted_ml = quantity_field()
    counted_mg = quantity_field()  # counted_ml × strength
    expected_ml = quantity_field()
    expected_mg = quantity_field()

    class Meta:
        ordering = ["count", "container_id"]
        constraints = [
            models.UniqueConstraint(fields=["count", "container"], name="ledger_countline_once")
        ]

    def __str__(self) -> str:
        return f"Count line #{self.pk}"

    @property
    def difference_mg(self) -> object:
        return self.counted_mg - self.expected_mg


class DiscrepancySource(models.TextChoices):
    COUNT = "count", "Count"
    SESSION = "session", "Session reconciliation"
    INVENTORY = "inventory", "Inventory"


class Discrepancy(models.Model):
    clinic = models.ForeignKey("clinics.Clinic", on_delete=models.PROTECT, related_name="+")
    source = models.CharField(max_length=10, choices=DiscrepancySource.choices)
    count_line = models.OneToOneField(
        CountLine, null=True, blank=True, on_delete=models.PROTECT, related_name="discrepancy"
    )
    session = models.ForeignKey(
        "infusions.InfusionSession",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="ledger_discrepancies",
    )
    container = models.ForeignKey(
        Container, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    expected_mg = quantity_field()
    found_mg = quantity_field()  # counted, or administered + wasted + returned for a session
    summary = models.TextField()
    opened_at = models.DateTimeField(default=timezone.now)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    resolution = models.TextField(blank=True)
    # The custodian's sign-off of the resolution (who and when).
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # The ledger entry that settled it, if any (an adjustment, a loss report, a correction).
    resolved_with = models.ForeignKey(
        Transaction, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-opened_at", "-id"]
        indexes = [models.Index(fields=["clinic", "resolved_at"], name="ledger_disc_open")]

    def __str__(self) -> str:
        return f"Discrepancy #{self.pk}"

    @property
    def is_open(self) -> bool:
        return self.resolved_at is None

    @property
    def difference_mg(self) -> object:
        return self.found_mg - self.expected_mg


class DiscrepancyNote(models.Model):
    """One investigation note, appended."""

    discrepancy = models.ForeignKey(Discrepancy, on_delete=models.PROTECT, related_name="notes")
    text = models.TextField()
    written_at = models.DateTimeField(default=timezone.now)
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["written_at", "id"]

    def __str__(self) -> str:
        return f"Discrepancy note #{self.pk}"


class LossReport(models.Model):
    """A theft or significant loss and its two DEA clocks (21 CFR 1301.76(b), §8.1 [E]):
    written notice to the DEA Field Division within 1 business day of discovery, and DEA
    Form 106 within 45 days. The due dates are computed by ``ledger.deadlines`` from the
    discovery date in the clinic's time zone; the custodian's screen lists the open ones."""

    clinic = models.ForeignKey("clinics.Clinic", on_delete=models.PROTECT, related_name="+")
    transaction = models.OneToOneField(
        Transaction, on_delete=models.PROTECT, related_name="loss_report"
    )
    discovered_at = models.DateTimeField()
    written_notice_due = models.DateField()
    form_106_due = models.DateField()
    written_notice_sent_at = models.DateTimeField(null=True, blank=True)
    written_notice_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    form_106_filed_at = models.DateTimeField(null=True, blank=True)
    form_106_reference = models.CharField(max_length=60, blank=True)
    form_106_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["written_notice_due", "id"]

    def __str__(self) -> str:
        return f"Loss report #{self.pk}"


class InventoryKind(models.TextChoices):
    INITIAL = "initial", "Initial inventory"
    BIENNIAL = "biennial", "Biennial inventory"


class BusinessTime(models.TextChoices):
    """Whether the inventory was taken at the opening or the close of business (1304.11(a))."""

    OPENING = "opening", "Opening of business"
    CLOSE = "close", "Close of business"


class Inventory(models.Model):
    """An initial (21 CFR 1304.11(b)) or biennial (1304.11(c)) inventory of a registration."""

    clinic = models.ForeignKey("clinics.Clinic", on_delete=models.PROTECT, related_name="+")
    registration = models.ForeignKey(
        Registration, on_delete=models.PROTECT, related_name="inventories"
    )
    kind = models.CharField(max_length=10, choices=InventoryKind.choices)
    taken_on = models.DateField()
    business_time = models.CharField(max_length=8, choices=BusinessTime.choices)
    taken_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["-taken_on", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} of {self.taken_on}"


class InventoryLine(models.Model):
    """One container in an inventory. ``estimated`` is allowed only for an opened Schedule
    III–V container of at most 1,000 units; otherwise the count is exact (1304.11(e)(3))."""

    inventory = models.ForeignKey(Inventory, on_delete=models.PROTECT, related_name="lines")
    container = models.ForeignKey(Container, on_delete=models.PROTECT, related_name="+")
    opened = models.BooleanField()
    estimated = models.BooleanField(default=False)
    counted_ml = quantity_field()
    counted_mg = quantity_field()
    expected_ml = quantity_field()
    expected_mg = quantity_field()

    class Meta:
        ordering = ["inventory", "container_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["inventory", "container"], name="ledger_inventoryline_once"
            ),
            models.CheckConstraint(
                condition=Q(estimated=False) | Q(opened=True), name="ledger_estimate_only_opened"
            ),
        ]

    def __str__(self) -> str:
        return f"Inventory line #{self.pk}"
