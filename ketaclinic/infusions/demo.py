"""The demo clinic's infusion day: today's sessions in every phase, each written through the
actions as the demo staff would (check-in, pre-checks, preparation, readings, rate changes,
adverse events, rescue drugs, recovery, discharge, the signed note).

The in-chair sessions are anchored to the time the demo is made, so a fresh demo always has
an infusion running "now"; when that falls outside the clinic's opening hours the bookings say
so (``book_chair``'s outside-hours reason).

Six "day" patients are added for it (eligible, consented, a signed plan each), beside the
demo's other patients, so no other demo story changes.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from ketaclinic.accounts.models import Role
from ketaclinic.clinics.models import Clinic
from ketaclinic.consents import actions as consent_actions
from ketaclinic.consents.models import Kind
from ketaclinic.demo import DEMO_PASSWORD
from ketaclinic.eligibility.actions import rescreen, sign_decision
from ketaclinic.eligibility.models import ScreeningStatus
from ketaclinic.infusions import states
from ketaclinic.infusions.actions import charting, events, flow
from ketaclinic.infusions.demo_day import clock, key
from ketaclinic.infusions.models import InfusionSession
from ketaclinic.infusions.models.session import CheckItem
from ketaclinic.patients.demo import NO_TO_ALL, DemoPatient, create_demo_patient, demo_member
from ketaclinic.patients.models import Patient
from ketaclinic.patients.queries import latest_weight
from ketaclinic.scheduling.actions.setup import add_chair
from ketaclinic.scheduling.models import Chair
from ketaclinic.treatment import actions as treatment_actions
from ketaclinic.treatment.models import Protocol


def _day_patient(given: str, family: str, born: dt.date, sex: str, **kw: object) -> DemoPatient:
    values: dict[str, object] = {
        "allergies": [],
        "diagnoses": [("F33.1", "Major depressive disorder, recurrent, moderate")],
        "trials": 2,
        "answers": NO_TO_ALL,
        "reproductive": ("no", "no") if sex == "female" else None,
        **kw,
    }
    return DemoPatient(given, f"{family} (demo)", born, sex, **values)  # type: ignore[arg-type]


DAY_PATIENTS = [
    _day_patient(
        "Priya", "Raman", dt.date(1989, 4, 2), "female", height_cm="162.0", weight_kg="60.0",
        bp=(116, 74),
        extra={"phone_mobile": "+14155550121", "escort_name": "Arjun Raman",
               "escort_relationship": "Brother", "escort_phone": "+14155550122"},
    ),
    _day_patient(
        "Tomas", "Herrera", dt.date(1977, 11, 19), "male", height_cm="176.0", weight_kg="84.0",
        bp=(130, 82),
        extra={"phone_mobile": "+14155550123", "escort_name": "Lucia Herrera",
               "escort_relationship": "Wife", "escort_phone": "+14155550124"},
    ),
    _day_patient(
        "Hannah", "Lindqvist", dt.date(1992, 7, 8), "female", height_cm="171.0",
        weight_kg="66.0", bp=(112, 70),
        extra={"phone_mobile": "+14155550125", "escort_name": "Erik Lindqvist",
               "escort_relationship": "Father", "escort_phone": "+14155550126"},
    ),
    _day_patient(
        "Owen", "Price", dt.date(1984, 1, 27), "male", height_cm="183.0", weight_kg="90.0",
        bp=(124, 80),
        extra={"phone_mobile": "+14155550127", "escort_name": "Mia Price",
               "escort_relationship": "Partner", "escort_phone": "+14155550128"},
    ),
    _day_patient(
        "Leah", "Brennan", dt.date(1995, 9, 14), "female", height_cm="168.0", weight_kg="58.0",
        bp=(108, 68),
        extra={"phone_mobile": "+14155550129", "escort_name": "Noah Brennan",
               "escort_relationship": "Husband", "escort_phone": "+14155550130"},
    ),
    _day_patient(
        "Victor", "Nakamura", dt.date(1981, 3, 3), "male", height_cm="174.0", weight_kg="78.0",
        bp=(120, 78),
        extra={"phone_mobile": "+14155550131", "escort_name": "Aiko Nakamura",
               "escort_relationship": "Wife", "escort_phone": "+14155550132"},
    ),
]  # fmt: skip

REASON_ELIGIBLE = "Demo: screening complete with no contraindication; reviewed at consultation."


def ready_day_patients(clinic: Clinic) -> list[Patient]:
    """The day's patients, each eligible, consented (off-label use and the clinic agreement)
    and with a signed 0.5 mg/kg plan from the clinic's depression protocol."""
    physician = demo_member(clinic, Role.PHYSICIAN)
    coordinator = demo_member(clinic, Role.COORDINATOR)
    protocol = Protocol.objects.filter(clinic=clinic, builtin_id="depression").first()
    if protocol is None:
        return []
    version = protocol.versions.order_by("-number").first()
    ready = []
    for d in DAY_PATIENTS:
        if Patient.objects.filter(
            clinic=clinic, legal_given_name=d.given, legal_family_name=d.family
        ).exists():
            continue
        patient = create_demo_patient(clinic, d)
        if rescreen(patient, by=physician).status != ScreeningStatus.ELIGIBLE:
            continue
        sign_decision(physician, patient, decision="eligible", reason=REASON_ELIGIBLE)
        draft = consent_actions.create_consent(
            physician, patient, Kind.OFF_LABEL, indications=["Depression"]
        )
        consent_actions.sign_consent(physician, draft, typed_name=patient.legal_name)
        draft = consent_actions.create_consent(coordinator, patient, Kind.AGREEMENT)
        consent_actions.sign_consent(coordinator, draft, typed_name=patient.legal_name)
        treatment_actions.draft_plan(
            physician,
            patient,
            protocol_version=version,
            dose_mg_per_kg=0.5,
            measurement=latest_weight(patient),
            goals="Response by the end of induction.",
            reason="First plan from the clinic's depression protocol.",
            sign=True,
        )
        ready.append(patient)
    return ready


