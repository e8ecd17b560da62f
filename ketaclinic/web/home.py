"""The staff home: one work queue per role, most urgent first, and never a dead end.

Each role's page shows counts and the items themselves (read from ``web.queues``), with an
empty state that says what will appear and why. Sections that later features fill (infusion
chairs, eligibility reviews, plans, questionnaires due, the controlled-substance
ledger) are drawn now as empty states naming what they will hold, so the page people learn
today is the page they will use. Someone with no clinic role gets a page saying whom to ask.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.formats import date_format
from django.views.decorators.http import require_safe

from ketaclinic.access.policy import verified
from ketaclinic.access.request import VerifiedRequest
from ketaclinic.access.zones import clinic_today
from ketaclinic.accounts.actions.invitations import pending_for
from ketaclinic.accounts.models import Membership, Role, User
from ketaclinic.clinics.models import Clinic
from ketaclinic.eligibility.queues import missing_information
from ketaclinic.eligibility.queues import to_review as eligibility_to_review
from ketaclinic.intake.queues import intakes_to_chase
from ketaclinic.measurement.queries import open_safety_alerts
from ketaclinic.web import clinic_rules, queues


def pipeline_url(**filters: str | int) -> str:
    """The inquiry list with the pipeline's own filters (status, urgent, owner, overdue,
    due_today)."""
    query = urlencode(filters)
    return reverse("inquiries:list") + (f"?{query}" if query else "")


@dataclass(frozen=True)
class Planned:
    """A section a later feature fills: its heading, and what will appear there and why."""

    key: str
    heading: str
    empty_title: str
    body: str


# The safety-alert queue (measurement.queries.open_safety_alerts): PHQ-9 item 9 answered 1 or
# more, or a moderate or high C-SSRS screen (clinical reference §6.1, §6.4), until a clinician
# acknowledges it.
SAFETY_EMPTY_BODY = (
    "A questionnaire answer that signals danger shows here at once, until a physician or nurse "
    "acknowledges it and records the action taken: PHQ-9 item 9 answered 1 or more, or a "
    "moderate or high C-SSRS screen (clinical reference §6.1, §6.4)."
)


def _chairs(day_label: str, day: dt.date) -> Planned:
    return Planned(
        f"chairs_{day_label.lower()}",
        f"{day_label}\u2019s chairs ({date_format(day, 'l j F')})",
        f"No infusion sessions for {day_label.lower()} in ketaclinic",
        "Each booked chair will show here in time order, with what is still missing before the "
        "infusion. Booking sessions is a later feature; until then chairs are booked outside "
        "ketaclinic.",
    )


PLANS_TO_SIGN = Planned(
    "plans",
    "Treatment plans to sign",
    "No plans waiting for your signature",
    "Plans drafted after a consultation will wait here for a physician's signature; no "
    "infusion is given on an unsigned plan. Treatment plans are a later feature.",
)
QUESTIONNAIRES = Planned(
    "questionnaires",
    "Questionnaires due",
    "No questionnaires due",
    "Patients whose PHQ-9 or GAD-7 is due before their next session will show here, to send "
    "ahead or complete in the chair. Questionnaires are a later feature.",
)
TITLES = {Role.OUTSIDE_PROFESSIONAL: "Shared with you"}


def _shared(membership: Membership, clinic: Clinic, today: dt.date) -> dict[str, Any]:
    return {
        "page_title": TITLES.get(Role(membership.role), "Your work today"),
        "page_subtitle": (
            f"{membership.get_role_display()} at {clinic.name} · {date_format(today, 'l j F Y')}"
        ),
        "clinic": clinic,
        "today": today,
    }


def _inquiry_links(user: User) -> dict[str, str]:
    return {
        "all": pipeline_url(),
        "urgent": pipeline_url(urgent="yes"),
        "new": pipeline_url(status="new"),
        "overdue": pipeline_url(overdue="on"),
        "due_today": pipeline_url(due_today="on"),
        "mine": pipeline_url(owner=user.pk),
        "consult_booked": pipeline_url(status="consult_booked"),
    }


def _coordinator(request: VerifiedRequest, clinic: Clinic, today: dt.date) -> dict[str, Any]:
    return {
        "queues": queues.coordinator_queues(clinic, request.user, today),
        "links": _inquiry_links(request.user),
        # Patients whose intake link needs sending again or a call (intake.queues).
        "intakes": intakes_to_chase(clinic),
    }


def _clinical(request: VerifiedRequest, clinic: Clinic, today: dt.date) -> dict[str, Any]:
    tomorrow = today + dt.timedelta(days=1)
    physician = request.membership is not None and request.membership.role == Role.PHYSICIAN
    nurse = request.membership is not None and request.membership.role == Role.NURSE
    before = [_chairs("Today", today)]
    after = [
        *([PLANS_TO_SIGN] if physician else []),
        QUESTIONNAIRES,
        _chairs("Tomorrow", tomorrow),
    ]
    return {
        "prepare": queues.leads_to_prepare(clinic, request.user, today),
        "links": _inquiry_links(request.user),
        "safety_alerts": open_safety_alerts(clinic),
        "safety_empty_body": SAFETY_EMPTY_BODY,
        "planned_before": before,
        "planned_after": after,
        # The physician's queue of eligibility decisions (eligibility.queues).
        "eligibility": eligibility_to_review(clinic) if physician else None,
        # The nurse's queue of screenings waiting for information (eligibility.queues).
        "missing": missing_information(clinic) if nurse else None,
        # Physicians may change the clinic's clinical settings but cannot open the clinic
        # settings, so their home page links them.
        "clinic_rules": clinic_rules.links() if physician else None,
    }


def _custodian(request: VerifiedRequest, clinic: Clinic, today: dt.date) -> dict[str, Any]:
    # The controlled-substance ledger: open discrepancies, DEA loss-report steps due, and the
    # initial/biennial inventory reminder (ketaclinic.ledger.screens).
    from ketaclinic.ledger import screens

    return {
        "discrepancies": list(screens.open_discrepancies(clinic.pk)[:20]),
        "losses": list(screens.open_loss_reports(clinic.pk)),
        "inventories": [d for d in screens.inventories_due(clinic.pk, today) if d.remind],
        "today": today,
        "admins": queues.clinic_admins(clinic),
    }


def _outside(request: VerifiedRequest, clinic: Clinic, today: dt.date) -> dict[str, Any]:
    return {
        "shared": queues.shared_records(queues.live_grants_for(request.user, clinic)),
        "admins": queues.clinic_admins(clinic),
    }


def _clinic_admin(request: VerifiedRequest, clinic: Clinic, today: dt.date) -> dict[str, Any]:
    invitations = queues.pending_invitations(clinic)
    return {
        "counts": queues.inquiry_counts(clinic, request.user, today),
        "links": _inquiry_links(request.user),
        "invitations": invitations,
        "invitation_rows": [
            (m, reverse("accounts:staff_detail", args=[m.pk])) for m in invitations.items
        ],
        "break_glass": queues.break_glass_to_review(clinic),
        "security": queues.recent_security_events(clinic),
        "staff_list_url": reverse("accounts:staff_list"),
        "clinic_settings_url": reverse("clinics:settings"),
        "break_glass_url": reverse("accounts:break_glass_review"),
        "audit_url": reverse("audit:report"),
    }


Builder = Callable[[VerifiedRequest, Clinic, dt.date], dict[str, Any]]
PAGES: dict[str, tuple[str, Builder]] = {
    Role.COORDINATOR: ("web/home_coordinator.html", _coordinator),
    Role.PHYSICIAN: ("web/home_clinical.html", _clinical),
    Role.NURSE: ("web/home_clinical.html", _clinical),
    Role.CUSTODIAN: ("web/home_custodian.html", _custodian),
    Role.OUTSIDE_PROFESSIONAL: ("web/home_outside.html", _outside),
    Role.CLINIC_ADMIN: ("web/home_admin.html", _clinic_admin),
}


@verified
@require_safe
def home(request: VerifiedRequest) -> HttpResponse:
    membership, clinic = request.membership, request.clinic
    # Invitations to work with another clinic wait on every home page until answered.
    invitations = list(pending_for(request.user))
    if membership is None or clinic is None or membership.role not in PAGES:
        return render(
            request,
            "web/home_no_clinic.html",
            {
                "former_clinics": queues.admins_of_clinics_of(request.user),
                "my_invitations": invitations,
            },
        )
    template, build = PAGES[membership.role]
    today = clinic_today(clinic)
    context = _shared(membership, clinic, today)
    context["my_invitations"] = invitations
    context.update(build(request, clinic, today))
    return render(request, template, context)
