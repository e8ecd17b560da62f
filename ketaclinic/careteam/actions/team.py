"""A patient's care team: who joins, who leaves, and the one physician of record.

Memberships are never deleted or edited: leaving sets ``left_at``, so the team at any past
moment can be read back. Each change locks the patient row, so two people changing one team
cannot interleave; the database's partial unique constraints back the rules (one live
physician of record; nobody on one team twice at once).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from ketaclinic.accounts.models import Membership, Role, User
from ketaclinic.audit.log import record
from ketaclinic.careteam import policies
from ketaclinic.careteam.models import CareTeamMember, OutsideProfessional, TeamRole
from ketaclinic.patients.models import Patient

# The clinic role a staff member of the team must hold for each team role.
STAFF_ROLE_FOR: dict[str, str] = {
    TeamRole.PHYSICIAN_OF_RECORD: Role.PHYSICIAN,
    TeamRole.NURSE: Role.NURSE,
    TeamRole.COORDINATOR: Role.COORDINATOR,
}
ALREADY_ON_TEAM = "This person is already on the patient's care team in that role."


def _require_manager(by: Membership | None, patient: Patient) -> None:
    if not policies.can_manage_team(by, patient):
        raise PermissionDenied("Only the patient's clinical staff change the care team.")


def _lock_patient(patient: Patient) -> None:
    Patient.objects.select_for_update().filter(pk=patient.pk).first()


def _snapshot(m: CareTeamMember) -> dict[str, object]:
    return {
        "role": m.role,
        "user": m.user_id,
        "professional": m.professional_id,
        "left": m.left_at is not None,
    }


def _check_staff(patient: Patient, user: User, team_role: str) -> None:
    wanted = STAFF_ROLE_FOR[team_role]
    if not Membership.objects.filter(
        user=user, clinic_id=patient.clinic_id, role=wanted, is_active=True, user__is_active=True
    ).exists():
        label = TeamRole(team_role).label.lower()
        raise ValidationError({"user": f"Choose someone with the clinic role for {label}."})


def _join(
    by: Membership,
    patient: Patient,
    *,
    role: str,
    user: User | None,
    professional: OutsideProfessional | None,
    request: HttpRequest | None,
) -> CareTeamMember:
    live = CareTeamMember.objects.filter(patient=patient, role=role, left_at__isnull=True)
    if (user is not None and live.filter(user=user).exists()) or (
        professional is not None and live.filter(professional=professional).exists()
    ):
        raise ValidationError(ALREADY_ON_TEAM)
    member = CareTeamMember.objects.create(
        patient=patient, role=role, user=user, professional=professional, added_by=by.user
    )
    record(
        "careteam.member.add",
        by=by,
        request=request,
        obj=member,
        patient_ref=patient.pk,
        after=_snapshot(member),
    )
    return member


def add_team_member(
    by: Membership,
    patient: Patient,
    *,
    role: str,
    user: User | None = None,
    professional: OutsideProfessional | None = None,
    request: HttpRequest | None = None,
) -> CareTeamMember:
    """Put a nurse or coordinator (a clinic member with that role) or an outside professional
    (a record of this clinic) on the patient's team. The physician of record is set with
    ``set_physician_of_record``, which ends the previous one."""
    _require_manager(by, patient)
    if role == TeamRole.PHYSICIAN_OF_RECORD:
        if user is None:
            raise ValidationError({"user": "Choose the physician."})
        return set_physician_of_record(by, patient, user, request=request)
    if role == TeamRole.OUTSIDE_PROFESSIONAL:
        if professional is None or professional.clinic_id != patient.clinic_id:
            raise ValidationError({"professional": "Choose a professional from the directory."})
        if professional.is_archived:
            raise ValidationError({"professional": "This professional is archived."})
        user = None
    elif role in STAFF_ROLE_FOR:
        if user is None:
            raise ValidationError({"user": "Choose the person."})
        _check_staff(patient, user, role)
        professional = None
    else:
        raise ValidationError({"role": "Choose a role on the care team."})
    with transaction.atomic():
        _lock_patient(patient)
        return _join(by, patient, role=role, user=user, professional=professional, request=request)


def set_physician_of_record(
    by: Membership, patient: Patient, physician: User, *, request: HttpRequest | None = None
) -> CareTeamMember:
    """Make ``physician`` the patient's physician of record; the previous one (if any) leaves
    the team at the same moment."""
    _require_manager(by, patient)
    _check_staff(patient, physician, TeamRole.PHYSICIAN_OF_RECORD)
    with transaction.atomic():
        _lock_patient(patient)
        current = CareTeamMember.objects.filter(
            patient=patient, role=TeamRole.PHYSICIAN_OF_RECORD, left_at__isnull=True
        ).first()
        if current is not None and current.user_id == physician.pk:
            raise ValidationError({"user": "This physician is already the physician of record."})
        if current is not None:
            _leave(by, current, reason="A new physician of record was named.", request=request)
        return _join(
            by,
            patient,
            role=TeamRole.PHYSICIAN_OF_RECORD,
            user=physician,
            professional=None,
            request=request,
        )


def _leave(
    by: Membership, member: CareTeamMember, *, reason: str, request: HttpRequest | None
) -> None:
    before = _snapshot(member)
    member.left_at = timezone.now()
    member.save(update_fields=["left_at"])
    record(
        "careteam.member.end",
        by=by,
        request=request,
        obj=member,
        patient_ref=member.patient_id,
        before=before,
        after=_snapshot(member),
        reason=reason,
    )


def end_team_membership(
    by: Membership,
    member: CareTeamMember,
    *,
    reason: str = "",
    request: HttpRequest | None = None,
) -> CareTeamMember:
    """Take someone off the team from now (the membership is kept, with ``left_at``)."""
    _require_manager(by, member.patient)
    with transaction.atomic():
        _lock_patient(member.patient)
        locked = CareTeamMember.objects.select_for_update().get(pk=member.pk)
        if locked.left_at is not None:
            raise ValidationError("This person has already left the care team.")
        _leave(by, locked, reason=reason, request=request)
    member.left_at = locked.left_at
    return member
