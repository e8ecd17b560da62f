"""Home queues read from the stored screening (``PatientScreening``, not a fresh screen of
each patient), so each costs a fixed number of queries however many patients:

* the physician's "Eligibility decisions to review": screenings that need a physician
  (review, or not eligible) with no decision yet, and decisions out of date;
* the nurse's "Patients in screening with missing information": patients in screening whose
  screening is incomplete, with what is missing."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Exists, F, OuterRef, Q

from ketaclinic.clinics.models import Clinic
from ketaclinic.eligibility.models import EligibilityDecision, PatientScreening, ScreeningStatus
from ketaclinic.patients.models import PatientStatus
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


#: How many missing items a home-page row names before "and N more".
MISSING_SHOWN = 3


@dataclass(frozen=True)
class MissingItem:
    patient_id: int
    mrn: str
    name: str
    missing: list[str]
    more: int
    since: object


def missing_information(clinic: Clinic) -> Queue[MissingItem]:
    """Patients in screening whose stored screening is incomplete, longest waiting first;
    each with the first ``MISSING_SHOWN`` things missing (the stored result's labels)."""
    rows = (
        PatientScreening.objects.filter(
            patient__clinic=clinic,
            patient__status=PatientStatus.SCREENING,
            status=ScreeningStatus.INCOMPLETE,
        )
        .select_related("patient")
        .order_by("screened_at", "id")
    )
    count = rows.count()
    items = []
    for s in rows[:SECTION_LIMIT]:
        labels = [m["label"] for m in (s.result or {}).get("missing", [])]
        items.append(
            MissingItem(
                patient_id=s.patient_id,
                mrn=s.patient.mrn,
                name=s.patient.display_name,
                missing=labels[:MISSING_SHOWN],
                more=max(len(labels) - MISSING_SHOWN, 0),
                since=s.screened_at,
            )
        )
    return Queue(count, items)
