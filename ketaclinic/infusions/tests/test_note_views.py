"""The recovery, discharge and note screens, from every side."""

from __future__ import annotations

from django.urls import reverse

from ketaclinic.accounts.models import Role
from ketaclinic.infusions import hooks, states
from ketaclinic.infusions.actions import note as note_actions
from ketaclinic.infusions.models import InfusionSession, RecoveryAssessment, SessionNote
from ketaclinic.infusions.tests.base import key
from ketaclinic.infusions.tests.discharge_base import ESCORT_PHONE, ChartedCase
from ketaclinic.testing import TEST_PASSWORD, make_user

FULL_MARKS = {
    "activity": "2", "respiration": "2", "consciousness": "2", "oriented": "on",
    "steady_gait": "on", "pain_nausea": "2", "bleeding": "2", "took_fluids": "on",
    "voided": "on",
}  # fmt: skip


def blocker(session: InfusionSession) -> list[str]:
    return ["ketamine not reconciled"]


class RecoveryViewTests(ChartedCase):
    def url(self, name: str, session: InfusionSession) -> str:
        return reverse(f"infusions:{name}", args=[session.pk])

    def test_panels_show_in_recovery(self) -> None:
        session = self.recovering()
        self.login(Role.NURSE)
        page = self.client.get(self.url("session", session))
        assert page.status_code == 200
        text = page.content.decode()
        assert "Earliest discharge" in text
        local = page.context["panels"]
        slugs = [p["slug"] for p in local]
        assert "recovery" in slugs and "discharge" in slugs
        # A nurse is not offered the discharge override (the rescue form's own override
        # field is another panel's).
        discharge = text[text.index('id="discharge"') :]
        discharge = discharge[: discharge.index("</section>")]
        assert "override_reason" not in discharge

    def test_assessment_post_and_errors(self) -> None:
        session = self.recovering()
        self.login(Role.NURSE)
        bad = self.client.post(self.url("assessment", session), {"idempotency_key": key()})
        assert bad.status_code == 200
        form = [p for p in bad.context["panels"] if p["slug"] == "recovery"][0]["ctx"][
            "assessment_form"
        ]
        assert "activity" in form.errors
        ok = self.client.post(
            self.url("assessment", session), {**FULL_MARKS, "idempotency_key": key()}
        )
        assert ok.status_code == 302
        row = RecoveryAssessment.objects.get(session=session)
        assert row.aldrete_total == 10 and row.padss_total == 10

    def test_after_effects_post(self) -> None:
        session = self.recovering()
        self.login(Role.NURSE)
        answers = {f"item_{n}": "0" for n in range(1, 8)} | {"item_2": "1"}
        ok = self.client.post(
            self.url("after_effects", session), {**answers, "idempotency_key": key()}
        )
        assert ok.status_code == 302
        assert session.after_effects.get().response.subscores["tired"] == 1

    def test_discharge_blocked_then_overridden_by_a_physician(self) -> None:
        session = self.recovering()
        self.login(Role.NURSE)
        data = {
            "version": str(session.version), "escort_name": "", "escort_relationship": "",
            "escort_phone": "",
        }  # fmt: skip
        blocked = self.client.post(self.url("discharge", session), data)
        assert blocked.status_code == 200
        assert "Not met:" in blocked.content.decode()
        by_nurse = self.client.post(
            self.url("discharge", session), {**data, "override_reason": "Fine."}
        )
        assert by_nurse.status_code == 200
        assert "Only a physician" in by_nurse.content.decode()
        self.login(Role.PHYSICIAN)
        done = self.client.post(
            self.url("discharge", session), {**data, "override_reason": "Family collecting."}
        )
        assert done.status_code == 302
        session.refresh_from_db()
        assert session.state == states.DISCHARGED

    def test_stale_form_gets_the_conflict_message_and_the_new_version(self) -> None:
        session = self.recovering()
        self.assess(session)
        self.login(Role.NURSE)
        stale = self.client.post(
            self.url("discharge", session),
            {"version": str(session.version - 1), "escort_name": "Dana Reyes",
             "escort_phone": "415 555 0123"},
        )  # fmt: skip
        assert stale.status_code == 200
        assert "Someone else changed this session" in stale.content.decode()
        session.refresh_from_db()
        assert f'name="version" value="{session.version}"' in stale.content.decode()
        assert session.state == states.RECOVERY

    def test_discharge_with_every_criterion_met(self) -> None:
        session = self.recovering()
        self.assess(session)
        # Observation: recovery began 80 min ago (two hours ago + 40 min).
        self.login(Role.NURSE)
        done = self.client.post(
            self.url("discharge", session),
            {"version": str(session.version), "escort_name": "Dana Reyes",
             "escort_relationship": "sister", "escort_phone": "415 555 0123"},
        )  # fmt: skip
        assert done.status_code == 302
        session.refresh_from_db()
        assert session.state == states.DISCHARGED and session.escort_phone == ESCORT_PHONE

    def test_refusals(self) -> None:
        session = self.recovering()
        self.login(Role.COORDINATOR)
        for name in ("assessment", "after_effects", "discharge", "sign", "addendum"):
            self.assert_denied(self.client.post(self.url(name, session), {}), 403)
        for name in ("note", "note_pdf", "instructions"):
            self.assert_denied(self.client.get(self.url(name, session)), 403)
        elsewhere = make_user("doc@other.example", "Other Doc", self.other, Role.PHYSICIAN)
        self.login(elsewhere)
        for name in ("note", "note_pdf", "instructions"):
            self.assert_denied(self.client.get(self.url(name, session)), 404)
        self.assert_denied(self.client.post(self.url("assessment", session), FULL_MARKS), 404)
        self.client.logout()
        self.assert_denied(self.client.get(self.url("note", session)), 302)

    def test_instructions_page(self) -> None:
        self.clinic.phone = "+14155550100"
        self.clinic.save()
        session = self.charted()
        self.login(Role.NURSE)
        page = self.client.get(self.url("instructions", session))
        assert page.status_code == 200
        text = page.content.decode()
        assert "Do not drive" in text and "+14155550100" in text and "Dana Reyes" in text
        assert "988" in text


