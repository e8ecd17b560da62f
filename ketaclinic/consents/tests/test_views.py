"""Every consents page from every side: the chart roles, admin and custodian (break-glass),
the outside professional, another clinic's admin, and a visitor who is not signed in."""

from __future__ import annotations

import datetime as dt

from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils import timezone

from ketaclinic.accounts.models import BreakGlassGrant, Role
from ketaclinic.accounts.policies import shared_sections
from ketaclinic.consents.models import Consent, Kind, Status
from ketaclinic.consents.tests.base import ConsentCase, png_data_url

READERS = (Role.PHYSICIAN, Role.NURSE, Role.COORDINATOR)


class ConsentPageTests(ConsentCase):
    def urls(self, consent: Consent) -> dict[str, str]:
        args = [self.patient.pk, consent.pk]
        return {
            "list": reverse("consents:list", args=[self.patient.pk]),
            "detail": reverse("consents:detail", args=args),
            "pdf": reverse("consents:pdf", args=args),
        }

    def test_the_chart_roles_read_the_list_detail_and_pdf(self) -> None:
        consent = self.off_label()
        for role in READERS:
            self.login(role)
            urls = self.urls(consent)
            page = self.client.get(urls["list"])
            assert page.status_code == 200
            assert b"Treatment-resistant depression" in page.content
            # The Consents tab of the chart: its header and tab bar, this tab current.
            assert b'aria-label="Chart header"' in page.content
            assert b'aria-current="page">Consents</a>' in page.content
            detail = self.client.get(urls["detail"])
            assert detail.status_code == 200
            assert b"All consents" in detail.content
            pdf = self.client.get(urls["pdf"])
            assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
            assert pdf.content.startswith(b"%PDF")

    def test_admin_and_custodian_read_only_by_break_glass(self) -> None:
        consent = self.off_label()
        urls = self.urls(consent)
        for role in (Role.CLINIC_ADMIN, Role.CUSTODIAN):
            self.login(role)
            response = self.client.get(urls["list"])
            assert response.status_code == 302
            assert response["Location"].startswith(reverse("accounts:break_glass"))
            BreakGlassGrant.objects.create(
                clinic=self.clinic, user=self.users[role], role=role,
                content_type=ContentType.objects.get_for_model(self.patient),
                object_id=str(self.patient.pk), reason="Patient collapsed; need consents.",
                expires_at=timezone.now() + dt.timedelta(minutes=30),
            )  # fmt: skip
            page = self.client.get(urls["list"])
            assert page.status_code == 200 and b"Emergency access" in page.content
            assert b"Prepare a consent" not in page.content
            self.assert_denied(
                self.client.post(reverse("consents:sign", args=[self.patient.pk, consent.pk])), 403
            )

    def test_outsiders_and_the_outside_professional_are_refused(self) -> None:
        consent = self.sharing()
        urls = self.urls(consent)
        self.login(Role.OUTSIDE_PROFESSIONAL)
        assert shared_sections(self.users[Role.OUTSIDE_PROFESSIONAL], self.patient)
        for url in urls.values():
            self.assert_denied(self.client.get(url), 403)  # not staff, whatever is shared
        self.login(self.outsider)
        for url in urls.values():
            self.assert_denied(self.client.get(url), 404)
        self.client.logout()
        for url in urls.values():
            self.assert_denied(self.client.get(url), 302)

    def test_part2_consents_are_hidden_from_the_coordinator(self) -> None:
        self.patient.sud_treatment = True
        self.patient.save()
        consent = self.sharing(Kind.PART2, sections=("history",))
        self.login(Role.COORDINATOR)
        assert b"42 CFR Part 2" not in self.client.get(self.urls(consent)["list"]).content
        self.assert_denied(self.client.get(self.urls(consent)["detail"]), 404)
        self.login(Role.NURSE)
        page = self.client.get(self.urls(consent)["detail"])
        assert page.status_code == 200 and b"Notice to the recipient" in page.content

    def test_a_nurse_prepares_and_witnesses_an_off_label_consent(self) -> None:
        self.login(Role.NURSE)
        new_url = reverse("consents:new", args=[self.patient.pk])
        form = self.client.get(new_url)
        assert b"Treatment agreement" in form.content
        assert b"42 CFR Part 2" not in form.content  # not an SUD patient; not the nurse's
        missing = self.client.post(new_url, {"kind": Kind.OFF_LABEL})
        assert missing.status_code == 200 and b"Name the condition" in missing.content
        response = self.client.post(new_url, {"kind": Kind.OFF_LABEL, "indications": "PTSD"})
        consent = Consent.objects.get(patient=self.patient)
        assert response["Location"] == reverse(
            "consents:detail", args=[self.patient.pk, consent.pk]
        )
        sign_url = reverse("consents:sign", args=[self.patient.pk, consent.pk])
        wrong = self.client.post(
            sign_url,
            {"read_confirmed": "on", "typed_name": "Ada Byron", "signature": png_data_url()},
        )
        assert wrong.status_code == 200
        assert b"does not match the patient&#x27;s legal name" in wrong.content
        assert b'value="Ada Byron"' in wrong.content  # what was typed is kept
        bad_png = self.client.post(
            sign_url,
            {
                "read_confirmed": "on",
                "typed_name": "Ada Lovelace",
                "signature": "data:image/png;base64,AAAA",
            },
        )
        assert b"did not arrive as a picture" in bad_png.content
        done = self.client.post(
            sign_url,
            {"read_confirmed": "on", "typed_name": "Ada Lovelace", "signature": png_data_url()},
            REMOTE_ADDR="203.0.113.9",
            HTTP_USER_AGENT="Clinic tablet",
        )
        assert done.status_code == 302
        consent.refresh_from_db()
        assert consent.status == Status.SIGNED and consent.signed_ip == "203.0.113.9"
        assert consent.witnessed_by == self.users[Role.NURSE]

    def test_a_coordinator_records_a_revocation_from_the_page(self) -> None:
        consent = self.sharing()
        self.login(Role.COORDINATOR)
        revoke_url = reverse("consents:revoke", args=[self.patient.pk, consent.pk])
        empty = self.client.post(revoke_url, {"reason": ""})
        assert empty.status_code == 200 and b"This field is required" in empty.content
        assert self.client.post(revoke_url, {"reason": "Phoned to revoke."}).status_code == 302
        assert shared_sections(self.users[Role.OUTSIDE_PROFESSIONAL], self.patient) == set()

    def test_template_pages_for_admin_and_physician_only(self) -> None:
        self.login(Role.CLINIC_ADMIN)
        listing = self.client.get(reverse("consents:templates"))
        assert b"becomes version 1 when first used" in listing.content
        publish_url = reverse("consents:template_publish", args=[Kind.AGREEMENT])
        form = self.client.get(publish_url)
        assert b"A responsible adult takes me home" in form.content
        response = self.client.post(
            publish_url, {"title": "Agreement", "body": "Escort home.", "change_note": "Shorter."}
        )
        assert response.status_code == 302
        self.login(Role.PHYSICIAN)
        assert b"v2" in self.client.get(reverse("consents:templates")).content
        self.login(Role.NURSE)
        self.assert_denied(self.client.get(reverse("consents:templates")), 403)
        self.login(self.outsider)
        self.assert_denied(self.client.get(response["Location"]), 404)
