"""Who may see and work the lead pipeline.

Coordinators and clinic admins work inquiries; physicians and nurses may read them (to prepare
a consultation); the custodian and outside professionals have no business with leads.

Each rule reads the acting ``Membership`` (the one the access middleware loaded for the request,
or the one a command looked up): no rule queries memberships again.
"""

from __future__ import annotations

from django.db.models import QuerySet

from ketaclinic.accounts.models import STAFF_ROLES, Membership, Role, User
from ketaclinic.clinics.models import Clinic

EDIT_ROLES: tuple[Role, ...] = (Role.COORDINATOR, Role.CLINIC_ADMIN)
READ_ROLES: tuple[Role, ...] = (*EDIT_ROLES, Role.PHYSICIAN, Role.NURSE)


def can_edit(by: Membership | None, clinic: Clinic) -> bool:
    """True if ``by`` is an active coordinator or clinic-admin membership of ``clinic``."""
    return (
        by is not None
        and by.is_active
        and by.clinic_id == clinic.pk
        and by.role in {r.value for r in EDIT_ROLES}
        and by.user.is_active
    )


def staff_of(clinic: Clinic) -> QuerySet[User]:
    """Active staff of ``clinic`` (anyone who may own an inquiry), by name; a lazy queryset,
    so a form's choices and its validation each cost one query and nothing loads it twice."""
    return (
        User.objects.filter(
            is_active=True,
            memberships__clinic=clinic,
            memberships__is_active=True,
            memberships__role__in=[r.value for r in STAFF_ROLES],
        )
        .distinct()
        .order_by("full_name", "email")
    )
