"""Object-level access outside the normal roles: consent-based sharing and break-glass.

``shared_sections(user, obj)`` says which sections of a record an outside professional may
read; ``has_break_glass(user, obj)`` whether a staff member holds a live emergency grant for it.
``break_glass_or_roles`` lets a view admit its normal roles and fall back to break-glass for
any other staff role.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar, cast
from urllib.parse import urlencode

from django.contrib.contenttypes.models import ContentType
from django.db.models import Model, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone

from ketaclinic.access.policy import has_role, roles
from ketaclinic.access.request import VerifiedRequest
from ketaclinic.accounts.models import STAFF_ROLES, BreakGlassGrant, Membership, Role, SharedAccess

ViewFunc = TypeVar("ViewFunc", bound=Callable[..., HttpResponse])

# Models whose rows may be opened by break-glass, as "app_label.model_name". Apps add theirs
# with ``register_break_glass_target`` (in AppConfig.ready); anything else is refused, so the
# break-glass form cannot be pointed at arbitrary tables.
_BREAK_GLASS_TARGETS: set[str] = set()


def register_break_glass_target(model: type[Model]) -> None:
    _BREAK_GLASS_TARGETS.add(model._meta.label_lower)


def unregister_break_glass_target(model: type[Model]) -> None:
    _BREAK_GLASS_TARGETS.discard(model._meta.label_lower)


def is_break_glass_target(model: type[Model]) -> bool:
    return model._meta.label_lower in _BREAK_GLASS_TARGETS


def clinic_id_of(obj: Model) -> int | None:
    """The clinic a row belongs to: its ``clinic`` foreign key, or itself for a Clinic."""
    from ketaclinic.clinics.models import Clinic

    if isinstance(obj, Clinic):
        return obj.pk
    value = getattr(obj, "clinic_id", None)
    return int(value) if value is not None else None


def _active_member(user: Any, clinic_id: int, roles: frozenset[str] | set[str]) -> bool:
    return Membership.objects.filter(
        user=user, clinic_id=clinic_id, is_active=True, role__in=[str(r) for r in roles]
    ).exists()


def live_shared_access(user: Any, obj: Model) -> list[SharedAccess]:
    now = timezone.now()
    return list(
        SharedAccess.objects.for_object(obj)
        .filter(professional=user, revoked_at__isnull=True, valid_from__lte=now)
        .filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now))
    )


def shared_sections(user: Any, obj: Model) -> set[str]:
    """Sections of ``obj`` that live consent grants share with ``user`` (empty when none)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return set()
    clinic_id = clinic_id_of(obj)
    if clinic_id is None:
        return set()
    grants = [g for g in live_shared_access(user, obj) if g.clinic_id == clinic_id]
    # A professional removed from the clinic loses what was shared, even before expiry.
    if not grants or not _active_member(user, clinic_id, {Role.OUTSIDE_PROFESSIONAL}):
        return set()
    return {str(section) for grant in grants for section in grant.sections}


