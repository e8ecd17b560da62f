"""The append-only, hash-chained audit trail."""

from __future__ import annotations

from django.db import models


class AuditEntry(models.Model):
    """One thing that happened: who, in which role and clinic, did what, to what, when, from where.

    Rows are never updated or deleted (database triggers refuse it). ``entry_hash`` covers this
    row's content and ``prev_hash``, the previous row's hash, so an edit anywhere breaks the
    chain from that row on; ``ketaclinic audit verify`` names the first broken row.
    """

    created_at = models.DateTimeField(db_index=True)
    actor = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_email = models.CharField(max_length=254, blank=True)
    actor_role = models.CharField(max_length=32, blank=True)
    clinic = models.ForeignKey(
        "clinics.Clinic", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    action = models.CharField(max_length=64, db_index=True)
    object_type = models.CharField(max_length=64, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    patient_ref = models.CharField(max_length=64, blank=True, db_index=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    reason = models.TextField(blank=True)
    prev_hash = models.CharField(max_length=64)
    entry_hash = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["clinic", "created_at"], name="audit_clinic_time")]

    def __str__(self) -> str:
        return f"#{self.pk} {self.action} {self.object_type}:{self.object_id}"


class AuditChainHead(models.Model):
    """A single row holding the newest hash; locking it serialises writers of the chain."""

    last_hash = models.CharField(max_length=64)
    last_entry_id = models.BigIntegerField(null=True)
