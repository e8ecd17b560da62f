from typing import Any

from django.conf import settings
from django.http import HttpRequest

from ketaclinic.accounts.models import Role

INQUIRY_ROLES = frozenset({Role.COORDINATOR, Role.CLINIC_ADMIN, Role.PHYSICIAN, Role.NURSE})


def site(request: HttpRequest) -> dict[str, Any]:
    membership = getattr(request, "membership", None)
    role = membership.role if membership is not None else None
    return {
        "demo_mode": settings.DEMO_MODE,
        "current_clinic": getattr(request, "clinic", None),
        "current_membership": membership,
        "nav_inquiries": role in INQUIRY_ROLES,
        "nav_clinic_admin": role == Role.CLINIC_ADMIN,
    }
