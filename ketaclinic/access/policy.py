"""The central access policy: every view declares who may reach it; undeclared means denied.

A view is marked by exactly one of the decorators below. ``AccessPolicyMiddleware`` reads the
mark before the view runs and refuses anything unmarked (default deny), so a forgotten
decorator fails closed. Object-level rules (this inquiry, this patient) live in each app's
``policies.py`` and are applied to querysets with :func:`clinic_scoped`.

The convention every app follows
--------------------------------
* **Views** carry one decorator from here (or ``accounts.policies.break_glass_or_roles``) and
  take a typed request (``ketaclinic.access.request``): ``ClinicRequest`` behind ``roles`` and
  ``staff`` (``request.clinic`` and ``request.membership`` are set), ``VerifiedRequest`` behind
  ``verified``.
* **Policies** (``<app>/policies.py``) are functions of the acting ``Membership`` and the object
  (``can_edit(by, inquiry)``), reading what the membership already holds: no query for the
  actor's role or clinic. :func:`acts_as` is the role test.
* **Actions** (``<app>/actions.py``, the write layer) take the acting ``Membership`` first, as
  ``by``, then the object and the values, then ``request=`` as a keyword (audit IP and user
  agent; the site address for mailed links). They check permission with the app's policy,
  write inside ``transaction.atomic`` and call ``audit.log.record(..., by=by, request=request)``.
  A view passes ``request.membership``; a command, the demo seed or a test passes the
  membership it looked up, so every caller goes through the same checks.
* Self-service account actions (my password, my second factor, my sessions) act on the
  signed-in ``User`` and take that user and the request; they need no clinic.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.db.models import Model, QuerySet
from django.http import HttpRequest

from ketaclinic.accounts.models import STAFF_ROLES, Membership, Role

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
    """True if the request's current membership (set by the middleware) has one of ``allowed``."""
    return acts_as(getattr(request, "membership", None), allowed)


def acts_as(by: Membership | None, allowed: Iterable[str]) -> bool:
    """True if ``by`` is an active membership, of an active user, with one of ``allowed``.

    Reads only the membership the caller holds (the middleware's, for a request): no query."""
    return (
        by is not None
        and by.is_active
        and by.user.is_active
        and by.role in {str(r) for r in allowed}
    )
