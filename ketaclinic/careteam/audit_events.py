"""The audit actions the care-team app records (see ``ketaclinic.audit.registry``)."""

from __future__ import annotations

from collections.abc import Collection

from ketaclinic.audit.registry import register, register_kind

PROFESSIONAL = "careteam.outsideprofessional"
MEMBER = "careteam.careteammember"
REFERRAL = "careteam.referral"


def _professionals(ids: Collection[str]) -> dict[str, str]:
    """A professional's name is the clinic's address book, not patient data: safe to show."""
    from ketaclinic.careteam.models import OutsideProfessional

    found = OutsideProfessional.objects.filter(pk__in=[i for i in ids if i.isdigit()])
    return {str(p.pk): p.display_name for p in found}


register_kind(PROFESSIONAL, "Outside professional", describe=_professionals)
# No describe: who is on a patient's team, and whom they were referred to, is patient data.
register_kind(MEMBER, "Care-team membership")
register_kind(REFERRAL, "Referral")

register("careteam.professional.create", "Added an outside professional", kind=PROFESSIONAL)
register("careteam.professional.update", "Changed an outside professional", kind=PROFESSIONAL)
register("careteam.professional.archive", "Archived an outside professional", kind=PROFESSIONAL)
register(
    "careteam.professional.link_account",
    "Linked an outside professional to their account",
    kind=PROFESSIONAL,
)
register("careteam.member.add", "Added someone to a patient's care team", kind=MEMBER)
register("careteam.member.end", "Took someone off a patient's care team", kind=MEMBER)
register("careteam.referral.suggest", "Suggested a professional for a patient", kind=REFERRAL)
register("careteam.referral.step", "Recorded a step of a referral", kind=REFERRAL)
# Openings of a patient's care-team page or directory (record_view).
register("view.care_team", "Opened a patient's care team", kind="patients.patient")
