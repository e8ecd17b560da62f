"""The patient's pages at /q/<token>/: modes, save and resume, crisis resources, submit, and
the calm page for dead links."""

from __future__ import annotations

import datetime as dt
import re

from django.core import mail
from django.urls import reverse
from django.utils import timezone

from ketaclinic.measurement import safety
from ketaclinic.measurement.models import QuestionnaireRequest, RequestStatus, Response, SafetyAlert
from ketaclinic.measurement.tests.base import MeasurementCase
from ketaclinic.securelinks.models import SecureLink

CRISIS = "Please reach out for help now"


class SelfReportFlowTests(MeasurementCase):
    def setUp(self) -> None:
        super().setUp()
        self.sent, self.token = self.send(["phq9", "gad7"])
        mail.outbox.clear()

    def url(self, name: str, *args: object) -> str:
        return reverse(f"measurement:{name}", args=[self.token, *args])

    def test_the_email_carries_the_q_link(self) -> None:
        self.send(["phq9"])
        body = str(mail.outbox[0].body)
        assert re.search(r"http://testserver/q/sturges\.[A-Za-z0-9_-]+/", body)
        assert mail.outbox[0].subject == "Questions from Sturges Family Practice"

    def test_one_question_at_a_time_with_crisis_resources_on_the_next_screen(self) -> None:
        start = self.client.get(self.url("public_start"))
        assert start.status_code == 200
        assert start["Referrer-Policy"] == "same-origin"
        assert CRISIS not in start.content.decode()
        chosen = self.client.post(self.url("public_start"), {"mode": "one"})
        assert chosen["Location"] == self.url("public_item", "phq9", 1)
        for number in range(1, 9):
            answered = self.client.post(
                self.url("public_item", "phq9", number), {f"item_{number}": "0"}
            )
            assert answered["Location"] == self.url("public_item", "phq9", number + 1)
        before = self.client.get(self.url("public_item", "phq9", 9))
        assert CRISIS not in before.content.decode()
        assert "question 9 of 10" in before.content.decode()
        after9 = self.client.post(self.url("public_item", "phq9", 9), {"item_9": "1"})
        nxt = self.client.get(after9["Location"])
        page = nxt.content.decode()
        assert CRISIS in page and 'href="tel:988"' in page and 'href="sms:988"' in page
        assert 'href="tel:911"' in page
        assert self.clinic.crisis_resources.split(",")[0] in page
        # The alert opens the moment the answer is saved: a patient who closes the page now,
        # without sending, still reaches a clinician.
        alert = SafetyAlert.objects.get()
        assert alert.is_open and alert.response is None and alert.flag is not None
        assert "item 9" in alert.reason
        assert safety.has_open_safety_alert(self.patient)
        assert [m.to for m in mail.outbox] == [[self.users["physician"].email]]
        # Sending afterwards attaches the response to that alert: one alert, one email.
        self.client.post(self.url("public_item", "phq9", 10), {"item_10": ""})
        for number in range(1, 8):
            self.client.post(self.url("public_item", "gad7", number), {f"item_{number}": "0"})
        self.client.post(self.url("public_review"))
        alert.refresh_from_db()
        assert alert.response is not None and alert.response.instrument_id == "phq9"
        assert SafetyAlert.objects.count() == 1 and len(mail.outbox) == 1

    def test_whole_form_save_resume_and_submit(self) -> None:
        self.client.post(self.url("public_start"), {"mode": "whole"})
        missing = self.client.post(self.url("public_page", "phq9"), {"item_1": "1", "item_2": "9"})
        assert missing.status_code == 200
        html = missing.content.decode()
        assert "Item 3: choose an answer." in html
        kept = re.search(r'<input[^>]*name="item_1"[^>]*value="1"[^>]*>', html)
        assert kept is not None and "checked" in kept.group(0)  # what was typed is kept
        assert "Item 2: choose one of the answers shown." in html  # 9 is refused at item 2
        # Nothing saved from a page with errors; a whole correct page is.
        req = QuestionnaireRequest.objects.get(pk=self.sent.request.pk)
        assert req.progress == {}
        phq9 = {f"item_{n}": "1" for n in range(1, 10)} | {"item_9": "0"}
        saved = self.client.post(self.url("public_page", "phq9"), phq9)
        assert saved["Location"] == self.url("public_page", "gad7")
        req.refresh_from_db()
        assert req.progress["phq9"] == [1, 1, 1, 1, 1, 1, 1, 1, 0, None]
        assert req.status == RequestStatus.STARTED
        # Resume: a fresh browser lands on the start page, which continues at GAD-7.
        self.client.logout()
        resumed = self.client.get(self.url("public_start"))
        assert "Welcome back" in resumed.content.decode()
        onward = self.client.post(self.url("public_start"), {"mode": "whole"})
        assert onward["Location"] == self.url("public_page", "gad7")
        early = self.client.post(self.url("public_review"))
        assert early.status_code == 400
        assert "not answered yet" in early.content.decode()
        self.client.post(self.url("public_page", "gad7"), {f"item_{n}": "2" for n in range(1, 8)})
        sent = self.client.post(self.url("public_review"))
        assert sent["Location"] == self.url("public_thanks")
        thanks = self.client.get(self.url("public_thanks"))
        assert "your answers are sent" in thanks.content.decode()
        assert CRISIS not in thanks.content.decode()
        stored = {r.instrument_id: r for r in Response.objects.all()}
        assert stored["phq9"].total == 8 and stored["gad7"].total == 14
        assert {r.channel for r in stored.values()} == {"self_report"}
        assert all(r.questionnaire_request_id == req.pk for r in stored.values())
        link = SecureLink.objects.get(pk=self.sent.link.pk)
        assert link.used_up_at is not None
        again = self.client.post(self.url("public_review"))
        assert again["Location"] == self.url("public_thanks")
        assert Response.objects.count() == 2
        used = self.client.get(self.url("public_start"))
        assert used.status_code == 410
        assert "You have already sent your answers" in used.content.decode()

    def test_submit_with_item9_shows_crisis_and_opens_alert(self) -> None:
        self.client.post(self.url("public_start"), {"mode": "whole"})
        self.client.post(self.url("public_page", "phq9"), {f"item_{n}": "1" for n in range(1, 10)})
        review = self.client.get(self.url("public_review"))
        assert CRISIS in review.content.decode()
        self.client.post(self.url("public_page", "gad7"), {f"item_{n}": "0" for n in range(1, 8)})
        self.client.post(self.url("public_review"))
        thanks = self.client.get(self.url("public_thanks"))
        assert CRISIS in thanks.content.decode()
        alert = SafetyAlert.objects.get()
        assert alert.response is not None and alert.response.instrument_id == "phq9"
        assert alert.flag is not None
        assert alert.flag.raised_by is None
        assert [m.to for m in mail.outbox] == [[self.users["physician"].email]]
        alert_page = reverse("measurement:alert", args=[self.patient.pk, alert.pk])
        assert f"http://testserver{alert_page}" in mail.outbox[0].body

    def test_switching_mode_keeps_the_place(self) -> None:
        self.client.post(self.url("public_start"), {"mode": "whole"})
        switched = self.client.post(self.url("public_start"), {"mode": "one", "at": "gad7:0"})
        assert switched["Location"] == self.url("public_item", "gad7", 1)
        back = self.client.post(self.url("public_start"), {"mode": "whole", "at": "gad7:3"})
        assert back["Location"] == self.url("public_page", "gad7")

    def test_expired_unknown_and_foreign_links_get_the_calm_page(self) -> None:
        SecureLink.objects.filter(pk=self.sent.link.pk).update(
            expires_at=timezone.now() - dt.timedelta(minutes=1)
        )
        for name, args in (("public_start", ()), ("public_page", ("phq9",)), ("public_review", ())):
            with self.subTest(name=name):
                expired = self.client.get(self.url(name, *args))
                assert expired.status_code == 410
                assert "This link has expired" in expired.content.decode()
                assert 'href="tel:988"' in expired.content.decode()
        unknown = self.client.get(
            reverse("measurement:public_start", args=["sturges.nope-nope-nope-nope-nope"])
        )
        assert unknown.status_code == 404
        assert "We could not open this link" in unknown.content.decode()

    def test_an_intake_token_does_not_open_questions(self) -> None:
        from ketaclinic.intake.actions import start_intake
        from ketaclinic.securelinks.actions import create_link

        by = self.by("coordinator")
        _link, intake_token = create_link(
            by,
            self.patient,
            purpose="intake",
            target=start_intake(by, self.patient),
            lifetime=dt.timedelta(days=1),
        )
        response = self.client.get(reverse("measurement:public_start", args=[intake_token]))
        assert response.status_code == 404

    def test_log_lines_scrub_q_tokens(self) -> None:
        from ketaclinic.lib.logs import scrub_secret_paths

        assert scrub_secret_paths(f'"GET /q/{self.token}/phq9/ HTTP/1.1"') == (
            '"GET /q/[token]/phq9/ HTTP/1.1"'
        )
        assert scrub_secret_paths("/i/abc.DEF/") == "/i/[token]/"
