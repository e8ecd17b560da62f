"""Walks every URL pattern, filled with rows that exist: nothing is reachable without sign-in
unless it is on the allowlist, every view declares a policy, each role reaches exactly what
its policy says, another clinic's rows stay hidden, and no GET changes state.

A pattern with URL arguments is filled from the fixtures below (``BY_NAME``, ``ADMIN_ROWS``,
``BY_KWARG``, ``QUERIES``). A pattern that cannot be filled fails the walk unless it is in
``SKIPPED`` with a reason, so a new app's URLs are covered as soon as they are added: give
their arguments a fill here, and their non-200 answers an entry in ``ANSWERS``.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.apps import apps
from django.contrib import admin
from django.contrib.auth.tokens import default_token_generator
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Model
from django.urls import resolve, reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlencode, urlsafe_base64_encode
from PIL import Image

from ketaclinic.access.policy import policy_of
from ketaclinic.accounts.models import (
    BreakGlassGrant,
    Invitation,
    Membership,
    Role,
    SharedAccess,
    User,
    UserSession,
)
from ketaclinic.accounts.policies import (
    register_break_glass_target,
    unregister_break_glass_target,
)
from ketaclinic.audit.models import AuditEntry
from ketaclinic.careteam.models import CareTeamMember, OutsideProfessional, Referral, TeamRole
from ketaclinic.clinics.logos import shrink_to_png, store_logo
from ketaclinic.clinics.models import Clinic
from ketaclinic.consents import actions as consent_actions
from ketaclinic.consents.models import Consent, Kind
from ketaclinic.consents.tests.base import make_patient
from ketaclinic.infusions import defaults
from ketaclinic.infusions.models import (
    AdverseEvent,
    InfusionSession,
    RuleFiring,
    ThresholdRule,
    VitalsReading,
)
from ketaclinic.inquiries.models import Inquiry
from ketaclinic.inquiries.tests.base import make_inquiry
from ketaclinic.inquiries.views.embed import thanks_token
from ketaclinic.intake.actions import start_intake
from ketaclinic.ledger.actions import disposal as ledger_disposal
from ketaclinic.ledger.actions import oversight as ledger_oversight
from ketaclinic.ledger.models import Container, Count, Discrepancy, Inventory, LossReport
from ketaclinic.ledger.tests.base import Stock as LedgerStock
from ketaclinic.measurement.actions import record_response
from ketaclinic.measurement.demo_outcomes import answers_for_total, write_response
from ketaclinic.measurement.models import Response, SafetyAlert
from ketaclinic.measurement.questionnaires import send_questionnaire
from ketaclinic.patients import actions as patient_actions
from ketaclinic.patients.models import Medication, Patient, SafetyFlag
from ketaclinic.patients.tests.base import make_patient as make_intake_patient
from ketaclinic.scheduling.models import Booking, Chair, Closure, DutyAssignment, OpeningHours
from ketaclinic.securelinks.actions import create_link
from ketaclinic.securelinks.models import Purpose
from ketaclinic.testing import (
    Answer,
    BaseTestCase,
    Route,
    admin_prefix,
    member,
    sign_in_url,
    url_routes,
)
from ketaclinic.treatment import actions as treatment_actions
from ketaclinic.treatment.models import Protocol

# Views an anonymous visitor may open. Adding a name here is a security decision: review it.
PUBLIC_ALLOWLIST = {
    "web:index",
    "inquiries:public_page",
    "inquiries:form",
    "inquiries:thanks",
    "clinics:logo",  # the clinic's logo on its public page: a public image, nothing clinical
    "inquiries:theme_css",  # the clinic's two colours, nothing else
    "inquiries:embed",  # the same public form, framable by the clinic's listed sites
    "inquiries:embed_thanks",  # names no visitor data; reached with a signed token
    "accounts:login",
    "accounts:password_reset",
    "accounts:password_reset_done",
    "accounts:password_reset_confirm",
    "accounts:password_reset_complete",
    # A patient's intake through their secure link: no account, the link's token is the key
    # (256 bits, only its hash stored, single use, expiring; refusals rate-limited; the token
    # is scrubbed from log lines). Unknown and dead tokens get the calm page.
    "intake:start",
    "intake:step",
    "intake:review",
    "intake:thanks",  # says thank you only for a used link; names no patient data
    # A patient's questionnaires through their secure link (purpose "questionnaire"), the same
    # link rules as the intake.
    "measurement:public_start",
    "measurement:public_page",
    "measurement:public_item",
    "measurement:public_review",
    "measurement:public_thanks",  # says thank you only for a used link; names no patient data
}
# Models whose rows a GET may legitimately touch: session bookkeeping and login throttles.
BOOKKEEPING = {
    "sessions.session",
    "accounts.usersession",
    "axes.accessattempt",
    "axes.accesslog",
    "audit.auditentry",  # reads are audited; real writes are counted separately below
    "audit.auditchainhead",  # the hash chain's head moves with every entry, reads included
    "securelinks.securelink",  # opening a link stamps last_opened_at (staff see "opened")
}

# Patterns the walk cannot fill with a real row, by URL name (by route when unnamed). Each
# is still walked by the anonymous check, with placeholder arguments.
SKIPPED: dict[str, str] = {
    "admin:view_on_site": (
        "Django's 'view on site' redirect: no registered model has get_absolute_url(), so it "
        "answers 404 for every real row; fill it when one does"
    ),
    "clinic-admin/(?P<url>.*)$": (
        "Django admin's catch-all: it only appends a slash to a URL that exists or answers "
        "404; there is no row behind it"
    ),
}


@dataclass
class Walk:
    """What fills a URL: the fixtures, and the user it is filled for (None: anonymous)."""

    case: AccessPolicyTests
    user: User | None

    @property
    def clinic(self) -> Clinic:
        return self.case.clinic

    def own_session(self) -> UserSession:
        """An earlier session of the user (a nurse's for the anonymous), not this one."""
        user = self.user or self.case.users["nurse"]
        return UserSession.objects.get(session_key=f"walk-{user.pk}")

    def reset_link(self) -> dict[str, Any]:
        """A valid reset link for the nurse, made now (signing in changes the token)."""
        nurse = User.objects.get(pk=self.case.users["nurse"].pk)
        return {
            "uidb64": urlsafe_base64_encode(force_bytes(nurse.pk)),
            "token": default_token_generator.make_token(nurse),
        }


Kwargs = Callable[[Walk], dict[str, Any]]

# URL name -> its arguments, for arguments whose name says nothing about the row (``pk``).
BY_NAME: dict[str, Kwargs] = {
    "inquiries:detail": lambda w: {"pk": w.case.inquiry.pk},
    "inquiries:change_status": lambda w: {"pk": w.case.inquiry.pk},
    "inquiries:add_contact": lambda w: {"pk": w.case.inquiry.pk},
    "inquiries:follow_up": lambda w: {"pk": w.case.inquiry.pk},
    "accounts:session_end": lambda w: {"pk": w.own_session().pk},
    "accounts:break_glass_reviewed": lambda w: {"pk": w.case.grant.pk},
    **{
        f"accounts:{name}": lambda w: {"pk": Membership.objects.get(user=w.case.users["nurse"]).pk}
        for name in (
            "staff_detail",
            "staff_resend_invitation",
            "staff_revoke_invitation",
            "staff_sign_out",
            "staff_reset_two_factor",
            "staff_deactivate",
        )
    },
    "accounts:shared_access_revoke": lambda w: {"pk": w.case.shared.pk},
    "accounts:password_reset_confirm": lambda w: w.reset_link(),
    **{
        f"patients:{name}": lambda w: {"pk": w.case.patient.pk}
        for name in (
            "overview",
            "weight",
            "medications",
            "diagnoses",
            "history",
            "edit",
            "summary_pdf",
            "no_known_allergies",
        )
    },
    "patients:add_entry": lambda w: {"pk": w.case.patient.pk, "kind": "allergy"},
    "patients:strike": lambda w: {
        "pk": w.case.patient.pk,
        "kind": "medication",
        "entry_pk": w.case.medication.pk,
    },
    "patients:stop_medication": lambda w: {
        "pk": w.case.patient.pk,
        "entry_pk": w.case.medication.pk,
    },
    "patients:resolve_flag": lambda w: {"pk": w.case.patient.pk, "flag_pk": w.case.flag.pk},
    **{
        f"treatment:{name}": lambda w: {"pk": w.case.protocol.pk}
        for name in ("protocol", "protocol_edit")
    },
    **{
        f"treatment:{name}": lambda w: {"pk": w.case.patient.pk}
        for name in ("tab", "draft", "change", "sign", "book_series", "preview_svg")
    },
    "eligibility:tab": lambda w: {"pk": w.case.patient.pk},
    "eligibility:sign": lambda w: {"pk": w.case.patient.pk},
    **{f"consents:{name}": lambda w: {"pk": w.case.patient.pk} for name in ("list", "new")},
    **{
        f"consents:{name}": lambda w: {"pk": w.case.patient.pk, "cid": w.case.consent.pk}
        for name in ("detail", "sign", "revoke", "pdf")
    },
    "consents:template_detail": lambda w: {"pk": w.case.consent.template_id},
    # The walker's own invitation (from the other clinic); the nurse's for the anonymous.
    **{
        f"accounts:{name}": lambda w: {
            "pk": Invitation.objects.get(user=w.user or w.case.users["nurse"]).pk
        }
        for name in ("invitation_accept", "invitation_decline")
    },
    "accounts:invitation_withdraw": lambda w: {"pk": w.case.sent_invitation.pk},
    **{
        f"careteam:{name}": lambda w: {"pk": w.case.professional.pk}
        for name in (
            "professional_detail",
            "professional_edit",
            "professional_archive",
            "professional_invite",
        )
    },
    **{
        f"careteam:{name}": lambda w: {"pk": w.case.patient.pk}
        for name in (
            "team",
            "set_physician",
            "add_staff",
            "add_professional",
            "directory",
            "suggest",
        )
    },
    "careteam:end_member": lambda w: {"pk": w.case.patient.pk, "member_pk": w.case.member.pk},
    "scheduling:chair_edit": lambda w: {"pk": w.case.chair.pk},
    "scheduling:hours_remove": lambda w: {"pk": w.case.hours.pk},
    "scheduling:closure_withdraw": lambda w: {"pk": w.case.closure.pk},
    "scheduling:duty_remove": lambda w: {"pk": w.case.duty.pk},
    **{
        f"scheduling:{name}": lambda w: {"pk": w.case.booking.pk}
        for name in ("booking", "reschedule", "cancel", "no_show", "complete")
    },
    **{f"infusions:{name}": lambda w: {"pk": w.case.session.pk} for name in ("session", "live")},
    "infusions:open": lambda w: {"booking_pk": w.case.booking.pk},
    "infusions:step": lambda w: {"pk": w.case.session.pk, "name": "check_in"},
    **{
        f"infusions:{name}": lambda w: {"pk": w.case.session.pk, "item": "identity"}
        for name in ("check", "check_override")
    },
    **{
        f"infusions:{name}": lambda w: {"pk": w.case.session.pk}
        for name in ("prep", "reading", "rate")
    },
    "infusions:strike_reading": lambda w: {
        "pk": w.case.session.pk,
        "reading_pk": w.case.reading.pk,
    },
    "infusions:respond": lambda w: {"pk": w.case.session.pk, "firing_pk": w.case.firing.pk},
    **{
        f"infusions:{name}": lambda w: {"pk": w.case.session.pk}
        for name in ("event", "rescue", "rescue_form")
    },
    "infusions:event_outcome": lambda w: {"pk": w.case.session.pk, "event_pk": w.case.event.pk},
    **{
        f"infusions:{name}": lambda w: {"pk": w.case.session.pk}
        for name in (
            "note",
            "note_pdf",
            "instructions",
            "assessment",
            "after_effects",
            "discharge",
            "sign",
            "addendum",
        )
    },  # fmt: skip
    "careteam:referral_step": lambda w: {
        "pk": w.case.patient.pk,
        "referral_pk": w.case.referral.pk,
    },
    **{
        f"intake:{name}": lambda w: {"pk": w.case.intake_patient.pk}
        for name in ("patient", "send", "staff_review")
    },
    "intake:staff_step": lambda w: {"pk": w.case.intake_patient.pk, "step": "about"},
    **{
        f"measurement:{name}": lambda w: {"token": w.case.q_token}
        for name in ("public_start", "public_review", "public_thanks")
    },
    "measurement:public_page": lambda w: {"token": w.case.q_token, "instrument_id": "phq9"},
    "measurement:public_item": lambda w: {
        "token": w.case.q_token,
        "instrument_id": "phq9",
        "number": 1,
    },
    **{
        f"measurement:{name}": lambda w: {"pk": w.case.q_patient.pk}
        for name in ("questionnaires", "enter", "send", "schedule", "schedule_active")
    },
    "measurement:strike": lambda w: {
        "pk": w.case.q_patient.pk,
        "response_pk": w.case.q_response.pk,
    },
    "measurement:alert": lambda w: {"pk": w.case.q_patient.pk, "alert_pk": w.case.q_alert.pk},
    **{
        f"outcomes:{name}": lambda w: {"pk": w.case.patient.pk}
        for name in ("page", "export_csv", "export_fhir")
    },
    "outcomes:plot": lambda w: {"pk": w.case.patient.pk, "instrument_id": "phq9"},
    # The controlled-substance ledger: the walk's vial, count, loss report, discrepancy,
    # inventory, and the session's panel actions.
    "ledger:container": lambda w: {"pk": w.case.ledger_vial.pk},
    "ledger:count_result": lambda w: {"pk": w.case.ledger_count.pk},
    "ledger:loss_notice": lambda w: {"pk": w.case.ledger_loss.pk},
    **{
        f"ledger:{name}": lambda w: {"pk": w.case.ledger_discrepancy.pk}
        for name in ("discrepancy", "discrepancy_note", "discrepancy_resolve")
    },
    "ledger:inventory_pdf": lambda w: {"pk": w.case.ledger_inventory.pk},
    **{
        f"ledger:session_{name}": lambda w: {"pk": w.case.session.pk}
        for name in ("draw", "administer", "waste", "return")
    },
}
# Argument name -> value, for every pattern that has it.
BY_KWARG: dict[str, Callable[[Walk], Any]] = {
    "clinic_slug": lambda w: w.clinic.slug,
    "app_label": lambda w: "clinics",  # the admin's page for one app
    "slug": lambda w: "public-page",  # a clinic settings group (of the admin's own clinic)
    "kind": lambda w: Kind.OFF_LABEL.value,  # a kind of consent text
    "builtin_id": lambda w: "depression",  # a built-in protocol: the same for every clinic
    "token": lambda w: w.case.intake_token,  # a live intake link of the walk's patient
    "step": lambda w: "about",  # an intake step
    "drug_key": lambda w: "ondansetron",  # a default formulary drug: the same for every clinic
}
# Query strings a page needs to show a real row.
QUERIES: dict[str, Kwargs] = {
    "inquiries:embed_thanks": lambda w: {"t": thanks_token(w.clinic, w.case.inquiry)},
    "accounts:break_glass": lambda w: {
        "ct": ContentType.objects.get_for_model(Clinic).pk,
        "id": w.clinic.pk,
    },
}
# Model label -> the row of the test clinic that its clinic-admin pages (change, history,
# delete) open. Every model registered in the admin needs one.
ADMIN_ROWS: dict[str, Callable[[Walk], Model]] = {
    "clinics.clinic": lambda w: w.clinic,
}


def _sudo(url: str) -> str:
    return reverse("accounts:reauth") + "?" + urlencode({"next": url})


OK = Answer(200)
POST_ONLY = Answer(405, why="it changes state, so GET is refused after the policy admitted it")
RESET_LINK = Answer(
    302,
    lambda url: url.rsplit("/", 2)[0] + "/set-password/",
    "Django moves a valid token from the URL into the session",
)
BACK_TO_FORM = Answer(
    302,
    lambda url: url.removesuffix("thanks/"),
    "without an inquiry just sent from this browser, back to the form",
)


@dataclass(frozen=True)
class ByRole:
    """An answer that depends on the role (a chart page: its readers by role, other staff by
    break-glass, outside professionals by a sharing grant)."""

    default: Answer
    roles: dict[str, Answer]

    def check(self, response: Any, url: str, who: object) -> None:
        self.roles.get(str(who), self.default).check(response, url, who)


def _break_glass_to(url: str) -> str:
    from ketaclinic.accounts.policies import break_glass_url

    pk = int(url.split("/")[2])
    return break_glass_url(Patient.objects.get(pk=pk), url)


BREAK_GLASS_FIRST = Answer(302, _break_glass_to, "other staff give a reason first (break-glass)")

BY_BREAK_GLASS = {
    Role.CLINIC_ADMIN.value: BREAK_GLASS_FIRST,
    Role.CUSTODIAN.value: BREAK_GLASS_FIRST,
}
NOT_SHARED = Answer(404, why="the walk's grant shares only the summary section with them")
# A chart tab: its readers by role, other staff by break-glass; the outside professional sees
# the summary (the overview and the summary PDF) and gets 404 for a section not shared.
CHART_PAGE = ByRole(OK, BY_BREAK_GLASS)
CHART_SECTION = ByRole(OK, {**BY_BREAK_GLASS, Role.OUTSIDE_PROFESSIONAL.value: NOT_SHARED})
# Physicians and nurses write clinical history; the coordinator reads the chart and is refused
# by the action's policy; other staff reach the view only by break-glass.
CLINICAL_POST = {
    **BY_BREAK_GLASS,
    Role.COORDINATOR.value: Answer(403, why="the coordinator does not record clinical history"),
}


def _board_of_booking(url: str) -> str:
    from ketaclinic.infusions.views.flow import board_url

    return board_url(Booking.objects.get(pk=resolve(url).kwargs["booking_pk"]))


def _opened_session(url: str) -> str:
    found = InfusionSession.objects.get(booking_id=resolve(url).kwargs["booking_pk"])
    return reverse("infusions:session", args=[found.pk])


def _board_of_session(url: str) -> str:
    from ketaclinic.infusions.views.flow import board_url

    return board_url(InfusionSession.objects.get(pk=resolve(url).kwargs["pk"]))


def _tab(name: str) -> Callable[[str], str]:
    return lambda url: reverse(f"patients:{name}", args=[url.split("/")[2]])


def is_post_only(a: Answer | ByRole) -> bool:
    return a is POST_ONLY or (isinstance(a, ByRole) and a.default is POST_ONLY)


LINK_NOT_USED = Answer(
    302,
    lambda url: url.removesuffix("thanks/"),
    "the link is not used yet, so back to its start",
)
# What a signed-in user whom the policy admits gets on a GET, where it is not 200.
ANSWERS: dict[str, Answer | ByRole] = {
    **{f"patients:{name}": CHART_PAGE for name in ("overview", "summary_pdf", "edit")},
    # The Outcomes tab, its plot and exports: a chart section (the admin and the custodian
    # come only by break-glass; the walk's grant does not share outcomes).
    **{f"outcomes:{name}": CHART_SECTION for name in ("page", "plot", "export_csv", "export_fhir")},
    **{
        f"patients:{name}": CHART_SECTION
        for name in ("weight", "medications", "diagnoses", "history")
    },
    **{
        f"patients:{name}": POST_ONLY
        for name in (
            "add_entry",
            "no_known_allergies",
            "strike",
            "stop_medication",
            "resolve_flag",
        )
    },
    "web:switch_clinic": POST_ONLY,
    "accounts:logout": POST_ONLY,
    "accounts:recovery_codes": POST_ONLY,
    "accounts:session_end": POST_ONLY,
    "accounts:break_glass_reviewed": POST_ONLY,
    "inquiries:change_status": POST_ONLY,
    "inquiries:add_contact": POST_ONLY,
    "inquiries:follow_up": POST_ONLY,
    "clinics:markdown_preview": POST_ONLY,
    "consents:sign": POST_ONLY,
    "consents:revoke": POST_ONLY,
    "accounts:logout_everywhere": POST_ONLY,
    **{
        name: POST_ONLY
        for name in (
            "accounts:invitation_accept",
            "accounts:invitation_decline",
            "accounts:invitation_withdraw",
            "careteam:professional_archive",
            "careteam:professional_invite",
            "careteam:set_physician",
            "careteam:add_staff",
            "careteam:add_professional",
            "careteam:end_member",
            "careteam:suggest",
            "careteam:referral_step",
        )
    },
    **{
        f"accounts:{name}": POST_ONLY
        for name in (
            "staff_resend_invitation",
            "staff_revoke_invitation",
            "staff_sign_out",
            "staff_reset_two_factor",
            "staff_deactivate",
            "shared_access_revoke",
        )
    },
    "accounts:login": Answer(302, "web:home", "already signed in"),
    "accounts:two_factor": Answer(302, "web:home", "second factor already passed"),
    "accounts:two_factor_setup": Answer(302, _sudo, "replacing it asks for the password again"),
    "accounts:email_change": Answer(302, _sudo, "asks for the password again (sudo mode)"),
    "accounts:password_reset_confirm": RESET_LINK,
    "inquiries:thanks": BACK_TO_FORM,
    "intake:send": POST_ONLY,
    "intake:thanks": LINK_NOT_USED,
    "measurement:strike": POST_ONLY,
    **{f"infusions:{name}": POST_ONLY for name in ("open", "step", "check", "check_override")},
    "measurement:schedule_active": POST_ONLY,
    "measurement:public_thanks": LINK_NOT_USED,
    "admin:login": Answer(302, sign_in_url, "one sign-in page for the whole site"),
    "eligibility:tab": ByRole(
        OK,
        {
            Role.CLINIC_ADMIN: BREAK_GLASS_FIRST,
            Role.CUSTODIAN: BREAK_GLASS_FIRST,
            Role.OUTSIDE_PROFESSIONAL: Answer(404, why="no grant shares this patient with them"),
        },
    ),
    "eligibility:sign": POST_ONLY,
    **{
        f"infusions:{name}": POST_ONLY
        for name in ("prep", "reading", "strike_reading", "rate", "respond")
    },
    **{
        f"scheduling:{name}": POST_ONLY
        for name in (
            "chair_add",
            "chair_edit",
            "hours_add",
            "hours_remove",
            "closure_add",
            "closure_withdraw",
            "duty_add",
            "duty_remove",
            "reschedule",
            "cancel",
            "no_show",
            "complete",
        )
    },
    # The treatment tab and its preview image are chart sections (readers; other staff by
    # break-glass; the outside professional only where the treatment section is shared).
    "treatment:tab": CHART_SECTION,
    **{
        f"ledger:{name}": POST_ONLY
        for name in (
            "loss_notice",
            "discrepancy_note",
            "discrepancy_resolve",
            "session_draw",
            "session_administer",
            "session_waste",
            "session_return",
        )
    },
    "treatment:preview_svg": CHART_SECTION,
    **{
        f"treatment:{name}": POST_ONLY
        for name in ("copy", "draft", "change", "sign", "book_series")
    },
    **{
        f"infusions:{name}": POST_ONLY
        for name in (
            "event",
            "event_outcome",
            "rescue",
            "rule_add",
            "rule_retire",
            "drug_add",
            "drug_retire",
            "assessment",
            "after_effects",
            "discharge",
            "sign",
            "addendum",
        )
    },
}
# The clinic admin pages of one row (ADMIN_ROWS), where they are not 200.
ADMIN_ROW_ANSWERS: dict[str, Answer] = {
    "delete": Answer(403, why="nothing is deleted from the clinic admin (ClinicScopedAdmin)"),
    "": Answer(302, lambda url: url + "change/", "Django's old URL for the change page"),
}
# What an anonymous visitor gets on the allowlist, where it is not 200.
ANONYMOUS_ANSWERS: dict[str, Answer] = {
    "accounts:password_reset_confirm": RESET_LINK,
    "inquiries:thanks": BACK_TO_FORM,
    "intake:thanks": LINK_NOT_USED,
    "measurement:public_thanks": LINK_NOT_USED,
}
# An empty POST to a POST-only view that opens a row: what an admitted role gets (never the
# 404 of a fill that names no real row).
CONFIRM_FIRST = Answer(200, why="without confirmed=1 the page asks for confirmation first")
POST_ANSWERS: dict[str, Answer | ByRole] = {
    "patients:add_entry": ByRole(
        Answer(200, why="the tab is shown again with the form's errors"), CLINICAL_POST
    ),
    "patients:no_known_allergies": ByRole(
        Answer(302, _tab("medications"), "recorded, back to the tab"), CLINICAL_POST
    ),
    "patients:strike": ByRole(
        Answer(302, _tab("medications"), "no reason: nothing struck, back to the tab"),
        CLINICAL_POST,
    ),
    "patients:stop_medication": ByRole(
        Answer(302, _tab("medications"), "no date: nothing changed, back to the tab"),
        CLINICAL_POST,
    ),
    "patients:resolve_flag": ByRole(
        Answer(302, _tab("overview"), "nothing said: the flag stays open, back to the tab"),
        CLINICAL_POST,
    ),
    "accounts:staff_resend_invitation": Answer(200, why="refused: they chose a password already"),
    "accounts:staff_revoke_invitation": CONFIRM_FIRST,
    "accounts:staff_sign_out": CONFIRM_FIRST,
    "accounts:staff_reset_two_factor": CONFIRM_FIRST,
    "accounts:staff_deactivate": CONFIRM_FIRST,
    "accounts:shared_access_revoke": CONFIRM_FIRST,
    "accounts:session_end": Answer(302, "accounts:sessions", "that session is ended"),
    "accounts:break_glass_reviewed": Answer(302, "accounts:break_glass_review", "no note"),
    "inquiries:change_status": Answer(200, why="the form is shown again with its errors"),
    "inquiries:add_contact": Answer(200, why="the form is shown again with its errors"),
    "inquiries:follow_up": Answer(
        302, lambda url: url.removesuffix("follow-up/"), "nothing changed, back to the inquiry"
    ),
    "eligibility:sign": Answer(200, why="the tab is shown again with the form's errors"),
    **{
        f"treatment:{name}": Answer(200, why="the tab is shown again with the form's errors")
        for name in ("draft", "change", "sign", "book_series")
    },
    # The consent walked is signed: a second signature is refused on the page (its form
    # needs a name first), and an empty revocation asks for the reason.
    "consents:sign": Answer(200, why="the form is shown again with its errors"),
    "consents:revoke": Answer(200, why="the form is shown again with its errors"),
    "accounts:invitation_accept": Answer(302, "web:home", "accepted: the role starts"),
    "accounts:invitation_decline": Answer(302, "accounts:invitations", "declined"),
    "accounts:invitation_withdraw": Answer(302, "accounts:staff_list", "withdrawn"),
    "careteam:professional_archive": Answer(
        302, lambda url: url.removesuffix("archive/"), "archived, back to the professional"
    ),
    "careteam:professional_invite": Answer(
        302, lambda url: url.removesuffix("invite/"), "invited (or why not), back to them"
    ),
    "careteam:set_physician": Answer(200, why="the form is shown again with its errors"),
    "careteam:add_staff": Answer(200, why="the form is shown again with its errors"),
    "careteam:add_professional": Answer(200, why="the form is shown again with its errors"),
    "careteam:end_member": Answer(
        302, lambda url: url.rsplit("/", 3)[0] + "/", "taken off the team, back to it"
    ),
    "careteam:suggest": Answer(
        302,
        lambda url: url.removesuffix("referrals/") + "directory/",
        "no professional chosen, back to the directory",
    ),
    "careteam:referral_step": Answer(200, why="the form is shown again with its errors"),
    "intake:send": Answer(200, why="the form is shown again with its errors"),
    "measurement:strike": Answer(200, why="no reason: the list is shown again with the error"),
    "measurement:schedule_active": Answer(
        302, lambda url: url.removesuffix("pause/"), "no schedule to pause: back to the form"
    ),
    "scheduling:chair_edit": Answer(302, "scheduling:setup", "no name: nothing saved, back"),
    **{
        f"scheduling:{name}": Answer(302, "scheduling:setup", "done (undone by the walk), back")
        for name in ("hours_remove", "closure_withdraw", "duty_remove")
    },
    **{
        f"scheduling:{name}": Answer(200, why="the booking is shown again with the form's errors")
        for name in ("reschedule", "cancel", "no_show")
    },
    "scheduling:complete": Answer(
        302, lambda url: url.removesuffix("complete/"), "not begun yet: refused, back to it"
    ),
    # The walk's booking has its session already: opening again goes to it (the front desk,
    # who do not see the session screen, back to the day board).
    "infusions:open": ByRole(
        Answer(302, _opened_session, "opened already: to the session"),
        {Role.COORDINATOR.value: Answer(302, _board_of_booking, "back to the day board")},
    ),
    "infusions:step": ByRole(
        Answer(200, why="no version: the session is shown again with the refusal"),
        {Role.COORDINATOR.value: Answer(302, _board_of_session, "refused: back to the board")},
    ),
    **{
        f"infusions:{name}": Answer(200, why="the session is shown again with the form's errors")
        for name in ("check", "check_override")
    },
    # The charting POSTs (physicians and nurses only): empty, the session screen is shown
    # again with the form's errors.
    **{
        f"infusions:{name}": Answer(200, why="the session is shown again with the form's errors")
        for name in ("prep", "reading", "strike_reading", "rate", "respond")
    },
    **{
        f"infusions:{name}": Answer(200, why="the session is shown again with the form's errors")
        for name in ("event", "event_outcome", "rescue")
    },
    **{
        f"infusions:{name}": Answer(200, why="the session is shown again with the form's errors")
        for name in ("assessment", "after_effects", "discharge", "sign")
    },
    "infusions:addendum": Answer(
        302, lambda url: url.removesuffix("addenda/") + "#note", "not signed yet: back to it"
    ),
    "ledger:loss_notice": Answer(
        302, "ledger:discrepancies", "the written notice is recorded (undone), back to the list"
    ),
    **{
        f"ledger:{name}": Answer(200, why="the discrepancy is shown again with the form's errors")
        for name in ("discrepancy_note", "discrepancy_resolve")
    },
    **{
        f"ledger:session_{name}": Answer(200, why="the session is shown again with the errors")
        for name in ("draw", "administer", "waste", "return")
    },
}
# Views open to the chart roles that let other staff in by break-glass only (a break-glass
# grant is opened by a POST and audited, so the walk, which changes nothing, sees the redirect
# to the break-glass form).
BREAK_GLASS_ROLES: dict[str, frozenset[str]] = {
    f"consents:{name}": frozenset({Role.PHYSICIAN, Role.NURSE, Role.COORDINATOR})
    for name in ("list", "detail", "pdf")
}
# The other clinic's admin on a page of one of our rows gets 404 (its existence is not
# confirmed), except on the clinic admin pages, where Django answers a row outside the
# admin's own clinic exactly as one that does not exist.
NOT_THEIRS = Answer(404)
# ... unless the page does not admit an admin at all: then the role check refuses first.
ADMIN_NOT_THEIRS: dict[str, Answer] = {
    "change": Answer(302, "admin:index", "Django's 'does not exist, perhaps deleted' redirect"),
    "history": Answer(302, "admin:index", "as for change"),
    "delete": ADMIN_ROW_ANSWERS["delete"],
    "": ADMIN_ROW_ANSWERS[""],
}


# --- filling and judging one route --------------------------------------------------------


def admin_model(route: Route) -> str | None:
    """The label of the model whose clinic admin pages ``route`` belongs to, if any."""
    for model in admin.site._registry:
        meta = model._meta
        if route.route.startswith(f"{admin_prefix()}{meta.app_label}/{meta.model_name}/"):
            return meta.label_lower
    return None


def admin_row_page(route: Route) -> str | None:
    """For a clinic admin page of one row: which ("change", "history", "delete", "")."""
    if admin_model(route) is None or "<path:object_id>/" not in route.route:
        return None
    return route.route.split("<path:object_id>/", 1)[1].rstrip("/")


def opens_row(route: Route) -> bool:
    """Filled with one of the test clinic's rows (what another clinic must not open)."""
    named_row = route.key in BY_NAME or route.key in QUERIES
    public = route.policy is not None and route.policy.level == "public"
    return not public and (named_row or admin_row_page(route) is not None)


# The Django admin is the site operator's (a superuser's) alone: clinic admins work on the
# in-app pages. The walk signs in no superuser, so every admin page is refused to everyone it
# tries, except where ANSWERS says otherwise (its sign-in and password pages send people to
# the site's own).
OPERATOR_ONLY = Answer(403, why="the Django admin is for the site operator (superuser) only")


def is_admin(route: Route) -> bool:
    return route.key.startswith("admin:") or route.route.startswith(admin_prefix())


def answer(route: Route) -> Answer | ByRole:
    """What a signed-in user whom the policy admits gets on a GET."""
    if route.key in ANSWERS:
        return ANSWERS[route.key]
    if is_admin(route):
        return OPERATOR_ONLY
    if route.key in ANSWERS:
        return ANSWERS[route.key]
    page = admin_row_page(route)
    return ADMIN_ROW_ANSWERS.get(page, OK) if page is not None else OK


ROLE_REFUSED = Answer(403, why="the other clinic's admin role is refused before any row is read")


def answer_to_outsider(route: Route) -> Answer:
    if is_admin(route):
        return OPERATOR_ONLY
    policy = route.policy
    if policy is not None and policy.level == "roles" and Role.CLINIC_ADMIN not in policy.roles:
        # Refused for the role before any row is read (a physician-only action): a 403 that
        # confirms nothing about the row.
        return ROLE_REFUSED
    page = admin_row_page(route)
    return ADMIN_NOT_THEIRS.get(page, NOT_THEIRS) if page is not None else NOT_THEIRS


def fill(route: Route, w: Walk) -> str | None:
    """The URL of ``route`` opening real rows, or None when the walk cannot fill it."""
    if route.key in SKIPPED:
        return None
    kwargs: dict[str, Any] = BY_NAME[route.key](w) if route.key in BY_NAME else {}
    missing = [k for k in route.kwargs if k not in kwargs]
    label = admin_model(route)
    if "object_id" in missing and label in ADMIN_ROWS:
        kwargs["object_id"] = ADMIN_ROWS[label](w).pk
    for key in route.kwargs:
        if key not in kwargs and key in BY_KWARG:
            kwargs[key] = BY_KWARG[key](w)
    if any(k not in kwargs for k in route.kwargs):
        return None
    url = route.url(kwargs)
    if url is not None and route.key in QUERIES:
        url += "?" + urlencode(QUERIES[route.key](w))
    return url


class Rollback(Exception):
    """Raised to undo what a POST of the walk changed."""


class AccessPolicyTests(BaseTestCase):
    inquiry: Inquiry
    session: InfusionSession
    patient: Patient
    consent: Consent
    intake_patient: Patient
    intake_token: str
    q_patient: Patient
    q_token: str
    q_response: Response
    q_alert: SafetyAlert
    grant: BreakGlassGrant
    shared: SharedAccess
    medication: Medication
    flag: SafetyFlag
    protocol: Protocol
    sent_invitation: Invitation
    professional: OutsideProfessional
    member: CareTeamMember
    referral: Referral
    chair: Chair
    hours: OpeningHours
    closure: Closure
    duty: DutyAssignment
    booking: Booking
    reading: VitalsReading
    firing: RuleFiring
    event: AdverseEvent
    ledger_vial: Container
    ledger_count: Count
    ledger_loss: LossReport
    ledger_discrepancy: Discrepancy
    ledger_inventory: Inventory

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.inquiry = make_inquiry(cls.clinic, name="Walk Inquiry (test)")
        # A real logo, so the public logo address answers with an image, not a 404.
        canvas = io.BytesIO()
        Image.new("RGB", (40, 20), "#1f5fa8").save(canvas, format="PNG")
        logo = store_logo(shrink_to_png(canvas.getvalue()))
        Clinic.objects.filter(pk=cls.clinic.pk).update(logo=logo)
        cls.clinic.refresh_from_db()
        make_inquiry(cls.other, name="Other Clinic Inquiry (test)")
        # A patient with an intake under way and its live link (the raw token, made here).
        coordinator = member(cls.users["coordinator"], cls.clinic)
        cls.intake_patient = make_intake_patient(cls.clinic, cls.users["coordinator"])
        submission = start_intake(coordinator, cls.intake_patient)
        _link, cls.intake_token = create_link(
            coordinator,
            cls.intake_patient,
            purpose=Purpose.INTAKE,
            target=submission,
            lifetime=dt.timedelta(days=7),
        )
        # A patient with a live questionnaire link, a response and its open safety alert.
        cls.q_patient = make_intake_patient(
            cls.clinic, cls.users["coordinator"], email="q@example.com"
        )
        tokens: list[str] = []

        def link_url(token: str) -> str:
            tokens.append(token)
            return f"/q/{token}/"

        send_questionnaire(
            coordinator, cls.q_patient, ["phq9"], via=["email"], message="Walk", link_url=link_url
        )
        cls.q_token = tokens[0]
        cls.q_response = record_response(
            member(cls.users["nurse"], cls.clinic),
            cls.q_patient,
            "phq9",
            [1] * 9,
            administered_at=timezone.now(),
            channel="staff",
        )
        cls.q_alert = SafetyAlert.objects.get(response=cls.q_response)
        clinic_ct = ContentType.objects.get_for_model(Clinic)
        cls.grant = BreakGlassGrant.objects.create(
            clinic=cls.clinic,
            user=cls.users["nurse"],
            role=Role.NURSE,
            content_type=clinic_ct,
            object_id=str(cls.clinic.pk),
            reason="Walk fixture: an emergency read of the clinic record.",
            expires_at=timezone.now() + dt.timedelta(hours=1),
        )
        cls.shared = SharedAccess.objects.create(
            clinic=cls.clinic,
            professional=cls.users["outside_professional"],
            content_type=clinic_ct,
            object_id=str(cls.clinic.pk),
            sections=["summary"],
            granted_by=cls.users["clinic_admin"],
            reason="Walk fixture: the patient consented to share the summary.",
        )
        # A patient with a signed consent (and its PDF), for the consents pages.
        cls.patient = make_patient(cls.clinic, given="Walk", family="Patient")
        physician = Membership.objects.select_related("user", "clinic").get(
            user=cls.users["physician"]
        )
        draft = consent_actions.create_consent(
            physician, cls.patient, Kind.OFF_LABEL, indications=["Depression"]
        )
        cls.consent = consent_actions.sign_consent(physician, draft, typed_name="Walk Patient")
        # Every walker has an invitation from the other clinic waiting; our admin sent one.
        for user in cls.users.values():
            Invitation.objects.create(
                clinic=cls.other,
                user=user,
                role=Role.NURSE,
                invited_by=cls.outsider,
                expires_at=timezone.now() + dt.timedelta(days=7),
            )
        cls.sent_invitation = Invitation.objects.create(
            clinic=cls.clinic,
            user=cls.outsider,
            role=Role.PHYSICIAN,
            invited_by=cls.users["clinic_admin"],
            expires_at=timezone.now() + dt.timedelta(days=7),
        )
        cls.professional = OutsideProfessional.objects.create(
            clinic=cls.clinic,
            name="Walk Professional",
            email="walk.pro@example.org",
            specialties=["trauma"],
            in_directory=True,
            accepting_referrals=True,
        )
        cls.member = CareTeamMember.objects.create(
            patient=cls.patient, role=TeamRole.NURSE, user=cls.users["nurse"]
        )
        cls.referral = Referral.objects.create(patient=cls.patient, professional=cls.professional)
        # The outside professional reads the patient's summary (the care-team page) by consent.
        # Rows of the kinds the chart's actions open (strike, stop, resolve).
        nurse = member(cls.users["nurse"], cls.clinic)
        cls.medication = patient_actions.add_medication(nurse, cls.patient, name="Sertraline")
        # A PHQ-9 score, so the patient's outcome plot exists.
        write_response(cls.patient, "phq9", answers_for_total("phq9", 12), timezone.now())
        cls.flag = patient_actions.raise_safety_flag(
            nurse, cls.patient, kind="walk", detail="Walk fixture flag."
        )
        # A chair with its timetable, a closure, a duty day and a booking (in the future, so
        # an empty "completed" is refused on the page) for the schedule's pages.
        cls.chair = Chair.objects.create(clinic=cls.clinic, name="Walk chair")
        cls.hours = OpeningHours.objects.create(
            clinic=cls.clinic, weekday=0, opens_at=dt.time(8), closes_at=dt.time(17)
        )
        cls.closure = Closure.objects.create(
            clinic=cls.clinic,
            starts_on=dt.date(2030, 1, 1),
            ends_on=dt.date(2030, 1, 1),
            reason="Walk closure",
        )
        cls.duty = DutyAssignment.objects.create(
            clinic=cls.clinic, day=dt.date(2030, 1, 2), membership=nurse
        )
        cls.booking = Booking.objects.create(
            clinic=cls.clinic,
            patient=cls.patient,
            chair=cls.chair,
            starts_at=timezone.now() + dt.timedelta(days=30),
            infusion_minutes=40,
            recovery_minutes=60,
        )
        cls.session = InfusionSession.objects.create(
            clinic=cls.clinic, patient=cls.patient, booking=cls.booking
        )
        # A charted reading and a rule that fired on it (their strike and respond forms).
        defaults.ensure_default_rules(cls.clinic)
        cls.reading = VitalsReading.objects.create(
            session=cls.session, phase="infusion", clinical_at=timezone.now(),
            entered_by=cls.users["nurse"], idempotency_key="walk-reading", systolic_mmhg=185,
            diastolic_mmhg=90, heart_rate_bpm=80, spo2_percent=97, resp_rate_per_min=14,
        )  # fmt: skip
        cls.firing = RuleFiring.objects.create(
            session=cls.session,
            reading=cls.reading,
            rule_text="Walk rule",
            rule=ThresholdRule.objects.filter(clinic=cls.clinic).earliest("position"),
        )
        # An adverse event to fill its outcome URL. The walk's session is only scheduled, where
        # the action refuses events, so the row is made directly.
        cls.event = AdverseEvent.objects.create(
            session=cls.session,
            clinical_at=timezone.now(),
            entered_by=cls.users["nurse"],
            idempotency_key="walk-event",
            kind="nausea",
            severity="mild",
        )
        # The controlled-substance ledger: a registration with two vials, their initial
        # inventory, a blind count that opens a discrepancy, and a loss report.
        custodian = member(cls.users["custodian"], cls.clinic)
        ledger_stock = LedgerStock(cls.clinic, custodian)
        ledger_vials = ledger_stock.receive(n=2)
        cls.ledger_vial, second_vial = ledger_vials
        cls.ledger_inventory = ledger_oversight.record_inventory(
            custodian, ledger_stock.registration, kind="initial",
            taken_on=dt.date(2026, 1, 5), business_time="opening",
            lines=[ledger_oversight.InventoryCount(v, "20") for v in ledger_vials],
        )  # fmt: skip
        cls.ledger_count = ledger_oversight.record_count(
            custodian, counted_ml={cls.ledger_vial: Decimal("19")}
        )
        cls.ledger_discrepancy = Discrepancy.objects.get(count_line__count=cls.ledger_count)
        _txn, cls.ledger_loss = ledger_disposal.report_loss(
            custodian, second_vial, "5", reason="Walk fixture: a dropped vial."
        )
        # The clinic's copy of a protocol, and a plan for the walk patient (its tab and image).
        prescriber = member(cls.users["physician"], cls.clinic)
        cls.protocol = treatment_actions.copy_protocol(prescriber, cls.clinic, "depression")
        weight = patient_actions.record_measurement(
            nurse,
            cls.patient,
            measured_on=dt.date(2026, 1, 5),
            height_cm=Decimal("180.0"),
            weight_kg=Decimal("80.0"),
            method="measured",
        )
        treatment_actions.draft_plan(
            prescriber,
            cls.patient,
            protocol_version=cls.protocol.versions.get(),
            dose_mg_per_kg=0.5,
            measurement=weight,
        )
        SharedAccess.objects.create(
            clinic=cls.clinic,
            professional=cls.users["outside_professional"],
            content_type=ContentType.objects.get_for_model(Patient),
            object_id=str(cls.patient.pk),
            sections=["summary"],
            granted_by=cls.users["clinic_admin"],
            reason="Walk fixture: the patient consented to share the summary.",
        )
        # One earlier session per person, so "end this session" opens a real row of theirs
        # without signing the walk out.
        for user in [*cls.users.values(), cls.outsider]:
            UserSession.objects.create(user=user, session_key=f"walk-{user.pk}")

    def setUp(self) -> None:
        # No app registers a break-glass target yet; the form needs one to show a real row.
        register_break_glass_target(Clinic)
        self.addCleanup(unregister_break_glass_target, Clinic)

    def filled(self, user: User | None) -> list[tuple[Route, str]]:
        """Every pattern's URL, filled for ``user``; fails on any it cannot fill."""
        w = Walk(self, user)
        out, unfilled = [], []
        for route in url_routes():
            url = fill(route, w)
            if url is not None:
                out.append((route, url))
            elif route.key not in SKIPPED:
                unfilled.append(f"{route.route} ({route.key})")
        assert unfilled == [], f"give these a fill (BY_NAME, BY_KWARG, ADMIN_ROWS): {unfilled}"
        return out

    def post_undone(self, url: str) -> Any:
        """POST ``url`` empty and roll back whatever it changed."""
        response = None
        try:
            with transaction.atomic():
                response = self.client.post(url)
                raise Rollback
        except Rollback:
            pass
        return response

    # --- the declarations ------------------------------------------------------------------

    def test_it_has_a_policy_on_every_view(self) -> None:
        missing = [
            f"{r.route} ({r.key})"
            for r in url_routes()
            if policy_of(r.pattern.callback) is None and not r.route.startswith(admin_prefix())
        ]  # the middleware applies the clinic-admin policy to the admin namespace
        assert missing == [], f"views without an access policy: {missing}"

    def test_it_allows_public_access_only_on_the_allowlist(self) -> None:
        public = {
            r.key for r in url_routes() if r.policy is not None and r.policy.level == "public"
        }
        assert public <= PUBLIC_ALLOWLIST, (
            f"public views not on the allowlist: {public - PUBLIC_ALLOWLIST}"
        )

    def test_its_tables_name_only_patterns_that_exist(self) -> None:
        keys = {r.key for r in url_routes()}
        for table in (SKIPPED, BY_NAME, QUERIES, ANSWERS, ANONYMOUS_ANSWERS, POST_ANSWERS):
            assert set(table) <= keys, set(table) - keys
        assert PUBLIC_ALLOWLIST <= keys, PUBLIC_ALLOWLIST - keys
        registered = {m._meta.label_lower for m in admin.site._registry}
        assert set(ADMIN_ROWS) == registered, ("ADMIN_ROWS", registered ^ set(ADMIN_ROWS))
        assert set(POST_ANSWERS) == {
            r.key for r in url_routes() if is_post_only(answer(r)) and opens_row(r)
        }

    def test_it_fills_every_pattern_with_real_rows(self) -> None:
        urls = {r.key: url for r, url in self.filled(self.users["clinic_admin"])}
        assert len(urls) == len(url_routes()) - len(SKIPPED)
        assert urls["inquiries:detail"] == f"/inquiries/{self.inquiry.pk}/"
        assert urls["accounts:break_glass_reviewed"].endswith(f"/{self.grant.pk}/reviewed/")
        membership = Membership.objects.get(user=self.users["nurse"])
        assert urls["accounts:staff_detail"] == f"/accounts/staff/{membership.pk}/"
        assert urls["admin:clinics_clinic_change"].endswith(f"/{self.clinic.pk}/change/")

    # --- who reaches what ------------------------------------------------------------------

    def test_it_refuses_anonymous_visitors_everywhere_else(self) -> None:
        filled = {r.key: url for r, url in self.filled(None)}
        checked = 0
        for route in url_routes():
            url = filled.get(route.key) or route.placeholder()
            if route.key in PUBLIC_ALLOWLIST:
                ANONYMOUS_ANSWERS.get(route.key, OK).check(self.client.get(url), url, "anonymous")
                continue
            for method in ("get", "post"):
                response = getattr(self.client, method)(url)
                self.assert_denied(response, 302)
                assert response["Location"] == sign_in_url(url), (url, response["Location"])
                checked += 1
        assert checked > 80, checked

    def test_it_sends_the_half_signed_in_to_the_second_factor(self) -> None:
        self.client.force_login(self.users["nurse"])  # the password step only
        for route, url in self.filled(self.users["nurse"]):
            if route.policy is not None and route.policy.level in ("verified", "roles"):
                self.assert_denied(self.client.get(url), 302, to="accounts:two_factor")
                self.assert_denied(self.post_undone(url), 302, to="accounts:two_factor")

    def test_each_role_reaches_exactly_what_its_policy_says(self) -> None:
        for role in Role:
            user = self.login(role.value)
            for route, url in self.filled(user):
                policy = route.policy
                assert policy is not None, route
                if policy.level == "roles" and role.value not in policy.roles:
                    self.assert_denied(self.client.get(url), 403)
                    self.assert_denied(self.post_undone(url), 403)
                elif role.value not in BREAK_GLASS_ROLES.get(route.key, {role.value}):
                    response = self.client.get(url)
                    assert response.status_code == 302, (role, url, response.status_code)
                    assert response["Location"].startswith(reverse("accounts:break_glass"))
                else:
                    answer(route).check(self.client.get(url), url, role)
            self.client.logout()

    def test_post_only_views_reach_their_row(self) -> None:
        for route in url_routes():
            policy = route.policy
            if route.key not in POST_ANSWERS or policy is None:
                continue
            admitted = [r.value for r in Role if policy.level != "roles" or r in policy.roles]
            assert admitted, route
            for role in admitted:
                user = self.login(role)
                url = fill(route, Walk(self, user))
                assert url is not None
                POST_ANSWERS[route.key].check(self.post_undone(url), url, role)
                self.client.logout()

    def test_the_other_clinics_admin_does_not_open_our_rows(self) -> None:
        self.login(self.outsider)
        checked = 0
        for route, url in self.filled(self.users["clinic_admin"]):
            if not opens_row(route):
                continue
            post = is_post_only(answer(route))
            response = self.post_undone(url) if post else self.client.get(url)
            policy = route.policy
            if (
                policy is not None
                and policy.level == "roles"
                and Role.CLINIC_ADMIN not in policy.roles
            ):
                # The policy refuses an admin anywhere before any row is read.
                self.assert_denied(response, 403)
            else:
                answer_to_outsider(route).check(response, url, "outsider")
            checked += 1
        assert checked >= 15, checked

    # --- no GET changes state ----------------------------------------------------------------

    def test_it_changes_no_state_on_get(self) -> None:
        models = [m for m in apps.get_models() if m._meta.label_lower not in BOOKKEEPING]

        def snapshot() -> dict[str, object]:
            # Every row's values, so a GET that edits a row is caught, not only one that adds.
            rows: dict[str, object] = {
                m._meta.label_lower: list(m._default_manager.order_by("pk").values())
                for m in models
            }
            rows["audit.writes"] = list(
                AuditEntry.objects.exclude(action__startswith="view")
                .exclude(action__endswith=".export")
                .values_list("pk", flat=True)
            )
            return rows

        for role in [None, *Role]:
            user = self.login(role.value) if role is not None else None
            before = snapshot()  # nothing may change from here on, so one is enough
            for _, url in self.filled(user):
                self.client.get(url)
                assert snapshot() == before, (role, url)
            self.client.logout()
