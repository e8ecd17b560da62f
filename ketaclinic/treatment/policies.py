"""Who may read and change protocols and plans.

* Protocols: physicians and clinic admins copy and edit (a clinical choice the clinic owns);
  nurses and coordinators read.
* Plans: the chart's readers (physician, nurse, coordinator) read; only a physician drafts,
  changes and signs a plan (prescribing is a medical act).
* Settings: clinic admins and physicians.
"""

from __future__ import annotations

from ketaclinic.access.policy import acts_as
from ketaclinic.accounts.models import Membership, Role
from ketaclinic.clinics.models import Clinic
from ketaclinic.patients.models import Patient

PROTOCOL_READ_ROLES: tuple[Role, ...] = (
    Role.PHYSICIAN,
    Role.NURSE,
    Role.COORDINATOR,
    Role.CLINIC_ADMIN,
)
PROTOCOL_EDIT_ROLES: tuple[Role, ...] = (Role.PHYSICIAN, Role.CLINIC_ADMIN)
PLAN_READ_ROLES: tuple[Role, ...] = (Role.PHYSICIAN, Role.NURSE, Role.COORDINATOR)
PLAN_WRITE_ROLES: tuple[Role, ...] = (Role.PHYSICIAN,)
SETTINGS_ROLES: tuple[Role, ...] = (Role.CLINIC_ADMIN, Role.PHYSICIAN)


def _of(by: Membership | None, clinic_id: int, allowed: tuple[Role, ...]) -> bool:
    return by is not None and by.is_active and by.clinic_id == clinic_id and acts_as(by, allowed)


def can_edit_protocols(by: Membership | None, clinic: Clinic) -> bool:
    return _of(by, clinic.pk, PROTOCOL_EDIT_ROLES)


def can_write_plan(by: Membership | None, patient: Patient) -> bool:
    return _of(by, patient.clinic_id, PLAN_WRITE_ROLES)


def can_change_settings(by: Membership | None, clinic: Clinic) -> bool:
    return _of(by, clinic.pk, SETTINGS_ROLES)
