"""Who may send a patient their intake link, and who may complete it on their behalf.

Sending: the patient's coordinator, nurse or physician (``securelinks.policies``). Completing
it for the patient (by phone, at the desk) writes clinical history, which only physicians and
nurses may record (``patients.policies.can_edit_clinical``): so only they.
"""

from __future__ import annotations

from ketaclinic.access.policy import acts_as
from ketaclinic.accounts.models import Membership, Role
from ketaclinic.patients.models import Patient
from ketaclinic.securelinks.policies import SEND_ROLES, can_send

ON_BEHALF_ROLES: tuple[Role, ...] = (Role.PHYSICIAN, Role.NURSE)

__all__ = ["ON_BEHALF_ROLES", "SEND_ROLES", "can_complete_on_behalf", "can_send"]


def can_complete_on_behalf(by: Membership | None, patient: Patient) -> bool:
    return acts_as(by, ON_BEHALF_ROLES) and by is not None and by.clinic_id == patient.clinic_id
