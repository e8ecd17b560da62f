"""Synthetic inquiries for the demo clinic, created through the actions so they are audited.

Every name ends in "(demo)" and every address is at example.com; phone numbers are in the
555-01xx range reserved for fiction. There are at least two inquiries in every status, some
urgent, some with an overdue follow-up, and one pair that shares an email address.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.utils import timezone

from ketaclinic.access.zones import clinic_today
from ketaclinic.accounts.models import Membership, Role, User
from ketaclinic.clinics.models import Clinic
from ketaclinic.inquiries import actions
from ketaclinic.inquiries.forms import consent_wording
from ketaclinic.inquiries.models import Status

# The path an inquiry takes to reach each status.
PATHS: dict[str, list[str]] = {
    Status.NEW: [],
    Status.CONTACTED: [Status.CONTACTED],
    Status.CONSULT_BOOKED: [Status.CONTACTED, Status.CONSULT_BOOKED],
    Status.BECAME_PATIENT: [Status.CONTACTED, Status.CONSULT_BOOKED, Status.BECAME_PATIENT],
    Status.NOT_A_FIT: [Status.CONTACTED, Status.NOT_A_FIT],
    Status.CLOSED: [Status.CONTACTED, Status.CLOSED],
}


@dataclass(frozen=True)
class DemoLead:
    name: str
    days_ago: int
    status: str
    email: str = ""
    phone: str = ""
    preferred_contact: str = ""
    conditions: list[str] = field(default_factory=list)
    other_condition: str = ""
    professional: str = ""
    professional_name: str = ""
    heard_about: str = ""
    message: str = ""
    # (channel, outcome, note) in order; the first is an hour after the inquiry arrived.
    contacts: list[tuple[str, str, str]] = field(default_factory=list)
    owner_role: str = ""
    # Days from today (negative = overdue).
    next_action_in: int | None = None
    status_note: str = ""


LEADS = [
    DemoLead(
        "Jordan Avery (demo)",
        21,
        Status.CLOSED,
        email="jordan.avery@example.com",
        conditions=["depression"],
        heard_about="Search engine",
        message="What does a course of infusions usually involve?",
        contacts=[
            ("email", "sent", "Sent the information pack."),
            ("call", "no_answer", ""),
            ("call", "no_answer", "Second try, no voicemail."),
        ],
        owner_role=Role.COORDINATOR,
        status_note="No reply after three tries.",
    ),
    DemoLead(
        "J. Avery (demo)",
        2,
        Status.NEW,
        email="Jordan.Avery@Example.com",
        phone="(555) 010-0111",
        preferred_contact="phone",
        conditions=["depression"],
        message="Asked before but missed your calls. Afternoons are best.",
    ),
    DemoLead(
        "Riley Chen (demo)",
        0,
        Status.NEW,
        phone="(555) 010-0142",
        preferred_contact="phone",
        conditions=["depression", "anxiety"],
        professional="yes",
        professional_name="Theo Marsh LCSW (demo)",
        message="Some nights I think about ending my life. My therapist suggested I ask you.",
        owner_role=Role.COORDINATOR,
        next_action_in=0,
    ),
    DemoLead(
        "Morgan Ellis (demo)",
        4,
        Status.NEW,
        email="morgan.ellis@example.com",
        conditions=["anxiety"],
        heard_about="My GP",
        professional="not_now",
        message="Is this covered by insurance?",
        owner_role=Role.COORDINATOR,
        next_action_in=-2,
    ),
    DemoLead(
        "Casey Brooks (demo)",
        6,
        Status.CONTACTED,
        email="casey.brooks@example.com",
        phone="+1 555 010 0123",
        preferred_contact="text",
        conditions=["ptsd"],
        professional="yes",
        heard_about="Veterans support group",
        contacts=[
            ("text", "sent", "Texted to arrange a call."),
            ("call", "reached", "Talked through the process; sending forms."),
        ],
        owner_role=Role.COORDINATOR,
        next_action_in=2,
    ),
    DemoLead(
        "Taylor Nguyen (demo)",
        9,
        Status.CONTACTED,
        email="taylor.nguyen@example.com",
        conditions=["addiction"],
        professional="wants_introduction",
        message="I don't have a counsellor at the moment. Can you recommend one?",
        contacts=[("email", "sent", "Sent names of two therapists who work with the clinic.")],
        owner_role=Role.CLINIC_ADMIN,
        next_action_in=-3,
    ),
    DemoLead(
        "Jamie Patel (demo)",
        3,
        Status.CONTACTED,
        phone="(555) 010-0177",
        preferred_contact="phone",
        conditions=["depression", "other"],
        other_condition="chronic pain",
        professional="yes",
        message="After an overdose last year my psychiatrist mentioned ketamine.",
        contacts=[("call", "reached", "Called the same day; gave crisis numbers as well.")],
        owner_role=Role.COORDINATOR,
        next_action_in=1,
    ),
    DemoLead(
        "Quinn Rivera (demo)",
        12,
        Status.CONSULT_BOOKED,
        email="quinn.rivera@example.com",
        conditions=["depression"],
        professional="yes",
        professional_name="Dr. Lane (demo)",
        contacts=[("call", "reached", "Consultation booked for next week.")],
        owner_role=Role.COORDINATOR,
        next_action_in=5,
    ),
    DemoLead(
        "Avery Johnson (demo)",
        15,
        Status.CONSULT_BOOKED,
        email="avery.johnson@example.com",
        phone="(555) 010-0155",
        conditions=["anxiety", "ptsd"],
        professional="wants_introduction",
        contacts=[
            ("email", "reached", "Replied with availability."),
            ("call", "reached", "Booked; introduction to a therapist arranged."),
        ],
        owner_role=Role.CLINIC_ADMIN,
        next_action_in=3,
    ),
    DemoLead(
        "Drew Kim (demo)",
        30,
        Status.BECAME_PATIENT,
        email="drew.kim@example.com",
        conditions=["depression"],
        professional="yes",
        contacts=[("call", "reached", "Consultation booked.")],
        owner_role=Role.COORDINATOR,
        status_note="Started the intake questionnaire.",
    ),
    DemoLead(
        "Sky Martinez (demo)",
        40,
        Status.BECAME_PATIENT,
        phone="(555) 010-0166",
        preferred_contact="text",
        conditions=["ptsd"],
        professional="yes",
        contacts=[("text", "reached", "Confirmed consultation by text.")],
        owner_role=Role.COORDINATOR,
    ),
    DemoLead(
        "Parker Lee (demo)",
        20,
        Status.NOT_A_FIT,
        email="parker.lee@example.com",
        conditions=["other"],
        other_condition="wants treatment at home",
        contacts=[("email", "reached", "Explained we only give infusions at the clinic.")],
        owner_role=Role.COORDINATOR,
        status_note="Looking for a home service.",
    ),
    DemoLead(
        "Rowan Scott (demo)",
        25,
        Status.NOT_A_FIT,
        phone="(555) 010-0188",
        conditions=["anxiety"],
        contacts=[("call", "reached", "Lives too far away to come twice a week.")],
        owner_role=Role.CLINIC_ADMIN,
        status_note="Distance.",
    ),
    DemoLead(
        "Emerson Gray (demo)",
        35,
        Status.CLOSED,
        email="emerson.gray@example.com",
        conditions=["depression"],
        contacts=[("email", "reached", "Decided to wait for now.")],
        owner_role=Role.COORDINATOR,
        status_note="Asked us to close it; may get back in touch.",
    ),
    DemoLead(
        "Hayden Wood (demo)",
        1,
        Status.NEW,
        email="hayden.wood@example.com",
        phone="(555) 010-0199",
        conditions=["depression", "anxiety"],
        heard_about="Instagram",
        message="<b>Hi!</b> Can I bring my partner to the first appointment?",
    ),
]


def create_demo_inquiries(clinic: Clinic, users: dict[str, User]) -> None:
    """Create the demo leads for ``clinic``; ``users`` maps a role value to its demo user."""
    coordinator = users[Role.COORDINATOR]
    now = timezone.now()
    today = clinic_today(clinic)
    for lead in LEADS:
        received = now - dt.timedelta(days=lead.days_ago, hours=2)
        inquiry = actions.submit_inquiry(
            clinic,
            actions.Submission(
                name=lead.name,
                email=lead.email,
                phone=lead.phone,
                preferred_contact=lead.preferred_contact,
                conditions=lead.conditions,
                other_condition=lead.other_condition,
                professional=lead.professional,
                professional_name=lead.professional_name,
                heard_about=lead.heard_about,
                message=lead.message,
                consent_wording=consent_wording(clinic),
            ),
            received_at=received,
        )
        user = users.get(lead.owner_role, coordinator) if lead.owner_role else coordinator
        actor = Membership.objects.select_related("user", "clinic").get(user=user, clinic=clinic)
        when = received
        for number, (channel, outcome, note) in enumerate(lead.contacts, start=1):
            when = received + dt.timedelta(hours=number)
            actions.add_contact(
                actor, inquiry, channel=channel, contacted_at=when, outcome=outcome, note=note
            )
        path = PATHS[lead.status]
        for step, status in enumerate(path, start=1):
            note = lead.status_note if step == len(path) else ""
            changed = min(now, when + dt.timedelta(minutes=10 * step))
            actions.change_status(actor, inquiry, status, note, changed_at=changed)
        if lead.owner_role or lead.next_action_in is not None:
            next_on = None
            if lead.next_action_in is not None:
                next_on = today + dt.timedelta(days=lead.next_action_in)
            actions.set_follow_up(
                actor,
                inquiry,
                owner=users[lead.owner_role] if lead.owner_role else None,
                next_action_on=next_on,
            )
