"""The session note: its content, the signature that freezes it, sign blockers, addenda and
the PDF."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from ketaclinic.accounts.models import Role
from ketaclinic.audit.models import AuditEntry
from ketaclinic.infusions import hooks, states
from ketaclinic.infusions.actions import note as actions
from ketaclinic.infusions.actions import recovery as recovery_actions
from ketaclinic.infusions.models import InfusionSession, SessionNote
from ketaclinic.infusions.notecontent import note_content, sha256_of
from ketaclinic.infusions.notepdf import build_pdf, latin1
from ketaclinic.infusions.tests.base import key
from ketaclinic.infusions.tests.discharge_base import ChartedCase
from ketaclinic.testing import TEST_PASSWORD


def not_reconciled(session: InfusionSession) -> list[str]:
    return ["ketamine not reconciled (drawn 40 mg, accounted 0 mg)"]


class NoteContentTests(ChartedCase):
    def test_content_has_every_part(self) -> None:
        c = note_content(self.charted())
        assert c["patient"]["name"] == "Plan Patient"
        assert c["plan"]["dose_mg_per_kg"] == 0.5 and c["plan"]["dose_mg"] == 40
        fasting = [p for p in c["prechecks"] if p["item"] == "Fasting times"]
        assert fasting and fasting[0]["result"] == "Failed"
        [override] = [o for o in c["overrides"] if o["item"] == "Fasting times"]
        assert "light meal" in override["reason"]
        assert override["physician"] == self.users[Role.PHYSICIAN].full_name
        rate = [p for p in c["pump"] if p["kind"] == "Rate changed"]
        assert rate[0]["rate_ml_per_h"] == 30 and "rate halved" in rate[0]["reason"]
        [firing] = c["firings"]
        assert "172/96" in firing["reading"] and firing["response"] == "rate_lowered"
        [event] = c["events"]
        assert event["kind"] == "Nausea or vomiting"
        [rescue] = c["rescues"]
        assert rescue["drug"] == "Ondansetron" and rescue["dose_mg"] == 4
        assert rescue["adverse_event"] == event["id"]
        assert "Nausea or vomiting" in rescue["trigger"]
        assert rescue["ordered_by"] == self.users[Role.PHYSICIAN].full_name
        assert c["prediction"] is None  # the live workflow's stub on this branch
        assert c["assessments"][0]["aldrete_total"] == 10
        assert c["discharge"]["escort_name"] == "Dana Reyes"
        rems = c["rems"]
        assert rems["bp_pre_dose"].startswith("120/80")
        # Readings after the start: 20 min (172/96) and 55 min (120/80); 40 min is nearer 55.
        assert rems["bp_40_min"].startswith("120/80")
        assert rems["dissociation"] is False and rems["respiratory_depression"] is False
        # Started t0, discharged t0 + 40 + 60 min.
        assert rems["monitoring_min"] == 100

    def test_struck_and_late_readings_marked(self) -> None:
        import datetime as dt

        from django.utils import timezone

        session = self.recovering()
        wrong = self.reading(
            session, "recovery", self.recovery_at + dt.timedelta(minutes=30),
            entered_at=self.recovery_at + dt.timedelta(minutes=45),
        )  # fmt: skip
        wrong.struck_at = timezone.now()
        wrong.strike_reason = "Wrong patient's cuff"
        wrong.save()
        [row] = [r for r in note_content(session)["readings"] if r["id"] == wrong.pk]
        assert row["struck"] and row["strike_reason"] == "Wrong patient's cuff"
        assert row["late"]  # 15 min after its clinical time; the default is 10 min


class SignTests(ChartedCase):
    def test_sign_freezes_the_content(self) -> None:
        session = self.charted()
        note = actions.sign_note(self.by(Role.PHYSICIAN), session, password=TEST_PASSWORD)
        session.refresh_from_db()
        assert session.state == states.SIGNED
        assert note.content_sha256 == sha256_of(note.content)
        assert len(note.content_sha256) == 64
        assert AuditEntry.objects.filter(action="infusions.session.sign").count() == 1
        with pytest.raises(ValidationError):
            actions.sign_note(self.by(Role.PHYSICIAN), session, password=TEST_PASSWORD)
        assert SessionNote.objects.count() == 1
        # The session is locked: recovery charting refuses.
        with pytest.raises(ValidationError):
            self.assess(session)
        with pytest.raises(ValidationError):
            recovery_actions.record_after_effects(
                self.by(Role.NURSE), session, answers=[0] * 7, idempotency_key=key()
            )

    def test_blocker_listed_and_refused(self) -> None:
        session = self.charted()
        hooks.register_sign_blocker(not_reconciled)
        try:
            with pytest.raises(ValidationError) as err:
                actions.sign_note(self.by(Role.PHYSICIAN), session, password=TEST_PASSWORD)
            assert "ketamine not reconciled" in " ".join(err.value.messages)
        finally:
            hooks.unregister_sign_blocker(not_reconciled)
        assert not SessionNote.objects.exists()

    def test_wrong_password_refused(self) -> None:
        session = self.charted()
        with pytest.raises(ValidationError) as err:
            actions.sign_note(self.by(Role.PHYSICIAN), session, password="not it")
        assert err.value.message_dict == {"password": [actions.WRONG_PASSWORD]}
        session.refresh_from_db()
        assert session.state == states.DISCHARGED

    def test_only_a_physician_signs(self) -> None:
        session = self.charted()
        with pytest.raises(PermissionDenied):
            actions.sign_note(self.by(Role.NURSE), session, password=TEST_PASSWORD)

    def test_not_before_discharge(self) -> None:
        session = self.recovering()
        with pytest.raises(ValidationError):
            actions.sign_note(self.by(Role.PHYSICIAN), session, password=TEST_PASSWORD)

    def test_addendum_appended(self) -> None:
        session = self.charted()
        note = actions.sign_note(self.by(Role.PHYSICIAN), session, password=TEST_PASSWORD)
        frozen = dict(note.content)
        added = actions.add_addendum(
            self.by(Role.NURSE), note, text="Patient phoned at 18:00: feeling well."
        )
        assert list(note.addenda.all()) == [added]
        note.refresh_from_db()
        assert note.content == frozen and note.content_sha256 == sha256_of(frozen)
        with pytest.raises(ValidationError):
            actions.add_addendum(self.by(Role.NURSE), note, text="  ")
        with pytest.raises(PermissionDenied):
            actions.add_addendum(self.by(Role.COORDINATOR), note, text="x")
        assert AuditEntry.objects.filter(action="infusions.note.addendum").count() == 1


class PdfTests(ChartedCase):
    def test_pdf(self) -> None:
        session = self.charted()
        note = actions.sign_note(self.by(Role.PHYSICIAN), session, password=TEST_PASSWORD)
        actions.add_addendum(self.by(Role.NURSE), note, text="Phoned at 18:00: well.")
        pdf = build_pdf(note.content, note=note, addenda=list(note.addenda.all()))
        assert pdf.startswith(b"%PDF")
        assert b"Phoned at 18:00: well." in pdf
        assert note.content_sha256.encode() in pdf
        assert b"Plan Patient" in pdf
        assert b"Ondansetron" in pdf
        assert b"prediction unavailable" in pdf

    def test_latin1_transliterates(self) -> None:
        assert latin1("Systolic ≥ 170 — ±20 mmHg, Łódź") == "Systolic >= 170 - +/-20 mmHg, Lódz"
