"""Sharing consents start and end SharedAccess grants; Part 2 consents add "part2"."""

from __future__ import annotations

import datetime as dt

import time_machine
from django.utils import timezone

from ketaclinic.access.zones import clinic_today
from ketaclinic.accounts.models import Membership, Role, SharedAccess
from ketaclinic.accounts.policies import shared_sections
from ketaclinic.careteam.models import OutsideProfessional
from ketaclinic.consents import actions, queries
from ketaclinic.consents.models import Consent, Kind, Status
from ketaclinic.consents.tasks import expire_consents
from ketaclinic.consents.tests.base import ConsentCase, make_patient, make_professional
from ketaclinic.testing import make_user


class SharingTests(ConsentCase):
    def shared(self) -> set[str]:
        return shared_sections(self.users[Role.OUTSIDE_PROFESSIONAL], self.patient)

    def test_signing_shares_the_consented_sections(self) -> None:
        assert self.shared() == set()
        draft = self.sharing(sign=False)
        assert self.shared() == set()  # a draft shares nothing
        consent = actions.sign_consent(self.by(), draft, typed_name="Ada Lovelace")
        assert self.shared() == {"summary", "medications"}
        assert consent.grant is not None and consent.grant.expires_at is None
        assert "Consent #" in consent.grant.reason

    def test_revoking_cuts_access_at_once(self) -> None:
        consent = self.sharing()
        actions.revoke_consent(self.by(Role.COORDINATOR), consent, reason="Patient phoned.")
        assert self.shared() == set()
        assert consent.grant_id is not None
        grant = SharedAccess.objects.get(pk=consent.grant_id)
        assert grant.revoked_by == self.users[Role.COORDINATOR]
        kinds = list(consent.events.values_list("kind", flat=True))
        assert kinds == ["created", "signed", "shared", "revoked", "unshared"]

    def test_expiry_cuts_access_on_the_next_request(self) -> None:
        today = clinic_today(self.clinic)
        consent = self.sharing(expires_on=today)
        assert self.shared() == {"summary", "medications"}
        day_after = timezone.now() + dt.timedelta(days=2)
        with time_machine.travel(day_after, tick=False):
            assert self.shared() == set()
            fresh = Consent.objects.select_related("template").get(pk=consent.pk)
            assert fresh.current_status() == Status.EXPIRED  # before the task has run
            assert not queries.has_live_consent(self.patient, Kind.SHARE)
            assert expire_consents.call() == 1
            assert expire_consents.call() == 0
        consent.refresh_from_db()
        assert consent.status == Status.EXPIRED

    def test_an_expiry_event_is_recorded_by_staff(self) -> None:
        consent = self.sharing()
        actions.expire_consent(self.by(), consent, reason="Treatment at the clinic ended.")
        assert self.shared() == set()

    def test_part2_consent_adds_part2_for_its_recipient_only(self) -> None:
        self.patient.sud_treatment = True
        self.patient.save()
        self.sharing()
        assert "part2" not in self.shared()
        self.sharing(Kind.PART2, sections=("history",))
        assert self.shared() == {"summary", "medications", "history", "part2"}
        other = make_user(
            "other.pro@example.org", "Other Pro", self.clinic, Role.OUTSIDE_PROFESSIONAL
        )
        assert shared_sections(other, self.patient) == set()

    def test_a_new_sharing_consent_supersedes_the_last_for_that_professional(self) -> None:
        first = self.sharing()
        second = self.sharing(sections=("diagnoses",))
        first.refresh_from_db()
        assert first.status == Status.SUPERSEDED
        assert self.shared() == {"diagnoses"}
        assert second.grant is not None

    def test_a_professional_without_an_account_gets_a_grant_when_synced(self) -> None:
        pro = make_professional(self.clinic)
        draft = actions.create_consent(
            self.by(), self.patient, Kind.SHARE, professional=pro, sections=["summary"],
            purpose="Therapy.", expiry_event="End of treatment.",
        )  # fmt: skip
        consent = actions.sign_consent(self.by(), draft, typed_name="Ada Lovelace")
        assert consent.grant is None
        user = make_user("late@example.org", "Late Pro", self.clinic, Role.OUTSIDE_PROFESSIONAL)
        pro.user = user
        pro.save()
        admin = self.by(Role.CLINIC_ADMIN)
        assert actions.sync_grants_for_professional(admin, pro) == 1
        assert actions.sync_grants_for_professional(admin, pro) == 0
        assert shared_sections(user, self.patient) == {"summary"}

    def test_a_professional_removed_from_the_clinic_gets_no_grant(self) -> None:
        Membership.objects.filter(user=self.users[Role.OUTSIDE_PROFESSIONAL]).update(
            is_active=False
        )
        consent = self.sharing()
        assert consent.grant is None

    def test_sharing_needs_a_recipient_purpose_and_expiry(self) -> None:
        from django.core.exceptions import ValidationError

        with self.assertRaises(ValidationError) as caught:
            actions.create_consent(self.by(), self.patient, Kind.SHARE, sections=["nonsense"])
        assert set(caught.exception.message_dict) == {
            "professional", "sections", "purpose", "expires_on",
        }  # fmt: skip
        other_clinic_pro = make_professional(self.other)
        yesterday = clinic_today(self.clinic) - dt.timedelta(days=1)
        with self.assertRaises(ValidationError) as caught:
            actions.create_consent(
                self.by(), self.patient, Kind.SHARE, professional=other_clinic_pro,
                sections=["summary"], purpose="p", expires_on=yesterday,
            )  # fmt: skip
        assert set(caught.exception.message_dict) == {"professional", "expires_on"}

    def test_live_consents_of_one_patient_only(self) -> None:
        other_patient = make_patient(self.clinic, given="Grace", family="Hopper")
        self.sharing(patient=other_patient)
        assert queries.live_consents(self.patient) == []
        assert queries.has_live_consent(other_patient, Kind.SHARE)
        assert not queries.has_live_consent(other_patient, Kind.OFF_LABEL)


