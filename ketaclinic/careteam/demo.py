"""Demo care teams: a directory of fictional outside professionals, the demo therapist's
account linked to one of them, and care teams and referrals for whatever demo patients exist
(the patients seed runs first). Everything goes through the actions, so it is audited.

Names end in "(demo)", addresses are at example.org, and phone numbers are in the 555-01xx
range reserved for fiction. Idempotent: a clinic that already has professionals is left alone.
"""

from __future__ import annotations

from typing import Any

from ketaclinic.accounts.models import Membership, Role, User
from ketaclinic.careteam import actions
from ketaclinic.careteam.models import OutsideProfessional, ReferralStatus, TeamRole
from ketaclinic.clinics.models import Clinic
from ketaclinic.patients.models import Patient

THERAPIST_EMAIL = "therapist@demo.ketaclinic.test"  # the demo outside professional (demo.py)

DIRECTORY: list[dict[str, Any]] = [
    {
        "name": "Theo Marsh (demo)",
        "credentials": "LCSW",
        "licence_number": "6801099999",
        "licence_state": "MI",
        "practice": "Marsh Counselling (demo)",
        "email": THERAPIST_EMAIL,
        "phone": "(555) 010-0141",
        "specialties": ["depression", "integration"],
        "accepting_referrals": True,
        "in_directory": True,
    },
    {
        "name": "Rosa Delgado (demo)",
        "credentials": "PhD",
        "licence_state": "MI",
        "practice": "Lakeside Trauma Therapy (demo)",
        "email": "rosa.alvarez@example.org",
        "phone": "(555) 010-0142",
        "specialties": ["trauma", "anxiety"],
        "accepting_referrals": True,
        "in_directory": True,
    },
    {
        "name": "Malcolm Brandt (demo)",
        "credentials": "LPC, CAADC",
        "licence_state": "IN",
        "practice": "New Path Recovery (demo)",
        "email": "marcus.bell@example.org",
        "phone": "(555) 010-0143",
        "specialties": ["addiction", "depression"],
        "accepting_referrals": True,
        "in_directory": True,
    },
    {
        "name": "Priya Shah (demo)",
        "credentials": "MD",
        "licence_state": "MI",
        "practice": "Shah Psychiatry (demo)",
        "email": "priya.shah@example.org",
        "phone": "(555) 010-0144",
        "specialties": ["depression", "anxiety"],
        "accepting_referrals": False,
        "in_directory": True,
    },
    {
        "name": "Jordan Lee (demo)",
        "credentials": "LMFT",
        "licence_state": "OH",
        "practice": "Family Harbour (demo)",
        "email": "jordan.lee@example.org",
        "phone": "(555) 010-0145",
        "specialties": ["couples", "youth"],
        "accepting_referrals": True,
        "in_directory": True,
    },
    {
        "name": "Sam Ortiz (demo)",
        "credentials": "PsyD",
        "licence_state": "MI",
        "practice": "Ortiz Integration Practice (demo)",
        "email": "sam.ortiz@example.org",
        "phone": "(555) 010-0146",
        "specialties": ["integration", "trauma"],
        "accepting_referrals": True,
        "in_directory": True,
    },
]


def _member(clinic: Clinic, role: str) -> Membership | None:
    return (
        Membership.objects.select_related("user", "clinic")
        .filter(clinic=clinic, role=role, is_active=True)
        .order_by("id")
        .first()
    )


def seed(clinic: Clinic) -> list[OutsideProfessional]:
    if OutsideProfessional.objects.filter(clinic=clinic).exists():
        return list(OutsideProfessional.objects.filter(clinic=clinic))
    admin = _member(clinic, Role.CLINIC_ADMIN)
    coordinator = _member(clinic, Role.COORDINATOR)
    if admin is None or coordinator is None:
        return []
    made = [actions.create_professional(coordinator, values=dict(v)) for v in DIRECTORY]
    therapist = User.objects.filter(email=THERAPIST_EMAIL).first()
    if therapist is not None:
        actions.link_professional_account(admin, made[0], therapist)
    _teams(clinic, coordinator, made)
    return made


def _teams(clinic: Clinic, by: Membership, directory: list[OutsideProfessional]) -> None:
    """A physician of record and a nurse for every demo patient; the therapist on the first
    patient's team; a referral in progress (suggested, contacted) for the second; one
    accepted for the third."""
    physician = _member(clinic, Role.PHYSICIAN)
    nurse = _member(clinic, Role.NURSE)
    patients = list(Patient.objects.filter(clinic=clinic).order_by("id"))
    for patient in patients:
        if physician is not None:
            actions.set_physician_of_record(by, patient, physician.user)
        if nurse is not None:
            actions.add_team_member(by, patient, role=TeamRole.NURSE, user=nurse.user)
    theo, rosa, marcus = directory[0], directory[1], directory[2]
    if len(patients) >= 1:
        actions.add_team_member(
            by, patients[0], role=TeamRole.OUTSIDE_PROFESSIONAL, professional=theo
        )
    if len(patients) >= 2:
        referral = actions.suggest_referral(
            by, patients[1], rosa, note="Asked for help with trauma; Dr. Alvarez takes referrals."
        )
        actions.record_referral_step(
            by, referral, ReferralStatus.CONTACTED, note="Left a message at her practice (demo)."
        )
    if len(patients) >= 3:
        referral = actions.suggest_referral(by, patients[2], marcus, note="Addiction focus.")
        actions.record_referral_step(by, referral, ReferralStatus.CONTACTED, note="Called.")
        actions.record_referral_step(
            by, referral, ReferralStatus.ACCEPTED, note="First session booked (demo)."
        )