SIGNED_FIRST = "Maya"  # whose note the demo signs once the ledger has reconciled it


def _patient(clinic: Clinic, given: str) -> Patient | None:
    return Patient.objects.filter(
        clinic=clinic, legal_given_name=given, legal_family_name__endswith="(demo)"
    ).first()


def seed(clinic: Clinic) -> list[InfusionSession]:
    """Today's sessions in every phase (the table in ``demo_day``); none when the clinic has
    sessions already. The note to sign is signed by :func:`sign`, after the ledger's demo."""
    from ketaclinic.infusions.demo_day import Day

    if InfusionSession.objects.filter(clinic=clinic).exists():
        return []
    ready_day_patients(clinic)
    chairs = list(Chair.objects.filter(clinic=clinic, is_active=True).order_by("position", "id"))
    if len(chairs) < 3:
        return []
    coordinator = demo_member(clinic, Role.COORDINATOR)
    while len(chairs) < 5:
        chairs.append(add_chair(coordinator, clinic, name=f"Chair {len(chairs) + 1}"))
    day = Day(demo_member(clinic, Role.PHYSICIAN), demo_member(clinic, Role.NURSE), coordinator)
    who = {g: _patient(clinic, g) for g in (
        "Maya", "Grace", "Ravi", "Owen", "Hannah", "Tomas", "Priya", "Leah", "Victor", "Elena",
        "Marcus",
    )}  # fmt: skip
    if any(p is None for p in who.values()):
        return []
    made: list[InfusionSession] = []

    def visit(given: str, chair: int, start: float) -> InfusionSession:
        patient = who[given]
        assert patient is not None
        booking = day.book(patient, chairs[chair - 1], start)
        session = day.open(booking, start - 20)
        made.append(session)
        return session

    def through_start(session: InfusionSession, start: float) -> InfusionSession:
        session = day.check_in(session, start - 18)
        session = day.checks(session, start - 15)
        return day.prepare_and_start(session, start)

    # Maya: a BP rise fires the rule, the rate is halved; nausea, ondansetron; discharged.
    s = through_start(visit("Maya", 1, -270), -270)
    day.reading(s, -260, (160, 88))
    _, fired = day.reading(s, -250, (162, 90))
    s = day.fresh(s)
    with clock(day.at(-249)):
        charting.change_rate(
            day.nurse, s, rate_ml_per_h=(s.ordered_rate_ml_per_h or 60) / 2,
            reason="Systolic 44 mmHg over baseline on two readings: rate halved (demo).",
            expected_version=s.version, firing=fired[0] if fired else None,
            idempotency_key=key(),
        )  # fmt: skip
    with clock(day.at(-245)):
        nausea = events.record_adverse_event(
            day.nurse, day.fresh(s), kind="nausea", severity="moderate",
            description="Nauseous, no vomiting (demo).", idempotency_key=key(),
        )  # fmt: skip
    day.rescue(s, -244, "ondansetron", 4.0, adverse_event=nausea, response="Settled in 10 min.")
    day.reading(s, -240, (148, 84))
    with clock(day.at(-234)):
        events.record_event_outcome(day.nurse, nausea, outcome="Resolved after ondansetron.")
    day.reading(s, -230, (138, 82))
    day.reading(s, -220, (132, 80))
    s = day.complete(s, -215)
    day.recover_and_discharge(s, -215)

    # Grace: uneventful, discharged; her note waits for the physician.
    s = through_start(visit("Grace", 2, -200), -200)
    for k, minutes in enumerate((10, 20, 30, 40)):
        day.reading(s, -200 + minutes, (150 - 2 * k, 92 - k), hr=78)
    s = day.complete(s, -160)
    day.recover_and_discharge(s, -160)

    # Ravi: did not come.
    s = visit("Ravi", 4, -240)
    with clock(day.at(-215)):
        flow.no_show(day.coordinator, s, reason="Did not come; no answer on the phone (demo).")

    # Owen: infusion over, in recovery.
    s = through_start(visit("Owen", 3, -70), -70)
    for minutes in (10, 20, 30, 40):
        day.reading(s, -70 + minutes, (126, 80))
    s = day.complete(s, -30)
    day.reading(s, -15, (124, 79), hr=70)

    # Hannah: distressing derealization; rate lowered, then stopped early; midazolam.
    s = through_start(visit("Hannah", 5, -60), -60)
    day.reading(s, -50, (120, 74), moaas=5, dissociation=6)
    reading, _ = day.reading(s, -46, (124, 76), moaas=4, dissociation=15)
    with clock(day.at(-45)):
        derealized = events.record_adverse_event(
            day.nurse, day.fresh(s), kind="dissociation", severity="severe", reading=reading,
            description="Distressing derealization; frightened (demo).", idempotency_key=key(),
        )  # fmt: skip
    s = day.fresh(s)
    with clock(day.at(-44)):
        charting.change_rate(
            day.nurse, s, rate_ml_per_h=(s.ordered_rate_ml_per_h or 60) / 2,
            reason="Distressing derealization: rate halved, lights dimmed (demo).",
            expected_version=s.version, adverse_event=derealized, idempotency_key=key(),
        )  # fmt: skip
    s = day.fresh(s)
    with clock(day.at(-40)):
        s = flow.stop_early(
            day.physician, s, reason="Derealization still distressing after the rate was "
            "halved: stopped (demo).", expected_version=s.version, idempotency_key=key(),
            adverse_event=derealized,
        )  # fmt: skip
    day.rescue(s, -39, "midazolam", 1.0, adverse_event=derealized, response="Calmer in 5 min.")
    with clock(day.at(-38)):
        s = flow.begin_recovery(day.nurse, day.fresh(s))
    day.reading(s, -25, (118, 72), moaas=5, dissociation=4)

    # Tomas: infusing; systolic 182 paused the pump.
    s = through_start(visit("Tomas", 4, -35), -35)
    day.reading(s, -25, (150, 88))
    _, fired = day.reading(s, -9, (182, 96))
    s = day.fresh(s)
    with clock(day.at(-8)):
        flow.pause(
            day.nurse, s, reason="Systolic 182: paused, recheck in 5 minutes (demo).",
            expected_version=s.version, idempotency_key=key(),
            firing=fired[0] if fired else None,
        )  # fmt: skip

    # Priya: infusing.
    s = through_start(visit("Priya", 2, -20), -20)
    day.reading(s, -10, (124, 78))

    # Leah: checked in, checks under way.
    s = visit("Leah", 1, -10)
    s = day.check_in(s, -15)
    day.checks(s, -12, [CheckItem.IDENTITY, CheckItem.CONSENTS, CheckItem.VITALS])

    # Victor: later today (the browser walk-through takes him from check-in to the signed note).
    visit("Victor", 3, 45)
    # Elena: arrived early for this afternoon; no plan yet, so she cannot start.
    s = visit("Elena", 5, 60)
    day.check_in(s, -5)
    # Marcus: cancelled.
    s = visit("Marcus", 1, 95)
    with clock(day.at(-30)):
        flow.cancel(day.coordinator, s, reason="Unwell with a cold; rebooking next week (demo).")
    return made


def sign(clinic: Clinic) -> int:
    """Sign the note of the demo's first discharged session (after the ledger reconciled its
    ketamine, which the signature requires)."""
    from ketaclinic.infusions.actions.note import sign_note

    session = (
        InfusionSession.objects.filter(
            clinic=clinic, state=states.DISCHARGED, patient__legal_given_name=SIGNED_FIRST
        )
        .order_by("id")
        .first()
    )
    if session is None:
        return 0
    signed_at = (session.discharged_at or timezone.now()) + dt.timedelta(minutes=10)
    with clock(signed_at):
        sign_note(demo_member(clinic, Role.PHYSICIAN), session, password=DEMO_PASSWORD)
    return 1
