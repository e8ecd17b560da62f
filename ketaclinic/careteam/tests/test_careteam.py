"""Outside professionals, care teams, referrals and invitations of existing accounts."""

from __future__ import annotations

import datetime as dt

import time_machine
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from ketaclinic.accounts.actions.invitations import accept_invitation
from ketaclinic.accounts.models import Invitation, Membership, Role
from ketaclinic.audit.models import AuditEntry
from ketaclinic.careteam import actions
from ketaclinic.careteam.models import (
    CareTeamMember,
    OutsideProfessional,
    ReferralStatus,
    TeamRole,
)
from ketaclinic.clinics.models import Clinic
from ketaclinic.patients.models import Patient
from ketaclinic.testing import BaseTestCase, make_user, member


def make_patient(clinic: Clinic, mrn: str = "T-1") -> Patient:
    return Patient.objects.create(
        clinic=clinic,
        mrn=mrn,
        legal_given_name="Tess",
        legal_family_name="Patient (test)",
        preferred_name="Tee",
        date_of_birth=dt.date(1985, 5, 6),
        sex_at_birth="female",
    )


def web_request() -> HttpRequest:
    request = RequestFactory().post("/")
    request.META["HTTP_HOST"] = "testserver"
    return request


class ProfessionalTests(BaseTestCase):
    def coordinator(self) -> Membership:
        return member(self.users["coordinator"])

    def test_create_normalises_phone_and_state_and_audits(self) -> None:
        pro = actions.create_professional(
            self.coordinator(),
            values={
                "name": " Ana Ruiz ",
                "credentials": "LCSW",
                "licence_state": "mi",
                "phone": "(555) 010-0123",
                "email": "Ana@Example.org",
                "specialties": ["trauma", "depression"],
            },
        )
        self.assertEqual(pro.name, "Ana Ruiz")
        self.assertEqual(pro.phone, "+15550100123")
        self.assertEqual(pro.licence_state, "MI")
        self.assertEqual(pro.email, "ana@example.org")
        self.assertEqual(pro.specialties, ["depression", "trauma"])  # the list's order
        entry = AuditEntry.objects.get(action="careteam.professional.create")
        self.assertEqual((entry.after or {})["phone"], "+15550100123")

    def test_bad_values_are_refused_at_their_fields(self) -> None:
        with self.assertRaises(ValidationError) as caught:
            actions.create_professional(
                self.coordinator(),
                values={"name": "X", "licence_state": "ZZ", "phone": "12", "email": "nope"},
            )
        self.assertEqual(set(caught.exception.message_dict), {"licence_state", "phone", "email"})

    def test_physician_and_nurse_read_but_cannot_edit(self) -> None:
        for role in ("physician", "nurse", "custodian", "outside_professional"):
            with self.assertRaises(PermissionDenied):
                actions.create_professional(member(self.users[role]), values={"name": "X"})

    def test_edit_keeps_before_and_after_of_changed_fields_only(self) -> None:
        pro = actions.create_professional(
            self.coordinator(), values={"name": "Bo", "practice": "A"}
        )
        actions.update_professional(self.coordinator(), pro, {"practice": "B", "name": "Bo"})
        entry = AuditEntry.objects.get(action="careteam.professional.update")
        self.assertEqual(entry.before, {"practice": "A"})
        self.assertEqual(entry.after, {"practice": "B"})

    def test_archive_keeps_the_row_and_leaves_the_directory(self) -> None:
        pro = actions.create_professional(
            self.coordinator(), values={"name": "Cy", "in_directory": True}
        )
        actions.archive_professional(self.coordinator(), pro, reason="Retired")
        pro.refresh_from_db()
        self.assertIsNotNone(pro.archived_at)
        self.assertFalse(pro.in_directory)
        with self.assertRaises(ValidationError):
            actions.update_professional(self.coordinator(), pro, {"name": "Cy2"})

    def test_another_clinics_admin_cannot_edit(self) -> None:
        pro = actions.create_professional(self.coordinator(), values={"name": "Di"})
        with self.assertRaises(PermissionDenied):
            actions.update_professional(member(self.outsider), pro, {"name": "Hacked"})

    def test_the_form_shows_errors_at_the_field_and_keeps_what_was_typed(self) -> None:
        self.login("coordinator")
        response = self.client.post(
            reverse("careteam:professional_create"),
            {"name": "Eve Typed", "phone": "not a phone", "licence_state": "QQ", "email": "x@"},
        )
        self.assertEqual(response.status_code, 200)
        self.assertEqual(set(response.context["form"].errors), {"phone", "licence_state", "email"})
        self.assertContains(response, 'value="Eve Typed"')
        self.assertFalse(OutsideProfessional.objects.exists())

    def test_list_search_and_filters(self) -> None:
        by = self.coordinator()
        actions.create_professional(
            by,
            values={
                "name": "Fay Trauma",
                "specialties": ["trauma"],
                "accepting_referrals": True,
                "in_directory": True,
            },
        )
        actions.create_professional(
            by, values={"name": "Gil Addiction", "specialties": ["addiction"]}
        )
        OutsideProfessional.objects.create(clinic=self.other, name="Other Clinic Pro")
        self.login("nurse")
        url = reverse("careteam:professional_list")
        response = self.client.get(url)
        self.assertContains(response, "Fay Trauma")
        self.assertContains(response, "Gil Addiction")
        self.assertNotContains(response, "Other Clinic Pro")
        response = self.client.get(url, {"specialty": "trauma"})
        self.assertContains(response, "Fay Trauma")
        self.assertNotContains(response, "Gil Addiction")
        response = self.client.get(url, {"accepting": "on"})
        self.assertNotContains(response, "Gil Addiction")
        response = self.client.get(url, {"q": "gil"})
        self.assertContains(response, "Gil Addiction")
        self.assertNotContains(response, "Fay Trauma")


