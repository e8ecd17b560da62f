"""Signing: the typed name, the drawn signature, the PDF copy, supersession and re-consent."""

from __future__ import annotations

import base64
import hashlib
import io

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.test import RequestFactory
from PIL import Image

from ketaclinic.accounts.models import Role
from ketaclinic.consents import actions, queries
from ketaclinic.consents.models import ConsentEvent, Kind, Status
from ketaclinic.consents.signature import MAX_DATA_URL_CHARS
from ketaclinic.consents.tests.base import ConsentCase, png_data_url


class SignTests(ConsentCase):
    def test_a_name_that_is_not_the_legal_name_is_refused_at_the_field(self) -> None:
        draft = self.off_label(sign=False)
        with self.assertRaises(ValidationError) as caught:
            actions.sign_consent(self.by(), draft, typed_name="Ada Byron")
        errors = caught.exception.message_dict
        assert list(errors) == ["typed_name"]
        assert "Ada Lovelace" in errors["typed_name"][0]
        draft.refresh_from_db()
        assert draft.status == Status.DRAFT and draft.pdf_name == ""

    def test_case_and_spacing_do_not_matter(self) -> None:
        draft = self.off_label(sign=False)
        signed = actions.sign_consent(self.by(), draft, typed_name="  ADA   lovelace ")
        assert signed.status == Status.SIGNED and signed.typed_name == "ADA lovelace"

    def test_a_drawn_signature_that_is_not_a_png_is_refused(self) -> None:
        draft = self.off_label(sign=False)
        jpeg = io.BytesIO()
        Image.new("RGB", (40, 20), "white").save(jpeg, format="JPEG")
        for bad in (
            "data:image/png;base64," + base64.b64encode(jpeg.getvalue()).decode(),
            "data:image/png;base64,not base64!",
            "data:text/html;base64,PGI+",
        ):
            with self.assertRaises(ValidationError) as caught:
                actions.sign_consent(
                    self.by(), draft, typed_name="Ada Lovelace", signature_data_url=bad
                )
            assert list(caught.exception.message_dict) == ["signature"], bad

    def test_a_drawn_signature_too_big_is_refused(self) -> None:
        draft = self.off_label(sign=False)
        for bad in (png_data_url(2000, 100), "data:image/png;base64," + "A" * MAX_DATA_URL_CHARS):
            with self.assertRaises(ValidationError) as caught:
                actions.sign_consent(
                    self.by(), draft, typed_name="Ada Lovelace", signature_data_url=bad
                )
            assert "too large" in caught.exception.message_dict["signature"][0]

    def test_signing_stores_a_pdf_with_its_hash_and_the_signing_facts(self) -> None:
        draft = self.off_label(sign=False)
        request = RequestFactory().post(
            "/", REMOTE_ADDR="198.51.100.23", HTTP_USER_AGENT="Tablet Browser 1.0"
        )
        signed = actions.sign_consent(
            self.by(Role.NURSE),
            draft,
            typed_name="Ada Lovelace",
            signature_data_url=png_data_url(),
            request=request,
        )
        assert signed.signed_ip == "198.51.100.23"
        assert signed.signed_user_agent == "Tablet Browser 1.0"
        assert signed.witnessed_by == self.users[Role.NURSE]
        assert signed.signature_png is not None
        with default_storage.open(signed.pdf_name, "rb") as handle:
            pdf = handle.read()
        assert hashlib.sha256(pdf).hexdigest() == signed.pdf_sha256
        assert signed.pdf_name == f"consent-pdfs/{signed.pdf_sha256}.pdf"
        assert pdf.startswith(b"%PDF")
        for text in (
            b"Ada Lovelace",
            b"version 1",
            b"Treatment-resistant depression",
            b"198.51.100.23",
            b"Nurse",  # the witness's name
            b"/Subtype /Image",  # the drawn signature
        ):
            assert text in pdf, text
        kinds = list(ConsentEvent.objects.filter(consent=signed).values_list("kind", flat=True))
        assert kinds == ["created", "signed"]

    def test_a_signed_consent_cannot_be_signed_again(self) -> None:
        signed = self.off_label()
        with self.assertRaises(ValidationError):
            actions.sign_consent(self.by(), signed, typed_name="Ada Lovelace")

    def test_roles_that_record_each_kind(self) -> None:
        with self.assertRaises(PermissionDenied):
            self.off_label(role=Role.CLINIC_ADMIN, sign=False)
        with self.assertRaises(PermissionDenied):
            actions.create_consent(
                self.by(Role.NURSE), self.patient, Kind.SHARE, professional=self.professional,
                sections=["summary"], purpose="p", expiry_event="end",
            )  # fmt: skip
        with self.assertRaises(PermissionDenied):
            actions.create_consent(
                self.by(Role.COORDINATOR), self.patient, Kind.PART2,
                professional=self.professional, purpose="p", expiry_event="end",
            )  # fmt: skip
        assert self.off_label(role=Role.COORDINATOR).status == Status.SIGNED


class ReconsentTests(ConsentCase):
    def test_a_new_version_asks_for_re_consent_and_signing_it_supersedes(self) -> None:
        old = self.off_label()
        assert queries.reconsent_reasons(old, queries.latest_versions(self.clinic)) == []
        actions.publish_template(
            self.by(), self.clinic, Kind.OFF_LABEL, title="Consent", body="New risks.",
            change_note="Added a risk.",
        )  # fmt: skip
        reasons = queries.reconsent_reasons(old, queries.latest_versions(self.clinic))
        assert reasons == [
            "Version 2 of this text was published after the patient signed version 1."
        ]
        assert queries.has_live_consent(self.patient, Kind.OFF_LABEL)  # still holds until re-signed
        new = self.off_label()
        assert new.template.version == 2
        old.refresh_from_db()
        assert old.status == Status.SUPERSEDED and old.superseded_by_id == new.pk
        assert [c.pk for c in queries.live_consents(self.patient)] == [new.pk]

    def test_a_draft_on_an_old_version_cannot_be_signed(self) -> None:
        draft = self.off_label(sign=False)
        actions.publish_template(
            self.by(), self.clinic, Kind.OFF_LABEL, title="Consent", body="New.", change_note="x"
        )
        with self.assertRaises(ValidationError) as caught:
            actions.sign_consent(self.by(), draft, typed_name="Ada Lovelace")
        assert "Version 2" in caught.exception.messages[0]

    def test_a_new_indication_asks_for_re_consent(self) -> None:
        old = self.off_label()
        self.off_label(sign=False, indications=("treatment-resistant depression",))
        old.refresh_from_db()
        assert old.reconsent_reason == ""  # the same indication is no material change
        self.off_label(sign=False, indications=("PTSD",))
        old.refresh_from_db()
        latest = queries.latest_versions(self.clinic)
        assert queries.reconsent_reasons(old, latest) == ["New indication: PTSD."]
        assert ConsentEvent.objects.filter(consent=old, kind="reconsent").count() == 1

    def test_revoking_ends_the_live_consent(self) -> None:
        consent = self.off_label()
        actions.revoke_consent(self.by(Role.NURSE), consent, reason="Patient asked, in person.")
        consent.refresh_from_db()
        assert (
            consent.status == Status.REVOKED and consent.end_reason == "Patient asked, in person."
        )
        assert not queries.has_live_consent(self.patient, Kind.OFF_LABEL)
        with self.assertRaises(ValidationError):
            actions.revoke_consent(self.by(), consent, reason="again")