def has_break_glass(user: Any, obj: Model) -> bool:
    """True while ``user`` holds an unexpired break-glass grant for ``obj``."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    clinic_id = clinic_id_of(obj)
    if clinic_id is None or not _active_member(user, clinic_id, STAFF_ROLES):
        return False
    return (
        BreakGlassGrant.objects.for_object(obj)
        .filter(user=user, clinic_id=clinic_id, expires_at__gt=timezone.now())
        .exists()
    )


def break_glass_url(obj: Model, next_url: str = "") -> str:
    content_type = ContentType.objects.get_for_model(obj, for_concrete_model=True)
    query = {"ct": content_type.pk, "id": obj.pk}
    if next_url:
        query["next"] = next_url
    return f"{reverse('accounts:break_glass')}?{urlencode(query)}"


def break_glass_or_roles(
    *allowed: str | Role, target: Callable[..., Model]
) -> Callable[[ViewFunc], ViewFunc]:
    """Admit ``allowed`` roles; other staff only through a live break-glass grant.

    An outside professional is admitted only when ``allowed`` names the role; the view must
    then limit what it shows to what is shared (``shared_sections``). Break-glass is for staff.

    ``target(request, *args, **kwargs)`` returns the object the view shows, already scoped to
    the request's clinic (raise Http404 for anything else). Staff without one of ``allowed``
    and without a grant are sent to the break-glass form and come back after giving a reason.
    Every use of a grant is audited.
    """
    allowed_set = {str(r) for r in allowed}

    def decorator(view: ViewFunc) -> ViewFunc:
        @functools.wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if has_role(request, allowed_set):
                return view(request, *args, **kwargs)
            obj = target(request, *args, **kwargs)
            if has_break_glass(request.user, obj):
                from ketaclinic.audit.log import record

                record("break_glass.use", request=request, obj=obj, reason=request.path)
                cast(VerifiedRequest, request).break_glass = True
                return view(request, *args, **kwargs)
            return redirect(break_glass_url(obj, request.get_full_path()))

        # The policy mark goes on after ``wraps`` so the inner view's own mark is not copied.
        # Every staff role reaches the break-glass fallback; an allowed role outside the staff
        # (the outside professional, whom the view then limits to what is shared) is admitted
        # too.
        return roles(*STAFF_ROLES, *allowed_set)(wrapped)  # type: ignore[return-value]

    return decorator


# --- What each role may do, in plain language ------------------------------------------------
# The one place the invite and staff pages read these words from. Each line names the roles it
# is true for; accounts/tests/test_role_capabilities.py holds every line to the policy that enforces
# it (the view decorators and the apps' role sets), so the words cannot drift from the code.

ROLE_SUMMARIES: dict[str, str] = {
    Role.CLINIC_ADMIN: "Runs the clinic's workspace: staff, settings and oversight.",
    Role.PHYSICIAN: "Clinical lead for treatment.",
    Role.NURSE: "Clinical care alongside the physician.",
    Role.COORDINATOR: "Front desk: answers the people who ask about treatment.",
    Role.CUSTODIAN: "Looks after the controlled-substance stock.",
    Role.OUTSIDE_PROFESSIONAL: (
        "A patient's own therapist or counsellor outside the clinic; not clinic staff."
    ),
}

_ADMIN = frozenset({Role.CLINIC_ADMIN.value})


@dataclass(frozen=True)
class Capability:
    key: str
    text: str
    roles: frozenset[str]


ROLE_CAPABILITIES: tuple[Capability, ...] = (
    Capability(
        "inquiries.work",
        "Work on inquiries: contact people, note calls, change where each one stands",
        frozenset({Role.CLINIC_ADMIN.value, Role.COORDINATOR.value}),
    ),
    Capability(
        "inquiries.read",
        "Read inquiries, to prepare a consultation",
        frozenset(
            {
                Role.CLINIC_ADMIN.value,
                Role.COORDINATOR.value,
                Role.PHYSICIAN.value,
                Role.NURSE.value,
            }
        ),
    ),
    Capability(
        "sharing.grant",
        "Record a patient's consent to share parts of their record with an outside professional",
        frozenset({Role.CLINIC_ADMIN.value, Role.PHYSICIAN.value, Role.COORDINATOR.value}),
    ),
    Capability(
        "break_glass.open",
        "Open a record outside their role in an emergency, giving a reason "
        "(the clinic admin is told and reviews it)",
        frozenset(str(r) for r in STAFF_ROLES),
    ),
    Capability(
        "sharing.read",
        "Read only the parts of a record a patient's consent shares with them, "
        "for as long as it is shared",
        frozenset({Role.OUTSIDE_PROFESSIONAL.value}),
    ),
    Capability(
        "staff.manage",
        "Invite staff, change roles, sign people out and reset their two-factor sign-in",
        _ADMIN,
    ),
    Capability(
        "sharing.oversee", "See and revoke what is shared with outside professionals", _ADMIN
    ),
    Capability("clinic.settings", "Change the clinic's settings and its public page", _ADMIN),
    Capability("break_glass.review", "Review every emergency access", _ADMIN),
    Capability("audit.read", "Read and export the audit trail", _ADMIN),
)


def capabilities_of(role: str) -> list[str]:
    """What ``role`` may do, as the invite page lists it."""
    return [c.text for c in ROLE_CAPABILITIES if str(role) in c.roles]


def role_guide() -> list[dict[str, Any]]:
    """Every role with its summary and what it may do, in the order of ``Role``."""
    return [
        {
            "value": role.value,
            "label": role.label,
            "summary": ROLE_SUMMARIES[role.value],
            "can": capabilities_of(role.value),
        }
        for role in Role
    ]
