"""Who may make, send and withdraw secure links for a clinic's patients.

The people who prepare a patient's first visit and follow them between visits: coordinators,
nurses and physicians of the patient's clinic (``patients.policies.READ_ROLES``).
"""

from __future__ import annotations

from typing import Any

from ketaclinic.access.policy import acts_as
from ketaclinic.accounts.models import Membership, Role

SEND_ROLES: tuple[Role, ...] = (Role.COORDINATOR, Role.NURSE, Role.PHYSICIAN)


def can_send(by: Membership | None, patient: Any) -> bool:
    """True if ``by`` is an active coordinator, nurse or physician of the patient's clinic."""
    return acts_as(by, SEND_ROLES) and by is not None and by.clinic_id == patient.clinic_id
