"""The audit actions the accounts app records (see ``ketaclinic.audit.registry``)."""

from __future__ import annotations

from collections.abc import Collection

from ketaclinic.audit.registry import register, register_kind


def _ids(ids: Collection[str]) -> list[int]:
    return [int(i) for i in ids if i.isdigit()]


def _people(ids: Collection[str]) -> dict[str, str]:
    from ketaclinic.accounts.models import User

    found = User.objects.filter(pk__in=_ids(ids)).values_list("pk", "full_name", "email")
    return {str(pk): name or email for pk, name, email in found}


def _roles(ids: Collection[str]) -> dict[str, str]:
    from ketaclinic.accounts.models import Membership

    found = Membership.objects.filter(pk__in=_ids(ids)).select_related("user")
    return {str(m.pk): f"{m.user.full_name or m.user.email}, {m.get_role_display()}" for m in found}


# Staff names are shown to the clinic admin; none of these kinds carries patient data.
register_kind("accounts.user", "Account", describe=_people)
register_kind("accounts.membership", "Staff role", describe=_roles)
register_kind("accounts.usersession", "Session")
register_kind("accounts.sharedaccess", "Shared access")
register_kind("accounts.breakglassgrant", "Break-glass grant")

USER = "accounts.user"

# Signing in and out. Recorded before a clinic is chosen, so these carry no clinic.
register("auth.login.password", "Signed in with a password (first step)", kind=USER)
register("auth.login.2fa", "Signed in with the second factor", kind=USER)
register("auth.login.2fa_failed", "Failed the second sign-in step", kind=USER)
# Attempts on an account by someone unknown: no actor, the account as the object; the audit
# report files them under the account's clinics.
register("auth.login.failed", "Failed to sign in (wrong password)", kind=USER)
register(
    "auth.login.account_throttled",
    "Was refused sign-in: too many attempts on the account",
    kind=USER,
)
register("auth.lockout", "Was locked out after repeated failed sign-ins", kind=USER)
register("auth.logout", "Signed out", kind=USER)
register("auth.logout.everywhere", "Signed out on all their devices", kind=USER)
register("auth.reauth", "Confirmed their password again", kind=USER)
register("auth.reauth_failed", "Failed to confirm their password again", kind=USER)
register("auth.password.change", "Changed their password", kind=USER)
register(
    "auth.password.change_failed",
    "Entered a wrong current password when changing it",
    kind=USER,
)
register("auth.password.reset", "Set a new password from an emailed link", kind=USER)

# Sessions.
register("auth.session.adopt", "Started tracking an existing session", kind=USER)
register("auth.session.end", "Ended one of their sessions", kind="accounts.usersession")
register("auth.session.timeout", "Was signed out: session time limit reached", kind=USER)
register("auth.sessions.end", "Ended an account's sessions", kind=USER)
register("maintenance.sessions.purge", "Purged old session records")

# Two-factor sign-in.
register("2fa.enrol", "Set up two-factor sign-in", kind=USER)
register("2fa.reset", "Replaced their two-factor device", kind=USER)
register("2fa.recovery_codes.regenerate", "Made new recovery codes", kind=USER)
register("2fa.admin_reset", "Reset a staff member's two-factor sign-in", kind=USER)

# The account itself and the staff list.
register("account.email.change", "Changed their email address", kind=USER)
register("account.deactivate", "Deactivated a staff account", kind=USER)
register("staff.invite", "Invited a staff member", kind="accounts.membership")
register("staff.invite.resend", "Sent a staff invitation again", kind="accounts.membership")
register("staff.invite.revoke", "Revoked a staff invitation", kind="accounts.membership")
register(
    "staff.invite.accept", "Accepted a staff invitation (chose their first password)", kind=USER
)
register("staff.update", "Changed a staff member's role or access", kind="accounts.membership")
# Invitations of accounts that already exist (accounts/actions/invitations.py).
INVITATION = "accounts.invitation"
register_kind(INVITATION, "Invitation")
register("invitation.send", "Invited an existing account to a role", kind=INVITATION)
register("invitation.accept", "Accepted an invitation to a clinic role", kind=INVITATION)
register("invitation.decline", "Declined an invitation to a clinic role", kind=INVITATION)
register("invitation.withdraw", "Withdrew an invitation to a clinic role", kind=INVITATION)

# Access to one record beyond the role: shared with consent, or break-glass in an emergency.
register(
    "shared_access.grant",
    "Shared a record with an outside professional",
    kind="accounts.sharedaccess",
)
register("shared_access.revoke", "Stopped sharing a record", kind="accounts.sharedaccess")
# The object is the record opened, of whichever kind: no fixed kind.
register("break_glass.open", "Opened emergency (break-glass) access to a record")
register("break_glass.use", "Used emergency (break-glass) access")
register(
    "break_glass.review",
    "Reviewed an emergency (break-glass) access",
    kind="accounts.breakglassgrant",
)