class NoteViewTests(ChartedCase):
    def url(self, name: str, session: InfusionSession) -> str:
        return reverse(f"infusions:{name}", args=[session.pk])

    def test_note_page_and_pdf(self) -> None:
        session = self.charted()
        self.login(Role.NURSE)
        page = self.client.get(self.url("note", session))
        assert page.status_code == 200
        text = page.content.decode()
        assert "Plan Patient" in text and "Ondansetron" in text and "Draft: not signed" in text
        assert "Prediction unavailable" in text
        pdf = self.client.get(self.url("note_pdf", session))
        assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
        assert pdf.content.startswith(b"%PDF") and b"Plan Patient" in pdf.content

    def test_sign_form_for_the_physician_only_with_blockers_listed(self) -> None:
        session = self.charted()
        self.login(Role.NURSE)
        assert (
            'name="password"' not in self.client.get(self.url("session", session)).content.decode()
        )
        hooks.register_sign_blocker(blocker)
        try:
            self.login(Role.PHYSICIAN)
            page = self.client.get(self.url("session", session)).content.decode()
            assert 'name="password"' in page and "ketamine not reconciled" in page
            refused = self.client.post(self.url("sign", session), {"password": TEST_PASSWORD})
            assert refused.status_code == 200
            assert "Not yet: ketamine not reconciled" in refused.content.decode()
        finally:
            hooks.unregister_sign_blocker(blocker)
        assert not SessionNote.objects.exists()

    def test_sign_wrong_password_then_right(self) -> None:
        session = self.charted()
        self.login(Role.PHYSICIAN)
        wrong = self.client.post(self.url("sign", session), {"password": "nope"})
        assert wrong.status_code == 200
        assert "That password is not right." in wrong.content.decode()
        ok = self.client.post(self.url("sign", session), {"password": TEST_PASSWORD})
        assert ok.status_code == 302
        session.refresh_from_db()
        assert session.state == states.SIGNED
        page = self.client.get(self.url("note", session)).content.decode()
        assert "Signed" in page and SessionNote.objects.get().content_sha256 in page

    def test_nurse_cannot_sign(self) -> None:
        session = self.charted()
        self.login(Role.NURSE)
        self.assert_denied(self.client.post(self.url("sign", session), {"password": "x"}), 403)

    def test_addendum(self) -> None:
        session = self.charted()
        note_actions.sign_note(self.by(Role.PHYSICIAN), session, password=TEST_PASSWORD)
        self.login(Role.NURSE)
        empty = self.client.post(self.url("addendum", session), {"text": ""})
        assert empty.status_code == 200
        ok = self.client.post(self.url("addendum", session), {"text": "Phoned: well."})
        assert ok.status_code == 302
        page = self.client.get(self.url("session", session)).content.decode()
        assert "Phoned: well." in page