class TeamTests(BaseTestCase):
    def setUp(self) -> None:
        self.patient = make_patient(self.clinic)
        self.by = member(self.users["coordinator"])
        self.second_physician = make_user(
            "doc2@sturges.example", "Doc Two", self.clinic, Role.PHYSICIAN
        )

    def test_one_live_physician_of_record(self) -> None:
        first = actions.set_physician_of_record(self.by, self.patient, self.users["physician"])
        second = actions.set_physician_of_record(self.by, self.patient, self.second_physician)
        first.refresh_from_db()
        self.assertIsNotNone(first.left_at)
        self.assertIsNone(second.left_at)
        live = CareTeamMember.objects.filter(
            patient=self.patient, role=TeamRole.PHYSICIAN_OF_RECORD, left_at__isnull=True
        )
        self.assertEqual([m.user_id for m in live], [self.second_physician.pk])
        self.assertEqual(AuditEntry.objects.filter(action="careteam.member.end").count(), 1)

    def test_the_database_refuses_a_second_live_physician(self) -> None:
        actions.set_physician_of_record(self.by, self.patient, self.users["physician"])
        with self.assertRaises(IntegrityError), transaction.atomic():
            CareTeamMember.objects.create(
                patient=self.patient,
                role=TeamRole.PHYSICIAN_OF_RECORD,
                user=self.second_physician,
            )

    def test_only_a_physician_can_be_physician_of_record(self) -> None:
        with self.assertRaises(ValidationError):
            actions.set_physician_of_record(self.by, self.patient, self.users["nurse"])

    def test_nurse_joins_and_leaves_and_is_kept(self) -> None:
        nurse = actions.add_team_member(
            self.by, self.patient, role=TeamRole.NURSE, user=self.users["nurse"]
        )
        with self.assertRaises(ValidationError):
            actions.add_team_member(
                self.by, self.patient, role=TeamRole.NURSE, user=self.users["nurse"]
            )
        actions.end_team_membership(self.by, nurse, reason="Moved to nights")
        nurse.refresh_from_db()
        self.assertIsNotNone(nurse.left_at)
        self.assertTrue(CareTeamMember.objects.filter(pk=nurse.pk).exists())

    def test_admin_does_not_manage_a_chart_team(self) -> None:
        with self.assertRaises(PermissionDenied):
            actions.add_team_member(
                member(self.users["clinic_admin"]),
                self.patient,
                role=TeamRole.NURSE,
                user=self.users["nurse"],
            )

    def test_team_page_from_every_side(self) -> None:
        actions.set_physician_of_record(self.by, self.patient, self.users["physician"])
        url = reverse("careteam:team", args=[self.patient.pk])
        for role in ("physician", "nurse", "coordinator"):
            self.login(role)
            response = self.client.get(url)
            self.assertContains(response, "Physician")
            self.assertContains(response, f'href="/patients/{self.patient.pk}/"')
        for role in ("clinic_admin", "custodian"):
            self.login(role)
            self.assert_denied(self.client.get(url), 403)
        # The outside professional with nothing shared: as if there were no such patient.
        self.login("outside_professional")
        self.assert_denied(self.client.get(url), 404)
        self.client.logout()
        self.assert_denied(self.client.get(url), 302)

    def test_set_physician_through_the_page(self) -> None:
        self.login("nurse")
        url = reverse("careteam:set_physician", args=[self.patient.pk])
        response = self.client.post(url, {"user": self.users["physician"].pk})
        self.assertRedirects(response, reverse("careteam:team", args=[self.patient.pk]))
        response = self.client.post(url, {"user": self.users["nurse"].pk})  # not a physician
        self.assertEqual(response.status_code, 200)
        self.assertIn("user", response.context["physician_form"].errors)


