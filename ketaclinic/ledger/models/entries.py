"""The ledger's transactions: append-only and hash-chained, one chain per clinic.

The database refuses UPDATE and DELETE on ``ledger_transaction`` (triggers, migration 0002,
installed with ``ketaclinic.audit.triggers.AppendOnly`` like the audit trail's).
``entry_hash`` is SHA-256 over the row's canonical content including ``prev_hash``, the previous
row's hash in the same clinic's chain (``ketaclinic.ledger.chain``), so an edit anywhere breaks
the chain from that row on; ``ketaclinic ledger verify`` names the first broken row.

Sign convention: ``quantity_mg``/``quantity_ml`` are what was recorded (never negative);
``balance_mg_delta``/``balance_ml_delta`` are the signed effect on the container's balance, so
a container's balance is the plain sum of its deltas:

=====================  ============================  =================================
kind                   container balance             counts for the session
=====================  ============================  =================================
receipt                + quantity                    —
transfer               0 (location changes)          —
draw                   − quantity                    drawn
administer             0 (given from what was drawn) administered
waste                  0 (from what was drawn)       wasted
return                 + quantity                    returned
loss / theft           − quantity (no session);      lost (with a session)
                       0 with a session (drawn drug)
expiry_destruction     − quantity                    —
destroy                − quantity                    —
adjustment             ± quantity (signed delta)     —
correction             new effect − old effect       replaces the corrected entry's
=====================  ============================  =================================
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from ketaclinic.ledger.models.stock import Container, Registration, StorageLocation, quantity_field


class Kind(models.TextChoices):
    RECEIPT = "receipt", "Receipt"
    TRANSFER = "transfer", "Transfer"
    DRAW = "draw", "Draw"
    ADMINISTER = "administer", "Administered"
    WASTE = "waste", "Waste"
    RETURN = "return", "Return to stock"
    LOSS = "loss", "Loss"
    THEFT = "theft", "Theft"
    EXPIRY_DESTRUCTION = "expiry_destruction", "Expired, destroyed"
    DESTROY = "destroy", "Destroyed"
    ADJUSTMENT = "adjustment", "Count adjustment"
    CORRECTION = "correction", "Correction"


#: Kinds that belong to one infusion session (and its patient).
SESSION_KINDS = frozenset({Kind.DRAW, Kind.ADMINISTER, Kind.WASTE, Kind.RETURN})


class Transaction(models.Model):
    clinic = models.ForeignKey(
        "clinics.Clinic", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    registration = models.ForeignKey(Registration, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    container = models.ForeignKey(Container, on_delete=models.PROTECT, related_name="transactions")
    from_location = models.ForeignKey(
        StorageLocation, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    to_location = models.ForeignKey(
        StorageLocation, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    quantity_mg = quantity_field()
    quantity_ml = quantity_field()
    balance_mg_delta = quantity_field()
    balance_ml_delta = quantity_field()
    session = models.ForeignKey(
        "infusions.InfusionSession",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="ledger_transactions",
    )
    patient = models.ForeignKey(
        "patients.Patient", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    performed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    performed_role = models.CharField(max_length=32)
    # Users who confirmed with their own password and a TOTP code (waste: one; destruction and
    # adjustments: the second signature, and for destruction a second witness).
    witness_1 = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    witness_2 = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.TextField(blank=True)
    method = models.CharField(max_length=80, blank=True)  # waste or destruction method
    form_41 = models.JSONField(default=dict, blank=True)  # DEA Form 41 details (destruction)
    corrects = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="corrections"
    )
    clinical_at = models.DateTimeField()  # when it happened
    recorded_at = models.DateTimeField()  # when it was written (stamped under the chain lock)
    idempotency_key = models.CharField(max_length=64, blank=True)
    prev_hash = models.CharField(max_length=64)
    entry_hash = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["id"]
        indexes = [
            models.Index(fields=["clinic", "clinical_at"], name="ledger_txn_clinic_time"),
            models.Index(fields=["clinic", "kind", "clinical_at"], name="ledger_txn_clinic_kind"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(quantity_mg__gte=0) & Q(quantity_ml__gte=0),
                name="ledger_txn_quantity_nonnegative",
            ),
            models.UniqueConstraint(
                fields=["clinic", "idempotency_key"],
                condition=~Q(idempotency_key=""),
                name="ledger_txn_idempotent",
            ),
            models.CheckConstraint(
                condition=Q(corrects__isnull=True) | Q(kind=Kind.CORRECTION),
                name="ledger_txn_only_corrections_correct",
            ),
        ]

    def __str__(self) -> str:
        return f"Ledger entry #{self.pk} ({self.kind})"


class LedgerHead(models.Model):
    """The newest hash of one clinic's chain; locking it serialises that clinic's appends."""

    clinic = models.OneToOneField(
        "clinics.Clinic", primary_key=True, on_delete=models.PROTECT, related_name="+"
    )
    last_hash = models.CharField(max_length=64)
    last_entry_id = models.BigIntegerField(null=True)

    def __str__(self) -> str:
        return f"ledger head of clinic #{self.clinic_id} at #{self.last_entry_id}"
