"""Who may see and work the lead pipeline.

Coordinators and clinic admins work inquiries; physicians and nurses may read them (to prepare
a consultation); the custodian and outside professionals have no business with leads.
"""

from __future__ import annotations

from ketaclinic.accounts.models import STAFF_ROLES, Membership, Role, User
from ketaclinic.clinics.models import Clinic

EDIT_ROLES: tuple[Role, ...] = (Role.COORDINATOR, Role.CLINIC_ADMIN)
READ_ROLES: tuple[Role, ...] = (*EDIT_ROLES, Role.PHYSICIAN, Role.NURSE)


def can_edit(user: User | None, clinic: Clinic) -> bool:
    """True if ``user`` holds an active coordinator or clinic-admin role at ``clinic``."""
    if user is None or not user.is_active or user.pk is None:
        return False
    return Membership.objects.filter(
        user=user, clinic=clinic, is_active=True, role__in=[r.value for r in EDIT_ROLES]
    ).exists()


def staff_of(clinic: Clinic) -> list[User]:
    """Active staff of ``clinic`` (anyone who may own an inquiry), by name."""
    return list(
        User.objects.filter(
            is_active=True,
            memberships__clinic=clinic,
            memberships__is_active=True,
            memberships__role__in=[r.value for r in STAFF_ROLES],
        )
        .distinct()
        .order_by("full_name", "email")
    )