class ReferralTests(BaseTestCase):
    def setUp(self) -> None:
        self.patient = make_patient(self.clinic)
        self.by = member(self.users["coordinator"])
        self.pro = actions.create_professional(
            self.by,
            values={
                "name": "Hal Directory",
                "specialties": ["addiction"],
                "in_directory": True,
                "accepting_referrals": True,
            },
        )

    def test_suggest_contact_accept_joins_the_team(self) -> None:
        referral = actions.suggest_referral(self.by, self.patient, self.pro, note="Good fit")
        actions.record_referral_step(self.by, referral, ReferralStatus.CONTACTED, note="Called")
        actions.record_referral_step(self.by, referral, ReferralStatus.ACCEPTED, note="Yes")
        referral.refresh_from_db()
        self.assertEqual(referral.status, ReferralStatus.ACCEPTED)
        self.assertEqual(
            [(e.status, e.note) for e in referral.events.all()],
            [("suggested", "Good fit"), ("contacted", "Called"), ("accepted", "Yes")],
        )
        member_row = CareTeamMember.objects.get(patient=self.patient, professional=self.pro)
        self.assertEqual(member_row.role, TeamRole.OUTSIDE_PROFESSIONAL)
        with self.assertRaises(ValidationError):
            actions.record_referral_step(self.by, referral, ReferralStatus.DECLINED)

    def test_a_step_cannot_be_skipped_nor_a_second_open_referral_made(self) -> None:
        referral = actions.suggest_referral(self.by, self.patient, self.pro)
        with self.assertRaises(ValidationError):
            actions.record_referral_step(self.by, referral, ReferralStatus.ACCEPTED)
        with self.assertRaises(ValidationError):
            actions.suggest_referral(self.by, self.patient, self.pro)

    def test_declined_does_not_join(self) -> None:
        referral = actions.suggest_referral(self.by, self.patient, self.pro)
        actions.record_referral_step(self.by, referral, ReferralStatus.DECLINED, note="Full")
        self.assertFalse(CareTeamMember.objects.filter(professional=self.pro).exists())

    def test_directory_filters_for_the_patient(self) -> None:
        actions.create_professional(
            self.by,
            values={
                "name": "Ida Trauma",
                "specialties": ["trauma"],
                "in_directory": True,
                "accepting_referrals": True,
            },
        )
        actions.create_professional(
            self.by,
            values={"name": "Jon NotAccepting", "specialties": ["addiction"], "in_directory": True},
        )
        Patient.objects.filter(pk=self.patient.pk).update(sud_treatment=True)
        self.login("nurse")
        url = reverse("careteam:directory", args=[self.patient.pk])
        response = self.client.get(url)
        self.assertContains(response, "Hal Directory")
        self.assertNotContains(response, "Ida Trauma")  # not what the patient needs
        self.assertNotContains(response, "Jon NotAccepting")
        response = self.client.get(url, {"specialty": "any"})
        self.assertContains(response, "Ida Trauma")
        self.assertNotContains(response, "Jon NotAccepting")


