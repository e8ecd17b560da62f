"""The daily sweep that records expired consents (access already ended at the expiry moment:
``Consent.current_status`` and the sharing grant's ``expires_at`` both cut it on read)."""

from __future__ import annotations

from django_tasks import task

from ketaclinic.consents.actions import record_expiries
from ketaclinic.ops.queue import daily


@daily
@task()
def expire_consents() -> int:
    return record_expiries()
