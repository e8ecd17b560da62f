"""Read-side queries of the care team: each a fixed number of queries however many rows."""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet

from ketaclinic.careteam.models import (
    OPEN_REFERRAL_STATUSES,
    CareTeamMember,
    OutsideProfessional,
    Referral,
    ReferralEvent,
    Specialty,
    TeamRole,
)
from ketaclinic.patients.models import Patient

# What a patient asked for help with on the inquiry form, as the directory's specialties.
NEEDS_FROM_INQUIRY: dict[str, str] = {
    "depression": Specialty.DEPRESSION,
    "anxiety": Specialty.ANXIETY,
    "ptsd": Specialty.TRAUMA,
    "addiction": Specialty.ADDICTION,
}
ROLE_ORDER = [r.value for r in TeamRole]


def _members(patient: Patient) -> QuerySet[CareTeamMember]:
    return CareTeamMember.objects.filter(patient=patient).select_related("user", "professional")


def live_team(patient: Patient) -> list[CareTeamMember]:
    """Who is on the team now: the physician of record first, then nurses, coordinators and
    outside professionals, each by when they joined."""
    rows = list(_members(patient).filter(left_at__isnull=True))
    return sorted(rows, key=lambda m: (ROLE_ORDER.index(m.role), m.joined_at, m.pk))


def former_members(patient: Patient) -> list[CareTeamMember]:
    return list(_members(patient).filter(left_at__isnull=False).order_by("-left_at", "-id"))


def referrals_of(patient: Patient) -> list[Referral]:
    events = ReferralEvent.objects.select_related("by").order_by("at", "id")
    return list(
        Referral.objects.filter(patient=patient)
        .select_related("professional")
        .prefetch_related(Prefetch("events", queryset=events))
        .order_by("-created_at", "-id")
    )


def needs_of(patient: Patient) -> list[str]:
    """The specialties the patient's needs point to: what they asked for help with on the
    inquiry that brought them (if any), in the directory's order; [] when nothing is known."""
    inquiry = patient.inquiry if patient.inquiry_id else None
    conditions = set(getattr(inquiry, "conditions", None) or [])
    wanted = {NEEDS_FROM_INQUIRY[c] for c in conditions if c in NEEDS_FROM_INQUIRY}
    if patient.sud_treatment:
        wanted.add(Specialty.ADDICTION)
    return [s for s in Specialty.values if s in wanted]


def directory_for(patient: Patient, specialties: list[str]) -> list[Any]:
    """The clinic's directory for ``patient``: in the directory, accepting referrals, not
    archived, with any of ``specialties`` (all when empty); each row says whether the patient
    already has an open referral to, or a live membership with, the professional."""
    qs = OutsideProfessional.objects.filter(
        clinic_id=patient.clinic_id,
        in_directory=True,
        accepting_referrals=True,
        archived_at__isnull=True,
    )
    if specialties:
        match = Q()
        for s in specialties:
            match |= Q(specialties__icontains=f'"{s}"')
        qs = qs.filter(match)
    open_referral = Referral.objects.filter(
        patient=patient, professional=OuterRef("pk"), status__in=list(OPEN_REFERRAL_STATUSES)
    )
    on_team = CareTeamMember.objects.filter(
        patient=patient, professional=OuterRef("pk"), left_at__isnull=True
    )
    return list(
        qs.annotate(has_open_referral=Exists(open_referral), on_team=Exists(on_team)).order_by(
            "name", "id"
        )
    )


def header_summary(patient: Patient) -> dict[str, Any]:
    """The chart header's care-team item: physician of record and outside professionals."""
    team = live_team(patient)
    physician = next((m for m in team if m.role == TeamRole.PHYSICIAN_OF_RECORD), None)
    return {
        "physician": physician.person_name if physician else "",
        "professionals": [m.person_name for m in team if m.role == TeamRole.OUTSIDE_PROFESSIONAL],
    }
