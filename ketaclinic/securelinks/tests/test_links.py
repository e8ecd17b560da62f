"""Secure links: made with the token shown once and only its hash kept; refused when unknown,
tampered, expired, used or withdrawn, with the calm page; refusals rate-limited; every use
audited by the link's id and never its token; tokens scrubbed from log lines."""

from __future__ import annotations

import datetime as dt
import json
import logging
from typing import Any

import time_machine
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from ketaclinic.accounts.models import Membership, Role
from ketaclinic.audit.models import AuditEntry
from ketaclinic.intake.tests.base import IntakeCase
from ketaclinic.lib.logs import ScrubSecretPaths, scrub_secret_paths
from ketaclinic.securelinks import actions
from ketaclinic.securelinks.models import Purpose, SecureLink, hash_token


def all_audit_text() -> str:
    return json.dumps(list(AuditEntry.objects.values()), default=str)


class MakingLinksTests(IntakeCase):
    def test_it_keeps_only_the_hash_of_the_token(self) -> None:
        link, token = actions.create_link(
            self.by(Role.NURSE),
            self.patient,
            purpose=Purpose.INTAKE,
            lifetime=dt.timedelta(days=7),
        )
        slug, secret = token.split(".", 1)
        assert slug == self.clinic.slug
        assert len(secret) == 43  # 32 random bytes, URL-safe base64
        assert link.token_hash == hash_token(token)
        stored = SecureLink.objects.get(pk=link.pk)
        row = json.dumps(
            {f.attname: getattr(stored, f.attname) for f in SecureLink._meta.concrete_fields},
            default=str,
        )
        assert secret not in row
        assert link.expires_at == link.created_at + dt.timedelta(days=7)

    def test_only_the_patients_coordinator_nurse_or_physician_make_links(self) -> None:
        for role in (Role.CLINIC_ADMIN, Role.CUSTODIAN, Role.OUTSIDE_PROFESSIONAL):
            with self.assertRaises(PermissionDenied, msg=role):
                actions.create_link(
                    self.by(role), self.patient, purpose=Purpose.INTAKE, lifetime=dt.timedelta(1)
                )
        outsider = self.member_of_other()
        with self.assertRaises(PermissionDenied):
            actions.create_link(
                outsider, self.patient, purpose=Purpose.INTAKE, lifetime=dt.timedelta(1)
            )

    def member_of_other(self) -> Membership:
        from ketaclinic.testing import make_user, member

        user = make_user("nurse@other.example", "Other Nurse", self.other, Role.NURSE)
        return member(user, self.other)


class CalmPageTests(IntakeCase):
    def assert_calm(self, response: Any, status: int, heading: str, *, clinic: bool = True) -> None:
        assert response.status_code == status
        text = response.content.decode()
        assert heading in text, text
        assert 'href="tel:988"' in text  # crisis resources
        assert "Whom to call" in text
        if clinic:
            assert self.clinic.name in text
            assert 'class="tap-call" href="tel:' in text
        assert response["Referrer-Policy"] == "same-origin"
        assert "There was a problem" not in text  # not the error page

    def test_an_unknown_token_of_the_clinic_names_the_clinic(self) -> None:
        token = self.send_link()
        tampered = token[:-3] + ("aaa" if not token.endswith("aaa") else "bbb")
        response = self.client.get(reverse("intake:start", args=[tampered]))
        self.assert_calm(response, 404, "We could not open this link")

    def test_a_garbled_token_gets_the_calm_page_without_a_clinic(self) -> None:
        response = self.client.get(reverse("intake:start", args=["not a token at all"]))
        self.assert_calm(response, 404, "We could not open this link", clinic=False)
        assert "Please call the clinic that sent you this link" in response.content.decode()

    def test_an_expired_link(self) -> None:
        token = self.send_link()
        with time_machine.travel(timezone.now() + dt.timedelta(days=7, seconds=1)):
            response = self.client.get(reverse("intake:start", args=[token]))
        self.assert_calm(response, 410, "This link has expired")

    def test_a_link_is_open_until_it_expires(self) -> None:
        token = self.send_link()
        with time_machine.travel(timezone.now() + dt.timedelta(days=6, hours=23)):
            response = self.client.get(reverse("intake:start", args=[token]))
        assert response.status_code == 200
        assert response["Referrer-Policy"] == "same-origin"

    def test_a_used_link(self) -> None:
        token = self.send_link()
        self.fill_all(token)
        self.client.post(reverse("intake:review", args=[token]), {"s-confirm": "on"})
        response = self.client.get(reverse("intake:start", args=[token]))
        self.assert_calm(response, 410, "You have already sent your answers")
        response = self.client.get(self.step_url(token, "about"))
        self.assert_calm(response, 410, "You have already sent your answers")

    def test_a_resend_withdraws_the_old_link(self) -> None:
        old = self.send_link()
        new = self.send_link()
        assert old != new
        response = self.client.get(reverse("intake:start", args=[old]))
        self.assert_calm(response, 410, "This link has been replaced")
        assert self.client.get(reverse("intake:start", args=[new])).status_code == 200
        assert SecureLink.objects.filter(patient=self.patient, revoked_at__isnull=True).count() == 1


