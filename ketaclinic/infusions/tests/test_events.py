"""Adverse events and rescue drugs through their actions (``infusions.actions.events``)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from ketaclinic.accounts.models import Role
from ketaclinic.audit.models import AuditEntry
from ketaclinic.infusions.actions._base import transition
from ketaclinic.infusions.actions.events import (
    give_rescue,
    record_adverse_event,
    record_event_outcome,
    weight_kg_of,
)
from ketaclinic.infusions.formulary import ensure_default_formulary
from ketaclinic.infusions.models import FormularyDrug, InfusionSession, RescueDose, VitalsReading
from ketaclinic.infusions.tests.base import SessionCase, key
from ketaclinic.patients.models import Patient
from ketaclinic.treatment import actions as treatment_actions
from ketaclinic.treatment.models import PlanVersion


def to_state(case: SessionCase, session: InfusionSession, *names: str) -> InfusionSession:
    nurse = case.by(Role.NURSE)
    for name in names:
        session = transition(nurse, session, name, reason="Test step." if name else "")
    return session


INFUSING = ("check_in", "begin_checks", "start")


def entry_after(entry: AuditEntry) -> dict[str, Any]:
    assert isinstance(entry.after, dict)
    return entry.after


class EventsCase(SessionCase):
    def signed_plan(self) -> PlanVersion:
        # The shared fixture hands sign_plan the plan, not its version (reported); this signs
        # the plan's only version, as the fixture means to.
        self.ready()
        plan: Any = self.draft()
        return treatment_actions.sign_plan(self.by(Role.PHYSICIAN), plan.versions.get())


class EventsTests(EventsCase):
    def setUp(self) -> None:
        self.session = to_state(self, self.make_session(), *INFUSING)
        ensure_default_formulary(self.clinic)

    def drug(self, key_: str) -> FormularyDrug:
        return FormularyDrug.objects.get(clinic=self.clinic, key=key_)

    def nausea(self, **kw: Any):
        values: dict[str, Any] = {
            "kind": "nausea",
            "severity": "moderate",
            "idempotency_key": key(),
            **kw,
        }
        return record_adverse_event(self.by(Role.NURSE), self.session, **values)

    def reading(self) -> VitalsReading:
        # Charting owns the reading action; the row stands in for one charted at the chair.
        return VitalsReading.objects.create(
            session=self.session,
            clinical_at=timezone.now(),
            entered_by=self.users["nurse"],
            idempotency_key=key(),
            phase="infusion",
            systolic_mmhg=186,
            diastolic_mmhg=104,
            heart_rate_bpm=88,
            spo2_percent=97,
            resp_rate_per_min=14,
        )

    def give(self, drug: str, dose_mg: float, **kw: Any) -> RescueDose:
        values: dict[str, Any] = {
            "drug": self.drug(drug),
            "dose_mg": dose_mg,
            "route": "IV",
            "ordered_by": self.by(Role.PHYSICIAN),
            "idempotency_key": key(),
            **kw,
        }
        return give_rescue(self.by(Role.NURSE), self.session, **values)

    # --- adverse events ----------------------------------------------------------------------

    def test_a_nurse_records_an_adverse_event_once_per_key(self) -> None:
        k = key()
        first = self.nausea(idempotency_key=k)
        again = self.nausea(idempotency_key=k)
        assert first.pk == again.pk
        assert self.session.events.count() == 1
        entry = AuditEntry.objects.get(action="infusions.event.record")
        assert entry_after(entry)["kind"] == "nausea"

    def test_other_needs_a_description(self) -> None:
        with pytest.raises(ValidationError) as caught:
            record_adverse_event(
                self.by(Role.NURSE),
                self.session,
                kind="other",
                severity="mild",
                idempotency_key=key(),
            )
        assert "description" in caught.value.message_dict

    def test_the_coordinator_may_not_record_one(self) -> None:
        with pytest.raises(PermissionDenied):
            record_adverse_event(
                self.by(Role.COORDINATOR),
                self.session,
                kind="nausea",
                severity="mild",
                idempotency_key=key(),
            )

    def test_not_before_the_patient_is_in_the_chair(self) -> None:
        scheduled = self.make_session(plan=False, starts_at=timezone.now() + dt.timedelta(days=1))
        with pytest.raises(ValidationError):
            record_adverse_event(
                self.by(Role.NURSE),
                scheduled,
                kind="nausea",
                severity="mild",
                idempotency_key=key(),
            )

    def test_after_discharge_before_signing(self) -> None:
        nurse = self.by(Role.NURSE)
        self.session = to_state(self, self.session, "complete", "discharge")
        event = record_adverse_event(
            nurse, self.session, kind="dissociation", severity="mild", idempotency_key=key()
        )
        assert event.pk

    def test_the_outcome_is_written_once(self) -> None:
        event = self.nausea()
        done = record_event_outcome(
            self.by(Role.NURSE), event, outcome="Settled after 10 min.", resolved_at=timezone.now()
        )
        assert done.outcome == "Settled after 10 min."
        with pytest.raises(ValidationError) as caught:
            record_event_outcome(self.by(Role.NURSE), done, outcome="Something else.")
        assert "strike" in caught.value.message_dict["outcome"][0]
        assert AuditEntry.objects.filter(action="infusions.event.outcome").count() == 1

    # --- rescue drugs --------------------------------------------------------------------------

    def test_nausea_then_ondansetron_4_mg_linked_to_it(self) -> None:
        event = self.nausea()
        dose = self.give("ondansetron", 4.0, adverse_event=event, response="Settled.")
        assert dose.adverse_event == event
        assert dose.dose_warnings == []
        assert dose.ordered_by == self.users["physician"]
        assert dose.entered_by == self.users["nurse"]
        entry = AuditEntry.objects.get(action="infusions.rescue.give")
        assert entry_after(entry)["drug"] == "ondansetron"
        assert entry_after(entry)["adverse_event"] == event.pk

    def test_refused_without_a_trigger(self) -> None:
        with pytest.raises(ValidationError) as caught:
            self.give("ondansetron", 4.0)
        assert "trigger" in caught.value.message_dict
        assert not RescueDose.objects.exists()

    def test_the_order_must_be_a_physicians(self) -> None:
        with pytest.raises(ValidationError) as caught:
            self.give(
                "ondansetron", 4.0, adverse_event=self.nausea(), ordered_by=self.by(Role.NURSE)
            )
        assert "ordered_by" in caught.value.message_dict

    def test_the_order_may_name_the_physician_user(self) -> None:
        dose = self.give(
            "ondansetron", 4.0, adverse_event=self.nausea(), ordered_by=self.users["physician"]
        )
        assert dose.ordered_by == self.users["physician"]

    def test_a_dose_over_the_limit_needs_the_physicians_reason_and_stores_it(self) -> None:
        event = self.nausea()
        with pytest.raises(ValidationError) as caught:
            self.give("ondansetron", 4.5, adverse_event=event)
        errors = caught.value.message_dict
        assert "over the single-dose limit of 4 mg" in errors["dose_mg"][0]
        assert "override_reason" in errors
        dose = self.give(
            "ondansetron",
            4.5,
            adverse_event=event,
            override_reason="Dr Physician: vial strength, accepted.",
        )
        assert [w["code"] for w in dose.dose_warnings] == ["over_max_single"]
        assert dose.override_reason == "Dr Physician: vial strength, accepted."

    def test_labetalol_in_steps_to_its_maximum_total(self) -> None:
        reading = self.reading()
        t0 = timezone.now() - dt.timedelta(minutes=40)
        for minutes, mg in ((0, 20.0), (10, 80.0), (20, 80.0), (30, 80.0)):  # 260 mg
            self.give(
                "labetalol", mg, reading=reading, clinical_at=t0 + dt.timedelta(minutes=minutes)
            )
        # 260 + 80 = 340 mg > 300 mg: refused, and no override reason changes that.
        with pytest.raises(ValidationError) as caught:
            self.give("labetalol", 80.0, reading=reading, override_reason="Still high.")
        assert "maximum total of 300 mg" in caught.value.message_dict["dose_mg"][0]
        assert RescueDose.objects.filter(drug__key="labetalol").count() == 4

    def test_a_struck_dose_does_not_count(self) -> None:
        reading = self.reading()
        first = self.give(
            "labetalol", 20.0, reading=reading, clinical_at=timezone.now() - dt.timedelta(minutes=5)
        )
        RescueDose.objects.filter(pk=first.pk).update(
            struck_at=timezone.now(), struck_by=self.users["nurse"], strike_reason="Wrong patient."
        )  # charting's strike() does this for real
        assert self.give("labetalol", 20.0, reading=reading).dose_warnings == []

    def born_years_ago(self, years: int) -> None:
        """The patient's birthday was yesterday ``years`` years ago (clinic day of the dose)."""
        today = timezone.localdate()
        try:
            anniversary = today.replace(year=today.year - years)
        except ValueError:  # 29 February
            anniversary = today.replace(year=today.year - years, day=28)
        born = anniversary - dt.timedelta(days=1)  # a day's margin for the clinic's zone
        Patient.objects.filter(pk=self.patient.pk).update(date_of_birth=born)

    def test_midazolam_at_59_by_the_plans_80_kg_weight(self) -> None:
        self.born_years_ago(59)
        event = record_adverse_event(
            self.by(Role.NURSE),
            self.session,
            kind="dissociation",
            severity="severe",
            idempotency_key=key(),
        )
        # 0.03 mg/kg x 80 kg (the plan version's weight) = 2.4 mg: within every limit.
        dose = self.give("midazolam", 2.4, adverse_event=event)
        assert dose.dose_warnings == []
        assert dose.drug.schedule == "IV"

    def test_midazolam_at_60_needs_the_physicians_reason(self) -> None:
        self.born_years_ago(60)
        event = record_adverse_event(
            self.by(Role.NURSE),
            self.session,
            kind="dissociation",
            severity="severe",
            idempotency_key=key(),
        )
        with pytest.raises(ValidationError) as caught:
            self.give("midazolam", 2.4, adverse_event=event)
        assert "Aged 60" in caught.value.message_dict["dose_mg"][0]
        dose = self.give(
            "midazolam",
            1.0,
            adverse_event=event,
            override_reason="Physician at the chair: 1 mg, frail.",
        )
        assert [w["code"] for w in dose.dose_warnings] == ["age_reduced_no_number"]

    def test_without_a_plan_the_latest_measured_weight_counts(self) -> None:
        session = to_state(
            self,
            self.make_session(plan=False, starts_at=timezone.now() + dt.timedelta(hours=3)),
            *INFUSING,
        )
        assert session.plan_version is None
        assert weight_kg_of(session) == 80.0  # the fixture's 80 kg measurement

    def test_a_double_submit_stores_one_dose(self) -> None:
        k = key()
        event = self.nausea()
        first = self.give("ondansetron", 4.0, adverse_event=event, idempotency_key=k)
        again = self.give("ondansetron", 4.0, adverse_event=event, idempotency_key=k)
        assert again.pk == first.pk
        assert RescueDose.objects.count() == 1

    def test_a_retired_drug_is_refused(self) -> None:
        with pytest.raises(ValidationError) as caught:
            self.give("lorazepam", 1.0, adverse_event=self.nausea(), override_reason="x")
        assert "retired" in caught.value.message_dict["drug"][0]
