"""What every page's shell needs: demo mode, the current clinic and role, and the workspace
navigation (only the places the role may open; base.html draws it).

Links to pages that other parts of the code base add later (clinic settings, staff, sign out
everywhere) are resolved here with ``reverse``; until their URL name exists the link is left
out instead of breaking every page."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils.functional import SimpleLazyObject

from ketaclinic.access.middleware import active_memberships
from ketaclinic.accounts.models import Membership, Role, User

INQUIRY_ROLES = frozenset({Role.COORDINATOR, Role.CLINIC_ADMIN, Role.PHYSICIAN, Role.NURSE})
# patients.policies.READ_ROLES and the outside professional (patients shared with them).
PATIENT_LIST_ROLES = frozenset(
    {Role.COORDINATOR, Role.PHYSICIAN, Role.NURSE, Role.OUTSIDE_PROFESSIONAL}
)


@dataclass(frozen=True)
class NavItem:
    label: str
    url: str
    current: bool = False


def url_or_none(name: str) -> str | None:
    """The path of URL name ``name``, or None while no such page exists."""
    try:
        return reverse(name)
    except NoReverseMatch:
        return None


Entry = tuple[str, str | None, tuple[str, ...]]


def _current(path: str, entries: list[Entry]) -> str | None:
    """The label of the entry whose URL (or extra prefix) matches ``path`` longest, so that
    /accounts/sessions/ marks "My account" and /inquiries/7/ marks "Inquiries"."""
    best, best_len = None, 0
    for label, url, prefixes in entries:
        for prefix in (url, *prefixes) if url else ():
            if path.startswith(prefix) and len(prefix) > best_len:
                best, best_len = label, len(prefix)
    return best


def workspace_nav(request: HttpRequest, role: str | None) -> dict[str, Any]:
    admin = role == Role.CLINIC_ADMIN
    clinic_settings_url = url_or_none("clinics:settings") if admin else None
    staff_list_url = url_or_none("accounts:staff_list") if admin else None
    work: list[Entry] = [("Home", reverse("web:home"), ())]
    if role in INQUIRY_ROLES:
        work.append(("Inquiries", reverse("inquiries:list"), ()))
    if role in PATIENT_LIST_ROLES:
        work.append(("Patients", url_or_none("patients:list"), ()))
    clinic: list[Entry] = []
    if admin:
        clinic = [
            ("Clinic settings", clinic_settings_url, ()),
            ("Staff", staff_list_url, ()),
            ("Audit", reverse("audit:report"), ()),
            ("Emergency access", reverse("accounts:break_glass_review"), ()),
        ]
    if getattr(request.user, "is_superuser", False):
        # The Django admin is the site operator's; clinic admins have their own pages above.
        clinic.append(("Site admin (operator)", reverse("admin:index"), ()))
    account: list[Entry] = [
        (
            "My account",
            reverse("accounts:security"),
            ("/accounts/sessions/", "/accounts/two-factor/setup/"),
        ),
    ]
    current = _current(request.path, work + clinic + account)

    def items(entries: list[Entry]) -> list[NavItem]:
        return [NavItem(label, url, label == current) for label, url, _ in entries if url]

    return {
        "nav_items": items(work),
        "nav_admin_items": items(clinic),
        "nav_account_items": items(account),
        "clinic_settings_url": clinic_settings_url,
        "staff_list_url": staff_list_url,
    }


def _switchable(request: HttpRequest) -> list[Membership]:
    """The user's active clinics, for the switcher: only worth showing with more than one."""
    found = active_memberships(request)
    return found if len(found) > 1 else []


def shell(request: HttpRequest, membership: Membership | None) -> dict[str, Any]:
    """The shell's context for ``request`` in the clinic of ``membership`` (None: no clinic)."""
    role = membership.role if membership is not None else None
    user = getattr(request, "user", None)
    context: dict[str, Any] = {
        "demo_mode": settings.DEMO_MODE,
        "current_clinic": membership.clinic if membership is not None else None,
        "current_membership": membership,
        "nav_inquiries": role in INQUIRY_ROLES,
        "nav_clinic_admin": role == Role.CLINIC_ADMIN,
        "show_workspace_nav": False,
        "logout_everywhere_url": None,
    }
    if not isinstance(user, User):  # anonymous (the lazy user proxies isinstance)
        return context
    context["logout_everywhere_url"] = url_or_none("accounts:logout_everywhere")
    if user.is_verified():
        context["show_workspace_nav"] = True
        context.update(workspace_nav(request, role))
        context["switch_memberships"] = SimpleLazyObject(lambda: _switchable(request))
    return context


def site(request: HttpRequest) -> dict[str, Any]:
    return shell(request, getattr(request, "membership", None))
