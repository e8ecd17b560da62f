"""The post-infusion after-effects checklist as charted in a session.

The answers themselves are a measurement ``Response`` of the ``after-effects`` instrument
(``ketaclinic.instruments.session_scales.AFTER_EFFECTS``), stored through
``measurement.actions.record_response`` so they join the patient's outcome record; this row
ties that response to the session and carries the form's idempotency key."""

from __future__ import annotations

from django.db import models

from ketaclinic.infusions.models.entries import Entry
from ketaclinic.infusions.models.session import InfusionSession


class AfterEffectsCheck(Entry):
    session = models.ForeignKey(
        InfusionSession, on_delete=models.PROTECT, related_name="after_effects"
    )
    response = models.ForeignKey("measurement.Response", on_delete=models.PROTECT, related_name="+")

    class Meta(Entry.Meta):
        constraints = [
            models.UniqueConstraint(
                fields=["session", "idempotency_key"], name="aftereffects_session_key"
            )
        ]

    def __str__(self) -> str:
        return f"After-effects check #{self.pk}"
