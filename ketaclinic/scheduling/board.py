"""The day board: each chair's bookings of one day, and what each visit needs before start.

Other apps add to each booking's card without this app importing them:

* ``register_board_detail(fn)``: ``fn(bookings)`` returns ``{booking_id: "text"}``, shown
  under the patient's name (the treatment app: "0.5 mg/kg · 38 mg"; infusions later: the
  live phase).
* ``register_board_check(fn)``: ``fn(bookings)`` returns ``{booking_id: [Check, ...]}``, added
  to the list of what is needed before start (the measurement app: questionnaires due).
* ``register_board_action(fn)``: ``fn(bookings)`` returns ``{booking_id: [CardAction, ...]}``,
  buttons or links on the card (infusions: open the session, check in).
* ``register_board_status(fn)``: ``fn(bookings)`` returns ``{booking_id: Status}``, the live
  status line of a visit under way (the infusions app: phase, minutes in, next reading due,
  expected discharge), its ``alerts`` shown in red (a reading overdue, a rule fired).

All take the whole day's bookings at once, so a board costs the same number of queries for
two visits or twenty. The built-in checks (clinical reference §3.3, §5.3, §8.4): a live
off-label consent (``consents``), a current signed eligibility decision (``eligibility``; the
same test as ``screening.decision_is_stale``, read from the stored screening instead of
screening again), and an escort recorded (the Ketalar label: release only accompanied by a
responsible adult, §5.3 [E]).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from ketaclinic.access.zones import clinic_zone
from ketaclinic.clinics.models import Clinic
from ketaclinic.consents.models import Consent, Kind
from ketaclinic.consents.queries import _live as live_consents_of  # the one "live" rule
from ketaclinic.eligibility.models import Decision, EligibilityDecision, PatientScreening
from ketaclinic.scheduling.models import Booking, BookingStatus, Chair, Closure, DutyAssignment


@dataclass(frozen=True)
class Check:
    label: str
    ok: bool
    detail: str = ""


@dataclass(frozen=True)
class CardAction:
    """A link on a card, or a POST button (``post``) with hidden ``fields``; shown only to
    ``roles`` (the acting membership's role) when given."""

    label: str
    url: str
    post: bool = False
    fields: tuple[tuple[str, str], ...] = ()
    roles: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Status:
    """A visit's live status: ``parts`` joined on one line, ``alerts`` each in red."""

    parts: tuple[str, ...]
    alerts: tuple[str, ...] = ()


DetailFn = Callable[[Sequence[Booking]], Mapping[int, str]]
CheckFn = Callable[[Sequence[Booking]], Mapping[int, list[Check]]]
StatusFn = Callable[[Sequence[Booking]], Mapping[int, Status]]
_details: list[DetailFn] = []
_checks: list[CheckFn] = []
ActionFn = Callable[[Sequence[Booking]], Mapping[int, list[CardAction]]]
_actions: list[ActionFn] = []
_statuses: list[StatusFn] = []


def register_board_detail(fn: DetailFn) -> None:
    if fn not in _details:
        _details.append(fn)


def register_board_check(fn: CheckFn) -> None:
    if fn not in _checks:
        _checks.append(fn)


def register_board_action(fn: ActionFn) -> None:
    if fn not in _actions:
        _actions.append(fn)


def register_board_status(fn: StatusFn) -> None:
    if fn not in _statuses:
        _statuses.append(fn)


@dataclass
class Card:
    booking: Booking
    starts: dt.datetime
    ends: dt.datetime
    infusion_ends: dt.datetime
    details: list[str] = field(default_factory=list)
    checks: list[Check] = field(default_factory=list)
    actions: list[CardAction] = field(default_factory=list)
    statuses: list[Status] = field(default_factory=list)

    @property
    def ready(self) -> bool:
        return all(c.ok for c in self.checks)


@dataclass
class Lane:
    chair: Chair
    cards: list[Card]
    closed: str = ""


@dataclass
class Board:
    day: dt.date
    lanes: list[Lane]
    closure: str
    on_duty: list[DutyAssignment]
    cancelled: int


def _consent_checks(bookings: Sequence[Booking]) -> dict[int, Check]:
    ids = {b.patient_id for b in bookings}
    live = set(
        live_consents_of(
            Consent.objects.filter(patient_id__in=ids, template__kind=Kind.OFF_LABEL)
        ).values_list("patient_id", flat=True)
    )
    return {
        pid: Check("Consent", pid in live, "" if pid in live else "No live off-label consent")
        for pid in ids
    }


def _eligibility_checks(bookings: Sequence[Booking]) -> dict[int, Check]:
    ids = {b.patient_id for b in bookings}
    newest: dict[int, EligibilityDecision] = {}
    for d in EligibilityDecision.objects.filter(patient_id__in=ids).order_by(
        "patient_id", "-signed_at", "-id"
    ):
        newest.setdefault(d.patient_id, d)
    screened = dict(
        PatientScreening.objects.filter(patient_id__in=ids).values_list("patient_id", "fingerprint")
    )
    out = {}
    for pid in ids:
        decision = newest.get(pid)
        if decision is None:
            out[pid] = Check("Eligibility", False, "No signed decision")
        elif decision.is_stale or screened.get(pid, decision.fingerprint) != decision.fingerprint:
            out[pid] = Check("Eligibility", False, "Decision out of date")
        elif decision.decision == Decision.NOT_ELIGIBLE:
            out[pid] = Check("Eligibility", False, "Not eligible")
        else:
            out[pid] = Check("Eligibility", True)
    return out


def _escort_check(booking: Booking) -> Check:
    p = booking.patient
    ok = bool(p.escort_name and p.escort_phone)
    return Check("Escort", ok, "" if ok else "No escort name and phone")


def board_for(clinic: Clinic, day: dt.date) -> Board:
    zone = clinic_zone(clinic)
    start = dt.datetime.combine(day, dt.time.min, zone)
    end = start + dt.timedelta(days=1)
    rows = list(
        Booking.objects.filter(clinic=clinic, starts_at__gte=start, starts_at__lt=end)
        .select_related("patient")
        .order_by("starts_at", "id")
    )
    shown = [b for b in rows if b.status != BookingStatus.CANCELLED]
    closures = [
        c
        for c in Closure.objects.filter(
            clinic=clinic, withdrawn_at__isnull=True, starts_on__lte=day, ends_on__gte=day
        )
    ]
    chairs = [
        c
        for c in Chair.objects.filter(clinic=clinic)
        if c.is_active or any(b.chair_id == c.pk for b in shown)
    ]
    consent = _consent_checks(shown) if shown else {}
    eligibility = _eligibility_checks(shown) if shown else {}
    extra_details = [fn(shown) for fn in _details] if shown else []
    extra_checks = [fn(shown) for fn in _checks] if shown else []
    extra_actions = [fn(shown) for fn in _actions] if shown else []
    extra_statuses = [fn(shown) for fn in _statuses] if shown else []
    cards: dict[int, list[Card]] = {}
    for b in shown:
        card = Card(
            b,
            b.starts_at.astimezone(zone),
            b.ends_at.astimezone(zone),
            (b.starts_at + dt.timedelta(minutes=b.infusion_minutes)).astimezone(zone),
        )
        card.details = [d[b.pk] for d in extra_details if b.pk in d]
        card.statuses = [st[b.pk] for st in extra_statuses if b.pk in st]
        card.checks = [consent[b.patient_id], eligibility[b.patient_id], _escort_check(b)]
        for found in extra_checks:
            card.checks.extend(found.get(b.pk, []))
        for offered in extra_actions:
            card.actions.extend(offered.get(b.pk, []))
        cards.setdefault(b.chair_id, []).append(card)
    whole = next((c.reason for c in closures if c.chair_id is None), "")
    lanes = [
        Lane(
            chair,
            cards.get(chair.pk, []),
            next((c.reason for c in closures if c.chair_id == chair.pk), ""),
        )
        for chair in chairs
    ]
    on_duty = list(
        DutyAssignment.objects.filter(clinic=clinic, day=day).select_related("membership__user")
    )
    return Board(day, lanes, whole, on_duty, len(rows) - len(shown))
