"""The central access policy: every view declares who may reach it; undeclared means denied.

A view is marked by exactly one of the decorators below. ``AccessPolicyMiddleware`` reads the
mark before the view runs and refuses anything unmarked (default deny), so a forgotten
decorator fails closed. Object-level rules (this inquiry, this patient) live in each app's
``policies.py`` and are applied to querysets with :func:`clinic_scoped`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.db.models import Model, QuerySet
from django.http import HttpRequest

from ketaclinic.accounts.models import STAFF_ROLES, Role

ViewFunc = TypeVar("ViewFunc", bound=Callable[..., Any])


@dataclass(frozen=True)
class Policy:
    """Who may reach a view.

    ``level`` is one of ``public`` (anyone), ``password`` (signed in with a password, second
    factor still pending: the two-factor pages themselves), ``verified`` (signed in with both
    factors, any clinic role) and ``roles`` (both factors and an active membership of the
    current clinic with one of ``roles``).
    """

    level: str
    roles: frozenset[str] = field(default_factory=frozenset)

    def describe(self) -> str:
        if self.level == "roles":
            return "roles: " + ", ".join(sorted(self.roles))
        return self.level


def _mark(policy: Policy) -> Callable[[ViewFunc], ViewFunc]:
    def decorator(view: ViewFunc) -> ViewFunc:
        view.access_policy = policy  # type: ignore[attr-defined]
        return view

    return decorator


public = _mark(Policy("public"))
password_only = _mark(Policy("password"))
verified = _mark(Policy("verified"))


def roles(*allowed: str | Role) -> Callable[[ViewFunc], ViewFunc]:
    """Allow signed-in, two-factor-verified members of the current clinic with these roles."""
    if not allowed:
        raise ValueError("roles() needs at least one role")
    return _mark(Policy("roles", frozenset(str(r) for r in allowed)))


def staff(view: ViewFunc) -> ViewFunc:
    """Any clinic staff role (not the outside professional)."""
    return roles(*STAFF_ROLES)(view)


def policy_of(view: Callable[..., Any]) -> Policy | None:
    policy = getattr(view, "access_policy", None)
    if policy is None and hasattr(view, "view_class"):
        policy = getattr(view.view_class, "access_policy", None)
    return policy


M = TypeVar("M", bound=Model)


def clinic_scoped(queryset: QuerySet[M], request: HttpRequest) -> QuerySet[M]:
    """Restrict a queryset of clinic-owned rows to the request's current clinic."""
    clinic = getattr(request, "clinic", None)
    if clinic is None:
        return queryset.none()
    return queryset.filter(clinic=clinic)


def has_role(request: HttpRequest, allowed: Iterable[str]) -> bool:
    membership = getattr(request, "membership", None)
    return membership is not None and membership.role in set(allowed)
