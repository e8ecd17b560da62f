"""The physician's home queue "Eligibility decisions to review": patients whose stored
screening needs a physician (review, or not eligible) with no decision yet, and decisions out
of date. A fixed number of queries however many patients (the stored ``PatientScreening``,
not a fresh screen of each)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Exists, F, OuterRef, Q

from ketaclinic.clinics.models import Clinic
from ketaclinic.eligibility.models import EligibilityDecision, PatientScreening, ScreeningStatus
from ketaclinic.web.queues import SECTION_LIMIT, Queue


@dataclass(frozen=True)
class ReviewItem:
    patient_id: int
    mrn: str
    name: str
    status_label: str
    stale: bool
    since: object


def to_review(clinic: Clinic) -> Queue[ReviewItem]:
    """Live decisions out of date first (only the newest decision counts: a newer signature
    supersedes a stale one), then undecided screenings needing a physician, longest waiting
    first. "Incomplete" ones wait for data, not for a physician, so they are not listed."""
    decided = EligibilityDecision.objects.filter(patient=OuterRef("patient"))
    newest = (
        EligibilityDecision.objects.filter(patient=OuterRef("patient"))
        .order_by("-signed_at", "-id")
        .values("stale_at")[:1]
    )
    rows = (
        PatientScreening.objects.filter(patient__clinic=clinic)
        .annotate(decided=Exists(decided), newest_stale_at=newest)
        .filter(
            Q(newest_stale_at__isnull=False)
            | Q(
                decided=False,
                status__in=[ScreeningStatus.PHYSICIAN_REVIEW, ScreeningStatus.NOT_ELIGIBLE],
            )
        )
        .select_related("patient")
        .order_by(F("newest_stale_at").desc(nulls_last=True), "screened_at", "id")
    )
    count = rows.count()
    items = [
        ReviewItem(
            patient_id=s.patient_id,
            mrn=s.patient.mrn,
            name=s.patient.display_name,
            status_label=ScreeningStatus(s.status).label,
            stale=s.newest_stale_at is not None,
            since=s.newest_stale_at or s.screened_at,
        )
        for s in rows[:SECTION_LIMIT]
    ]
    return Queue(count, items)
