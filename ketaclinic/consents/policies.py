"""Who may prepare, witness, revoke and read consents, and who publishes their templates.

* Off-label consents and treatment agreements: the roles that read the chart (physician,
  nurse, coordinator) prepare them and witness the signature at the clinic.
* Sharing consents start a sharing grant, so they are for the roles that may share records
  (``accounts.actions.grants.SHARED_ACCESS_GRANTORS``): physician and coordinator.
* 42 CFR Part 2 consents name SUD information, which coordinators do not see
  (``patients.policies``): the physician alone.
* Templates: the clinic admin and the physician publish new versions.

Every rule reads the acting ``Membership``: no query.
"""

from __future__ import annotations

from ketaclinic.access.policy import acts_as
from ketaclinic.accounts.models import Membership, Role
from ketaclinic.clinics.models import Clinic
from ketaclinic.consents.models import Kind
from ketaclinic.patients import policies as patient_policies
from ketaclinic.patients.models import Patient

READ_ROLES: tuple[Role, ...] = patient_policies.READ_ROLES
TEMPLATE_ROLES: tuple[Role, ...] = (Role.CLINIC_ADMIN, Role.PHYSICIAN)
KIND_ROLES: dict[str, tuple[Role, ...]] = {
    Kind.OFF_LABEL: READ_ROLES,
    Kind.AGREEMENT: READ_ROLES,
    Kind.SHARE: (Role.PHYSICIAN, Role.COORDINATOR),
    Kind.PART2: (Role.PHYSICIAN,),
}
RECORD_ROLES: tuple[Role, ...] = READ_ROLES  # someone may record some kind


def _in_clinic(by: Membership | None, clinic_id: int) -> bool:
    return by is not None and by.is_active and by.clinic_id == clinic_id


def can_record(by: Membership | None, patient: Patient, kind: str) -> bool:
    """Prepare, witness the signing of, or revoke a consent of ``kind`` for ``patient``."""
    return _in_clinic(by, patient.clinic_id) and acts_as(by, KIND_ROLES.get(kind, ()))


def kinds_for(by: Membership | None, patient: Patient) -> list[str]:
    return [k for k in Kind.values if can_record(by, patient, k)]


def sees_kind(part2_viewer: bool, kind: str) -> bool:
    """A Part 2 consent names SUD treatment: shown only to viewers who see Part 2 rows."""
    return kind != Kind.PART2 or part2_viewer


def can_publish(by: Membership | None, clinic: Clinic) -> bool:
    return _in_clinic(by, clinic.pk) and acts_as(by, TEMPLATE_ROLES)
