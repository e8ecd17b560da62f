"""Query budgets of every staff page: a whole GET through the test client costs the same number
of queries with a few rows as with 50 (an N+1 fails it), and that number is written here.

``BUDGETS`` maps each URL name to its measurements (one per role or settings group where the
page differs): who looks, the URL, what makes its rows and how many queries it may cost. Every
GET page behind ``roles``, ``staff`` or ``verified`` must have an entry
(``test_every_staff_page_has_a_budget`` walks the URL configuration), so a page added later
gets one. The counts include the middleware's: session, user, TOTP device, UserSession and
the memberships (5 on every staff page), and savepoints, which SQLite and PostgreSQL both
issue inside the test's transaction. Measured on both; where the vendors part, a budget is
keyed by ``connection.vendor``.

Lower a budget when a change lowers the count, and explain any rise in the commit.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from itertools import count
from typing import Any

import time_machine
from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from ketaclinic.access.middleware import CLINIC_SESSION_KEY
from ketaclinic.accounts.models import (
    BreakGlassGrant,
    Invitation,
    Membership,
    RecoveryCode,
    RecoveryCodeDevice,
    Role,
    SharedAccess,
    User,
    UserSession,
)
from ketaclinic.accounts.policies import (
    register_break_glass_target,
    unregister_break_glass_target,
)
from ketaclinic.accounts.sudo import SUDO_KEY
from ketaclinic.audit.log import record
from ketaclinic.careteam.models import (
    CareTeamMember,
    OutsideProfessional,
    Referral,
    ReferralEvent,
    ReferralStatus,
    TeamRole,
)
from ketaclinic.clinics.models import Clinic
from ketaclinic.clinics.pages import PAGES
from ketaclinic.consents.models import Consent, ConsentEvent, ConsentTemplate, Kind
from ketaclinic.consents.tests.base import make_patient
from ketaclinic.eligibility.models import EligibilityDecision
from ketaclinic.eligibility.tests.base import complete_record
from ketaclinic.eligibility.tests.base import make_patient as make_screened_patient
from ketaclinic.inquiries.models import (
    Channel,
    ContactAttempt,
    Inquiry,
    Outcome,
    Status,
    StatusChange,
)
from ketaclinic.inquiries.tests.base import make_inquiry
from ketaclinic.measurement.demo_outcomes import answers_for_total, write_response
from ketaclinic.measurement.models import Response
from ketaclinic.patients.models import (
    BodyMeasurement,
    Diagnosis,
    Medication,
    Patient,
    SafetyFlag,
    SubstanceUse,
)
from ketaclinic.testing import (
    BaseTestCase,
    admin_prefix,
    assert_flat_queries,
    member,
    url_routes,
)
from ketaclinic.treatment import actions as treatment_actions
from ketaclinic.treatment import library
from ketaclinic.treatment.models import Protocol, ProtocolVersion, TreatmentPlan

# Time stands still, so the session's once-a-minute activity write never lands inside (or
# outside) a measured request by chance.
NOW = dt.datetime(2026, 3, 2, 15, 0, tzinfo=dt.UTC)
_serial = count()  # unique names and emails across the rows a test makes


class BudgetCase(BaseTestCase):
    """What the row makers below work on: the signed-in person, one inquiry, one patient."""

    inquiry: Inquiry
    viewer: User
    patient: Patient
    ledger_stock: Any = None


Make = Callable[[BudgetCase, int], object]


@dataclass(frozen=True)
class Budget:
    """One measured page: ``queries`` for ``role`` at ``url(case)`` with ``rows`` (None: the
    page lists nothing). ``row_text`` appears once per row shown (see assert_flat_queries)."""

    queries: int | dict[str, int]
    url: Callable[[BudgetCase], str]
    rows: Make | None = None
    role: str = Role.CLINIC_ADMIN
    row_text: str = ""
    variant: str = ""
    few: int = 3

    def budget(self) -> int:
        if isinstance(self.queries, int):
            return self.queries
        return self.queries[connection.vendor]


def _to(name: str, query: str = "", **kwargs: str) -> Callable[[BudgetCase], str]:
    return lambda case: reverse(name, kwargs=kwargs) + (f"?{query}" if query else "")


# --- rows: 50 of what each page lists ----------------------------------------------------


def _new_staff(case: BudgetCase, n: int) -> list[Membership]:
    """``n`` more staff of the clinic: every role, some pending invitations (no password),
    one in three with a last sign-in; a password hash copied, so nothing is hashed here."""
    password = case.users[Role.NURSE].password
    staff_roles = [r for r in Role if r != Role.OUTSIDE_PROFESSIONAL]
    made = []
    for _ in range(n):
        i = next(_serial)
        user = User.objects.create(
            email=f"budget.staff{i}@sturges.example",
            full_name=f"Budget Staff {i}",
            password=password if i % 4 else "!unusable",
            last_login=NOW - dt.timedelta(days=i) if i % 3 == 0 else None,
        )
        TOTPDevice.objects.create(user=user, name="authenticator", confirmed=True)
        made.append(
            Membership.objects.create(
                user=user,
                clinic=case.clinic,
                role=staff_roles[i % len(staff_roles)],
                is_active=i % 5 != 0,
            )
        )
    return made


def _inquiries(case: BudgetCase, n: int) -> None:
    """``n`` inquiries with a contact and a status change each; every third owned and overdue,
    every second sharing an email with the one before (the list's owner, overdue and duplicate
    columns), every seventh urgent."""
    nurse, coordinator = case.users[Role.NURSE], case.users[Role.COORDINATOR]
    for _ in range(n):
        i = next(_serial)
        inquiry = make_inquiry(
            case.clinic,
            name=f"Budget Person {i} (test)",
            email=f"budget{i // 2}@example.com",
            phone=f"555-010-{i:04d}",
        )
        Inquiry.objects.filter(pk=inquiry.pk).update(
            owner=nurse if i % 3 == 0 else None,
            next_action_on=dt.date(2026, 3, 1) if i % 3 == 0 else None,
            is_urgent=i % 7 == 0,
            status=Status.CONTACTED,
        )
        _contact(inquiry, coordinator, i)
        _status_change(inquiry, coordinator, i)


def _contact(inquiry: Inquiry, by: User, i: int) -> None:
    ContactAttempt.objects.create(
        inquiry=inquiry,
        channel=Channel.CALL,
        contacted_at=NOW - dt.timedelta(hours=i),
        outcome=Outcome.NO_ANSWER,
        note=f"Budget contact {i}",
        by=by,
        recorded_at=NOW,
    )


def _status_change(inquiry: Inquiry, by: User, i: int) -> None:
    StatusChange.objects.create(
        inquiry=inquiry,
        from_status=Status.NEW,
        to_status=Status.CONTACTED,
        note=f"Budget status {i}",
        changed_by=by,
        changed_at=NOW - dt.timedelta(minutes=i),
    )


def _inquiry_history(case: BudgetCase, n: int) -> None:
    """The detail page's lists: ``n`` contacts, status changes, duplicates and staff (the
    owner choices)."""
    coordinator = case.users[Role.COORDINATOR]
    for _ in range(n):
        i = next(_serial)
        _contact(case.inquiry, coordinator, i)
        _status_change(case.inquiry, coordinator, i)
        make_inquiry(case.clinic, name=f"Budget Duplicate {i} (test)", email="budget@example.com")
    _new_staff(case, n)


def _audit_entries(case: BudgetCase, n: int) -> None:
    """``n`` entries of the clinic, cycling through kinds the report names (accounts, staff
    roles, the clinic, inquiries) and sign-ins that carry no clinic, by different people."""
    people = [member(case.users[r], case.clinic) for r in (Role.NURSE, Role.COORDINATOR)]
    with transaction.atomic():
        for j in range(n):
            i = next(_serial)
            by = people[i % 2]
            kind = j % 4  # every kind in any 4 rows: the report names each kind in one query
            if kind == 0:
                record("auth.login.2fa", actor=by.user, obj=by.user, reason=f"Budget entry {i}")
            elif kind == 1:
                record(
                    "staff.update",
                    by=by,
                    obj=by,
                    after={"role": by.role},
                    reason=f"Budget entry {i}",
                )
            elif kind == 2:
                record("clinic.settings.update", by=by, obj=case.clinic, reason=f"Budget entry {i}")
            else:
                record("inquiry.status", by=by, obj=case.inquiry, reason=f"Budget entry {i}")


def _own_sessions(case: BudgetCase, n: int) -> None:
    """``n`` more sessions of the signed-in person: live ones and ended ones."""
    _sessions(case.viewer, n)


def _sessions(user: User, n: int) -> None:
    for _ in range(n):
        i = next(_serial)
        UserSession.objects.create(
            user=user,
            session_key=f"budget-{i}",
            ip_address=f"192.0.2.{i % 250 + 1}",
            user_agent=f"Budget browser {i}",
            created_at=NOW - dt.timedelta(hours=i),
            last_seen_at=NOW - dt.timedelta(minutes=i),
            ended_at=NOW - dt.timedelta(minutes=i) if i % 2 else None,
            end_reason=UserSession.EndReason.IDLE if i % 2 else "",
        )


def _security_rows(case: BudgetCase, n: int) -> None:
    """Sessions and recovery codes, which the security page counts."""
    _own_sessions(case, n)
    device, _ = RecoveryCodeDevice.objects.get_or_create(user=case.viewer, name="recovery")
    RecoveryCode.objects.bulk_create(
        RecoveryCode(device=device, code_hash=f"x{i}", used_at=NOW if i % 2 else None)
        for i in range(n)
    )


def _break_glass_grants(case: BudgetCase, n: int) -> None:
    """``n`` grants by different staff, every second one reviewed by the admin."""
    clinic_ct = ContentType.objects.get_for_model(Clinic)
    people = _new_staff(case, 2)
    for _ in range(n):
        i = next(_serial)
        BreakGlassGrant.objects.create(
            clinic=case.clinic,
            user=people[i % 2].user,
            role=people[i % 2].role,
            content_type=clinic_ct,
            object_id=str(case.clinic.pk),
            reason=f"Budget grant {i}: emergency read.",
            expires_at=NOW + dt.timedelta(hours=1),
            reviewed_at=NOW if i % 2 else None,
            reviewed_by=case.users[Role.CLINIC_ADMIN] if i % 2 else None,
            review_note="Seen." if i % 2 else "",
        )


def _shared_access(case: BudgetCase, n: int) -> None:
    """``n`` grants to different professionals: live, upcoming, expired and revoked."""
    clinic_ct = ContentType.objects.get_for_model(Clinic)
    admin = case.users[Role.CLINIC_ADMIN]
    for _ in range(n):
        i = next(_serial)
        professional = User.objects.create(
            email=f"budget.pro{i}@example.org", full_name=f"Budget Professional {i}"
        )
        SharedAccess.objects.create(
            clinic=case.clinic,
            professional=professional,
            content_type=clinic_ct,
            object_id=str(case.clinic.pk),
            sections=["summary"],
            granted_by=admin,
            valid_from=NOW + dt.timedelta(days=1) if i % 4 == 1 else NOW,
            expires_at=NOW - dt.timedelta(hours=1) if i % 4 == 2 else None,
            revoked_at=NOW if i % 4 == 3 else None,
            revoked_by=admin if i % 4 == 3 else None,
            reason=f"Budget consent {i}",
        )


def _clinics_of_viewer(case: BudgetCase, n: int) -> None:
    """``n`` more clinics where the signed-in person has the same role (the clinic switcher)."""
    role = member(case.viewer, case.clinic).role
    for _ in range(n):
        i = next(_serial)
        clinic = Clinic.objects.create(name=f"Budget Clinic {i}", slug=f"budget-{i}")
        Membership.objects.create(user=case.viewer, clinic=clinic, role=role)


def _leads(case: BudgetCase, n: int) -> list[Inquiry]:
    """``n`` inquiries for the home queues, in turn: urgent (the coordinator's, due today),
    overdue (the admin's), due today (nobody's), new."""
    coordinator, admin = case.users[Role.COORDINATOR], case.users[Role.CLINIC_ADMIN]
    today = NOW.date()
    rows = []
    for _ in range(n):
        i = next(_serial)
        kind = i % 4
        email = f"budget.lead{i}@example.com"
        rows.append(
            Inquiry(
                clinic=case.clinic,
                received_at=NOW - dt.timedelta(hours=i),
                name=f"Budget Lead {i} (test)",
                email=email,
                email_normalised=email,
                consent_to_contact=True,
                consent_wording="I agree to be contacted.",
                is_urgent=kind == 0,
                status=Status.NEW if kind in (0, 3) else Status.CONTACTED,
                owner={0: coordinator, 1: admin}.get(kind),
                next_action_on={0: today, 1: today - dt.timedelta(days=2), 2: today}.get(kind),
            )
        )
    return Inquiry.objects.bulk_create(rows)


def _security_events(case: BudgetCase, n: int) -> None:
    """Sign-in trouble of the clinic's people (no clinic) and an admin's resets (the clinic's)."""
    admin = member(case.users[Role.CLINIC_ADMIN], case.clinic)
    nurse, physician = case.users[Role.NURSE], case.users[Role.PHYSICIAN]
    with transaction.atomic():
        for _ in range(n):
            if next(_serial) % 2:
                record("auth.login.2fa_failed", actor=nurse, obj=nurse)
            else:
                record("2fa.admin_reset", by=admin, obj=physician)


def _shared_with_professional(case: BudgetCase, inquiries: list[Inquiry]) -> None:
    """Each inquiry shared with the outside professional, live."""
    inquiry_ct = ContentType.objects.get_for_model(Inquiry)
    SharedAccess.objects.bulk_create(
        SharedAccess(
            clinic=case.clinic,
            professional=case.users[Role.OUTSIDE_PROFESSIONAL],
            content_type=inquiry_ct,
            object_id=str(inquiry.pk),
            sections=["summary"],
            granted_by=case.users[Role.PHYSICIAN],
            granted_at=NOW,
            valid_from=NOW,
            reason="Budget consent",
        )
        for inquiry in inquiries
    )


def _home_rows(case: BudgetCase, n: int) -> None:
    """``n`` of everything a home page lists, whoever looks: leads in every queue,
    invitations (among new staff), emergency accesses, security events, records shared with
    the outside professional, and clinics for the switcher."""
    _shared_with_professional(case, _leads(case, n))
    _new_staff(case, n)
    _break_glass_grants(case, n)
    _security_events(case, n)
    _clinics_of_viewer(case, n)


def _sessions_of_nurse(case: BudgetCase, n: int) -> None:
    _sessions(case.users[Role.NURSE], n)


def _nurse_page(case: BudgetCase) -> str:
    return reverse("accounts:staff_detail", args=[member(case.users[Role.NURSE], case.clinic).pk])


def _break_glass_form(case: BudgetCase) -> str:
    ct = ContentType.objects.get_for_model(Clinic).pk
    return reverse("accounts:break_glass") + f"?ct={ct}&id={case.clinic.pk}"


def _home_here(case: BudgetCase) -> str:
    """Home, in the test clinic chosen from the switcher (the first by name would be another
    one of the viewer's clinics, which lists nothing)."""
    session = case.client.session
    session[CLINIC_SESSION_KEY] = case.clinic.pk
    session.save()
    return reverse("web:home")


def _in_sudo_mode(name: str) -> Callable[[BudgetCase], str]:
    def url(case: BudgetCase) -> str:
        session = case.client.session
        session[SUDO_KEY] = timezone.now().timestamp()  # the password was just confirmed
        session.save()
        return reverse(name)

    return url


def _patients(case: BudgetCase, n: int) -> None:
    """``n`` patients of the clinic (the list shows 25 a page)."""
    rows = []
    for _ in range(n):
        i = next(_serial)
        rows.append(
            Patient(
                clinic=case.clinic,
                mrn=f"KC-B{i:05d}",
                legal_given_name=f"Budget{i}",
                legal_family_name=f"Budget Patient {i}",
                date_of_birth=dt.date(1980, 1, 1) + dt.timedelta(days=i),
                sex_at_birth="female",
            )
        )
    Patient.objects.bulk_create(rows)


def _chart_rows(case: BudgetCase, n: int) -> None:
    """``n`` of each history row the chart tabs list, every third struck through, recorded by
    different people."""
    nurse, physician = case.users[Role.NURSE], case.users[Role.PHYSICIAN]
    p = case.patient
    for _ in range(n):
        i = next(_serial)
        who = nurse if i % 2 else physician
        struck = (
            {"struck_at": NOW, "struck_by": physician, "struck_reason": "Budget"}
            if i % 3 == 0
            else {}
        )
        BodyMeasurement.objects.create(
            patient=p,
            recorded_by=who,
            measured_on=dt.date(2026, 1, 1),
            height_cm=170,
            weight_kg=70 + i % 20,
            method="measured",
            **struck,
        )
        Medication.objects.create(patient=p, recorded_by=who, name=f"Budget med {i}", **struck)
        Diagnosis.objects.create(
            patient=p,
            recorded_by=who,
            icd10_code="F41.1",
            description=f"Budget diagnosis {i}",
            **struck,
        )
        SubstanceUse.objects.create(
            patient=p, recorded_by=who, substance=f"Budget substance {i}", pattern="past", **struck
        )
        SafetyFlag.objects.create(
            patient=p, raised_by=who, kind="budget", detail=f"Budget flag {i}"
        )


def _responses(case: BudgetCase, n: int) -> None:
    """``n`` weekly PHQ-9 scores of the patient (every fifth struck through), and ``n`` GAD-7."""
    start = NOW - dt.timedelta(weeks=n + 60)
    for instrument_id, top in (("phq9", 27), ("gad7", 21)):
        for _ in range(n):
            i = next(_serial)
            r = write_response(
                case.patient,
                instrument_id,
                answers_for_total(instrument_id, i % top),
                start + dt.timedelta(weeks=i % 500, minutes=i),
            )
            if i % 5 == 0:
                Response.objects.filter(pk=r.pk).update(struck_at=NOW, struck_reason="Budget")


def _outcomes(name: str, *args: str) -> Callable[[BudgetCase], str]:
    return lambda case: reverse(f"outcomes:{name}", args=[case.patient.pk, *args])


def _budget_protocol(case: BudgetCase) -> Protocol:
    found = Protocol.objects.filter(clinic=case.clinic, builtin_id="depression").first()
    if found is None:
        physician = member(case.users[Role.PHYSICIAN], case.clinic)
        found = treatment_actions.copy_protocol(physician, case.clinic, "depression")
    return found


def _protocols(case: BudgetCase, n: int) -> None:
    """``n`` protocols of the clinic (each with one version)."""
    for _ in range(n):
        i = next(_serial)
        protocol = Protocol.objects.create(
            clinic=case.clinic, builtin_id="ptsd", title=f"Budget protocol {i}", indication="X"
        )
        ProtocolVersion.objects.create(
            protocol=protocol, number=1, data=library.builtin("ptsd"), change_note="Copied."
        )


def _protocol_versions(case: BudgetCase, n: int) -> None:
    protocol = _budget_protocol(case)
    data = protocol.versions.get(number=1).data
    start = protocol.versions.count() + 1
    ProtocolVersion.objects.bulk_create(
        ProtocolVersion(
            protocol=protocol, number=start + j, data=data, change_note=f"Budget change {j}",
            created_by=case.users[Role.PHYSICIAN],
        )
        for j in range(n)
    )  # fmt: skip


def _budget_plan(case: BudgetCase) -> TreatmentPlan:
    found = TreatmentPlan.objects.filter(patient=case.patient).first()
    if found is None:
        physician = member(case.users[Role.PHYSICIAN], case.clinic)
        weight = BodyMeasurement.objects.create(
            patient=case.patient, measured_on=dt.date(2026, 2, 1), weight_kg=80, height_cm=170,
            method="measured",
        )  # fmt: skip
        found = treatment_actions.draft_plan(
            physician,
            case.patient,
            protocol_version=_budget_protocol(case).versions.get(number=1),
            dose_mg_per_kg=0.5,
            measurement=weight,
        )
    return found


def _plan_versions(case: BudgetCase, n: int) -> None:
    """``n`` more versions of the budget patient's plan, by different people, half signed."""
    plan = _budget_plan(case)
    first = plan.versions.get(number=1)
    start = plan.versions.count() + 1
    for j in range(n):
        first.pk = None
        first.number = start + j
        first.reason = f"Budget reason {j}"
        first.diff = {"goals": ["", f"Budget goal {j}"]}
        first.created_by = case.users[Role.PHYSICIAN if j % 2 else Role.NURSE]
        first.signed_by = case.users[Role.PHYSICIAN] if j % 2 else None
        first.signed_at = NOW if j % 2 else None
        first.save()


def _plan_tab(name: str) -> Callable[[BudgetCase], str]:
    def url(case: BudgetCase) -> str:
        _budget_plan(case)
        return reverse(f"treatment:{name}", args=[case.patient.pk])

    return url


def _protocol_page(name: str) -> Callable[[BudgetCase], str]:
    return lambda case: reverse(f"treatment:{name}", args=[_budget_protocol(case).pk])


def _chart(name: str) -> Callable[[BudgetCase], str]:
    return lambda case: reverse(f"patients:{name}", args=[case.patient.pk])


def _budget_patient(case: BudgetCase) -> Patient:
    patient = Patient.objects.filter(clinic=case.clinic, mrn="BUDGET1").first()
    if patient is None:
        patient = complete_record(make_screened_patient(case.clinic, sex="female"))
        Patient.objects.filter(pk=patient.pk).update(mrn="BUDGET1")
        patient.refresh_from_db()
    return patient


def _eligibility_tab(case: BudgetCase) -> str:
    return reverse("eligibility:tab", args=[_budget_patient(case).pk])


def _decisions(case: BudgetCase, n: int) -> None:
    """``n`` more signed decisions on the budget patient."""
    patient = _budget_patient(case)
    for _ in range(n):
        i = next(_serial)
        EligibilityDecision.objects.create(
            patient=patient,
            decision="eligible",
            reason=f"Budget decision {i}",
            screening_status="eligible",
            fingerprint="x" * 64,
            ruleset_version="test",
            signed_by=case.users[Role.PHYSICIAN],
        )


def _consent_template(case: BudgetCase, kind: str = Kind.OFF_LABEL) -> ConsentTemplate:
    template, _ = ConsentTemplate.objects.get_or_create(
        clinic=case.clinic, kind=kind, version=1, defaults={"title": "Budget text", "body": "B"}
    )
    return template


def _consents(case: BudgetCase, n: int) -> None:
    """``n`` consents of the patient (a sharing one in three), each with two events."""
    template = _consent_template(case)
    physician = case.users[Role.PHYSICIAN]
    for _ in range(n):
        i = next(_serial)
        consent = Consent.objects.create(
            clinic=case.clinic,
            patient=case.patient,
            template=template,
            status="signed" if i % 2 else "revoked",
            indications=[f"Budget indication {i}"],
            signed_at=NOW,
            witnessed_by=physician,
        )
        ConsentEvent.objects.bulk_create(
            ConsentEvent(consent=consent, kind=kind, by=physician, at=NOW)
            for kind in ("created", "signed")
        )


def _consent_events(case: BudgetCase, n: int) -> None:
    consent = _the_consent(case)
    ConsentEvent.objects.bulk_create(
        ConsentEvent(
            consent=consent, kind="reconsent", by=case.users[Role.NURSE], at=NOW,
            reason=f"Budget reason {next(_serial)}",
        )
        for _ in range(n)
    )  # fmt: skip


def _the_consent(case: BudgetCase) -> Consent:
    consent, _ = Consent.objects.get_or_create(
        clinic=case.clinic, patient=case.patient, template=_consent_template(case)
    )
    return consent


def _template_versions(case: BudgetCase, n: int) -> None:
    start = ConsentTemplate.objects.filter(clinic=case.clinic).count() + 1
    ConsentTemplate.objects.bulk_create(
        ConsentTemplate(
            clinic=case.clinic, kind=Kind.AGREEMENT, version=start + j, title="Agreement",
            body="B", change_note=f"Budget change {start + j}",
            published_by=case.users[Role.PHYSICIAN],
        )
        for j in range(n)
    )  # fmt: skip


def _signed_consent_pdf(case: BudgetCase) -> str:
    from ketaclinic.consents import actions

    physician = member(case.users[Role.PHYSICIAN], case.clinic)
    draft = actions.create_consent(physician, case.patient, Kind.AGREEMENT)
    actions.sign_consent(physician, draft, typed_name="Budget Patient")
    return reverse("consents:pdf", args=[case.patient.pk, draft.pk])


def _consent_url(name: str) -> Callable[[BudgetCase], str]:
    return lambda case: reverse(name, args=[case.patient.pk, _the_consent(case).pk])


def _invitations_of_viewer(case: BudgetCase, n: int) -> None:
    for _ in range(n):
        i = next(_serial)
        clinic = Clinic.objects.create(name=f"Budget Inviting Clinic {i}", slug=f"budget-inv-{i}")
        inviter = User.objects.create(
            email=f"budget.inviter{i}@example.org", full_name=f"Budget Inviter {i}"
        )
        Invitation.objects.create(
            clinic=clinic,
            user=case.viewer,
            role=Role.NURSE,
            invited_by=inviter,
            expires_at=NOW + dt.timedelta(days=7),
        )


def _professionals(case: BudgetCase, n: int) -> list[OutsideProfessional]:
    made = []
    for _ in range(n):
        i = next(_serial)
        made.append(
            OutsideProfessional.objects.create(
                clinic=case.clinic,
                name=f"Budget Pro {i}",
                credentials="LCSW",
                phone="+15550100123",
                specialties=["trauma", "addiction"],
                in_directory=True,
                accepting_referrals=True,
            )
        )
    return made


def _team_rows(case: BudgetCase, n: int) -> None:
    """``n`` professionals, each on the patient's team (half since left) and each with a
    referral of two steps."""
    for k, pro in enumerate(_professionals(case, n)):
        CareTeamMember.objects.create(
            patient=case.patient,
            role=TeamRole.OUTSIDE_PROFESSIONAL,
            professional=pro,
            left_at=NOW if k % 2 else None,
        )
        referral = Referral.objects.create(
            patient=case.patient, professional=pro, status=ReferralStatus.CONTACTED
        )
        for status in (ReferralStatus.SUGGESTED, ReferralStatus.CONTACTED):
            ReferralEvent.objects.create(
                referral=referral, status=status, note="Budget note", by=case.viewer
            )


def _professional_page(name: str) -> Callable[[BudgetCase], str]:
    def url(case: BudgetCase) -> str:
        pro = OutsideProfessional.objects.create(clinic=case.clinic, name="Budget Page Pro")
        return reverse(name, args=[pro.pk])

    return url


def _intake_page(name: str, **extra: str) -> Callable[[BudgetCase], str]:
    """A page of the intake of a patient whose intake is under way, with a link sent."""

    def url(case: BudgetCase) -> str:
        from ketaclinic.intake.actions import start_intake
        from ketaclinic.patients.tests.base import make_patient
        from ketaclinic.securelinks.actions import create_link
        from ketaclinic.securelinks.models import Purpose

        coordinator = member(case.users[Role.COORDINATOR], case.clinic)
        patient = make_patient(case.clinic, case.users[Role.COORDINATOR], email="b@example.com")
        submission = start_intake(coordinator, patient)
        create_link(
            coordinator,
            patient,
            purpose=Purpose.INTAKE,
            target=submission,
            lifetime=dt.timedelta(days=7),
        )
        return reverse(name, kwargs={"pk": str(patient.pk), **extra})

    return url


def _patient_page(name: str) -> Callable[[BudgetCase], str]:
    return lambda case: reverse(name, args=[case.patient.pk])


BOARD_DAY = dt.date(2030, 3, 4)


def _schedule_rows(case: BudgetCase, n: int) -> None:
    """``n`` chairs, each with a closure and a duty day."""
    from ketaclinic.scheduling.models import Chair, Closure, DutyAssignment

    nurse = member(case.users[Role.NURSE], case.clinic)
    for _ in range(n):
        i = next(_serial)
        chair = Chair.objects.create(clinic=case.clinic, name=f"Budget Chair {i}")
        Closure.objects.create(
            clinic=case.clinic, chair=chair, starts_on=BOARD_DAY, ends_on=BOARD_DAY,
            reason=f"Budget closure {i}",
        )  # fmt: skip
        DutyAssignment.objects.create(
            clinic=case.clinic, day=BOARD_DAY + dt.timedelta(days=i), membership=nurse
        )


def _board_rows(case: BudgetCase, n: int) -> None:
    """``n`` bookings on the board's day, each on its own chair, for its own patient, every
    other one with a signed decision and a stored screening."""
    from ketaclinic.eligibility.models import EligibilityDecision, PatientScreening
    from ketaclinic.scheduling.models import Booking, Chair

    for k in range(n):
        i = next(_serial)
        chair = Chair.objects.create(clinic=case.clinic, name=f"Board Chair {i}")
        patient = Patient.objects.create(
            clinic=case.clinic, mrn=f"KC-D{i:05d}", legal_given_name="Board",
            legal_family_name=f"Budget {i}", date_of_birth=dt.date(1980, 1, 1),
            sex_at_birth="female", escort_name="E" if k % 2 else "",
        )  # fmt: skip
        booking = Booking.objects.create(
            clinic=case.clinic, patient=patient, chair=chair,
            starts_at=dt.datetime.combine(BOARD_DAY, dt.time(9), dt.UTC),
            infusion_minutes=40, recovery_minutes=60,
        )  # fmt: skip
        if not k % 2:  # every other visit under way: the infusions app's live status
            from ketaclinic.infusions.models import InfusionSession, VitalsReading

            session = InfusionSession.objects.create(
                clinic=case.clinic, patient=patient, booking=booking, state="infusing",
                started_at=booking.starts_at, ordered_duration_min=40,
            )  # fmt: skip
            VitalsReading.objects.create(
                session=session, clinical_at=booking.starts_at, phase="infusion",
                entered_by=case.users[Role.NURSE], idempotency_key="b", systolic_mmhg=130,
                diastolic_mmhg=80, heart_rate_bpm=70, spo2_percent=98, resp_rate_per_min=14,
            )  # fmt: skip
        if k % 2:
            EligibilityDecision.objects.create(
                patient=patient, decision="eligible", reason="B", screening_status="eligible",
                fingerprint="x" * 64, ruleset_version="t", signed_by=case.users[Role.PHYSICIAN],
            )  # fmt: skip
            PatientScreening.objects.create(
                patient=patient, status="eligible", fingerprint="y" * 64, ruleset_version="t"
            )


def _booking_page(case: BudgetCase) -> str:
    from ketaclinic.scheduling.models import Booking, Chair

    chair = Chair.objects.create(clinic=case.clinic, name="Budget page chair")
    booking = Booking.objects.create(
        clinic=case.clinic, patient=case.patient, chair=chair,
        starts_at=dt.datetime.combine(BOARD_DAY, dt.time(9), dt.UTC),
        infusion_minutes=40, recovery_minutes=60,
    )  # fmt: skip
    return reverse("scheduling:booking", args=[booking.pk])


def _infusion_rules(case: BudgetCase, n: int) -> None:
    """``n`` threshold rules of the clinic, through the settings action (after the defaults)."""
    from ketaclinic.infusions.actions.settings import add_rule

    by = member(case.users[Role.PHYSICIAN], case.clinic)
    for _ in range(n):
        add_rule(by, case.clinic, action="alert", measure="heart_rate", comparison="ge",
                 value=120, source="Budget [D]", name=f"Budget rule {next(_serial)}")  # fmt: skip


def _formulary_rows(case: BudgetCase, n: int) -> None:
    """``n`` more drugs of the clinic's formulary, through the settings action."""
    from ketaclinic.infusions.actions.settings import add_drug

    by = member(case.users[Role.PHYSICIAN], case.clinic)
    for _ in range(n):
        i = next(_serial)
        add_drug(by, case.clinic, key=f"budget-{i}", values={
            "name": f"Budget drug {i}", "route": "IV", "indication": "Budget",
            "max_single_dose_mg": 1.0, "source": "Budget [D]",
        })  # fmt: skip


def _prechecks_rows(case: BudgetCase, n: int) -> None:
    """``n`` recorded checks, every other one failed and overridden, on the newest session."""
    from ketaclinic.infusions.models import CheckOverride, InfusionSession, PreCheck

    session = InfusionSession.objects.latest("id")
    for k in range(n):
        item = ("vitals", "fasting", "escort", "equipment")[k % 4]
        row = PreCheck.objects.create(
            session=session, item=item, result="fail" if k % 2 else "pass",
            summary=f"Budget check {k}", recorded_by=case.users[Role.NURSE],
        )  # fmt: skip
        if k % 2:
            CheckOverride.objects.create(
                session=session, item=item, precheck=row, reason="Budget",
                by=case.users[Role.PHYSICIAN],
            )  # fmt: skip


def _session_url(name: str, state: str = "scheduled") -> Callable[[BudgetCase], str]:
    def url(case: BudgetCase) -> str:
        from ketaclinic.infusions.models import InfusionSession
        from ketaclinic.scheduling.models import Booking, Chair

        chair = Chair.objects.create(clinic=case.clinic, name="Budget session chair")
        booking = Booking.objects.create(
            clinic=case.clinic, patient=case.patient, chair=chair,
            starts_at=dt.datetime.combine(BOARD_DAY, dt.time(9), dt.UTC),
            infusion_minutes=40, recovery_minutes=60,
        )  # fmt: skip
        session = InfusionSession.objects.create(
            clinic=case.clinic, patient=case.patient, booking=booking, state=state
        )
        return reverse(name, args=[session.pk])

    return url


def _infusing_session(case: BudgetCase) -> str:
    """A session at the chair with the pump running (the charting panels shown)."""
    url = _session_url("infusions:session")(case)
    from ketaclinic.infusions.models import InfusionSession

    InfusionSession.objects.filter(booking__chair__name="Budget session chair").update(
        state="infusing"
    )
    return url


def _readings(case: BudgetCase, n: int) -> None:
    """``n`` struck readings (each row shows its strike reason once) and a rule firing on each."""
    from ketaclinic.infusions import defaults
    from ketaclinic.infusions.models import (
        InfusionSession,
        RuleFiring,
        ThresholdRule,
        VitalsReading,
    )

    session = InfusionSession.objects.get(booking__chair__name="Budget session chair")
    defaults.ensure_default_rules(case.clinic)
    rule = ThresholdRule.objects.filter(clinic=case.clinic).earliest("position")
    for _ in range(n):
        reading = VitalsReading.objects.create(
            session=session, phase="infusion", clinical_at=NOW, entered_by=case.users[Role.NURSE],
            idempotency_key=f"budget-{next(_serial)}", systolic_mmhg=185, diastolic_mmhg=90,
            heart_rate_bpm=80, spo2_percent=97, resp_rate_per_min=14, struck_at=NOW,
            struck_by=case.users[Role.NURSE], strike_reason="Budget reading",
        )  # fmt: skip
        RuleFiring.objects.create(session=session, rule=rule, reading=reading, rule_text="x")


LIVE_START = NOW - dt.timedelta(minutes=40)


def _live_session_url(name: str) -> Callable[[BudgetCase], str]:
    """A session infusing since 40 min before NOW (1 mg/mL, 60 mL/h) with the budget
    patient's plan version pinned: every live panel shows and the prediction runs."""

    def url(case: BudgetCase) -> str:
        from ketaclinic.infusions.models import InfusionSession, PumpEvent
        from ketaclinic.scheduling.models import Booking, Chair

        chair = Chair.objects.create(clinic=case.clinic, name="Budget live chair")
        booking = Booking.objects.create(
            clinic=case.clinic, patient=case.patient, chair=chair, starts_at=LIVE_START,
            infusion_minutes=40, recovery_minutes=60,
        )  # fmt: skip
        session = InfusionSession.objects.create(
            clinic=case.clinic, patient=case.patient, booking=booking, state="infusing",
            plan_version=_budget_plan(case).latest, container_drug_mg=50,
            container_volume_ml=50, ordered_dose_mg=40, ordered_duration_min=40,
            ordered_rate_ml_per_h=60, started_at=LIVE_START,
        )  # fmt: skip
        PumpEvent.objects.create(
            session=session, kind="start", rate_ml_per_h=60, clinical_at=LIVE_START,
            entered_by=case.users[Role.NURSE], idempotency_key=f"budget-{next(_serial)}",
        )  # fmt: skip
        return reverse(name, args=[session.pk])

    return url


def _live_rows(case: BudgetCase, n: int) -> None:
    """``n`` rows of each kind on the live session: a reading, a struck reading (the row
    text is its strike reason), a rate change, a rule firing, an adverse event and a rescue
    dose, each a few seconds after the last."""
    from ketaclinic.infusions.models import (
        AdverseEvent,
        FormularyDrug,
        InfusionSession,
        PumpEvent,
        RescueDose,
        RuleFiring,
        ThresholdRule,
        VitalsReading,
    )  # fmt: skip

    session = InfusionSession.objects.get(booking__chair__name="Budget live chair")
    nurse = case.users[Role.NURSE]
    rule = ThresholdRule.objects.filter(clinic=case.clinic).first() or ThresholdRule.objects.create(
        clinic=case.clinic, name="Budget rule", action="pause", measure="systolic",
        comparison="ge", value=180, source="Budget",
    )  # fmt: skip
    drug = FormularyDrug.objects.filter(clinic=case.clinic).first() or FormularyDrug.objects.create(
        clinic=case.clinic, key="ondansetron", name="Ondansetron", indication="Nausea",
        source="Budget",
    )  # fmt: skip
    for _ in range(n):
        i = next(_serial)
        t = LIVE_START + dt.timedelta(
            seconds=10 + PumpEvent.objects.filter(session=session).count() * 20
        )
        entry = {"session": session, "clinical_at": t, "entered_at": t, "entered_by": nurse}
        vitals = {
            "phase": "infusion", "systolic_mmhg": 130, "diastolic_mmhg": 80,
            "heart_rate_bpm": 70, "spo2_percent": 98, "resp_rate_per_min": 14,
        }  # fmt: skip
        reading = VitalsReading.objects.create(idempotency_key=f"r{i}", **entry, **vitals)
        VitalsReading.objects.create(
            idempotency_key=f"s{i}", struck_at=t, struck_by=nurse,
            strike_reason=f"Budget strike {i}", **entry, **vitals,
        )  # fmt: skip
        PumpEvent.objects.create(
            idempotency_key=f"p{i}", kind="rate", rate_ml_per_h=60 - i % 7, reason="Budget",
            **entry,
        )  # fmt: skip
        firing = RuleFiring.objects.create(
            session=session, rule=rule, reading=reading, rule_text="Budget rule", fired_at=t
        )
        event = AdverseEvent.objects.create(
            idempotency_key=f"e{i}", kind="nausea", severity="mild", reading=reading, **entry
        )
        RescueDose.objects.create(
            idempotency_key=f"d{i}", drug=drug, dose_mg=4, route="IV", ordered_by=nurse,
            adverse_event=event, firing=firing, **entry,
        )  # fmt: skip


def _session_readings(case: BudgetCase, n: int) -> None:
    """``n`` readings of the budget session, struck through (their reason on the note)."""
    from ketaclinic.infusions.models import InfusionSession, VitalsReading

    session = InfusionSession.objects.get(booking__chair__name="Budget session chair")
    at = dt.datetime.combine(BOARD_DAY, dt.time(9), dt.UTC)
    for _ in range(n):
        serial = next(_serial)
        VitalsReading.objects.create(
            session=session, phase="infusion", clinical_at=at, entered_at=at,
            entered_by=case.users[Role.NURSE], idempotency_key=f"budget-{serial}",
            systolic_mmhg=120, diastolic_mmhg=80, heart_rate_bpm=70, spo2_percent=98,
            resp_rate_per_min=14, struck_at=at, struck_by=case.users[Role.NURSE],
            strike_reason=f"Budget reading {serial}",
        )  # fmt: skip


def _booking_events(case: BudgetCase, n: int) -> None:
    from ketaclinic.scheduling.models import Booking, BookingEvent

    booking = Booking.objects.get(chair__name="Budget page chair")
    for _ in range(n):
        BookingEvent.objects.create(
            booking=booking, kind="rescheduled", by=case.users[Role.NURSE],
            reason=f"Budget event {next(_serial)}", from_chair=booking.chair,
            to_chair=booking.chair,
        )  # fmt: skip


# The chart header's next visit (scheduling.chart) and current treatment plan
# (treatment.chart): one query each on every chart page.
NEXT_VISIT = 2
TEAM_BUDGET = 32 + NEXT_VISIT
DIRECTORY_BUDGET = 12


def _questionnaire_rows(case: BudgetCase, n: int) -> None:
    """``n`` responses of the budget patient (entered by different people, every third struck
    through, every fifth with a safety alert) and ``n`` questionnaire sends waiting."""
    from ketaclinic.measurement.models import QuestionnaireRequest, Response, SafetyAlert

    nurse, physician = case.users[Role.NURSE], case.users[Role.PHYSICIAN]
    for _ in range(n):
        i = next(_serial)
        struck = (
            {"struck_at": NOW, "struck_by": physician, "struck_reason": "Budget"}
            if i % 3 == 0
            else {}
        )
        response = Response.objects.create(
            patient=case.patient,
            instrument_id="phq9",
            instrument_version="1",
            answers=[1] * 9,
            total=9,
            severity="mild",
            administered_at=NOW,
            entered_by=nurse if i % 2 else physician,
            channel="staff",
            **struck,
        )
        if i % 5 == 0:
            SafetyAlert.objects.create(
                clinic=case.clinic, patient=case.patient, response=response, reason="Budget alert"
            )
        QuestionnaireRequest.objects.create(
            clinic=case.clinic, patient=case.patient, instruments=["phq9", "gad7"]
        )


def _measurement(name: str, *args: Callable[[BudgetCase], object]) -> Callable[[BudgetCase], str]:
    return lambda case: reverse(
        f"measurement:{name}", args=[case.patient.pk, *[a(case) for a in args]]
    )


def _an_alert(case: BudgetCase) -> int:
    from ketaclinic.measurement.models import Response, SafetyAlert

    response = Response.objects.create(
        patient=case.patient,
        instrument_id="phq9",
        instrument_version="1",
        answers=[1] * 9,
        total=9,
        administered_at=NOW,
        channel="staff",
    )
    return SafetyAlert.objects.create(
        clinic=case.clinic, patient=case.patient, response=response, reason="Budget alert"
    ).pk


# --- the budgets ------------------------------------------------------------------------

# "5 +" below is the middleware's five (session, user, TOTP device, UserSession, Membership);
# "audit entry" is the five statements of a recorded view (savepoint, chain head, insert,
# update, release).
# --- the controlled-substance ledger ----------------------------------------------------


def _ledger(case: BudgetCase) -> Any:
    """The test clinic's ledger set up once per test (registration, safe, cabinet, drugs)."""
    from ketaclinic.ledger.tests.base import Stock

    if getattr(case, "ledger_stock", None) is None:
        case.ledger_stock = Stock(case.clinic, member(case.users[Role.CUSTODIAN], case.clinic))
    return case.ledger_stock


def _vials(case: BudgetCase, n: int) -> list[Any]:
    """``n`` more vials (labels "BudgetVial-…"), received into the safe."""
    stock = _ledger(case)
    from ketaclinic.ledger.actions import stock as stock_actions
    from ketaclinic.ledger.models import Container

    i = next(_serial)
    txns = stock_actions.receive(
        stock.custodian, drug=stock.ketamine, supplier=stock.supplier, lot_number=f"BL{i}",
        expiry=dt.date(2031, 1, 1), invoice_number=f"BI{i}", received_on=dt.date(2026, 1, 5),
        location=stock.safe, labels=[f"BudgetVial-{i}-{k}" for k in range(n)],
    )  # fmt: skip
    return list(Container.objects.filter(pk__in=[t.container_id for t in txns]))


def _ledger_page(
    name: str, make: Callable[[BudgetCase], Any] | None = None, query: str = ""
) -> Callable[[BudgetCase], str]:
    def url(case: BudgetCase) -> str:
        _ledger(case)
        path = reverse(name) if make is None else reverse(name, args=[make(case).pk])
        return path + (f"?{query}" if query else "")

    return url


def _first_vial(case: BudgetCase) -> Any:
    from ketaclinic.ledger.models import Container

    return Container.objects.filter(clinic=case.clinic).first() or _vials(case, 1)[0]


def _moves(case: BudgetCase, n: int) -> None:
    """``n`` transfers of the first vial, back and forth (its history's rows)."""
    from ketaclinic.ledger.actions import stock as stock_actions
    from ketaclinic.ledger.models import ContainerBalance

    stock = _ledger(case)
    vial = _first_vial(case)
    for _ in range(n):
        here = ContainerBalance.objects.get(container=vial).location_id
        to = stock.cabinet if here == stock.safe.pk else stock.safe
        stock_actions.transfer(stock.custodian, vial, to, reason="Budget move")


def _a_count(case: BudgetCase) -> Any:
    from ketaclinic.ledger.models import Count

    _ledger(case)
    return Count.objects.create(clinic=case.clinic, counted_by=case.users[Role.CUSTODIAN])


def _count_lines(case: BudgetCase, n: int) -> None:
    from ketaclinic.ledger.models import Count, CountLine

    count = Count.objects.get(clinic=case.clinic)
    CountLine.objects.bulk_create(
        CountLine(count=count, container=v, counted_ml=20, counted_mg=200, expected_ml=20,
                  expected_mg=200)
        for v in _vials(case, n)
    )  # fmt: skip


def _discrepancies(case: BudgetCase, n: int) -> None:
    from ketaclinic.ledger.models import Discrepancy

    vial = _first_vial(case)
    Discrepancy.objects.bulk_create(
        Discrepancy(clinic=case.clinic, source="count", container=vial, expected_mg=200,
                    found_mg=190, summary="Budget discrepancy")
        for _ in range(n)
    )  # fmt: skip


def _a_discrepancy(case: BudgetCase) -> Any:
    from ketaclinic.ledger.models import Discrepancy

    _discrepancies(case, 1)
    return Discrepancy.objects.filter(clinic=case.clinic).first()


def _notes(case: BudgetCase, n: int) -> None:
    from ketaclinic.ledger.models import Discrepancy, DiscrepancyNote

    d = Discrepancy.objects.filter(clinic=case.clinic).first()
    DiscrepancyNote.objects.bulk_create(
        DiscrepancyNote(discrepancy=d, text="Budget note", written_by=case.users[Role.NURSE])
        for _ in range(n)
    )


def _an_inventory(case: BudgetCase) -> Any:
    from ketaclinic.ledger.models import Inventory

    stock = _ledger(case)
    return Inventory.objects.create(
        clinic=case.clinic, registration=stock.registration, kind="initial",
        taken_on=dt.date(2026, 1, 5), business_time="opening",
        taken_by=case.users[Role.CUSTODIAN],
    )  # fmt: skip


def _inventory_lines(case: BudgetCase, n: int) -> None:
    from ketaclinic.ledger.models import Inventory, InventoryLine

    inv = Inventory.objects.get(clinic=case.clinic)
    InventoryLine.objects.bulk_create(
        InventoryLine(inventory=inv, container=v, opened=False, counted_ml=20, counted_mg=200,
                      expected_ml=20, expected_mg=200)
        for v in _vials(case, n)
    )  # fmt: skip


def _sessions_today(case: BudgetCase, n: int) -> None:
    """``n`` sessions booked at noon today in clinic time, each patient on their own chair
    (a patient and a chair have one visit at a time)."""
    from ketaclinic.access.zones import clinic_today, clinic_zone
    from ketaclinic.infusions.models import InfusionSession
    from ketaclinic.ledger.tests.base import add_patient
    from ketaclinic.scheduling.models import Booking, Chair

    noon = dt.datetime.combine(clinic_today(case.clinic), dt.time(12), clinic_zone(case.clinic))
    for _ in range(n):
        patient = add_patient(case.clinic)
        chair = Chair.objects.create(
            clinic=case.clinic, name=f"Budget ledger chair {next(_serial)}"
        )
        booking = Booking.objects.create(
            clinic=case.clinic, patient=patient, chair=chair, starts_at=noon,
            infusion_minutes=40, recovery_minutes=60,
        )  # fmt: skip
        InfusionSession.objects.create(clinic=case.clinic, patient=patient, booking=booking)


def _custodian_home_rows(case: BudgetCase, n: int) -> None:
    _home_rows(case, n)
    _discrepancies(case, n)


BUDGETS: dict[str, list[Budget]] = {
    # The measurement app (chart pages): 5 + the patient, the chart's header items (about 11:
    # allergies, flags, safety alerts, the eligibility screening's reads, care team, consents),
    # the audit entry of the view (not on send), then responses, alerts and sends (one query
    # each, who entered them joined); the alert page adds the clinic's settings row; the
    # settings page: 5 + the settings row and the physicians to choose from.
    "measurement:questionnaires": [
        Budget(
            29 + NEXT_VISIT,  # + 1: the schedule and its next send (the Schedule link)
            _measurement("questionnaires"),
            _questionnaire_rows,
            role=Role.PHYSICIAN,
            row_text='<td data-label="Questionnaire">',
        )
    ],
    "measurement:enter": [Budget(25 + NEXT_VISIT, _measurement("enter"), role=Role.NURSE)],
    "measurement:send": [Budget(20 + NEXT_VISIT, _measurement("send"), role=Role.COORDINATOR)],
    # The schedule page: the send page's reads, the audit entry, the schedule and its next sends.
    "measurement:schedule": [Budget(26 + NEXT_VISIT, _measurement("schedule"), role=Role.NURSE)],
    "measurement:alert": [
        Budget(29 + NEXT_VISIT, _measurement("alert", _an_alert), role=Role.PHYSICIAN)
    ],
    "measurement:settings": [Budget(7, _to("measurement:settings"))],
    # The controlled-substance ledger (ketaclinic.ledger.views). 5 + what each page reads,
    # one query each: the stock (balances, lots, drugs, suppliers, locations joined); a
    # vial's history (the vial, its entries with people and sessions joined); the forms'
    # choices (vials with stock; + locations to move to; the receipt's drugs, suppliers and
    # locations); a count's lines; the discrepancy lists (open, resolved, loss reports); a
    # discrepancy and its notes; the reports (rows, and the filter's patients, staff, lots;
    # the exports add their audit entry, and no filter choices); the inventory page
    # (registration, vials, registrations and their inventories, the list); today's sessions
    # (the sessions, their entries, open discrepancies).
    "ledger:stock": [
        Budget(6, _ledger_page("ledger:stock"), _vials, role=Role.CUSTODIAN, row_text="BudgetVial-")
    ],
    "ledger:container": [
        Budget(
            7,
            _ledger_page("ledger:container", _first_vial),
            _moves,
            role=Role.CUSTODIAN,
            row_text="Budget move",
        )
    ],
    "ledger:receive": [Budget(8, _ledger_page("ledger:receive"), role=Role.CUSTODIAN)],
    **{
        f"ledger:{name}": [
            Budget(
                n,
                _ledger_page(f"ledger:{name}"),
                _vials,
                role=Role.CUSTODIAN,
                row_text="BudgetVial-",
            )
        ]
        for name, n in (
            ("transfer", 7),
            ("count", 6),
            ("loss", 6),
            ("destroy", 6),
            ("adjust", 6),
            ("inventory", 10),
        )
    },
    "ledger:sessions": [
        Budget(
            8,
            _ledger_page("ledger:sessions"),
            _sessions_today,
            role=Role.CUSTODIAN,
            row_text="Budget ledger chair",
        )
    ],
    "ledger:count_result": [
        Budget(
            7,
            _ledger_page("ledger:count_result", _a_count),
            _count_lines,
            role=Role.CUSTODIAN,
            row_text="BudgetVial-",
        )
    ],
    "ledger:discrepancies": [
        Budget(
            8,
            _ledger_page("ledger:discrepancies"),
            _discrepancies,
            role=Role.CUSTODIAN,
            row_text="Budget discrepancy",
        )
    ],
    "ledger:discrepancy": [
        Budget(
            7,
            _ledger_page("ledger:discrepancy", _a_discrepancy),
            _notes,
            role=Role.CUSTODIAN,
            row_text="Budget note",
        )
    ],
    "ledger:reports": [
        Budget(
            9,
            _ledger_page("ledger:reports", query="report=receipts"),
            _vials,
            role=Role.PHYSICIAN,
            row_text="BudgetVial-",
        )
    ],
    **{
        f"ledger:{name}": [
            Budget(
                11,
                _ledger_page(f"ledger:{name}", query="report=receipts"),
                _vials,
                role=Role.CUSTODIAN,
            )
        ]
        for name in ("report_csv", "report_pdf")
    },
    "ledger:inventory_pdf": [
        Budget(
            7,
            _ledger_page("ledger:inventory_pdf", _an_inventory),
            _inventory_lines,
            role=Role.CUSTODIAN,
        )
    ],
    # The role home pages (web/home.py): 5 + each role's queues, every one a count and its
    # first rows; the shell's clinic switcher reads the middleware's memberships.
    "web:home": [
        # + 1: the viewer's own invitations waiting for an answer (every home page)
        Budget(
            6 + extra,
            _home_here,
            _custodian_home_rows if role == Role.CUSTODIAN else _home_rows,
            role=role,
            row_text=text,
            variant=role,
        )
        for role, extra, text in (
            # counts (one aggregate), five queues, intakes to chase (count, rows)
            (Role.COORDINATOR, 8, "Budget Lead"),
            # counts, the leads to prepare, the eligibility queue (count, rows), open safety
            # alerts (count, rows)
            (Role.PHYSICIAN, 6, "Budget Lead"),
            # counts, the leads, open safety alerts, screenings missing information
            (Role.NURSE, 6, "Budget Lead"),
            # the clinic's admins; the ledger's open discrepancies, loss reports with a DEA
            # step due, registrations and their newest inventories
            (Role.CUSTODIAN, 5, "Budget discrepancy"),
            # live grants, their records (one query per kind), the clinic's admins
            (Role.OUTSIDE_PROFESSIONAL, 3, "Inquiry #"),
            # invitations (rows, count), inquiry counts, break-glass (rows, count), security
            # events (three counts: the clinic's, its people's, refused sign-ins on its people's
            # accounts; the page, the names)
            (Role.CLINIC_ADMIN, 10, "Budget Staff"),
        )
    ],
    "web:style_guide": [Budget(5, _to("web:style_guide"), role=Role.NURSE)],
    # 5 + owner choices, status counts, page count, rows (25 a page, owners joined), and the
    # audit entry recording that the list was opened.
    "inquiries:list": [
        Budget(
            14, _to("inquiries:list"), _inquiries, role=Role.COORDINATOR, row_text="Budget Person"
        )
    ],
    # 5 + inquiry, audit entry, contacts, history, owner choices, duplicates. Reading the
    # inquiry and its duplicates in one query makes 14 but the page slower: building the bigger
    # query costs more than the query it saves (benchmarks/pages.py).
    "inquiries:detail": [
        Budget(
            15,
            lambda case: reverse("inquiries:detail", args=[case.inquiry.pk]),
            _inquiry_history,
            role=Role.COORDINATOR,
            row_text="Budget contact",
        ),
        Budget(
            14,
            lambda case: reverse("inquiries:detail", args=[case.inquiry.pk]),
            _inquiry_history,
            role=Role.NURSE,  # reads only: no forms, so no owner choices
            row_text="Budget status",
            variant="read-only",
        ),
    ],
    # 5 + audit entry, three counts (the clinic's, its people's sign-ins, refused sign-ins on
    # its people's accounts), the page (a union),
    # its actors, one query per kind of object named (staff roles, accounts, clinics), the
    # people of the filter.
    "audit:report": [
        Budget(19, _to("audit:report"), _audit_entries, row_text="Budget entry", few=4)
    ],
    # 5 + audit entry, one streamed query for every row.
    "audit:export": [
        Budget(11, _to("audit:export"), _audit_entries, row_text="Budget entry", few=4)
    ],
    # 5 + TOTP device, recovery codes left, live sessions.
    "accounts:security": [Budget(8, _to("accounts:security"), _security_rows, role=Role.NURSE)],
    # Lists (sessions, break-glass, staff, shared access): 5 + count + page, related rows joined.
    "accounts:sessions": [
        Budget(
            7, _to("accounts:sessions"), _own_sessions, role=Role.NURSE, row_text="Budget browser"
        )
    ],
    "accounts:password_change": [Budget(5, _to("accounts:password_change"), role=Role.NURSE)],
    "accounts:email_change": [Budget(5, _in_sudo_mode("accounts:email_change"), role=Role.NURSE)],
    "accounts:reauth": [Budget(5, _to("accounts:reauth"), role=Role.NURSE)],
    "accounts:break_glass": [Budget(6, _break_glass_form, role=Role.NURSE)],  # 5 + the record
    "accounts:break_glass_review": [
        Budget(
            7,
            _to("accounts:break_glass_review", "show=all"),
            _break_glass_grants,
            row_text="Budget grant",
        )
    ],
    # + the invitations sent to existing accounts.
    "accounts:staff_list": [
        Budget(8, _to("accounts:staff_list"), _new_staff, row_text="Budget Staff")
    ],
    # 5 + the viewer's invitations, their clinics and inviters joined.
    "accounts:invitations": [
        Budget(
            6,
            _to("accounts:invitations"),
            _invitations_of_viewer,
            role=Role.NURSE,
            row_text="Budget Inviter",
        )
    ],
    # 5 + count + page.
    "careteam:professional_list": [
        Budget(
            7,
            _to("careteam:professional_list"),
            _professionals,
            role=Role.COORDINATOR,
            row_text="Budget Pro",
        )
    ],
    "careteam:professional_create": [Budget(5, _to("careteam:professional_create"))],
    # 5 + the professional, its latest invitation (the admin's)
    "careteam:professional_detail": [Budget(7, _professional_page("careteam:professional_detail"))],
    "careteam:professional_edit": [Budget(6, _professional_page("careteam:professional_edit"))],
    # The chart's Care team tab: 5 + patient, the chart header (13: allergies, open flags, the
    # eligibility screening's reads and decision, care team, consents' template versions and
    # live consents), audit entry (5), live team, former members, referrals, their events,
    # and the three forms' choices (physicians, nurses and coordinators, professionals).
    "careteam:team": [
        Budget(
            TEAM_BUDGET,
            _patient_page("careteam:team"),
            _team_rows,
            role=Role.COORDINATOR,
            row_text="Budget Pro",
        )
    ],
    # 5 + patient, audit entry (5), the directory's rows.
    "careteam:directory": [
        Budget(
            DIRECTORY_BUDGET,
            _patient_page("careteam:directory"),
            _professionals,
            role=Role.COORDINATOR,
            row_text="Budget Pro",
        )
    ],
    # 5 + person, their TOTP device, live sessions, 2 for each session's clinic, the sessions.
    "accounts:staff_detail": [Budget(11, _nurse_page, _sessions_of_nurse)],
    "accounts:staff_invite": [Budget(5, _to("accounts:staff_invite"))],
    "accounts:shared_access_list": [
        Budget(
            7,
            _to("accounts:shared_access_list", "show=all"),
            _shared_access,
            row_text="Budget consent",
        )
    ],
    # The chart's Eligibility tab: 5 + patient, the chart header (13, as on the Care team tab),
    # audit entry (5), the screening's reads (settings, answers, allergies, medications, blood
    # pressure, reproductive status, substance use), decisions (signers joined). The
    # physician's sign form costs nothing more.
    "eligibility:tab": [
        Budget(
            33 + NEXT_VISIT,
            _eligibility_tab,
            _decisions,
            role=role,
            row_text="Budget decision",
            variant=role,
        )
        for role in (Role.PHYSICIAN, Role.COORDINATOR)
    ],
    # 5 + the clinic's settings row (none yet: the defaults).
    "eligibility:settings": [Budget(6, _to("eligibility:settings"), role=Role.PHYSICIAN)],
    # The chart's Intake tab: 5 + patient, the chart header (14, as on the Care team tab), audit
    # entry (five statements), the submission, its newest link.
    "intake:patient": [
        Budget(27 + NEXT_VISIT, _intake_page("intake:patient"), role=Role.COORDINATOR)
    ],
    # 5 + patient, open submission, audit entry (five statements).
    "intake:staff_step": [
        Budget(12, _intake_page("intake:staff_step", step="about"), role=Role.NURSE)
    ],
    "intake:staff_review": [Budget(12, _intake_page("intake:staff_review"), role=Role.NURSE)],
    "clinics:settings": [Budget(5, _to("clinics:settings"))],
    # The schedule. 5 + chairs, opening hours, closures (chairs joined), duty (people
    # joined), the settings row; for those who edit, the forms' chairs and staff to choose.
    "scheduling:setup": [
        Budget(
            n,
            _to("scheduling:setup"),
            _schedule_rows,
            role=role,
            row_text="Budget closure",
            variant=role,
        )  # fmt: skip
        for role, n in ((Role.COORDINATOR, 12), (Role.NURSE, 10))
    ],
    # 5 + the settings row.
    "scheduling:settings": [
        Budget(6, _to("scheduling:settings"), role=role, variant=role)
        for role in (Role.CLINIC_ADMIN, Role.PHYSICIAN)
    ],
    # 5 + audit entry (five statements), the day's bookings (patients joined), closures,
    # chairs, live consents, decisions, screenings, duty (people joined).
    # + 3 from the other apps' board hooks: the plans' doses (treatment), questionnaires
    # waiting and open safety alerts (measurement), one query each for the whole day.
    # + 1 for the infusion sessions opened (their buttons on the cards).
    # + 5 from the infusions app's live status: the sessions, the newest reading of each,
    # unanswered rule firings, the two settings rows.
    "scheduling:board": [
        Budget(
            26,
            _to("scheduling:board", f"day={BOARD_DAY.isoformat()}"),
            _board_rows,
            role=Role.NURSE,
            row_text="Board Budget",
        )  # fmt: skip
    ],
    # The same less the audit entry.
    "scheduling:board_partial": [
        Budget(
            21,
            _to("scheduling:board_partial", f"day={BOARD_DAY.isoformat()}"),
            _board_rows,
            role=Role.COORDINATOR,
            row_text="Board Budget",
        )  # fmt: skip
    ],
    # 5 + the settings row, the patients and chairs to choose from.
    "scheduling:book": [Budget(8, _to("scheduling:book"), role=Role.COORDINATOR)],
    # 5 + the booking (patient, clinic, chair joined), its events (people and chairs joined),
    # the patient's missed visits (one count), the chairs to move to.
    "scheduling:booking": [
        Budget(9, _booking_page, _booking_events, role=Role.NURSE, row_text="Budget event")
    ],
    # The infusions app. 5 + the session (patient, booking, chair, plan version joined), and
    # the view entry (5 on the page; the live poll writes none).
    # In pre-infusion checks: + the checks and overrides (people joined; read once for the
    # checklist and the start's blockers) and the clinic's infusion settings (the limits).
    # A session under way ("live" variant) adds the live panels' one load: the two settings
    # rows, readings, pump events, rule firings, adverse events, rescue doses (people joined)
    # and the clinic's rules.
    # With every workflow's panels on one screen, a session in the chair costs 39-41 (like a
    # chart page): each panel reads its rows once, whatever their number. The ledger's
    # "Controlled substance" panel (from check-in on) is 4 of them: the session's
    # transactions (vial, people joined), the drawable vials (for the suggestion), the pump
    # events (the delivered mg to prefill) and the draw form's vial options.
    "infusions:session": [
        Budget(11, _session_url("infusions:session"), role=Role.NURSE),
        Budget(
            41,
            _session_url("infusions:session", state="prechecks"),
            _prechecks_rows,
            role=Role.PHYSICIAN,
            variant="prechecks",
            row_text="Budget check",
        ),
        # Infusing, with charting's panels: 11 + the readings (entered_by joined), the settings
        # row (late entries), the open firings' count; the open firings (rule, reading) and
        # the current rate for the rate panel; all firings (rule, reading, responder).
        Budget(
            40,
            _infusing_session,
            _readings,
            role=Role.NURSE,
            row_text="Struck: Budget reading",
            variant="infusing",
        ),
        Budget(
            39,
            _live_session_url("infusions:session"),
            _live_rows,
            role=Role.NURSE,
            row_text="Budget strike",
            variant="live",
        ),
        # Discharged: the note panel (the draft note, as on the note page) and its blockers
        # (the ledger's: its registration, and any scheduled rescue drug off the ledger).
        Budget(
            41,
            _session_url("infusions:session", "discharged"),
            _session_readings,
            role=Role.NURSE,
            row_text="Budget reading",
            variant="discharged",
        ),
    ],  # fmt: skip
    "infusions:live": [
        Budget(6, _session_url("infusions:live"), role=Role.NURSE),
        Budget(
            14,
            _live_session_url("infusions:live"),
            _live_rows,
            role=Role.NURSE,
            row_text="Budget strike",
            variant="live",
        ),
    ],  # fmt: skip
    # The rescue form redrawn for a chosen drug: 5 + the session, its clinic (the time zone
    # of the times shown), the formulary, the triggers (events, firings, readings) and the
    # physicians to choose from.
    "infusions:rescue_form": [Budget(12, _session_url("infusions:rescue_form"), role=Role.NURSE)],
    # The infusion settings page: 5 + the settings row (who changed it joined), the rules and
    # the drugs (the defaults, unsaved, before the first change).
    "infusions:settings": [
        Budget(
            8,
            _to("infusions:settings"),
            _infusion_rules,
            role=Role.NURSE,
            row_text="Budget rule",
            variant="rules",
        ),
        Budget(
            8,
            _to("infusions:settings"),
            _formulary_rows,
            role=Role.PHYSICIAN,
            row_text="Budget drug",
            variant="formulary",
        ),
    ],  # fmt: skip
    # One drug's page: 5 + the formulary (or the defaults).
    "infusions:drug": [
        Budget(6, _to("infusions:drug", drug_key="ondansetron"), role=Role.CLINIC_ADMIN)
    ],
    # The note (a draft here): 5 + the session, its clinic and settings, one query per part
    # (readings, checks, overrides, pump, firings, events, rescues, scores, after-effects,
    # the signed note), the view entry (5); the rows are struck readings with their reason.
    "infusions:note": [
        Budget(
            23,
            _session_url("infusions:note"),
            _session_readings,
            role=Role.NURSE,
            row_text="Budget reading",
        )
    ],
    "infusions:note_pdf": [
        Budget(23, _session_url("infusions:note_pdf"), _session_readings, role=Role.NURSE)
    ],
    # 5 + the session, its clinic and the view entry (5).
    "infusions:instructions": [Budget(12, _session_url("infusions:instructions"), role=Role.NURSE)],
    # Every chart page's header also shows the treatment plan's dose (one query: the newest
    # plan version), so the chart tabs' budgets above and below carry +1 for it.
    # The treatment app. 5 + the clinic's protocols (their latest version annotated).
    "treatment:protocols": [
        Budget(
            6, _to("treatment:protocols"), _protocols, role=Role.NURSE, row_text="Budget protocol"
        )
    ],
    "treatment:builtin": [
        Budget(5, _to("treatment:builtin", builtin_id="depression"), role=Role.NURSE)
    ],
    # 5 + the protocol, its versions (their authors joined).
    "treatment:protocol": [
        Budget(
            7,
            _protocol_page("protocol"),
            _protocol_versions,
            role=Role.NURSE,
            row_text="Budget change",
        )
    ],
    "treatment:protocol_edit": [Budget(7, _protocol_page("protocol_edit"), role=Role.PHYSICIAN)],
    "treatment:settings": [Budget(6, _to("treatment:settings"), role=Role.PHYSICIAN)],
    # The chart tab: 5 + the patient, the header items (as on every chart tab, this plan's
    # dose included), audit entry (5 with savepoints), the plan, its versions (people and
    # protocol joined), the protocols to draft from, the eligibility decision and the consent
    # (what blocks signing), the physician's form (protocol versions 3, weights 2: the
    # select renders and the form's initial values), and the patient's upcoming bookings
    # (chairs joined; a signed plan's series form adds its chair select).
    "treatment:tab": [
        Budget(
            38,
            _plan_tab("tab"),
            _plan_versions,
            role=Role.PHYSICIAN,
            row_text="Budget reason",
        )
    ],
    # 5 + the patient, plan, newest version, the clinic's settings, the weight used.
    "treatment:preview_svg": [Budget(10, _plan_tab("preview_svg"), role=Role.NURSE)],
    # The patients app. 5 + count, audit entry (the list opened), the page's rows.
    "patients:list": [
        Budget(
            12, _to("patients:list"), _patients, role=Role.COORDINATOR, row_text="Budget Patient"
        )
    ],
    "patients:new": [Budget(5, _to("patients:new"), role=Role.COORDINATOR)],
    "patients:settings": [Budget(6, _to("patients:settings"), role=Role.PHYSICIAN)],  # 5 + row
    # 5 + the patient, audit entry.
    "patients:edit": [Budget(11, _chart("edit"), role=Role.COORDINATOR)],
    # Chart tabs: 5 + the patient (clinic and inquiry joined), the header's items (allergies,
    # open flags; eligibility's screening: its settings, six record readers and the latest
    # decision; the care team; the consents' template versions and live consents), audit
    # entry, then each list the tab shows (its people joined): the flags (overview);
    # measurements and blood pressures (weight); medications and allergies; diagnoses;
    # psychiatric, medical, substance-use and pregnancy rows and the clinic's chart settings
    # (history).
    "patients:overview": [
        Budget(
            26 + NEXT_VISIT,
            _chart("overview"),
            _chart_rows,
            role=Role.PHYSICIAN,
            row_text="Budget flag",
        )
    ],
    "patients:weight": [
        Budget(
            27 + NEXT_VISIT, _chart("weight"), _chart_rows, role=Role.PHYSICIAN, row_text=" cm</td>"
        )
    ],
    "patients:medications": [
        Budget(
            27 + NEXT_VISIT,
            _chart("medications"),
            _chart_rows,
            role=Role.PHYSICIAN,
            row_text="Budget med",
        )
    ],
    "patients:diagnoses": [
        Budget(
            26 + NEXT_VISIT,
            _chart("diagnoses"),
            _chart_rows,
            role=Role.PHYSICIAN,
            row_text="Budget diagnosis",
        )
    ],
    "patients:history": [
        Budget(
            30 + NEXT_VISIT,
            _chart("history"),
            _chart_rows,
            role=Role.PHYSICIAN,
            row_text="Budget substance",
        )
    ],
    # 5 + the patient, one query per section listed (allergies, medications, diagnoses,
    # measurements, psychiatric and substance-use history), the export's audit entry.
    "patients:summary_pdf": [Budget(17, _chart("summary_pdf"), _chart_rows, role=Role.PHYSICIAN)],
    # The chart's Consents tab: 5 + patient, the chart header (13, as on the Care team tab),
    # audit entry, template versions, consents, their events (one prefetch).
    "consents:list": [
        Budget(
            28 + NEXT_VISIT,
            lambda case: reverse("consents:list", args=[case.patient.pk]),
            _consents,
            role=Role.NURSE,
            row_text="Budget indication",
        )
    ],
    # 5 + patient, the professionals to choose from.
    "consents:new": [
        Budget(7, lambda case: reverse("consents:new", args=[case.patient.pk]), role=Role.NURSE)
    ],
    # 5 + patient, consent, audit entry, template versions, events.
    "consents:detail": [
        Budget(
            14,
            _consent_url("consents:detail"),
            _consent_events,
            role=Role.NURSE,
            row_text="Budget reason",
        )
    ],
    # 5 + patient, consent, audit entry.
    "consents:pdf": [Budget(12, _signed_consent_pdf, role=Role.COORDINATOR)],
    "consents:templates": [
        Budget(
            6,
            _to("consents:templates"),
            _template_versions,
            role=Role.PHYSICIAN,
            row_text="Budget change",
        )
    ],  # fmt: skip
    "consents:template_detail": [
        Budget(
            6,
            lambda case: reverse("consents:template_detail", args=[_consent_template(case).pk]),
            role=Role.PHYSICIAN,
        )
    ],
    "consents:template_publish": [
        Budget(6, _to("consents:template_publish", kind=Kind.OFF_LABEL), role=Role.PHYSICIAN)
    ],
    # The Outcomes tab: the chart tab's 5 + patient, the header items (allergies, open flags,
    # the eligibility screening's reads and decision, care team, consents), audit entry; then
    # the clinic's outcome settings and the responses (one query).
    "outcomes:page": [
        Budget(
            27 + NEXT_VISIT, _outcomes("page"), _responses, role=Role.PHYSICIAN, row_text="<tr><td>"
        )
    ],
    # 5 + the patient, settings, responses, audit entry.
    "outcomes:plot": [Budget(13, _outcomes("plot", "phq9"), _responses, role=Role.PHYSICIAN)],
    # 5 + the patient, audit entry, the responses (their enterers joined).
    "outcomes:export_csv": [
        Budget(12, _outcomes("export_csv"), _responses, role=Role.NURSE, row_text="phq9,1,")
    ],
    "outcomes:export_fhir": [Budget(12, _outcomes("export_fhir"), _responses, role=Role.NURSE)],
    # 5 + the clinic's outcome settings row (its changer joined).
    "outcomes:settings": [
        Budget(6, _to("outcomes:settings"), role=role, variant=role)
        for role in (Role.PHYSICIAN, Role.CLINIC_ADMIN)
    ],
    "clinics:settings_group": [
        Budget(
            5 if page.form_class is None else 6,  # the form reads the clinic fresh
            _to("clinics:settings_group", slug=page.slug),
            variant=page.slug,
        )
        for page in PAGES
    ],
}


def staff_routes() -> dict[str, str]:
    """Every URL name behind ``roles``, ``staff`` or ``verified``, with a URL that resolves to
    it (POST-only actions included; the test tells them apart). Django's admin is left out: it
    is the site operator's, Django's own pages, and lists nothing of a clinic's."""
    found = {}
    for route in url_routes():
        policy = route.policy
        if policy is None or policy.level not in ("roles", "verified"):
            continue
        if route.route.startswith(admin_prefix()):
            continue
        found[route.key] = route.placeholder()
    return found


def _admitted_role(name: str) -> str:
    policy = next(r.policy for r in url_routes() if r.key == name)
    if policy is None or policy.level != "roles" or Role.CLINIC_ADMIN in policy.roles:
        return Role.CLINIC_ADMIN
    return sorted(policy.roles)[0]


class QueryBudgetTests(BudgetCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.inquiry = make_inquiry(
            cls.clinic, name="Budget Inquiry (test)", email="budget@example.com"
        )
        cls.patient = make_patient(cls.clinic, given="Budget", family="Patient")

    def setUp(self) -> None:
        super().setUp()
        traveller = time_machine.travel(NOW, tick=False)
        traveller.start()
        self.addCleanup(traveller.stop)
        # No app registers a break-glass target yet; its form needs one to show a real row.
        register_break_glass_target(Clinic)
        self.addCleanup(unregister_break_glass_target, Clinic)

    def check(self, entry: Budget) -> None:
        self.viewer = self.login(entry.role)
        url = entry.url(self)
        rows = entry.rows
        assert_flat_queries(
            self.client,
            url,
            (lambda n: rows(self, n)) if rows is not None else None,
            entry.budget(),
            few=entry.few,
            row_text=entry.row_text,
        )

    def test_every_staff_page_has_a_budget(self) -> None:
        pages = staff_routes()
        assert set(BUDGETS) <= set(pages), set(BUDGETS) - set(pages)
        missing = []
        for name, url in pages.items():
            if name in BUDGETS:
                continue
            # Signed in with a role the policy admits (the clinic admin where it does), a 405
            # here is the view's own method check: a POST-only action. A view that refuses the
            # admin by its own rule (403) is asked again as the physician.
            self.login(_admitted_role(name))
            status = self.client.get(url).status_code
            if status == 403:
                self.login(Role.PHYSICIAN)
                status = self.client.get(url).status_code
            if status != 405:
                missing.append(name)
            self.client.logout()
        assert missing == [], f"give these staff pages a query budget in BUDGETS: {missing}"

    def test_the_page_walk_finds_the_pages(self) -> None:
        """The walk is not vacuous: it finds the pages known today and the POST-only
        actions it leaves out."""
        pages = staff_routes()
        assert {"inquiries:detail", "audit:export", "accounts:staff_list"} <= set(pages)
        assert {"inquiries:change_status", "web:switch_clinic"} <= set(pages) - set(BUDGETS)
        assert "accounts:login" not in pages  # public


def _add_test(name: str, entry: Budget) -> None:
    suffix = f"_{entry.variant}" if entry.variant else ""
    test_name = f"test_{name.replace(':', '_')}{suffix}".replace("-", "_")

    def test(self: QueryBudgetTests) -> None:
        self.check(entry)

    test.__name__ = test_name
    test.__doc__ = f"{name}{f' ({entry.variant})' if entry.variant else ''} as {entry.role}"
    setattr(QueryBudgetTests, test_name, test)


# One test per measured page, so a failure names the page.
for _name, _entries in BUDGETS.items():
    for _entry in _entries:
        _add_test(_name, _entry)