class RateLimitTests(IntakeCase):
    def test_refusals_are_limited_per_address_and_then_even_a_good_link_waits(self) -> None:
        good = self.send_link()
        limit = int(settings.SECURELINK_REFUSED_RATE.split("/")[0])
        for i in range(limit):
            bad = reverse("intake:start", args=[f"{self.clinic.slug}.{'x' * 40}{i:03d}"])
            assert self.client.get(bad).status_code == 404
        with self.assertLogs("ketaclinic.securelinks.pages", level="WARNING"):
            response = self.client.get(reverse("intake:start", args=[good]))
        assert response.status_code == 429
        assert "Please wait a few minutes" in response.content.decode()
        assert 'href="tel:988"' in response.content.decode()
        other = self.client.get(reverse("intake:start", args=[good]), REMOTE_ADDR="192.0.2.9")
        assert other.status_code == 200

    def test_good_uses_do_not_count(self) -> None:
        good = self.send_link()
        limit = int(settings.SECURELINK_REFUSED_RATE.split("/")[0])
        for _ in range(limit + 3):
            assert self.client.get(reverse("intake:start", args=[good])).status_code == 200


class AuditTests(IntakeCase):
    def test_every_use_is_audited_by_the_links_id_and_never_its_token(self) -> None:
        token = self.send_link(via=("email", "sms"))
        link = SecureLink.objects.get(patient=self.patient)
        self.client.get(reverse("intake:start", args=[token]))
        self.post_step(token, "about")
        self.client.get(reverse("intake:start", args=[token[:-2] + "zz"]))  # tampered
        self.fill_all(token)
        self.client.post(reverse("intake:review", args=[token]), {"s-confirm": "on"})
        self.client.get(reverse("intake:start", args=[token]))  # used: refused
        entries = AuditEntry.objects.filter(object_type="securelinks.securelink")
        actions_seen = list(entries.order_by("pk").values_list("action", "object_id"))
        names = [a for a, _ in actions_seen]
        assert names[:2] == ["securelink.create", "securelink.send"]
        assert names.count("view.securelink") == 1
        assert names.count("securelink.step") == 1 + 9
        assert names.count("securelink.use") == 1
        assert names.count("securelink.refused") == 2
        ids = {oid for a, oid in actions_seen if a != "securelink.refused"}
        assert ids == {str(link.pk)}
        refused = entries.filter(action="securelink.refused").order_by("pk")
        assert [(e.object_id, e.after) for e in refused] == [
            ("", {"refusal": "unknown"}),
            (str(link.pk), {"refusal": "used"}),
        ]
        secret = token.split(".", 1)[1]
        text = all_audit_text()
        assert secret not in text
        assert secret[:-2] not in text


class LogScrubbingTests(IntakeCase):
    def test_djangos_not_found_line_carries_no_token(self) -> None:
        token = self.send_link()
        tampered = token[:-2] + "zz"
        with self.assertLogs("django.request", level="WARNING") as logs:
            self.client.get(reverse("intake:start", args=[tampered]))
        output = "\n".join(logs.output)
        assert "Not Found: /i/[token]/" in output
        assert tampered.split(".", 1)[1] not in output

    def test_the_filter_scrubs_arguments_and_tracebacks(self) -> None:
        record = logging.LogRecord(
            "waitress",
            logging.ERROR,
            __file__,
            1,
            "Exception while serving %s",
            ("/i/abc.SECRET/step/x/",),
            None,
        )
        record.exc_text = 'File "x", in view\n  path="/i/abc.SECRET/"'
        assert ScrubSecretPaths().filter(record)
        assert record.getMessage() == "Exception while serving /i/[token]/step/x/"
        assert "SECRET" not in record.exc_text
        assert (
            scrub_secret_paths('"GET /i/s.T0K/ HTTP/1.1" 200') == '"GET /i/[token]/ HTTP/1.1" 200'
        )
        assert scrub_secret_paths("/api/items/") == "/api/items/"
