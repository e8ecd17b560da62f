"""The coordinator's home queue "Intakes to chase": patients waiting on their intake
(``intake_pending``) whose newest intake link was never sent, has expired or was withdrawn,
or has not been opened for ``CHASE_AFTER``. A fixed number of queries however many patients
(the newest link's dates are annotated onto each patient; no per-patient status is read)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import DateTimeField, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from ketaclinic.clinics.models import Clinic
from ketaclinic.patients.models import Patient, PatientStatus
from ketaclinic.securelinks.models import Purpose, SecureLink
from ketaclinic.web.queues import SECTION_LIMIT, Queue

#: A sent link not opened for this long is chased. An operational choice of the clinic's
#: workflow (the brief of the home pages), not a clinical number.
CHASE_AFTER = dt.timedelta(days=3)


@dataclass(frozen=True)
class ChaseItem:
    patient_id: int
    mrn: str
    name: str
    reason: str  # what to do about it, in words
    tone: str
    since: dt.datetime | None


def _newest(field: str) -> Subquery:
    links = SecureLink.objects.filter(patient=OuterRef("pk"), purpose=Purpose.INTAKE).order_by(
        "-created_at", "-id"
    )
    return Subquery(links.values(field)[:1], output_field=DateTimeField())


def _reason(p: Patient, now: dt.datetime) -> tuple[str, str]:
    link_sent, link_opened = getattr(p, "link_sent"), getattr(p, "link_opened")  # noqa: B009
    if link_sent is None:
        return "Link not sent", "neutral"
    if getattr(p, "link_revoked") is not None:  # noqa: B009
        return "Link withdrawn", "warning"
    if getattr(p, "link_expires") <= now:  # noqa: B009
        return "Link expired", "warning"
    if link_opened is None:
        return "Sent 3 or more days ago, never opened", "info"
    return "Not opened for 3 days or more", "info"


def intakes_to_chase(clinic: Clinic, now: dt.datetime | None = None) -> Queue[ChaseItem]:
    """Longest waiting first: by the last sign of life (opened, else sent, else the record
    made)."""
    moment = now or timezone.now()
    stale = moment - CHASE_AFTER
    rows = (
        Patient.objects.filter(clinic=clinic, status=PatientStatus.INTAKE_PENDING)
        .annotate(
            link_made=_newest("created_at"),
            link_sent=_newest("sent_at"),
            link_opened=_newest("last_opened_at"),
            link_expires=_newest("expires_at"),
            link_revoked=_newest("revoked_at"),
        )
        .annotate(last_sign=Coalesce("link_opened", "link_sent", "created_at"))
        .filter(
            Q(link_made__isnull=True)
            | Q(link_sent__isnull=True)
            | Q(link_revoked__isnull=False)
            | Q(link_expires__lte=moment)
            | Q(last_sign__lte=stale)
        )
        .order_by("last_sign", "id")
    )
    count = rows.count()
    items = []
    for p in rows[:SECTION_LIMIT]:
        reason, tone = _reason(p, moment)
        since = getattr(p, "last_sign")  # noqa: B009
        items.append(ChaseItem(p.pk, p.mrn, p.display_name, reason, tone, since))
    return Queue(count, items)
