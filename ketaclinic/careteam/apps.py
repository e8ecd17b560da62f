from typing import Any

from django.apps import AppConfig


class CareteamConfig(AppConfig):
    name = "ketaclinic.careteam"
    label = "careteam"

    def ready(self) -> None:
        from ketaclinic.accounts.actions.invitations import invitation_accepted
        from ketaclinic.accounts.models import Invitation, Role
        from ketaclinic.careteam import queries
        from ketaclinic.patients import chart, sections

        chart.register_tab(
            chart.ChartTab(
                slug="care-team",  # careteam.views.team.TAB_SLUG
                label="Care team",
                order=80,
                url_name="careteam:team",
                section=sections.SUMMARY,
                roles=frozenset({Role.PHYSICIAN, Role.NURSE, Role.COORDINATOR}),
                break_glass=False,  # its view admits the team roles only
            )
        )
        chart.register_header_item(
            chart.HeaderItem(
                key="care_team",
                order=40,
                template="careteam/_chart_header.html",
                context=lambda patient, viewer: queries.header_summary(patient),
                section=sections.SUMMARY,
            )
        )
        invitation_accepted.connect(
            _link_invited_professional, sender=Invitation, dispatch_uid="careteam_link_invited"
        )


def _link_invited_professional(sender: Any, invitation: Any, request: Any, **kw: Any) -> None:
    """An invitation made for an outside professional's record: link the record to the
    account that accepted it (and so turn the live sharing consents into grants)."""
    from ketaclinic.careteam.actions import link_professional_account
    from ketaclinic.careteam.models import OutsideProfessional

    if invitation.subject_type_id is None:
        return
    professional = invitation.subject
    if isinstance(professional, OutsideProfessional) and not professional.is_archived:
        link_professional_account(None, professional, invitation.user, request=request)
