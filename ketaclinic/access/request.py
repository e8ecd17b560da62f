"""Typed requests for staff views: what ``AccessPolicyMiddleware`` has attached by the time a
view runs (after healthchecks' ``AuthenticatedHttpRequest``).

A view behind ``@roles``/``@staff``/``break_glass_or_roles`` takes a :class:`ClinicRequest`: the
middleware has checked both factors and an active membership of the current clinic, so
``membership`` and ``clinic`` are never ``None`` there. A ``@verified`` view (any signed-in,
two-factor user, possibly with no clinic yet) takes a :class:`VerifiedRequest`, whose clinic and
membership may be ``None``. Nothing is checked by these types; they only say what the
middleware guarantees, so mypy can hold views to it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import HttpRequest

if TYPE_CHECKING:
    from ketaclinic.accounts.models import Membership, User
    from ketaclinic.clinics.models import Clinic


class VerifiedRequest(HttpRequest):
    """A request from a signed-in user who passed both factors."""

    user: User
    membership: Membership | None
    clinic: Clinic | None
    #: True while the view runs on a break-glass grant rather than the user's normal role.
    break_glass: bool


class ClinicRequest(VerifiedRequest):
    """A request from an active member of the current clinic (both factors passed)."""

    membership: Membership
    clinic: Clinic


def acting_membership(request: HttpRequest) -> Membership:
    """The membership the middleware attached, for code that receives a plain ``HttpRequest``
    (Django admin hooks); refuses when there is none."""
    from django.core.exceptions import PermissionDenied

    membership = getattr(request, "membership", None)
    if membership is None:
        raise PermissionDenied("Choose a clinic first.")
    return membership