class InvitationTests(BaseTestCase):
    def setUp(self) -> None:
        self.admin = member(self.users["clinic_admin"])
        self.pro = actions.create_professional(
            self.admin, values={"name": "Kim Multi", "email": "kim@therapy.example"}
        )
        # Kim already works with the other clinic and has her own account there.
        self.kim = make_user(
            "kim@therapy.example", "Kim Multi", self.other, Role.OUTSIDE_PROFESSIONAL
        )

    def test_existing_account_accepts_and_the_record_is_linked(self) -> None:
        with self.captureOnCommitCallbacks(execute=True):
            invitation = actions.invite_professional(self.admin, self.pro, request=web_request())
        assert isinstance(invitation, Invitation)
        self.assertFalse(Membership.objects.filter(user=self.kim, clinic=self.clinic).exists())
        self.assertEqual(mail.outbox[-1].to, ["kim@therapy.example"])
        self.login(self.kim)
        home = self.client.get(reverse("web:home"))
        self.assertContains(home, "Sturges Family Practice invites you")
        response = self.client.post(reverse("accounts:invitation_accept", args=[invitation.pk]))
        self.assertRedirects(response, reverse("web:home"), fetch_redirect_response=False)
        self.pro.refresh_from_db()
        self.assertEqual(self.pro.user_id, self.kim.pk)
        here = Membership.objects.get(user=self.kim, clinic=self.clinic)
        self.assertEqual(here.role, Role.OUTSIDE_PROFESSIONAL)
        self.assertTrue(
            AuditEntry.objects.filter(action="careteam.professional.link_account").exists()
        )

    def test_the_admin_sees_only_the_invitation_state(self) -> None:
        actions.invite_professional(self.admin, self.pro, request=web_request())
        self.login("clinic_admin")
        page = self.client.get(reverse("careteam:professional_detail", args=[self.pro.pk]))
        self.assertContains(page, "Invitation pending")
        self.assertNotContains(page, "Other Clinic")
        staff = self.client.get(reverse("accounts:staff_list"))
        self.assertContains(staff, "Invitation sent")
        self.assertNotContains(staff, "Other Clinic")

    def test_another_account_cannot_accept(self) -> None:
        invitation = actions.invite_professional(self.admin, self.pro, request=web_request())
        assert isinstance(invitation, Invitation)
        self.login("nurse")
        response = self.client.post(reverse("accounts:invitation_accept", args=[invitation.pk]))
        self.assert_denied(response, 404)
        with self.assertRaises(Exception):  # noqa: B017 - Http404 from the action itself
            accept_invitation(self.users["nurse"], invitation)
        self.assertIsNone(Invitation.objects.get(pk=invitation.pk).accepted_at)

    def test_the_other_clinics_admin_sees_nothing_of_it(self) -> None:
        invitation = actions.invite_professional(self.admin, self.pro, request=web_request())
        self.login(self.outsider)
        self.assert_denied(
            self.client.post(reverse("accounts:invitation_withdraw", args=[invitation.pk])), 404
        )
        self.assert_denied(
            self.client.get(reverse("careteam:professional_detail", args=[self.pro.pk])), 404
        )
        # Kim works at the other clinic, but its admin learns nothing of our invitation.
        staff = self.client.get(reverse("accounts:staff_list"))
        self.assertNotContains(staff, "Invitations to existing accounts")
        self.assertNotContains(staff, "Sturges")

    def test_an_expired_invitation_cannot_be_accepted(self) -> None:
        invitation = actions.invite_professional(self.admin, self.pro, request=web_request())
        with time_machine.travel(timezone.now() + dt.timedelta(days=15)):
            self.login(self.kim)
            self.assertNotContains(self.client.get(reverse("web:home")), "invites you")
            response = self.client.post(reverse("accounts:invitation_accept", args=[invitation.pk]))
            self.assertRedirects(
                response, reverse("accounts:invitations"), fetch_redirect_response=False
            )
        self.assertFalse(Membership.objects.filter(user=self.kim, clinic=self.clinic).exists())

    def test_a_new_address_gets_an_account_linked_at_once(self) -> None:
        pro = actions.create_professional(
            self.admin, values={"name": "Lou New", "email": "lou@new.example"}
        )
        made = actions.invite_professional(self.admin, pro, request=web_request())
        assert isinstance(made, Membership)
        pro.refresh_from_db()
        self.assertEqual(pro.user_id, made.user_id)


class SharedHomeTests(BaseTestCase):
    def test_outside_home_names_shared_patients_with_links(self) -> None:
        from django.contrib.contenttypes.models import ContentType

        from ketaclinic.accounts.models import SharedAccess

        patient = make_patient(self.clinic)
        hidden = make_patient(self.clinic, mrn="T-2")
        Patient.objects.filter(pk=hidden.pk).update(legal_family_name="Expired (test)")
        ct = ContentType.objects.get_for_model(Patient)
        for target, expires in ((patient, None), (hidden, timezone.now() - dt.timedelta(days=1))):
            SharedAccess.objects.create(
                clinic=self.clinic,
                professional=self.users["outside_professional"],
                content_type=ct,
                object_id=str(target.pk),
                sections=["summary", "medications"],
                granted_by=self.users["clinic_admin"],
                valid_from=timezone.now() - dt.timedelta(days=2),
                expires_at=expires,
                reason="Consent",
            )
        self.login("outside_professional")
        response = self.client.get(reverse("web:home"))
        self.assertContains(response, "Patients shared with me")
        self.assertContains(
            response,
            f'<a class="button button--link" href="/patients/{patient.pk}/">Tee Patient (test)</a>',
        )
        self.assertContains(response, "Current medications")
        self.assertNotContains(response, "Expired (test)")


class DemoTests(BaseTestCase):
    def test_seed_builds_a_directory_teams_and_referrals_once(self) -> None:
        from ketaclinic.careteam.demo import seed

        patients = [make_patient(self.clinic, mrn=f"D-{i}") for i in range(3)]
        made = seed(self.clinic)
        self.assertEqual(len(made), 6)
        self.assertEqual(len(seed(self.clinic)), 6)  # idempotent
        self.assertEqual(
            CareTeamMember.objects.filter(
                role=TeamRole.PHYSICIAN_OF_RECORD, left_at__isnull=True
            ).count(),
            3,
        )
        statuses = sorted(r.status for p in patients for r in p.referrals.all())
        self.assertEqual(statuses, ["accepted", "contacted"])
        self.assertTrue(
            CareTeamMember.objects.filter(patient=patients[2], professional=made[2]).exists()
        )
