"""The write layer of the care-team app: professionals, care teams, referrals.

Every state change is one function here, taking the acting ``Membership`` first, checking
``careteam.policies``, writing in ``transaction.atomic`` and appending an audit entry.
"""

from ketaclinic.careteam.actions.professionals import (
    archive_professional,
    create_professional,
    invite_professional,
    link_professional_account,
    sync_consent_grants,
    update_professional,
)
from ketaclinic.careteam.actions.referrals import record_referral_step, suggest_referral
from ketaclinic.careteam.actions.team import (
    add_team_member,
    end_team_membership,
    set_physician_of_record,
)

__all__ = [
    "add_team_member",
    "archive_professional",
    "create_professional",
    "end_team_membership",
    "invite_professional",
    "link_professional_account",
    "record_referral_step",
    "set_physician_of_record",
    "suggest_referral",
    "sync_consent_grants",
    "update_professional",
]