class LinkingAnAccountStartsTheGrant(ConsentCase):
    """The care-team side: a professional who gets an account after the patient signed reads
    the consented sections once the account is linked (``careteam.link_professional_account``),
    whether the admin links it or the person links themselves by accepting an invitation."""

    def signed_sharing_for_professional_without_account(self) -> OutsideProfessional:
        pro = make_professional(self.clinic)
        draft = actions.create_consent(
            self.by(), self.patient, Kind.SHARE, professional=pro, sections=["summary"],
            purpose="Therapy.", expiry_event="End of treatment.",
        )  # fmt: skip
        assert actions.sign_consent(self.by(), draft, typed_name="Ada Lovelace").grant is None
        return pro

    def test_linked_by_the_admin(self) -> None:
        from ketaclinic.careteam.actions.professionals import link_professional_account

        pro = self.signed_sharing_for_professional_without_account()
        user = make_user("linked@example.org", "Linked Pro", self.clinic, Role.OUTSIDE_PROFESSIONAL)
        assert shared_sections(user, self.patient) == set()
        link_professional_account(self.by(Role.CLINIC_ADMIN), pro, user)
        assert shared_sections(user, self.patient) == {"summary"}

    def test_linked_by_accepting_an_invitation(self) -> None:
        from ketaclinic.careteam.actions.professionals import link_professional_account

        pro = self.signed_sharing_for_professional_without_account()
        user = make_user("self@example.org", "Self Pro", self.clinic, Role.OUTSIDE_PROFESSIONAL)
        link_professional_account(None, pro, user)  # the invitation flow passes no staff member
        assert shared_sections(user, self.patient) == {"summary"}
        grant = Consent.objects.get(professional=pro).grant
        assert grant is not None and grant.granted_by == self.users[Role.PHYSICIAN]
