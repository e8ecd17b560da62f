"""Who may read a patient's eligibility screening, sign a decision, and set the clinic's rules.

* Physicians, nurses and coordinators read the screening and the decisions (the chart's readers,
  ``patients.policies.READ_ROLES``); the admin and the custodian only by break-glass, an outside
  professional only with a live grant naming the "eligibility" section.
* Only a physician signs a decision: deciding who is safe to treat is a medical judgement.
* The clinic admin and physicians set the contested rules (``EligibilitySettings``): the admin
  runs the clinic's settings, and a clinician should be able to choose a clinical threshold.
"""

from __future__ import annotations

from ketaclinic.access.policy import acts_as
from ketaclinic.accounts.models import Membership, Role
from ketaclinic.clinics.models import Clinic
from ketaclinic.patients import policies as patient_policies
from ketaclinic.patients.models import Patient

SIGN_ROLES: tuple[Role, ...] = (Role.PHYSICIAN,)
SETTINGS_ROLES: tuple[Role, ...] = (Role.CLINIC_ADMIN, Role.PHYSICIAN)
READ_ROLES = patient_policies.READ_ROLES


def can_read(by: Membership | None, patient: Patient) -> bool:
    return patient_policies.can_read(by, patient)


def can_sign(by: Membership | None, patient: Patient) -> bool:
    return (
        by is not None
        and by.is_active
        and by.clinic_id == patient.clinic_id
        and acts_as(by, SIGN_ROLES)
    )


def can_change_settings(by: Membership | None, clinic: Clinic) -> bool:
    return (
        by is not None
        and by.is_active
        and by.clinic_id == clinic.pk
        and acts_as(by, SETTINGS_ROLES)
    )
