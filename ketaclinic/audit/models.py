"""The append-only, hash-chained audit trail."""

from __future__ import annotations

from django.db import models
from django.db.models import Q


class AuditEntry(models.Model):
    """One thing that happened: who, in which role and clinic, did what, to what, when, from where.

    Rows are never updated or deleted: triggers (migration 0002, SQL in ``triggers.py``) make
    the database refuse UPDATE and DELETE. ``entry_hash`` covers this row's content and
    ``prev_hash``, the previous row's hash, so an edit anywhere breaks the chain from that row
    on; ``ketaclinic audit verify`` names the first broken row.

    Indexes are few on purpose (every page view appends a row): the report always filters by
    clinic, so the composite indexes lead with it; the chain is walked by primary key. Sign-in
    events carry no clinic and reach a clinic's report through their actor's membership, or,
    without an actor (a failed sign-in), their account's (``report.Entries``); their index is
    partial, so rows with a clinic do not pay for it.
    """

    created_at = models.DateTimeField()
    actor = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_email = models.CharField(max_length=254, blank=True)
    actor_role = models.CharField(max_length=32, blank=True)
    clinic = models.ForeignKey(
        "clinics.Clinic",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,  # covered by the (clinic, ...) indexes below
    )
    action = models.CharField(max_length=64)
    object_type = models.CharField(max_length=64, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    patient_ref = models.CharField(max_length=64, blank=True)
    # Text, not GenericIPAddressField: PostgreSQL's inet type rewrites some IPv6 spellings, and
    # the hash must be recomputable from exactly what the database gives back. ``log.py``
    # normalises the address with ``ipaddress`` before hashing.
    ip_address = models.CharField(max_length=45, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    reason = models.TextField(blank=True)
    prev_hash = models.CharField(max_length=64)
    entry_hash = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["id"]
        indexes = [
            models.Index(fields=["clinic", "created_at"], name="audit_clinic_time"),
            models.Index(fields=["clinic", "patient_ref"], name="audit_clinic_patient"),
            models.Index(
                fields=["actor", "created_at"],
                name="audit_noclinic_actor",
                condition=Q(clinic__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.action} {self.object_type}:{self.object_id}"


class AuditChainHead(models.Model):
    """A single row holding the newest hash; locking it serialises writers of the chain."""

    last_hash = models.CharField(max_length=64)
    last_entry_id = models.BigIntegerField(null=True)

    def __str__(self) -> str:
        return f"chain head at #{self.last_entry_id}"
