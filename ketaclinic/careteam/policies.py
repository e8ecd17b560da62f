"""Who may see and change outside professionals, care teams and referrals.

* The directory of outside professionals is the clinic's address book: the clinic admin and
  coordinators keep it; physicians and nurses read it (they suggest whom to introduce).
* A patient's care team and referrals are part of the chart (the "summary" section): the
  staff who read charts by role (physician, nurse, coordinator; ``patients.policies``) see and
  change them. The admin reaches a chart only by break-glass, and does not manage its team.
* Inviting a professional to sign in is the clinic admin's, like every invitation.

Every rule reads the acting ``Membership``; none queries the actor's role again.
"""

from __future__ import annotations

from ketaclinic.access.policy import acts_as
from ketaclinic.accounts.models import Membership, Role
from ketaclinic.careteam.models import OutsideProfessional
from ketaclinic.patients.models import Patient
from ketaclinic.patients.policies import READ_ROLES as CHART_READ_ROLES

DIRECTORY_EDIT_ROLES: tuple[Role, ...] = (Role.CLINIC_ADMIN, Role.COORDINATOR)
DIRECTORY_READ_ROLES: tuple[Role, ...] = (*DIRECTORY_EDIT_ROLES, Role.PHYSICIAN, Role.NURSE)
TEAM_ROLES: tuple[Role, ...] = CHART_READ_ROLES
INVITE_ROLES: tuple[Role, ...] = (Role.CLINIC_ADMIN,)


def _here(by: Membership | None, clinic_id: int) -> bool:
    return by is not None and by.is_active and by.clinic_id == clinic_id


def can_edit_directory(by: Membership | None) -> bool:
    return acts_as(by, DIRECTORY_EDIT_ROLES)


def can_edit_professional(by: Membership | None, professional: OutsideProfessional) -> bool:
    return _here(by, professional.clinic_id) and acts_as(by, DIRECTORY_EDIT_ROLES)


def can_invite_professional(by: Membership | None, professional: OutsideProfessional) -> bool:
    return _here(by, professional.clinic_id) and acts_as(by, INVITE_ROLES)


def can_manage_team(by: Membership | None, patient: Patient) -> bool:
    return _here(by, patient.clinic_id) and acts_as(by, TEAM_ROLES)
