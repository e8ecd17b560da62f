"""The session's state machine, table-driven: every state × every transition × every role,
through the flow actions (discharge and sign, the recovery and note workflows' steps, through
``_base.transition``). Each case runs in a savepoint that is rolled back, on one session."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from ketaclinic.accounts.models import Membership, Role
from ketaclinic.audit.models import AuditEntry
from ketaclinic.infusions import policies, states
from ketaclinic.infusions.actions import _base, flow
from ketaclinic.infusions.models import InfusionSession, PreCheck, PumpEvent, SessionTransition
from ketaclinic.infusions.models.entries import PumpKind
from ketaclinic.infusions.models.session import CheckItem
from ketaclinic.infusions.tests.base import key
from ketaclinic.infusions.tests.flow_fixtures import FlowCase
from ketaclinic.scheduling.models import Booking, BookingStatus
from ketaclinic.treatment import actions as treatment_actions

ROLES = [
    Role.PHYSICIAN,
    Role.NURSE,
    Role.COORDINATOR,
    Role.CLINIC_ADMIN,
    Role.CUSTODIAN,
    Role.OUTSIDE_PROFESSIONAL,
]


class Rollback(Exception):
    pass


def take(name: str, by: Membership, session: InfusionSession) -> InfusionSession:
    """Transition ``name`` through its action, with what its form would carry."""
    v = session.version
    pump: dict[str, Any] = {"expected_version": v, "idempotency_key": key()}
    calls = {
        "check_in": lambda: flow.check_in(by, session, expected_version=v),
        "begin_checks": lambda: flow.begin_checks(by, session, expected_version=v),
        "start": lambda: flow.start(by, session, **pump),
        "pause": lambda: flow.pause(by, session, reason="BP 182/96", **pump),
        "resume": lambda: flow.resume(by, session, reason="BP 150/88", **pump),
        "complete": lambda: flow.complete(by, session, **pump),
        "stop_early": lambda: flow.stop_early(by, session, reason="Chest pain", **pump),
        "begin_recovery": lambda: flow.begin_recovery(by, session, expected_version=v),
        "no_show": lambda: flow.no_show(by, session, reason="Did not come", expected_version=v),
        "cancel": lambda: flow.cancel(by, session, reason="Unwell", expected_version=v),
    }
    if name in calls:
        return calls[name]()
    with transaction.atomic():  # discharge, sign: other workflows' actions over _base
        return _base.transition(by, session, name, expected_version=v)


class StateMachineTests(FlowCase):
    session: InfusionSession

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        case = cls("run")
        cls.session = case.make_session()
        # Everything start needs, so that its table row tests the state and the role only.
        cls.session.ordered_rate_ml_per_h = 60.0
        cls.session.save()
        for item in CheckItem.values:
            PreCheck.objects.create(session=cls.session, item=item, result="pass", summary="ok")
        # A running rate for resume to return to.
        PumpEvent.objects.create(
            session=cls.session, kind=PumpKind.START, rate_ml_per_h=60.0,
            clinical_at=cls.session.created_at, entered_by=cls.users["nurse"], idempotency_key="s",
        )  # fmt: skip

    def test_every_state_transition_and_role(self) -> None:
        checked = 0
        for state in states.LABELS:
            for name, spec in states.TRANSITIONS.items():
                for role in ROLES:
                    with self.subTest(state=state, name=name, role=role.value):
                        self.one_case(state, name, role, spec)
                        checked += 1
        assert checked == 11 * 12 * 6

    def one_case(self, state: str, name: str, role: Role, spec: states.Transition) -> None:
        by = self.by(role)
        try:
            with transaction.atomic():
                InfusionSession.objects.filter(pk=self.session.pk).update(state=state)
                session = InfusionSession.objects.get(pk=self.session.pk)
                transitions = SessionTransition.objects.count()
                role_may = role in policies.TRANSITION_ROLES[name]
                if not role_may:
                    with self.assertRaises(PermissionDenied):
                        take(name, by, session)
                elif state not in spec.sources:
                    with self.assertRaises(ValidationError) as caught:
                        take(name, by, session)
                    assert "not possible while" in str(caught.exception), caught.exception
                else:
                    after = take(name, by, session)
                    assert after.state == spec.target
                    assert after.version == session.version + 1
                    assert SessionTransition.objects.count() == transitions + 1
                    row = SessionTransition.objects.latest("id")
                    assert (row.name, row.from_state, row.to_state) == (name, state, spec.target)
                    assert AuditEntry.objects.filter(
                        action=f"infusions.session.{name}", object_id=str(session.pk)
                    ).exists()
                    booking = Booking.objects.get(pk=session.booking_id)
                    expected_booking = {
                        "no_show": BookingStatus.NO_SHOW,
                        "cancel": BookingStatus.CANCELLED,
                    }.get(name, BookingStatus.BOOKED)
                    assert booking.status == expected_booking
                raise Rollback
        except Rollback:
            pass

    def test_the_roles_table_is_as_the_policy_says(self) -> None:
        # Front desk (coordinators too) checks in, marks no-shows and cancels; the chair's
        # clinicians do the rest; only a physician signs.
        assert policies.TRANSITION_ROLES["check_in"] == (
            Role.PHYSICIAN,
            Role.NURSE,
            Role.COORDINATOR,
        )
        assert policies.TRANSITION_ROLES["sign"] == (Role.PHYSICIAN,)
        assert set(policies.TRANSITION_ROLES) == set(states.TRANSITIONS)


class PumpStepTests(FlowCase):
    def ready_to_start(self) -> InfusionSession:
        session = self.make_session()
        session.ordered_rate_ml_per_h = 60.0
        session.state = states.PRECHECKS
        session.save()
        for item in CheckItem.values:
            PreCheck.objects.create(session=session, item=item, result="pass", summary="ok")
        return session

    def test_a_whole_infusion_writes_its_pump_events(self) -> None:
        nurse = self.by(Role.NURSE)
        s = self.ready_to_start()
        s = flow.start(nurse, s, expected_version=s.version, idempotency_key=key())
        assert s.started_at is not None
        s = flow.pause(nurse, s, reason="BP 182/96", expected_version=s.version,
                       idempotency_key=key())  # fmt: skip
        s = flow.resume(nurse, s, reason="BP 150/88", expected_version=s.version,
                        idempotency_key=key())  # fmt: skip
        s = flow.complete(nurse, s, expected_version=s.version, idempotency_key=key())
        assert s.state == states.RECOVERY
        assert s.infusion_ended_at == s.recovery_started_at
        rows = list(s.pump.order_by("id").values_list("kind", "rate_ml_per_h"))
        # Resume returns to the last running rate, the ordered 60 mL/h.
        assert rows == [("start", 60.0), ("pause", 0.0), ("resume", 60.0), ("stop", 0.0)]

    def test_resume_at_a_lower_rate_and_stop_early(self) -> None:
        nurse = self.by(Role.NURSE)
        s = self.ready_to_start()
        s = flow.start(nurse, s, expected_version=s.version, idempotency_key=key())
        s = flow.pause(nurse, s, reason="Dissociation", expected_version=s.version,
                       idempotency_key=key())  # fmt: skip
        s = flow.resume(nurse, s, reason="Settled", rate_ml_per_h=30.0,
                        expected_version=s.version, idempotency_key=key())  # fmt: skip
        s = flow.stop_early(nurse, s, reason="Chest pain", expected_version=s.version,
                            idempotency_key=key())  # fmt: skip
        assert (s.state, s.stop_reason) == (states.STOPPED_EARLY, "Chest pain")
        assert s.pump.get(kind="resume").rate_ml_per_h == 30.0
        s = flow.begin_recovery(nurse, s, expected_version=s.version)
        assert s.state == states.RECOVERY and s.recovery_started_at is not None

    def test_a_reason_is_needed_to_pause(self) -> None:
        s = self.ready_to_start()
        s = flow.start(self.by(Role.NURSE), s, expected_version=s.version, idempotency_key=key())
        with self.assertRaises(ValidationError) as caught:
            flow.pause(self.by(Role.NURSE), s, reason=" ", expected_version=s.version,
                       idempotency_key=key())  # fmt: skip
        assert "reason" in caught.exception.message_dict
        assert not s.pump.filter(kind="pause").exists()

    def test_the_same_start_twice_stores_one_start(self) -> None:
        s = self.ready_to_start()
        k = key()
        first = flow.start(self.by(Role.NURSE), s, expected_version=s.version, idempotency_key=k)
        again = flow.start(self.by(Role.NURSE), s, expected_version=s.version, idempotency_key=k)
        assert again.version == first.version
        assert s.pump.filter(kind="start").count() == 1
        assert s.transitions.filter(name="start").count() == 1

    def test_a_stale_version_is_a_conflict(self) -> None:
        s = self.make_session()
        flow.check_in(self.by(Role.COORDINATOR), s, expected_version=s.version)
        with self.assertRaises(_base.SessionConflict) as caught:
            flow.cancel(self.by(Role.NURSE), s, reason="Unwell", expected_version=s.version)
        assert "Someone else changed this session" in str(caught.exception)
        s.refresh_from_db()
        assert s.state == states.CHECKED_IN


class OpenSessionTests(FlowCase):
    def booking(self) -> Booking:
        from django.utils import timezone

        return Booking.objects.create(
            clinic=self.clinic, patient=self.patient, chair=self.chair,
            starts_at=timezone.now(), infusion_minutes=40, recovery_minutes=60,
        )  # fmt: skip

    def test_it_opens_once_and_pins_the_signed_plan(self) -> None:
        version = self.signed_plan()
        booking = self.booking()
        first = flow.open_session(self.by(Role.COORDINATOR), booking)
        again = flow.open_session(self.by(Role.NURSE), booking)
        assert first.pk == again.pk
        assert first.plan_version_id == version.pk and first.state == states.SCHEDULED
        assert AuditEntry.objects.filter(action="infusions.session.open").count() == 1

    def test_an_unsigned_plan_is_not_pinned_until_check_in_finds_it_signed(self) -> None:
        self.ready()
        plan = self.draft()
        session = flow.open_session(self.by(Role.NURSE), self.booking())
        assert session.plan_version is None
        signed = treatment_actions.sign_plan(self.by(Role.PHYSICIAN), plan.latest)
        session = flow.check_in(self.by(Role.COORDINATOR), session, expected_version=1)
        assert session.plan_version_id == signed.pk

    def test_roles_outside_the_front_desk_cannot_open(self) -> None:
        booking = self.booking()
        for role in (Role.CLINIC_ADMIN, Role.CUSTODIAN, Role.OUTSIDE_PROFESSIONAL):
            with self.assertRaises(PermissionDenied):
                flow.open_session(self.by(role), booking)
        assert not InfusionSession.objects.filter(booking=booking).exists()
