"""Where a person stands in a clinic, as the staff pages show it (one badge per person)."""

from __future__ import annotations

from dataclasses import dataclass

from ketaclinic.accounts.models import Membership


@dataclass(frozen=True)
class StaffStatus:
    key: str
    label: str
    tone: str  # a badge tone of the design system
    explanation: str


ACTIVE = StaffStatus("active", "Active", "success", "Signs in and works in this clinic.")
PENDING = StaffStatus(
    "pending",
    "Invitation pending",
    "info",
    "Invited; has not chosen a password yet. The emailed link sets it, then two-factor set-up.",
)
ROLE_OFF = StaffStatus(
    "role_off",
    "Role turned off",
    "neutral",
    "Their role in this clinic is off: no access here. Their account stays.",
)
DEACTIVATED = StaffStatus(
    "deactivated",
    "Account deactivated",
    "neutral",
    "Their account is turned off: they cannot sign in anywhere.",
)
REVOKED = StaffStatus(
    "revoked",
    "Invitation revoked",
    "neutral",
    "The invitation was withdrawn before it was used; the link no longer works.",
)


def staff_status(membership: Membership) -> StaffStatus:
    """The account being off comes first, then the role being off, then a pending invitation
    (no usable password yet: shown as pending, never as a failure)."""
    user = membership.user
    never_used = not user.has_usable_password()
    if not user.is_active:
        return REVOKED if never_used else DEACTIVATED
    if not membership.is_active:
        return ROLE_OFF
    if never_used:
        return PENDING
    return ACTIVE


def is_pending(membership: Membership) -> bool:
    return staff_status(membership) is PENDING
