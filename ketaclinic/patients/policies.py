"""Who may see and change a patient's record.

* Physicians and nurses treat: they read the whole chart (42 CFR Part 2 rows too: sharing
  within the program that treats the patient is permitted, 42 CFR 2.12(c)(3)) and record
  clinical history.
* Coordinators run the front desk: they read the chart except Part 2 rows, and change identity,
  contact and escort details (the intake they help with writes the rest through its own action).
* The clinic admin and the custodian reach a chart only by break-glass, with a reason.
* An outside professional reads only the sections a live sharing consent names, and Part 2 rows
  only while a live Part 2 consent names them (``accounts.policies.shared_sections``).

Every rule reads the acting ``Membership``; none queries the actor's role again.
"""

from __future__ import annotations

from ketaclinic.access.policy import acts_as
from ketaclinic.accounts.models import Membership, Role
from ketaclinic.patients.models import Patient

CLINICAL_ROLES: tuple[Role, ...] = (Role.PHYSICIAN, Role.NURSE)
READ_ROLES: tuple[Role, ...] = (*CLINICAL_ROLES, Role.COORDINATOR)
DEMOGRAPHIC_EDIT_ROLES: tuple[Role, ...] = READ_ROLES
CLINICAL_EDIT_ROLES: tuple[Role, ...] = CLINICAL_ROLES


def _in_clinic(by: Membership | None, patient: Patient) -> bool:
    return by is not None and by.is_active and by.clinic_id == patient.clinic_id


def can_read(by: Membership | None, patient: Patient) -> bool:
    """Read the chart by role (break-glass and sharing are decided by the view's decorator)."""
    return _in_clinic(by, patient) and acts_as(by, READ_ROLES)


def can_create(by: Membership | None) -> bool:
    return by is not None and by.is_active and acts_as(by, READ_ROLES)


def can_edit_demographics(by: Membership | None, patient: Patient) -> bool:
    return _in_clinic(by, patient) and acts_as(by, DEMOGRAPHIC_EDIT_ROLES)


def can_edit_clinical(by: Membership | None, patient: Patient) -> bool:
    return _in_clinic(by, patient) and acts_as(by, CLINICAL_EDIT_ROLES)


def sees_part2_by_role(by: Membership | None, patient: Patient) -> bool:
    """Program staff who treat the patient see Part 2 rows without a consent."""
    return _in_clinic(by, patient) and acts_as(by, CLINICAL_ROLES)


SETTINGS_ROLES: tuple[Role, ...] = (Role.CLINIC_ADMIN, Role.PHYSICIAN)


def can_change_settings(by: Membership | None) -> bool:
    """The clinic admin and physicians choose the chart's clinical settings."""
    return by is not None and acts_as(by, SETTINGS_ROLES)
